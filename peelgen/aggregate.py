"""Turn a set of force reports into a national report's force-grades CSV.

Each force report is compiled (so it must be valid); its question grades and overall
grade become rows for the national framework's questions, matched by id or by the
national question's ``aliases``. The overall previous grade, where a report gives one,
fills the previous year's column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from peelgen.build import compile_report
from peelgen.diagnostics import BuildFailed, Diagnostic, display_name
from peelgen.framework import load_framework
from peelgen.national import write_force_grades


def force_grades_csv(reports: Sequence[Path], national_framework: str = "peel-2017-national") -> str:
    national = load_framework(national_framework)
    targets = {alias: q.id for q in national.questions if q.graded for alias in (q.id, *q.aliases)}
    rows: list[list[str]] = []
    problems: list[Diagnostic] = []
    for path in reports:
        try:
            report = compile_report(path).validated.report
        except BuildFailed as failure:
            problems.extend(failure.diagnostics)
            continue
        force, short = report.meta.force, report.meta.force_short or report.meta.force
        found: dict[str, tuple[str, str]] = {}
        for question in report.questions:
            target = targets.get(question.id)
            if target and question.grade and question.grade in national.grade_ids:
                found[target] = ("", question.grade)
        if report.overall is not None and "overall" in targets.values():
            found["overall"] = (report.overall.previous_grade or "", report.overall.grade)
        missing = [q for q in dict.fromkeys(targets.values()) if q not in found]
        if missing:
            problems.append(Diagnostic(display_name(path), f"has no grade for {', '.join(missing)}",
                                       hint="national reports need every graded question"))
            continue
        for question_id in dict.fromkeys(targets.values()):
            previous, current = found[question_id]
            rows.append([force, short, question_id, "", previous, current, "yes"])
    if problems:
        raise BuildFailed(problems)
    return write_force_grades(sorted(rows, key=lambda row: (row[1].lower(), row[2])))
