"""Markdown for findings, summaries and boilerplate (markdown-it-py, CommonMark).

Two inline rules are added, in the manner of markdown-it-py's plugins:

* ``[^id]`` becomes a ``footnote_ref`` token (numbered later, by :mod:`peelgen.resolve`);
* ``{name}`` and ``{kind:id}`` become ``placeholder`` tokens (filled by resolve).

Raw HTML is off, so ``<script>`` in a finding is printed as text. The rendering rules
for these tokens live in :mod:`peelgen.render_html`; this module only parses.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_FOOTNOTE_REF = re.compile(r"\[\^([A-Za-z0-9][A-Za-z0-9_-]{0,79})\]")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z_]*)(?::([A-Za-z0-9][A-Za-z0-9_.-]{0,120}))?\}")


def _footnote_ref(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[^", state.pos):
        return False
    match = _FOOTNOTE_REF.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("footnote_ref", "", 0)
        token.meta = {"id": match.group(1)}
    state.pos = match.end()
    return True


def _placeholder(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{":
        return False
    match = _PLACEHOLDER.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("placeholder", "", 0)
        token.meta = {"name": match.group(1), "arg": match.group(2)}
        token.content = match.group(0)
    state.pos = match.end()
    return True


@functools.cache
def parser() -> MarkdownIt:
    """The shared parser. markdown-it parsers are reusable and safe to share."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["replacements", "smartquotes"])
    # Before "link" so that "[^id]" is never read as the start of a link.
    md.inline.ruler.before("link", "footnote_ref", _footnote_ref)
    md.inline.ruler.before("text", "placeholder", _placeholder)
    # Link targets are checked (with a located error) in resolve, not silently dropped.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def parse_block(text: str) -> list[Token]:
    return parser().parse(text)


def parse_inline(text: str) -> list[Token]:
    """Parse one line of inline markdown; returns the inline token's children."""
    tokens = parser().parseInline(text)
    return tokens[0].children or [] if tokens else []
