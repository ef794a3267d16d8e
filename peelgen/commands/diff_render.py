"""``peelgen diff`` output: terminal text, JSON, and an HTML redline page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from peelgen.commands.diff import Change, Comparison, diff_files
from peelgen.diagnostics import display_name
from peelgen.labels import DiffPageWords

# What each kind of change is called in the terminal, with peelgen's other messages; the
# page takes its words from the catalogue of the report's language (labels.diff_page).
KIND_LABELS = {
    "grade": "grade changed",
    "previous-grade": "previous grade changed",
    "added": "added",
    "removed": "removed",
    "reworded": "reworded",
    "text": "text changed",
    "changed": "changed",
    "metric": "metric changed",
    "metric-added": "metric added",
    "metric-removed": "metric removed",
    "figure": "figure value changed",
    "figure-added": "figure added",
    "figure-removed": "figure removed",
    "footnote-added": "footnote added",
    "footnote-removed": "footnote removed",
    "footnote-changed": "footnote changed",
}
CONTEXT_WORDS = 8  # unchanged words kept either side of a change in the terminal


def _short(value: Any, none: str = "(none)") -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_short(item, none)}" for key, item in value.items())
    text = " ".join(str(value).split()) if value is not None else none
    return text if len(text) <= 200 else text[:199] + "…"


def _words_text(words: Sequence[tuple[str, str]]) -> str:
    """git's word-diff notation: [-deleted-]{+inserted+}, long unchanged runs shortened."""
    parts = []
    for index, (op, text) in enumerate(words):
        flat = " ".join(text.split())
        if op == "delete":
            parts.append(f"[-{flat}-]")
        elif op == "insert":
            parts.append(f"{{+{flat}+}}")
        else:
            parts.append(_elide(flat.split(), first=index == 0, last=index == len(words) - 1))
    return " ".join(part for part in parts if part)


def _elide(words: list[str], *, first: bool, last: bool) -> str:
    keep = CONTEXT_WORDS
    if len(words) <= 2 * keep:
        return " ".join(words)
    head = [] if first else words[:keep]
    tail = [] if last else words[-keep:]
    return " ".join([*head, "…", *tail])


def text_output(changes: Sequence[Change], old_name: str, new_name: str) -> str:
    if not changes:
        return f"no changes from {old_name} to {new_name}\n"
    lines = [f"{len(changes)} change{'s' if len(changes) != 1 else ''} from {old_name} to {new_name}:"]
    for change in changes:
        lines.append(f"* {KIND_LABELS.get(change.kind, change.kind)}: {change.what} ({change.where})")
        if change.words:
            lines.append(f"    {_words_text(change.words)}")
        elif change.kind in ("added", "footnote-added", "metric-added", "figure-added"):
            lines.append(f"    + {_short(change.new)}")
        elif change.kind in ("removed", "footnote-removed", "metric-removed", "figure-removed"):
            lines.append(f"    - {_short(change.old)}")
        else:
            lines.append(f"    {_short(change.old)} → {_short(change.new)}")
    return "\n".join(lines) + "\n"


def json_output(changes: Sequence[Change], old_name: str, new_name: str) -> str:
    # Plain ASCII, every control character escaped (DEL too, which json leaves raw): the
    # terminal-safe printing of the CLI then has nothing to change, and the JSON stays valid.
    text = json.dumps({"old": old_name, "new": new_name, "changed": bool(changes),
                       "changes": [change.as_dict() for change in changes]}, indent=2, ensure_ascii=True,
                      default=str)
    return text.replace("\x7f", "\\u007f") + "\n"


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #0b0c0c; }
ins { background: #cce2d8; text-decoration: underline; text-decoration-thickness: 2px; }
del { background: #f6d7d2; text-decoration: line-through; text-decoration-thickness: 2px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; margin: 0; padding: 0;
                   overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }
.where { font-family: monospace; font-size: 0.9em; color: #505a5f; }
li { margin-bottom: 1.25rem; }
.text { white-space: pre-wrap; }  /* keep the paragraphs of a changed text */
"""


def _marked(tag: str, said: str, text: str) -> str:
    """<ins>/<del> that also say so in words, for screen readers and without colour."""
    hidden = '<span class="visually-hidden">'
    return f"<{tag}>{hidden}[{escape(said)}: </span>{escape(text)}{hidden}]</span></{tag}>"


def _html_body(change: Change, words: DiffPageWords) -> str:
    def ins(text: str) -> str:
        return _marked("ins", words.inserted, text)

    def delete(text: str) -> str:
        return _marked("del", words.deleted, text)

    if change.words:
        parts = [delete(text) if op == "delete" else ins(text) if op == "insert" else escape(text)
                 for op, text in change.words]
        return '<p class="text">' + "".join(parts) + "</p>"
    if change.old is None or change.kind.endswith("added"):
        return f"<p>{ins(_short(change.new, words.none))}</p>"
    if change.new is None or change.kind.endswith("removed"):
        return f"<p>{delete(_short(change.old, words.none))}</p>"
    return f"<p>{delete(_short(change.old, words.none))} {ins(_short(change.new, words.none))}</p>"


def html_output(comparison: Comparison, old_name: str, new_name: str) -> str:
    """The redline page, in the newer draft's language."""
    changes, words = comparison.changes, comparison.words
    title = words.title.format(old=old_name, new=new_name)
    items = []
    for change in changes:
        items.append(
            f"<li><h2>{escape(words.kinds.of(change.kind))}: {escape(change.what)}</h2>"
            f'<p class="where">{escape(change.where)}</p>{_html_body(change, words)}</li>')
    language = comparison.language
    count = words.count.for_count(len(changes), language).format(n=language.number(len(changes)))
    summary = f"<p>{escape(count)} {escape(words.key)}</p>" if changes else f"<p>{escape(words.no_changes)}</p>"
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language.tag)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n{summary}\n<ol>\n" + "\n".join(items) + "\n</ol>\n</main>\n</body>\n</html>\n")


def run_diff(old: Path, new: Path, fmt: str, html_out: Path | None) -> tuple[str, bool]:
    """The output of ``peelgen diff`` and whether anything changed; writes the redline page
    if asked. Raises BuildFailed (unreadable drafts) or click.UsageError."""
    import click

    from peelgen.commands.frameworks import UnknownFramework
    from peelgen.output import write_atomically

    try:
        comparison = diff_files(old, new)
    except (UnknownFramework, ValueError) as error:
        raise click.UsageError(str(error)) from None
    names = (display_name(old), display_name(new))
    if html_out is not None:
        write_atomically(html_out.parent, {html_out.name: html_output(comparison, *names).encode("utf-8")})
    render = json_output if fmt == "json" else text_output
    return render(comparison.changes, *names), bool(comparison.changes)
