"""Lint that reviewers ask for, over a report's loaded plain data (not its models).

Each rule has a stable id, printed with its warning, and a report silences rules with

    lint:
      ignore: [short-summary]

The rules read only the plain YAML data and its source positions
(:class:`peelgen.load.LoadedFile`), so they do not depend on how the models are shaped.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import Any

from peelgen.diagnostics import Diagnostic, DocPath, format_path, suggest
from peelgen.load import LoadedFile

WARNING = "warning"
NEEDS_IMPROVEMENT = ("requires-improvement", "inadequate")
ITEM_KEYS = ("areas_for_improvement", "causes_of_concern")
UNIT_LISTS = ("questions", "pillars")
# Headings that stand in for a real one.
PLACEHOLDER = re.compile(r"^\s*(todo|tbc|tbd|xxx+|heading|new heading|untitled|title|section( \d+)?|"
                         r"lorem ipsum.*|placeholder|\.\.\.|…|-+)\s*[.:!]?\s*$", re.IGNORECASE)
SUMMARY_RATIO = 40  # a summary shorter than 1/40 of its findings …
SUMMARY_WORDS = 20  # … and under this many words is "far shorter"
PROSE_KEYS = ("body", "summary", "observations", "leadership", "foreword", "intro", "text")
NOT_PROSE = ("metrics", "datasets", "measures", "figures", "meta", "data_sources", "lint", "hmi", "print", "style")
_NUMBER = re.compile(r"(?<![\w.,{:])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w}]|[.,]\d)")

Warn = Callable[..., None]


def _words(text: Any) -> int:
    return len(str(text).split()) if isinstance(text, str) else 0


def _findings_words(findings: Any) -> int:
    total = 0
    for finding in findings if isinstance(findings, list) else []:
        if isinstance(finding, dict):
            total += _words(finding.get("body")) + _findings_words(finding.get("findings"))
    return total


def _units(data: dict[str, Any], keys: tuple[str, ...] = UNIT_LISTS) -> Iterator[tuple[DocPath, dict[str, Any]]]:
    for key in keys:
        units = data.get(key)
        for index, unit in enumerate(units if isinstance(units, list) else []):
            if isinstance(unit, dict):
                yield (key, index), unit


def grade_without_improvement(data: dict[str, Any], warn: Warn) -> None:
    """requires improvement or inadequate, yet nothing to improve: the reader is left
    without the reason for the grade."""
    # Questions only: they are where areas for improvement and causes of concern are
    # written (a 2018/19 pillar has a summary but no such lists).
    for path, unit in _units(data, ("questions",)):
        written = unit.get("findings") or unit.get("summary")
        if unit.get("grade") in NEEDS_IMPROVEMENT and written and not any(unit.get(key) for key in ITEM_KEYS):
            grade = unit["grade"].replace("-", " ")
            warn((*path, "grade"), f"the grade is {grade} but there is no area for improvement or cause of concern",
                 "add what the force must improve, or check the grade")


def _headings(value: Any, path: DocPath) -> Iterator[tuple[DocPath, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "heading" and isinstance(item, str):
                yield (*path, key), item
            else:
                yield from _headings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _headings(item, (*path, index))


def headings(data: dict[str, Any], warn: Warn) -> None:
    """Section headings only (not a table's column headings), compared within one part of
    the report (the questions, one annex): two annexes may each have a 'Methodology'."""
    seen: dict[tuple[Any, str], DocPath] = {}
    for path, heading in _headings(data, ()):
        if "columns" in path:
            continue
        if PLACEHOLDER.match(heading):
            warn(path, f"the heading '{heading}' looks like a placeholder", "write the real heading",
                 rule="placeholder-heading")
            continue
        key = (path[0], " ".join(heading.lower().split()))
        if key in seen:
            first = format_path(seen[key])
            warn(path, f"the heading '{heading}' is used before (at {first})",
                 "give each section its own heading", rule="duplicate-heading")
        else:
            seen[key] = path


def short_summary(data: dict[str, Any], warn: Warn) -> None:
    for path, unit in _units(data):
        summary, findings = _words(unit.get("summary")), _findings_words(unit.get("findings"))
        if unit.get("summary") is not None and summary < SUMMARY_WORDS and summary * SUMMARY_RATIO < findings:
            warn((*path, "summary"), f"the summary has {summary} word{'s' if summary != 1 else ''} "
                 f"for {findings} words of findings", "summarise the findings for a reader who reads only this")


def _metric_numbers(data: dict[str, Any]) -> dict[str, str]:
    """Each metric value as it would be written in prose ('58.8', '1,234'), with the
    placeholder that writes it; only values specific enough not to be a coincidence."""
    numbers: dict[str, str] = {}
    metrics = data.get("metrics")
    for metric in metrics if isinstance(metrics, list) else []:
        if not isinstance(metric, dict) or not isinstance(metric.get("id"), str):
            continue
        decimals = metric.get("decimals", 0) if isinstance(metric.get("decimals"), int) else 0
        for field, suffix in (("value", ""), ("ew", ".ew")):
            value = metric.get(field)
            # Prose writes a fall as "fell by 3.4"; the placeholder would print "-3.4": only
            # positive values are offered.
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
                text = f"{value:,.{decimals}f}"
                if decimals or value >= 100:
                    numbers.setdefault(text, f"{{metric:{metric['id']}{suffix}}}")
    return numbers


def _prose(value: Any, path: DocPath, key: str = "") -> Iterator[tuple[DocPath, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            if not (path == () and name in NOT_PROSE):
                yield from _prose(item, (*path, name), str(name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _prose(item, (*path, index), key)
    elif isinstance(value, str) and (key in PROSE_KEYS or key in ITEM_KEYS or path[:1] == ("footnotes",)):
        yield path, value


def hand_written_numbers(data: dict[str, Any], warn: Warn) -> None:
    numbers = _metric_numbers(data)
    if not numbers:
        return
    for path, text in _prose(data, ()):
        for match in _NUMBER.finditer(text):
            placeholder = numbers.get(match.group())
            if placeholder:
                line = text.count("\n", 0, match.start()) if "\n" in text.rstrip("\n") else None
                warn(path, f"{match.group()} is written by hand, but {placeholder} gives that value",
                     f"write {placeholder} so the text follows the data", line_offset=line)


RULES: dict[str, Callable[[dict[str, Any], Warn], None]] = {
    "grade-without-improvement": grade_without_improvement,
    "duplicate-heading": headings,  # one pass finds both kinds of heading problem
    "placeholder-heading": headings,
    "short-summary": short_summary,
    "hand-written-number": hand_written_numbers,
}


def _ignored(loaded: LoadedFile, found: list[Diagnostic]) -> set[str]:
    settings = loaded.data.get("lint") if isinstance(loaded.data, dict) else None
    ignore = settings.get("ignore") if isinstance(settings, dict) else None
    names = {name for name in ignore if isinstance(name, str)} if isinstance(ignore, list) else set()
    for index, name in enumerate(ignore if isinstance(ignore, list) else []):
        if isinstance(name, str) and name not in RULES:
            found.append(loaded.source.diagnostic(("lint", "ignore", index), f"unknown lint rule '{name}'",
                                                  hint=suggest(name, list(RULES)) or f"rules: {', '.join(RULES)}",
                                                  severity=WARNING))
    return names


def review_lint(loaded: LoadedFile) -> list[Diagnostic]:
    """Every reviewer warning for a loaded report, except the rules it ignores."""
    if not isinstance(loaded.data, dict):
        return []
    found: list[Diagnostic] = []
    ignored = _ignored(loaded, found)

    def runner(rule: str) -> Warn:
        def warn(path: DocPath, message: str, hint: str | None = None, *, rule: str = rule,
                 line_offset: int | None = None) -> None:
            if rule not in ignored:
                diagnostic = loaded.source.diagnostic(path, message, hint=hint, severity=WARNING,
                                                      line_offset=line_offset)
                found.append(dataclasses.replace(diagnostic, rule=rule))
        return warn

    done: set[Callable[..., None]] = set()
    for rule, check in RULES.items():
        if check not in done:
            done.add(check)
            check(loaded.data, runner(rule))
    return sorted(found, key=Diagnostic.sort_key)
