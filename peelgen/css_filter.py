"""Render stage: a report's own stylesheets, parsed and written out again so they can only style.

A stylesheet from a report folder (``styles/custom.css``, or one overriding a built-in
stylesheet) is parsed with tinycss2, checked, and serialised again before it is put in
the page's ``<style>`` element. It is refused, with the file, line and column of each
problem, if it has:

- ``@import``, or a ``url()`` that is not a file inside the allowed folders (a remote
  ``http(s)://`` address, ``file:``, an absolute path, ``..``, a symlink out); files
  inside are inlined as ``data:`` URIs, with their type found from their first bytes;
- ``expression()``, ``-moz-binding``, ``behavior`` and other ways CSS has had to run code
  or fetch things (``image-set()``, ``element()`` …);
- syntax errors, or text that is not UTF-8.

Nothing in the output can end the ``<style>`` element: comments are dropped, ``<`` in
strings is written as an escape, names containing ``<`` are refused, and the result is
checked for ``</``, ``<!`` and ``<`` before a letter.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2
from tinycss2 import ast

from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused
from peelgen.folder import Folder, read_regular_file

MAX_STYLESHEET_BYTES = 2 * 1024 * 1024
MAX_ASSET_BYTES = 5 * 1024 * 1024  # one file named by url()
MAX_INLINED_BYTES = 20 * 1024 * 1024  # every file a stylesheet inlines

_FORBIDDEN_PROPERTIES = {"behavior", "behaviour", "-ms-behavior", "-moz-binding", "binding"}
_FORBIDDEN_FUNCTIONS = {"expression", "image", "image-set", "-webkit-image-set", "cross-fade",
                        "-webkit-cross-fade", "element", "-moz-element", "-moz-image-rect", "paint"}
_URL_FUNCTIONS = {"url", "src"}
_FORBIDDEN_AT_RULES = {"import", "namespace"}
# What could end the <style> element or start markup: checked on the final text.
_MARKUP = re.compile(r"<[/!?a-zA-Z]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DATA_TYPES = re.compile(r"^data:(image/(png|jpeg|gif|webp|svg\+xml)|font/[a-z0-9]+|application/(x-)?font-[a-z0-9]+)"
                         r"[;,]", re.IGNORECASE)


def css_string(text: str) -> str:
    """A CSS string literal; escapes quotes, backslashes and '<' (so no '</style>')."""
    escaped = "".join(c if c.isprintable() and c not in '"\\<' else f"\\{ord(c):x} " for c in text)
    return f'"{escaped}"'


def sniff_type(data: bytes) -> str | None:
    """The media type of an image or font file, from its first bytes; None if unknown."""
    signatures = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                  (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"wOFF", "font/woff"),
                  (b"wOF2", "font/woff2"), (b"\x00\x01\x00\x00", "font/ttf"), (b"true", "font/ttf"),
                  (b"OTTO", "font/otf"))
    for signature, media_type in signatures:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml", b"<!--")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def _syntax_message(error: ast.ParseError) -> str:
    if error.message.startswith("Stop token reached before {} block"):
        # Inside a rule, 'color red;' is first tried as a nested rule; say what was meant.
        return "CSS syntax error: expected a declaration (name: value;) or a rule before this ';'"
    return f"CSS syntax error: {error.message}"


@dataclass
class _Checker:
    file: str  # as shown in messages
    folder: Folder  # the allowed roots
    base: Path  # the stylesheet's own folder: relative URLs start here
    fallback: Path | None  # peelgen's styles: a relative URL found only there is left as it is
    problems: list[Diagnostic] = field(default_factory=list)
    inlined: int = 0

    def problem(self, node: ast.Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(self.file, message, node.source_line, node.source_column, hint=hint))

    # -- rules --------------------------------------------------------------------------

    def rules(self, nodes: list[ast.Node]) -> list[ast.Node]:
        kept = []
        for node in nodes:
            if isinstance(node, ast.AtRule) and node.lower_at_keyword == "charset":
                continue  # the page is UTF-8 whatever the stylesheet said
            self.rule(node)
            kept.append(node)
        return kept

    def rule(self, node: ast.Node) -> None:
        if isinstance(node, ast.ParseError):
            self.problem(node, _syntax_message(node))
        elif isinstance(node, ast.AtRule):
            if node.lower_at_keyword in _FORBIDDEN_AT_RULES:
                self.problem(node, f"@{node.lower_at_keyword} is not allowed in a report's stylesheet",
                             "copy the rules you need into this file")
                return  # what it names is not looked for: it is refused already
            self.tokens(node.prelude)
            if node.content is not None:
                self.block(node.content)
        elif isinstance(node, ast.QualifiedRule):
            self.tokens(node.prelude)
            self.block(node.content)

    def block(self, content: list[ast.Node]) -> None:
        """A rule's contents: names checked on the parsed form, tokens (in place) on the raw one."""
        self.names(content)
        self.tokens(content)

    def names(self, content: list[ast.Node]) -> None:
        for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if isinstance(item, ast.Declaration) and item.lower_name in _FORBIDDEN_PROPERTIES:
                self.problem(item, f"the property '{item.name}' is not allowed in a report's stylesheet")
            elif isinstance(item, ast.AtRule) and item.lower_at_keyword in _FORBIDDEN_AT_RULES:
                self.problem(item, f"@{item.lower_at_keyword} is not allowed in a report's stylesheet")
            elif isinstance(item, ast.ParseError):
                self.problem(item, _syntax_message(item))
            elif isinstance(item, ast.AtRule | ast.QualifiedRule) and item.content is not None:
                self.names(item.content)

    # -- tokens -------------------------------------------------------------------------

    def tokens(self, nodes: list[ast.Node] | None) -> None:
        for node in nodes or ():
            self.token(node)

    def token(self, node: ast.Node) -> None:
        if isinstance(node, ast.StringToken):
            node.representation = css_string(node.value)
        elif isinstance(node, ast.URLToken):
            node.value = self.url(node, node.value)
            node.representation = f"url({css_string(node.value)})"
        elif isinstance(node, ast.FunctionBlock):
            self.function(node)
        elif isinstance(node, ast.ParenthesesBlock | ast.SquareBracketsBlock | ast.CurlyBracketsBlock):
            self.tokens(node.content)
        elif isinstance(node, ast.ParseError):
            self.problem(node, _syntax_message(node))
        elif isinstance(node, ast.IdentToken | ast.AtKeywordToken | ast.HashToken):
            self.name(node, node.value)
        elif isinstance(node, ast.DimensionToken):
            self.name(node, node.unit)

    def name(self, node: ast.Node, value: str) -> None:
        if "<" in value or ">" in value:
            self.problem(node, "a name in the stylesheet contains '<' or '>'", "remove it")

    def function(self, node: ast.FunctionBlock) -> None:
        self.name(node, node.name)
        if node.lower_name in _FORBIDDEN_FUNCTIONS:
            self.problem(node, f"{node.name}() is not allowed in a report's stylesheet")
        if node.lower_name in _URL_FUNCTIONS:
            strings = [arg for arg in node.arguments if isinstance(arg, ast.StringToken)]
            if strings:
                strings[0].value = self.url(strings[0], strings[0].value)
            else:
                self.problem(node, f"{node.name}() without an address")
        self.tokens(node.arguments)

    # -- addresses ----------------------------------------------------------------------

    def url(self, node: ast.Node, url: str) -> str:
        """The address to write instead of ``url``: a data: URI, or ``url`` itself when allowed."""
        url = url.strip()
        if url.startswith("#"):  # a fragment of the page itself (an SVG filter, say): no fetch
            return url
        if url.lower().startswith("data:"):
            if not _DATA_TYPES.match(url):
                self.problem(node, "a data: address in a stylesheet must be an image or a font")
            return url
        if _SCHEME.match(url) or url.startswith(("/", "\\")):
            self.problem(node, f"the stylesheet names '{url[:80]}', outside the report's folder",
                         "peelgen fetches nothing: put the file in the styles folder and name it relatively")
            return url
        parts = urlsplit(url)
        name = unquote(parts.path)
        try:
            return self.inline(name) + (f"#{parts.fragment}" if parts.fragment else "")
        except FileRefused as refused:
            if self.fallback is not None and (self.fallback / name).is_file() and ".." not in name:
                return url  # one of peelgen's own files (the print fonts): WeasyPrint finds it
            self.problem(node, refused.message, refused.hint)
            return url

    def inline(self, name: str) -> str:
        real = self.folder.locate(name, root=self.base, what="file")
        data = read_regular_file(real, limit=MAX_ASSET_BYTES, what="file named in the stylesheet")
        media_type = sniff_type(data)
        if media_type is None:
            raise FileRefused(f"'{name}' is not an image or font peelgen knows (PNG, JPEG, GIF, WebP, SVG, "
                              "WOFF, WOFF2, TrueType, OpenType)", None)
        if media_type == "image/svg+xml" and (b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper()):
            raise FileRefused(f"the SVG '{name}' has a DOCTYPE or entities", "remove the <!DOCTYPE> declaration")
        self.inlined += len(data)
        if self.inlined > MAX_INLINED_BYTES:
            raise FileRefused(f"the stylesheet names more than {MAX_INLINED_BYTES:,} bytes of files", None)
        return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def filter_stylesheet(text: str, *, file: str, folder: Folder, base: Path, fallback: Path | None = None) -> str:
    """``text`` checked and written out again (see the module's documentation); raises
    :class:`BuildFailed` with every problem found, each with its line and column."""
    checker = _Checker(file, folder, base, fallback)
    rules = checker.rules(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=False))
    if checker.problems:
        raise BuildFailed(dict.fromkeys(checker.problems))  # a bad token can be met twice
    css = tinycss2.serialize(rules)
    markup = _MARKUP.search(css)
    if markup:  # cannot happen after the checks above; kept as the last line of defence
        line = css.count("\n", 0, markup.start()) + 1
        raise BuildFailed([Diagnostic(file, "the stylesheet would contain markup ('<' before a letter, '/' "
                                      "or '!')", line, hint="remove the '<'")])
    return css
