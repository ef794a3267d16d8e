"""Stage 2: check loaded data against the report models and its framework.

Every problem becomes a located :class:`~peelgen.diagnostics.Diagnostic`; all of them
are collected before :class:`~peelgen.diagnostics.BuildFailed` is raised, so an author
sees every mistake in one run.
"""

from __future__ import annotations

import math
import types
import typing
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from peelgen import framework as frameworks
from peelgen.characters import check_characters
from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, FileRefused, suggest
from peelgen.folder import Folder
from peelgen.framework import Framework, SubQuestion
from peelgen.load import LoadedFile, SourceMap
from peelgen.models import Finding, Report
from peelgen.rules import check_placeholders, check_rules


@dataclass(frozen=True, slots=True)
class ValidatedReport:
    report: Report
    framework: Framework
    source: SourceMap
    base_dir: Path
    template_dir: Path | None = None  # the report's own templates: folder, checked


def normalise_grade(value: str) -> str:
    """'Requires improvement', 'requires_improvement' -> 'requires-improvement'."""
    return "-".join(value.strip().lower().replace("_", " ").split())


def validate(loaded: LoadedFile) -> ValidatedReport:
    source = loaded.source
    diagnostics: list[Diagnostic] = []
    characters, flagged = check_characters(loaded.data, source)

    def failed() -> BuildFailed:
        # A value with a control character is reported as such, and by no other check:
        # their messages would quote it (an unknown key, an unknown framework).
        return BuildFailed([*characters, *(d for d in diagnostics if not _under(d.path, flagged))])

    framework = _framework_for(loaded, diagnostics)
    data = _normalise_grades(loaded.data, framework) if framework else loaded.data
    placeholders = check_placeholders(loaded.data, source)
    diagnostics.extend(placeholders)
    diagnostics.extend(_check_raw_cells(loaded.data, source))
    if framework is not None and framework.question_grades:
        diagnostics.extend(_check_grades_present(loaded.data, source))
    try:
        report = Report.model_validate(data, context={"framework": framework})
    except ValidationError as error:
        # A placeholder ("grade: TODO") is reported as such, not also as a bad value.
        unfilled = {d.path for d in placeholders}
        diagnostics.extend(d for d in _from_pydantic(error, source, data) if d.path not in unfilled)
        raise failed() from None
    if framework is None:
        raise failed()
    diagnostics.extend(_check_against_framework(report, framework, source))
    diagnostics.extend(check_rules(report, framework, source))
    base_dir = loaded.path.resolve().parent
    template_dir = _template_dir(report, base_dir, source, diagnostics)
    if diagnostics or characters:
        raise failed()
    return ValidatedReport(report, framework, source, base_dir, template_dir)


def _under(path: DocPath, prefixes: set[DocPath]) -> bool:
    return any(path[:len(prefix)] == prefix for prefix in prefixes)


def _template_dir(report: Report, base_dir: Path, source: SourceMap,
                  diagnostics: list[Diagnostic]) -> Path | None:
    """The report's ``templates:`` folder, which must be a folder inside the report's."""
    if report.templates is None:
        return None
    try:
        return Folder.of([base_dir]).locate_dir(report.templates, what="templates folder")
    except FileRefused as refused:
        diagnostics.append(source.diagnostic(("templates",), refused.message, hint=refused.hint))
        return None


def _framework_for(loaded: LoadedFile, diagnostics: list[Diagnostic]) -> Framework | None:
    framework_id = loaded.data.get("framework")
    if not isinstance(framework_id, str):
        return None  # reported by the model as missing or of the wrong type
    try:
        return frameworks.load_framework(framework_id)
    except BuildFailed as failure:
        if framework_id in frameworks.available():
            diagnostics.extend(failure.diagnostics)  # a broken framework file: say so as is
        else:
            known = list(frameworks.available())
            diagnostics.append(loaded.source.diagnostic(
                ("framework",), f"unknown framework '{framework_id}'",
                hint=suggest(framework_id, known) or f"installed frameworks: {', '.join(known)}",
            ))
        return None


