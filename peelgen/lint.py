"""Lint: things that are valid but probably not what the author meant.

Runs on a report that has passed :mod:`peelgen.validate`. Every finding is a
:class:`~peelgen.diagnostics.Diagnostic` with ``severity="warning"``: printed by
``validate`` and ``build`` without failing them (``validate --strict`` fails on them).
"""

from __future__ import annotations

from collections.abc import Callable

from peelgen.diagnostics import Diagnostic, DocPath
from peelgen.models import Finding
from peelgen.validate import ValidatedReport

WARNING = "warning"


def lint(validated: ValidatedReport) -> list[Diagnostic]:
    """Every warning for a validated report, in file order."""
    report, fw, source = validated.report, validated.framework, validated.source
    found: list[Diagnostic] = []

    def warn(path: DocPath, message: str, hint: str | None = None) -> None:
        found.append(source.diagnostic(path, message, hint=hint, severity=WARNING))

    for qi, question in enumerate(getattr(report, "questions", [])):
        qpath: DocPath = ("questions", qi)
        if fw.afi_opening:
            for ai, afi in enumerate(question.areas_for_improvement):
                if not _same_apostrophes(afi.text.lstrip()).startswith(_same_apostrophes(fw.afi_opening)):
                    warn((*qpath, "areas_for_improvement", ai),
                         f"area for improvement does not start with '{fw.afi_opening}'",
                         hint=f"{fw.id} words each one as '{fw.afi_opening} …'")
        _empty_findings(question.findings, (*qpath, "findings"), warn)
        if fw.recommendation_deadlines:
            for ci, cause in enumerate(question.causes_of_concern):
                for ri, recommendation in enumerate(cause.recommendations):
                    if recommendation.deadline is None:
                        warn((*qpath, "causes_of_concern", ci, "recommendations", ri),
                             "recommendation has no deadline",
                             hint=f"{fw.id} expects a 'deadline' on each recommendation")
    _grade_contradictions(validated, warn)
    for fi, figure in enumerate(report.figures):
        if not figure.source:
            warn(("figures", fi), f"figure '{figure.id}' has no source",
                 hint="add 'source:' saying where the data come from")
    return sorted(found, key=Diagnostic.sort_key)


def _empty_findings(findings: list[Finding], path: DocPath, warn: Callable[..., None]) -> None:
    for index, finding in enumerate(findings):
        here = (*path, index)
        if not (finding.body or "").strip() and not finding.findings:
            name = finding.id or finding.heading
            warn(here, f"section '{name}' is empty", hint="add a 'body' or sub-findings, or remove it")
        _empty_findings(finding.findings, (*here, "findings"), warn)


def _grade_contradictions(validated: ValidatedReport, warn: Callable[..., None]) -> None:
    """A summary that states a different grade from the one given, e.g. "the force
    requires improvement at …" under a grade of good. Only the framework's own grade
    phrases after the force's name or "the force" count, to keep false alarms rare."""
    report, fw = validated.report, validated.framework
    names = [n for n in (report.meta.force, report.meta.force_short, "the force") if n]
    for qi, question in enumerate(getattr(report, "questions", [])):
        grade = fw.grade(question.grade or "")
        if grade is None or not question.summary:
            continue
        text = " ".join(question.summary.split()).lower()
        for other in fw.grades.scale:
            if other.id == grade.id:
                continue
            said = next((f"{name} {other.phrase}" for name in names if f"{name} {other.phrase}".lower() in text), None)
            if said:
                warn(("questions", qi, "summary"), f"the summary says '{said}' but the grade is {grade.label.lower()}",
                     hint="make the text and the grade agree")
                break


def _same_apostrophes(text: str) -> str:
    """Typed (') and typographic (’) apostrophes as one: "Dylai'r llu" is "Dylai’r llu"."""
    return text.replace("\u2019", "'")
