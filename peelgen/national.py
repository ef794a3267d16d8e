"""National reports: per-force grades in, derived tables and counts out.

The force-grades CSV has one row per force and graded question. Everything a national
report says about how many forces got which grade is computed here, so its summary
table, its Annex B and its prose cannot disagree (the published 2017 report did).

The force-grades CSV is a machine interface, not a page: its column names, grade ids and
``yes``/``no`` are the same whatever the report's language (the tables a reader sees
take their headings and grade labels from the catalogue and the framework).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from peelgen.diagnostics import Diagnostic, suggest
from peelgen.framework import Framework
from peelgen.load_csv import read_csv

COLUMNS = ["force", "short_name", "question", "grade_2015", "grade_2016", "grade_2017", "inspected_2017"]

# Spreadsheets read a cell starting with one of these as a formula (OWASP, "CSV
# injection"): =HYPERLINK(...) in a force's name would run when an analyst opens the file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain number cannot be a formula: "-3" and "+1.5" are left as they are.
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _looks_like_formula(cell: str) -> bool:
    # Apostrophes first are looked through, so that escaping can be undone exactly.
    rest = cell.lstrip("'")
    return rest.startswith(_FORMULA_START) and not _NUMBER.fullmatch(rest)


def spreadsheet_safe(cell: str) -> str:
    """``cell`` as written to the CSV: a leading apostrophe (which spreadsheets hide)
    before anything they would take for a formula, so that opening the file runs nothing.

    Every column of the force-grades CSV is text (names, ids, grades, yes/no), so the
    rule is one for all cells; a plain number ("-3", "+1.5") is left alone in any
    column, being a number to a spreadsheet, never a formula.
    """
    return "'" + cell if _looks_like_formula(cell) else cell


def from_spreadsheet_safe(cell: str) -> str:
    """Undo :func:`spreadsheet_safe` when reading the CSV back: exactly the cell written."""
    return cell[1:] if cell.startswith("'") and _looks_like_formula(cell[1:]) else cell


@dataclass(slots=True)
class ForceGrades:
    force: str
    short_name: str
    grades: dict[str, dict[str, str | None]] = field(default_factory=dict)  # question -> year -> grade
    inspected: dict[str, bool] = field(default_factory=dict)


@dataclass(slots=True)
class NationalData:
    forces: list[ForceGrades]
    illustrative: bool = False

    def current(self, question: str) -> list[str | None]:
        return [f.grades.get(question, {}).get("2017") for f in self.forces]


def load_force_grades(path: Path, fw: Framework) -> tuple[NationalData | None, list[Diagnostic]]:
    """Read and check the CSV; every problem located by row and column."""
    parsed, problems = read_csv(path)
    if parsed is None:
        return None, problems
    name, rows, start = parsed.name, parsed.rows, parsed.first_line - 1
    if not rows or [c.strip() for c in rows[0]] != COLUMNS:
        return None, [Diagnostic(name, "the header must be " + ",".join(COLUMNS), start + 1, 1)]
    errors: list[Diagnostic] = []
    forces: dict[str, ForceGrades] = {}
    for row, line in zip(rows[1:], parsed.lines[1:], strict=True):  # lines: a quoted cell may span several
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            errors.append(Diagnostic(name, f"row has {len(row)} cells but the header has {len(COLUMNS)}", line, 1))
            continue
        _read_row(name, line, row, fw, forces, errors)
    errors += _missing_rows(name, forces, fw)
    ordered = sorted(forces.values(), key=lambda f: f.short_name.lower())
    return (None if errors else NationalData(ordered, parsed.illustrative)), errors


def _missing_rows(name: str, forces: dict[str, ForceGrades], fw: Framework) -> list[Diagnostic]:
    questions = [q.id for q in fw.questions if q.graded]
    return [Diagnostic(name, f"{force.force} has no row for {', '.join(missing)}") for force in forces.values()
            if (missing := [q for q in questions if q not in force.grades])]


def _read_row(name: str, line: int, row: list[str], fw: Framework, forces: dict[str, ForceGrades],
              errors: list[Diagnostic]) -> None:
    """Add one row's grades to ``forces``; problems are added to ``errors``."""
    questions = [q.id for q in fw.questions if q.graded]
    force, short, question, g15, g16, g17, inspected = (from_spreadsheet_safe(cell.strip()) for cell in row)
    column = {key: 1 + sum(len(c) + 1 for c in row[:i]) for i, key in enumerate(COLUMNS)}
    if question not in questions:
        errors.append(Diagnostic(name, f"unknown question {question!r}", line, column["question"],
                                 hint=suggest(question, questions) or f"questions: {', '.join(questions)}"))
        return
    entry = forces.setdefault(force, ForceGrades(force, short))
    if question in entry.grades:
        errors.append(Diagnostic(name, f"{force} has two rows for {question!r}", line, 1))
        return
    years = _years(name, line, column, {"2015": g15, "2016": g16, "2017": g17}, fw, errors)
    if inspected.lower() not in ("yes", "no"):
        errors.append(Diagnostic(name, f"inspected_2017 must be yes or no, got {inspected!r}", line,
                                 column["inspected_2017"]))
    entry.grades[question] = years
    entry.inspected[question] = inspected.lower() == "yes"


def _years(name: str, line: int, column: dict[str, int], values: dict[str, str], fw: Framework,
           errors: list[Diagnostic]) -> dict[str, str | None]:
    """One row's grades by year; problems are added to ``errors``."""
    years: dict[str, str | None] = {}
    for year, value in values.items():
        grade = value.lower().replace(" ", "-") or None
        if grade is not None and grade not in fw.grade_ids:
            errors.append(Diagnostic(name, f"{value!r} is not a grade", line, column[f"grade_{year}"],
                                     hint=suggest(grade, sorted(fw.grade_ids)) or f"use {', '.join(fw.grade_ids)}"))
        years[year] = grade
    if years["2017"] is None:
        errors.append(Diagnostic(name, "grade_2017 is empty", line, column["grade_2017"]))
    return years


def counts(data: NationalData, fw: Framework) -> dict[str, dict[str, int]]:
    """question -> {grade id: n, "improved": n, "declined": n, "inspected": n, "forces": n}."""
    result: dict[str, dict[str, int]] = {}
    for question in (q.id for q in fw.questions if q.graded):
        tally = {grade: 0 for grade in fw.grade_ids} | {"improved": 0, "declined": 0, "inspected": 0, "forces": 0}
        for force in data.forces:
            years = force.grades.get(question, {})
            now, before = years.get("2017"), years.get("2016")
            if now is None:
                continue
            tally["forces"] += 1
            tally[now] += 1
            tally["inspected"] += force.inspected.get(question, False)
            if before is not None:
                change = fw.rank(before) - fw.rank(now)  # rank 0 is best
                tally["improved"] += change > 0
                tally["declined"] += change < 0
        result[question] = tally
    return result


def write_force_grades(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()
