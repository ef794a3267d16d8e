"""Render stage: a page written with a report's own templates may not script or fetch.

The sandbox stops a template running code in peelgen, but a template is also HTML typed
by whoever wrote it: a ``<script>``, an ``onload=`` or an ``<img src="https://…">`` in it
would reach the reader's browser as it is. The page's Content-Security-Policy already
forbids all of these; this check keeps them out of the output too, with the template
line that wrote each one when it can be found.

Allowed: data: URIs and ``#fragment`` references as sources; links (``<a href>``) to
anything but script or data: addresses; ``<meta>`` only for the charset, viewport,
names and the page's own policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser

from peelgen.diagnostics import Diagnostic

_FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "link",
                   "noscript", "template", "form"}
_SOURCE_ATTRIBUTES = {"src", "srcset", "poster", "data", "action", "formaction", "background", "ping", "lowsrc",
                      "dynsrc", "manifest", "codebase", "archive", "href", "xlink:href", "longdesc", "cite"}
# Markdown may link a data: image (markdown-it allows those); nothing else of the kind.
_LINK_SCHEMES = re.compile(r"^\s*(javascript:|vbscript:|file:|data:(?!image/(png|jpeg|gif|webp)[;,]))", re.IGNORECASE)
# A url( in CSS whose address has a scheme other than data:, or starts with //.
_REMOTE_CSS_URL = re.compile(r"url\(\s*['\"]?\s*(?!data:)([a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)


# Browsers and Python's HTML parser do not always agree (inside <svg>, a <style> holds
# markup, not text): these elements are also looked for in the raw text.
_RAW_ELEMENT = re.compile(r"<\s*(script|iframe|frame|object|embed|applet|base|link|portal)\b", re.IGNORECASE)
# The one <link> a page may have (partials/edition-link.html.j2): to the other-language
# edition, beside it. Browsers fetch nothing for rel="alternate".
_ALTERNATE = re.compile(r'<link rel="alternate" hreflang="[a-zA-Z]{2,3}(-[A-Z]{2})?" href="[a-z0-9-]+\.html">')


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []  # (output line, what, text to look for)
        self._in_style = False

    def _found(self, what: str, needle: str) -> None:
        self.found.append((self.getpos()[0], what, needle))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link" and _ALTERNATE.fullmatch(self.get_starttag_text() or ""):
            return  # the other-language edition's page: named, never loaded
        if tag in _FORBIDDEN_TAGS:
            self._found(f"{'an' if tag[0] in 'aeiou' else 'a'} <{tag}> element", f"<{tag}")
        if tag == "meta":
            self._meta(dict(attrs))
        self._in_style = tag == "style"
        for name, value in attrs:
            self._attribute(tag, name, value or "")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _meta(self, attrs: Mapping[str, str | None]) -> None:
        equiv = (attrs.get("http-equiv") or "").lower()
        if equiv and equiv != "content-security-policy":
            self._found(f'<meta http-equiv="{equiv}">', "http-equiv")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self._found(f"an event handler ({name}=)", f"{name}=")
        elif name == "style":
            self._css(value)
        elif name == "href" and tag in ("a", "area"):
            if _LINK_SCHEMES.match(value):
                self._found(f"a link to a {value.split(':', 1)[0].strip().lower()}: address", value.strip()[:40])
        elif name in _SOURCE_ATTRIBUTES and value and not value.lstrip().startswith(("data:", "#")):
            self._found(f"a {name}= that loads '{value[:60]}'", value[:40])

    def _css(self, css: str) -> None:
        if "@import" in css.lower():
            self._found("@import in a style", "@import")
        remote = _REMOTE_CSS_URL.search(css)
        if remote:
            self._found("a remote url() in a style", remote.group(0))


def check_page(html: str, page_file: str, templates: Mapping[str, str]) -> list[Diagnostic]:
    """Problems in ``html``; each is located in the first of ``templates`` (shown file
    name -> source) that contains its text, or else given against ``page_file``."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    parsed = {needle for _, _, needle in checker.found}
    for raw in _RAW_ELEMENT.finditer(html):
        tag = raw.group(1).lower()
        if tag == "link" and _ALTERNATE.match(html, raw.start()):
            continue
        if f"<{tag}" not in parsed:
            checker.found.append((html.count("\n", 0, raw.start()) + 1, f"a <{tag}> element", f"<{tag}"))
    problems = []
    for output_line, what, needle in checker.found:
        file, line = page_file, None
        for name, source in templates.items():
            at = source.lower().find(needle.lower())
            if at >= 0:
                file, line = name, source.count("\n", 0, at) + 1
                break
        problems.append(Diagnostic(file, f"the page would have {what} (line {output_line} of the page)", line,
                                   hint="pages may not run scripts or load anything from elsewhere"))
    return list(dict.fromkeys(problems))