def _normalise_grades(data: dict[str, Any], framework: Framework) -> dict[str, Any]:
    """Accept grade labels ("Requires improvement") as well as ids, before typing."""
    accepted = {normalise_grade(g.label): g.id for g in framework.grades.scale}
    accepted[normalise_grade(framework.grades.ungraded.label)] = framework.grades.ungraded.id

    def fix(value: Any) -> Any:
        return accepted.get(normalise_grade(value), value) if isinstance(value, str) else value

    data = dict(data)
    if isinstance(data.get("overall"), dict):
        overall = dict(data["overall"])
        for key in ("grade", "previous_grade"):
            if key in overall:
                overall[key] = fix(overall[key])
        data["overall"] = overall
    if isinstance(data.get("questions"), list):
        data["questions"] = [
            {**q, "grade": fix(q["grade"])} if isinstance(q, dict) and "grade" in q else q
            for q in data["questions"]
        ]
    return data


# Beyond 15 digits a float no longer holds every digit, and a huge int cannot be
# formatted as a float at all.
MAX_CELL_NUMBER = 10**15


def _check_raw_cells(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """Table cells the models would quietly turn into nonsense: ``true`` (read as 1),
    ``.nan`` / ``.inf`` (printed as "nan") and numbers too large to print. Checked on the loaded data, before typing,
    and tolerant of any shape: shape errors are the models' to report."""
    out: list[Diagnostic] = []
    figures = data.get("figures")
    if not isinstance(figures, list):
        return out
    for f, figure in enumerate(figures):
        table = figure.get("table") if isinstance(figure, dict) else None
        rows = table.get("rows") if isinstance(table, dict) else None
        if not isinstance(rows, list):
            continue
        for r, row in enumerate(rows):
            cells = row.get("cells") if isinstance(row, dict) else row
            if not isinstance(cells, list):
                continue
            here: DocPath = ("figures", f, "table", "rows", r, *(("cells",) if isinstance(row, dict) else ()))
            for c, cell in enumerate(cells):
                if isinstance(cell, bool):
                    out.append(source.diagnostic(
                        (*here, c), f"a table cell cannot be {str(cell).lower()}",
                        hint=f"write a number, or quote it as text: '{str(cell).lower()}'"))
                elif isinstance(cell, float) and not math.isfinite(cell):
                    out.append(source.diagnostic(
                        (*here, c), f"a table cell must be a finite number, got {cell}",
                        hint="write the number, or '–' for no value"))
                elif isinstance(cell, int | float) and abs(cell) >= MAX_CELL_NUMBER:
                    out.append(source.diagnostic(
                        (*here, c), "the number is too large for a table",
                        hint="at most 15 digits before the decimal point"))
    return out


def _check_grades_present(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """Each question needs a grade where the framework grades its questions. The model
    cannot say so (national reports take no grades), so it is checked here, before
    typing, to be reported with every other error."""
    questions = data.get("questions")
    if not isinstance(questions, list):
        return []
    return [source.diagnostic(("questions", i, "grade"), "missing required key 'grade'")
            for i, question in enumerate(questions) if isinstance(question, dict) and "grade" not in question]


# ---------------------------------------------------------------------------------
# pydantic errors -> diagnostics


def _model_fields_at(loc: Sequence[str | int]) -> list[str]:
    """The keys allowed in the mapping at ``loc`` (for 'did you mean' on unknown keys)."""
    annotation: Any = Report
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X, and Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else options[0]
        else:
            return annotation


_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _plural(count: int, one: str, other: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (other or one + 's')}"


_LIMIT_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "string_too_short": lambda c: ("must not be empty" if c["min_length"] == 1
                                   else f"must be at least {_plural(c['min_length'], 'character')}"),
    "string_too_long": lambda c: (f"is too long: at most {_plural(c['max_length'], 'character')}, "
                                  f"got {c['length']:,}"),
    "too_short": lambda c: ("must not be empty" if c["min_length"] == 1 and c["length"] == 0
                            else f"needs at least {_plural(c['min_length'], 'item')}, got {c['length']:,}"),
    "too_long": lambda c: f"has too many items: at most {c['max_length']:,}, got {c['length']:,}",
    "less_than_equal": lambda c: f"must be at most {c['le']}, got {c['input']}",
    "greater_than_equal": lambda c: f"must be at least {c['ge']}, got {c['input']}",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"


_UNION_TAGS = {"str", "int", "float", "none", "bool", "list", "dict", "[key]"}


def _clean_loc(loc: Sequence[str | int], data: Any) -> DocPath:
    """pydantic's error location as a path into the document.

    pydantic puts union-member tags ("str", "function-after[…]") and "[key]" into
    locations. They are told apart from real keys (which may well be "str" or contain
    "[") by walking the document alongside the location.
    """
    out: list[str | int] = []
    current, walking = data, True
    for part in loc:
        in_map = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if walking and (in_map or in_list):
            out.append(part)
            current = current[part]
        elif isinstance(part, str) and (part in _UNION_TAGS or "[" in part):
            continue
        else:  # a missing key, or a key added by a model's "before" validator
            out.append(part)
            walking = False
    return tuple(out)


def _join_expected(names: list[str]) -> str:
    """['text', 'a whole number', 'a number'] -> 'text or a number'."""
    unique = list(dict.fromkeys(names))
    if "a number" in unique and "a whole number" in unique:
        unique.remove("a whole number")
    return unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]


def _from_pydantic(error: ValidationError, source: SourceMap, data: Any) -> list[Diagnostic]:
    results: list[Diagnostic] = []
    seen: set[tuple[DocPath, str]] = set()
    items = error.errors(include_url=False)
    # A value that fits none of a union's types ("str | int | float") gives one error per
    # type; they become one message naming every type accepted.
    accepted_types: dict[DocPath, list[str]] = {}
    for item in items:
        if item["type"] in _TYPE_NAMES:
            accepted_types.setdefault(_clean_loc(item["loc"], data), []).append(_TYPE_NAMES[item["type"]])
    for item in items:
        loc = _clean_loc(item["loc"], data)
        kind = item["type"]
        hint = None
        if kind == "extra_forbidden" and loc:
            key = str(loc[-1])
            message = f"unknown key '{key}'"
            allowed = _model_fields_at(loc[:-1])
            hint = suggest(key, allowed) or (f"allowed keys: {', '.join(allowed)}" if allowed else None)
            diag = source.diagnostic(loc, message, hint=hint, at_key=True)
        elif kind == "missing" and loc:
            message = f"missing required key '{loc[-1]}'"
            diag = source.diagnostic(loc[:-1], message)
            diag = Diagnostic(diag.file, diag.message, diag.line, diag.column, loc, diag.hint)
        elif kind in _TYPE_NAMES:
            message = f"expected {_join_expected(accepted_types[loc])}, got {_describe(item.get('input'))}"
            if kind.startswith("date") and isinstance(item.get("input"), str):
                detail = item.get("ctx", {}).get("error")
                if detail:
                    message += f" ({detail})"
            diag = source.diagnostic(loc, message)
        elif kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "slug"):
            allowed = "letters, digits and hyphens" if loc[-1] == "slug" else "letters, digits, '-' and '_'"
            message = f"{_describe(item.get('input'))} is not a valid {loc[-1]}: use lower-case {allowed}"
            diag = source.diagnostic(loc, message)
        elif kind == "string_pattern_mismatch" and len(loc) == 2 and loc[0] == "footnotes":
            message = f"footnote id {_describe(loc[1])} must be letters, digits, '-' and '_'"
            diag = source.diagnostic(loc, message, at_key=True)
        elif kind == "literal_error":
            choices = item.get("ctx", {}).get("expected", "")
            message = f"expected one of {choices}, got {_describe(item.get('input'))}"
            diag = source.diagnostic(loc, message)
        elif kind in _LIMIT_MESSAGES:
            ctx = {**item.get("ctx", {}), "input": _describe(item.get("input"))}
            value = item.get("input")
            ctx["length"] = len(value) if isinstance(value, str | list | dict) else 0
            diag = source.diagnostic(loc, _LIMIT_MESSAGES[kind](ctx))
        elif kind == "unknown_grade":
            diag = source.diagnostic(loc, item["msg"], hint=item["ctx"]["hint"])
        elif kind == "value_error":
            message = str(item.get("ctx", {}).get("error", item["msg"]))
            diag = source.diagnostic(loc, message)
        else:
            diag = source.diagnostic(loc, item["msg"][0].lower() + item["msg"][1:])
        marker = (diag.path, diag.message)
        if marker not in seen:
            seen.add(marker)
            results.append(diag)
    return results


