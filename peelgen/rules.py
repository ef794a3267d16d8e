"""Validate stage, framework rules: checks that depend on a framework's cycle, pillars
and chapters rather than on the report's shape. Each rule gives a located message."""

from __future__ import annotations

from collections import Counter

from peelgen.diagnostics import Diagnostic, suggest
from peelgen.framework import Framework
from peelgen.load import SourceMap
from peelgen.models import Report


def check_rules(report: Report, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += _pillars(report, fw, source)
    out += _cycle(report, fw, source)
    out += _required_sections(report, fw, source)
    out += _question_grades(report, fw, source)
    return out


def _question_grades(report: Report, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, question in enumerate(report.questions):
        # A missing grade where one is needed is reported before typing (validate.py).
        if not fw.question_grades and question.grade is not None:
            out.append(source.diagnostic(("questions", i, "grade"),
                                         f"{fw.id} takes grades from force_grades, not from its chapters",
                                         at_key=True, hint="remove 'grade'"))
    return out


def _pillars(report: Report, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not fw.pillars:
        if report.pillars:
            out.append(source.diagnostic(("pillars",), f"{fw.id} has no pillars", at_key=True,
                                         hint="remove 'pillars'"))
        return out
    specs = {p.id: p for p in fw.pillars}
    counts = Counter(p.id for p in report.pillars)
    seen: set[str] = set()
    for i, pillar in enumerate(report.pillars):
        spec = specs.get(pillar.id)
        if spec is None:
            out.append(source.diagnostic(("pillars", i, "id"), f"unknown pillar '{pillar.id}'",
                                         hint=suggest(pillar.id, list(specs)) or f"pillars: {', '.join(specs)}"))
            continue
        if counts[pillar.id] > 1 and pillar.id in seen:
            out.append(source.diagnostic(("pillars", i, "id"), f"duplicate pillar id '{pillar.id}'"))
        seen.add(pillar.id)
        ungraded = fw.grades.ungraded.id
        if spec.graded and pillar.grade == ungraded:
            out.append(source.diagnostic(("pillars", i, "grade"), f"pillar '{pillar.id}' is graded",
                                         hint=f"use one of: {', '.join(fw.grade_ids)}"))
    for pillar_id in specs:
        if pillar_id not in counts:
            out.append(source.diagnostic(("pillars",), f"missing pillar '{pillar_id}'",
                                         hint=f"add an entry with id: {pillar_id}", at_key=True))
    return out


def _cycle(report: Report, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, question in enumerate(report.questions):
        spec = fw.question(question.id)
        if spec is None:
            continue  # reported as an unknown question
        path = ("questions", i)
        if fw.cycle is None:
            for key in ("inspected", "last_inspected", "carried_over"):
                if getattr(question, key) is not None:
                    out.append(source.diagnostic((*path, key), f"'{key}' is only for frameworks with an "
                                                               f"inspection cycle; {fw.id} has none", at_key=True))
            continue
        if question.inspected is None:
            out.append(source.diagnostic(path, "missing required key 'inspected'",
                                         hint=f"true if '{question.id}' was inspected in {fw.cycle}"))
        if question.last_inspected is None:
            out.append(source.diagnostic(path, "missing required key 'last_inspected'",
                                         hint=f"the year of the judgment, e.g. \"{fw.cycle}\""))
        if question.inspected and question.last_inspected not in (None, fw.cycle):
            out.append(source.diagnostic(
                (*path, "last_inspected"),
                f"'{question.id}' was inspected in {fw.cycle}, so last_inspected must be \"{fw.cycle}\"",
                hint=f"or set inspected: false to carry over the {question.last_inspected} judgment"))
        if question.inspected is False and question.last_inspected == fw.cycle:
            out.append(source.diagnostic((*path, "last_inspected"),
                                         f"'{question.id}' was not inspected in {fw.cycle}, so its judgment "
                                         "comes from an earlier year", hint="give that year, e.g. \"2017\""))
        if spec.mandatory and question.inspected is False:
            out.append(source.diagnostic((*path, "inspected"),
                                         f"'{question.id}' is a mandatory area: it must be inspected in {fw.cycle}"))
        if question.carried_over is not None and question.inspected:
            out.append(source.diagnostic((*path, "carried_over"),
                                         "'carried_over' is for judgments not inspected this cycle", at_key=True))
    for i, question in enumerate(report.questions):
        if question.practice and not fw.has_chapter("areas"):
            out.append(source.diagnostic(("questions", i, "practice"), f"{fw.id} has no practice boxes",
                                         at_key=True))
        if question.crime_recording and not fw.crime_recording:
            out.append(source.diagnostic(("questions", i, "crime_recording"),
                                         f"{fw.id} has no crime-recording estimate", at_key=True))
    return out


def _required_sections(report: Report, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    fields = {c.report_field or "observations" for c in fw.chapters if c.kind == "observations"}
    needs = {
        "observations": "observations" in fields,
        "foreword": "foreword" in fields,
        "hmi": fw.has_chapter("observations"),
        "leadership": fw.has_chapter("leadership"),
        "victim_service": fw.has_chapter("victim-service"),
        "tone": bool(fw.hmi_openings),
        "force_grades": fw.has_chapter("distribution") or fw.has_chapter("annex-b"),
        "masthead": fw.has_chapter("covering"),
    }
    for key, needed in needs.items():
        present = getattr(report, key) is not None
        if needed and not present:
            out.append(source.diagnostic((), f"missing required key '{key}'",
                                         hint=f"{fw.id} reports have this section"))
        elif present and not needed:
            out.append(source.diagnostic((key,), f"{fw.id} reports have no '{key}' section", at_key=True,
                                         hint=f"remove '{key}'"))
    return out


PLACEHOLDER = "TODO"


def check_placeholders(data: object, source: SourceMap) -> list[Diagnostic]:
    """Every string still starting with "TODO" (as ``peelgen new`` writes them) is an
    error. Checked on the loaded data, before typing, so that every placeholder is
    reported in one run, whatever else is wrong."""
    out: list[Diagnostic] = []

    def walk(value: object, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER):
            out.append(source.diagnostic(path, "placeholder not filled in",
                                         hint=" ".join(value.split())[:80]))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(data, ())
    return out
