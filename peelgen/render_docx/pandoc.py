"""Pandoc's document model (its JSON AST), built in Python, and markdown tokens in it.

Only the node types peelgen writes are here. Text is split into words and spaces as
pandoc's own readers do. Nothing here reads a file: images arrive as data URIs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it.token import Token

Node = dict[str, Any]
Attr = list[Any]  # [identifier, classes, key-value pairs]

API_VERSION = [1, 23, 1]
_WORDS = re.compile(r"(\s+)")


def attr(ident: str = "", classes: Sequence[str] = (), **pairs: str) -> Attr:
    return [ident, list(classes), [[key.replace("_", "-"), value] for key, value in pairs.items()]]


def text(value: str) -> list[Node]:
    """Words and spaces, as pandoc's readers produce them."""
    out: list[Node] = []
    for part in _WORDS.split(value):
        if not part:
            continue
        out.append({"t": "Space"} if part.isspace() else {"t": "Str", "c": part})
    return out


def para(inlines: list[Node]) -> Node:
    return {"t": "Para", "c": inlines}


def plain(inlines: list[Node]) -> Node:
    return {"t": "Plain", "c": inlines}


def strong(inlines: list[Node]) -> Node:
    return {"t": "Strong", "c": inlines}


def page_break(fmt: str) -> Node:
    """A page break before the next block (a chapter that starts a new page)."""
    if fmt == "docx":
        return {"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']}
    return {"t": "RawBlock", "c": ["opendocument", '<text:p text:style-name="Page_20_Break"/>']}


def header(level: int, ident: str, inlines: list[Node], *classes: str) -> Node:
    return {"t": "Header", "c": [max(1, min(level, 6)), attr(ident, classes), inlines]}


def styled(style: str, blocks: list[Node], ident: str = "") -> Node:
    """A division whose paragraphs take the named Word paragraph style."""
    return {"t": "Div", "c": [attr(ident, custom_style=style), blocks]}


def styled_text(style: str, inlines: list[Node]) -> Node:
    """A span in the named Word character style."""
    return {"t": "Span", "c": [attr(custom_style=style), inlines]}


def bullets(items: list[list[Node]], style: str | None = "List Bullet") -> Node:
    """A bullet list; each item's paragraphs take ``style`` (Word's List Bullet)."""
    return {"t": "BulletList", "c": [[styled(style, item)] if style else item for item in items]}


def link(inlines: list[Node], target: str) -> Node:
    return {"t": "Link", "c": [attr(), inlines, [target, ""]]}


def raw(fmt: str, content: str) -> Node:
    return {"t": "RawInline", "c": [fmt, content]}


def image(uri: str, alt: str) -> Node:
    return {"t": "Image", "c": [attr(), text(alt), [uri, ""]]}


def image_alts(nodes: Any) -> list[str]:
    """The alt text of every image in ``nodes``, in document order."""
    out: list[str] = []
    if isinstance(nodes, dict):
        if nodes.get("t") == "Image":
            return ["".join(n["c"] if n["t"] == "Str" else " " for n in nodes["c"][1])]
        return image_alts(nodes.get("c"))
    if isinstance(nodes, list):
        for node in nodes:
            out += image_alts(node)
    return out


def cell(blocks: list[Node]) -> list[Any]:
    return [attr(), {"t": "AlignDefault"}, 1, 1, blocks]


def table(head: list[list[Node]], rows: list[list[list[Node]]], numeric: Sequence[bool],
          row_classes: Sequence[str] = ()) -> Node:
    """A table with one header row (Word repeats it on each page) and right-aligned
    numeric columns. ``head`` and each row are lists of cells' inlines."""
    # Widths as shares of the text column: text columns twice as wide as numbers, so a
    # table fills the page and words are not broken inside narrow automatic columns.
    weights = [1 if n else 2 for n in numeric]
    aligns = [[{"t": "AlignRight" if n else "AlignLeft"}, {"t": "ColWidth", "c": w / sum(weights)}]
              for n, w in zip(numeric, weights, strict=True)]

    def row(cells: list[list[Node]], kind: str = "") -> list[Any]:
        return [attr(classes=[kind] if kind else []), [cell([plain(c)]) for c in cells]]

    classes = list(row_classes) or [""] * len(rows)
    body = [attr(), 0, [], [row(r, k) for r, k in zip(rows, classes, strict=True)]]
    return {"t": "Table", "c": [attr(), [None, []], aligns, [attr(), [row(head)]], [body], [attr(), []]]}


def document(meta: dict[str, Node], blocks: list[Node]) -> dict[str, Any]:
    return {"pandoc-api-version": API_VERSION, "meta": meta, "blocks": blocks}


def meta_text(value: str) -> Node:
    return {"t": "MetaInlines", "c": text(value)}


def meta_string(value: str) -> Node:
    return {"t": "MetaString", "c": value}


# ---------------------------------------------------------------------------------
# markdown-it tokens (already resolved) to pandoc nodes

InlineHook = Callable[[Token], list[Node]]
BlockHook = Callable[[Token], list[Node]]

_INLINE_WRAPPERS = {"strong": "Strong", "em": "Emph", "s": "Strikeout"}


class Converter:
    """Turns a resolved fragment's tokens into pandoc blocks or inlines.

    peelgen's own tokens (footnote and figure references, placed figures) are handed
    to the hooks, which know the document."""

    def __init__(self, inline_hooks: dict[str, InlineHook], block_hooks: dict[str, BlockHook]) -> None:
        self.inline_hooks = inline_hooks
        self.block_hooks = block_hooks
        self.heading_offset = 2
        self.list_style = "List Bullet"  # inside a box, the box's style: its items stay shaded

    def inlines(self, tokens: Sequence[Token]) -> list[Node]:
        out, _ = self._inlines(list(tokens), 0, None)
        return out

    def _inlines(self, tokens: list[Token], i: int, closer: str | None) -> tuple[list[Node], int]:
        out: list[Node] = []
        while i < len(tokens):
            token = tokens[i]
            if token.type == closer:
                return out, i + 1
            if token.type.endswith("_open"):
                children, i = self._inlines(tokens, i + 1, token.type.replace("_open", "_close"))
                out.append(self._wrap(token, children))
                continue
            out.extend(self._inline(token))
            i += 1
        return out, i

    def _wrap(self, token: Token, children: list[Node]) -> Node:
        name = token.type.removesuffix("_open")
        if name == "link":
            return link(children, str(token.attrGet("href") or "#"))
        return {"t": _INLINE_WRAPPERS.get(name, "Span"), "c": children} if name in _INLINE_WRAPPERS \
            else {"t": "Span", "c": [attr(), children]}

    def _inline(self, token: Token) -> list[Node]:
        if token.type in self.inline_hooks:
            return self.inline_hooks[token.type](token)
        if token.type == "text":
            return text(token.content)
        if token.type == "code_inline":
            return [{"t": "Code", "c": [attr(), token.content]}]
        if token.type == "softbreak":
            return [{"t": "SoftBreak"}]
        if token.type == "hardbreak":
            return [{"t": "LineBreak"}]
        return text(token.content)

    def blocks(self, tokens: Sequence[Token], *, heading_offset: int = 2) -> list[Node]:
        self.heading_offset = heading_offset
        out, _ = self._blocks(list(tokens), 0, None)
        return out

    def _blocks(self, tokens: list[Token], i: int, closer: str | None) -> tuple[list[Node], int]:
        out: list[Node] = []
        while i < len(tokens):
            token = tokens[i]
            if token.type == closer:
                return out, i + 1
            node, i = self._block(tokens, i)
            out.extend(node)
        return out, i

    def _block(self, tokens: list[Token], i: int) -> tuple[list[Node], int]:
        token = tokens[i]
        kind = token.type
        if kind in self.block_hooks:
            return self.block_hooks[kind](token), i + 1
        if kind == "inline":
            return [plain(self.inlines(token.children or []))], i + 1
        if kind in ("fence", "code_block"):
            return [{"t": "CodeBlock", "c": [attr(), token.content.rstrip("\n")]}], i + 1
        if kind == "hr":
            return [{"t": "HorizontalRule"}], i + 1
        if not kind.endswith("_open"):
            return [], i + 1
        children, end = self._blocks(tokens, i + 1, kind.replace("_open", "_close"))
        return self._container(token, children), end

    def _container(self, token: Token, children: list[Node]) -> list[Node]:
        kind = token.type.removesuffix("_open")
        if kind == "paragraph":
            inlines = [n for child in children for n in (child["c"] if child["t"] == "Plain" else [])]
            blocks = [child for child in children if child["t"] != "Plain"]
            return ([para(inlines)] if inlines else []) + blocks
        if kind == "heading":
            inlines = [n for child in children for n in child.get("c", [])]
            return [header(int(token.tag[1]) + self.heading_offset, "", inlines)]
        if kind == "list_item":
            return [{"t": "_item", "c": children}]
        if kind == "bullet_list":
            return [bullets([item["c"] for item in children], self.list_style)]
        if kind == "ordered_list":
            start = int(token.attrGet("start") or 1)
            style = [start, {"t": "Decimal"}, {"t": "Period"}]
            item_style = "List Number" if self.list_style == "List Bullet" else self.list_style
            items = [[styled(item_style, item["c"])] for item in children]
            return [{"t": "OrderedList", "c": [style, items]}]
        if kind == "blockquote":
            return [{"t": "BlockQuote", "c": children}]
        return children