# ---------------------------------------------------------------------------------
# checks that need the framework


def _check_against_framework(report: Report, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    grade_ids = fw.grade_ids
    ungraded = fw.grades.ungraded.id

    def check_grade(path: DocPath, value: str, *, graded: bool, label: str) -> None:
        if value == ungraded and graded:
            out.append(source.diagnostic(path, f"{label} is graded; '{ungraded}' is not allowed here",
                                         hint=f"use one of: {', '.join(grade_ids)}"))
        elif not graded and value != ungraded:
            out.append(source.diagnostic(path, f"{label} is not graded in {fw.id}",
                                         hint=f"write grade: {ungraded}"))

    if fw.overall is None:
        if report.overall is not None:
            out.append(source.diagnostic(("overall",), f"{fw.id} has no overall judgment",
                                         hint="remove 'overall'", at_key=True))
    elif report.overall is None:
        out.append(source.diagnostic((), "missing required key 'overall'"))
    else:
        check_grade(("overall", "grade"), report.overall.grade, graded=True, label="the overall judgment")
        if report.overall.previous_grade is not None:
            if fw.overall.previous_grade == "none":
                out.append(source.diagnostic(("overall", "previous_grade"),
                                             f"{fw.id} does not compare grades with a previous year",
                                             at_key=True))
            else:
                check_grade(("overall", "previous_grade"), report.overall.previous_grade,
                            graded=True, label="the previous overall judgment")
        elif fw.overall.previous_grade == "required":
            out.append(source.diagnostic(("overall",), "missing required key 'previous_grade'"))

    known = {q.id: q for q in fw.questions}
    ids = [q.id for q in report.questions]
    counts = Counter(ids)
    first_seen: set[str] = set()
    for index, question in enumerate(report.questions):
        path: DocPath = ("questions", index)
        spec = known.get(question.id)
        if spec is None:
            out.append(source.diagnostic((*path, "id"), f"unknown question '{question.id}'",
                                         hint=suggest(question.id, list(known))
                                         or f"questions in {fw.id}: {', '.join(known)}"))
            continue
        if counts[question.id] > 1 and question.id in first_seen:
            out.append(source.diagnostic((*path, "id"), f"duplicate question id '{question.id}'",
                                         hint="each question appears once"))
            continue
        first_seen.add(question.id)
        if question.grade is not None:
            check_grade((*path, "grade"), question.grade, graded=spec.graded,
                        label=f"question '{question.id}'")
        out.extend(_check_findings(question.findings, spec.sections, (*path, "findings"), source))
    missing = [q.id for q in fw.questions if q.required and q.id not in counts]
    for question_id in missing:
        out.append(source.diagnostic(("questions",), f"missing required question '{question_id}'",
                                     hint=f"add an entry with id: {question_id}", at_key=True))

    figure_ids = Counter(f.id for f in report.figures)
    for index, figure in enumerate(report.figures):
        if figure_ids[figure.id] > 1 and figure.id in [f.id for f in report.figures[:index]]:
            out.append(source.diagnostic(("figures", index, "id"), f"duplicate figure id '{figure.id}'"))
        if figure.table is None:
            continue  # a chart: its data is checked when it is resolved
        columns = len(figure.table.columns)
        for r, row in enumerate(figure.table.rows):
            if len(row.cells) != columns:
                out.append(source.diagnostic(
                    ("figures", index, "table", "rows", r),
                    f"row has {_plural(len(row.cells), 'cell')} but the table has {_plural(columns, 'column')}"))
                continue
            for c, (cell, column) in enumerate(zip(row.cells, figure.table.columns, strict=True)):
                if column.type == "number" and isinstance(cell, str) and cell.strip() not in {"*", "-", "–", ""}:
                    out.append(source.diagnostic(
                        ("figures", index, "table", "rows", r, c),
                        f"column '{column.heading}' holds numbers, got {cell!r}",
                        hint="write a number, null for an empty cell, or '*' / '–' for a marker"))
    return out


def _check_findings(findings: list[Finding], specs: list[SubQuestion], path: DocPath,
                    source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    by_id = {s.id: s for s in specs}
    seen: set[str] = set()
    for index, finding in enumerate(findings):
        here = (*path, index)
        children: list[SubQuestion] = []
        if finding.id is not None:
            spec = by_id.get(finding.id)
            if spec is None:
                hint = suggest(finding.id, list(by_id)) or (
                    f"sections here: {', '.join(by_id)}" if by_id
                    else "this level has no framework sections: use 'heading' instead")
                out.append(source.diagnostic((*here, "id"), f"unknown section '{finding.id}'", hint=hint))
                continue
            if finding.id in seen:
                out.append(source.diagnostic((*here, "id"), f"duplicate section id '{finding.id}'"))
            seen.add(finding.id)
            children = spec.sections
        out.extend(_check_findings(finding.findings, children, (*here, "findings"), source))
    return out
