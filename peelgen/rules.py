"""Validate stage, the rules: every check on a typed report beyond its shape.

This module is the one home of the rules' catalogue (:data:`RULES`): each rule has a
stable id, printed at the end of its message (``… [question.unknown]``) and listed in
docs/report-yaml.md (a test keeps the two in step). The rules that belong to one
chapter kind are written in that kind's module (:mod:`peelgen.chapters`) and run from
here, once for each chapter of the framework that has that kind.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peelgen.diagnostics import Diagnostic, DocPath, suggest
from peelgen.framework import Framework, SubQuestion
from peelgen.load import SourceMap
from peelgen.models import Finding

RULES: dict[str, str] = {
    "grade.graded": "A graded question, pillar or overall judgment cannot be 'ungraded'.",
    "grade.ungraded": "An ungraded question must be given the ungraded grade.",
    "grade.not-taken": "A framework whose grades come from force_grades takes no grade on its questions.",
    "overall.previous-grade": "previous_grade is required, optional or refused as the framework says.",
    "question.unknown": "Every question id is one of the framework's.",
    "question.duplicate": "Each question appears once.",
    "question.missing": "Every question the framework requires is present.",
    "section.unknown": "A finding's id names one of the framework's sub-questions at that level.",
    "section.duplicate": "Each sub-question appears once at its level.",
    "cycle.inspected": "With an inspection cycle, each question says whether it was inspected, and when.",
    "cycle.keys": "inspected, last_inspected and carried_over are only for frameworks with a cycle.",
    "cycle.mandatory": "A mandatory question must be inspected this cycle.",
    "practice.none": "Practice boxes only where the framework has areas.",
    "crime-recording.none": "A crime-recording estimate only where the framework has its sentence.",
    "area.lead": "An area's own lead or main-findings text only where the framework has areas.",
    "pillar.unknown": "Every pillar id is one of the framework's.",
    "pillar.duplicate": "Each pillar appears once.",
    "pillar.missing": "Every pillar of the framework is present.",
    "pillar.graded": "A graded pillar cannot be 'ungraded'.",
    "observations.tone": "tone chooses one of the framework's stock openings.",
    "figure.duplicate": "Figure ids are unique.",
    "table.row-length": "Every table row has one cell per column.",
    "table.number-cell": "A number column holds numbers, null, or the markers '*', '-' and '–'.",
    "reference.duplicate": "Metric, dataset and data source ids are unique.",
    "reference.data-source": "A data_source names one of data_sources.",
    "reference.dataset": "A chart's dataset names one of datasets.",
    "reference.metric": "A chart's metrics and the tiles of force_in_numbers and force_in_context name metrics.",
    "reference.measure": "A topic's measures name measures; its chart names one of datasets.",
    "metric.scale": "A money value with a scale is given in pounds, so that it does not print as £0.0 million.",
    "wording.chapter": "wording.chapters names chapters of the framework.",
    "recommendation.duplicate": "National recommendation numbers are unique.",
    "covering.unknown": "covering names parts of the framework's covering report.",
    "placeholder.todo": ("Text still starting with TODO (as `peelgen new --framework ID --force NAME` writes it) "
                         "is not filled in."),
    "table.cell-value": "A table cell is text, a finite number of at most 15 digits, or null; never true or false.",
    # Checked while the text is resolved (markdown, placeholders and references):
    "text.placeholder": "A {placeholder} in text is one that exists.",
    "text.figure-inline": "{figure:ID} stands alone in its paragraph; {fig:ID} refers to a figure in a sentence.",
    "text.deadline": "{deadline} only in a recommendation or area for improvement that has a deadline.",
    "text.metric": "{metric:ID.field} names a metric and a field it has.",
    "text.count": "{count:question.grade} needs force_grades and names a question and a count.",
    "text.link": "Links go to http, https, mailto or an #anchor.",
    "text.image": "No images in text: a picture is a figure.",
    "footnote.undefined": "A cited footnote is defined.",
    "footnote.unused": "A defined footnote is cited.",
    "figure.unknown": "{figure:ID} names a figure.",
    "figure.placed-twice": "A figure is placed once.",
    "figure.unplaced": "Every figure is placed.",
    "figure.reference": "{fig:ID} refers to a placed figure.",
    "figure.number": "A published figure number does not go backwards.",
    "chart.columns": "A chart's columns are in its dataset.",
    "chart.size": "A chart has at most 200 bars or 1,000 points to draw.",
    "chart.force-row": "A ranked chart's dataset has a row for the force.",
    "chart.control-values": "A control chart has at least three values.",
    "print.footer": "The footer uses only {page} and {pages}.",
    # Paired editions (meta.translation; checked with the other edition: peelgen.editions):
    "edition.partner": "meta.translation names another YAML file in the report's folder.",
    "edition.invalid": "The other edition is valid on its own.",
    "edition.mutual": "The other edition's meta.translation names this file back.",
    "edition.framework": "Both editions use the same framework.",
    "edition.language": "The editions are in different languages, and the catalogue has words for the link.",
    "edition.grade": "Every grade and previous grade is the same in both editions.",
    "edition.value": "Every number (metrics, table cells, chart and CSV data) is the same in both editions.",
    "edition.id": "Every id (questions, findings, figures, footnotes, metrics, recommendations) is the same.",
    "edition.date": "The publication date, deadlines and inspection cycles are the same.",
    "edition.marking": "The protective marking is the same.",
    "edition.count": "Both editions have the same items: as many recommendations, findings, rows and notes.",
}


@dataclass(slots=True)
class RuleContext:
    """What a rule reads, and how it reports."""

    report: Any  # the framework's report model
    fw: Framework
    source: SourceMap

    def error(self, rule: str, path: DocPath, message: str, *, hint: str | None = None,
              at_key: bool = False) -> Diagnostic:
        assert rule in RULES, f"rule '{rule}' is not in the catalogue"
        found = self.source.diagnostic(path, message, hint=hint, at_key=at_key)
        return dataclasses.replace(found, rule=rule)

    def framework_error(self, what: str, message: str) -> Diagnostic:
        return Diagnostic(f"framework {self.fw.id}", f"{what}: {message}")

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self.report, key, default)

    def check_grade(self, path: DocPath, value: str, *, graded: bool, label: str) -> list[Diagnostic]:
        ungraded = self.fw.grades.ungraded.id
        if value == ungraded and graded:
            return [self.error("grade.graded", path, f"{label} is graded; '{ungraded}' is not allowed here",
                               hint=f"use one of: {', '.join(self.fw.grade_ids)}")]
        if not graded and value != ungraded:
            return [self.error("grade.ungraded", path, f"{label} is not graded in {self.fw.id}",
                               hint=f"write grade: {ungraded}")]
        return []


def check_rules(report: Any, fw: Framework, source: SourceMap) -> list[Diagnostic]:
    from peelgen.chapters import component  # chapter modules import this one

    ctx = RuleContext(report, fw, source)
    out: list[Diagnostic] = []
    if "questions" in type(report).model_fields:
        out += _questions(ctx)
    out += _figures(ctx)
    out += _references(ctx)
    for spec in fw.chapters:
        out += component(spec.kind).check(ctx, spec)
    return out


# -- questions (read by several chapter kinds) ----------------------------------------


def _questions(ctx: RuleContext) -> list[Diagnostic]:
    fw, questions = ctx.fw, ctx.report.questions
    out: list[Diagnostic] = []
    known = {q.id: q for q in fw.questions}
    counts = Counter(q.id for q in questions)
    seen: set[str] = set()
    for index, question in enumerate(questions):
        path: DocPath = ("questions", index)
        spec = known.get(question.id)
        if spec is None:
            out.append(ctx.error("question.unknown", (*path, "id"), f"unknown question '{question.id}'",
                                 hint=suggest(question.id, list(known)) or f"questions in {fw.id}: {', '.join(known)}"))
            continue
        if question.id in seen:
            out.append(ctx.error("question.duplicate", (*path, "id"), f"duplicate question id '{question.id}'",
                                 hint="each question appears once"))
            continue
        seen.add(question.id)
        if question.grade is not None and fw.question_grades:
            out += ctx.check_grade((*path, "grade"), question.grade, graded=spec.graded,
                                   label=f"question '{question.id}'")
        elif question.grade is not None:
            out.append(ctx.error("grade.not-taken", (*path, "grade"),
                                 f"{fw.id} takes grades from force_grades, not from its chapters",
                                 at_key=True, hint="remove 'grade'"))
        out += _findings(ctx, question.findings, spec.sections, (*path, "findings"))
        out += _cycle(ctx, question, path, spec.mandatory)
    for question_id in (q.id for q in fw.questions if q.required and q.id not in counts):
        out.append(ctx.error("question.missing", ("questions",), f"missing required question '{question_id}'",
                             hint=f"add an entry with id: {question_id}", at_key=True))
    return out


def _findings(ctx: RuleContext, findings: list[Finding], specs: list[SubQuestion], path: DocPath) -> list[Diagnostic]:
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
                out.append(ctx.error("section.unknown", (*here, "id"), f"unknown section '{finding.id}'", hint=hint))
                continue
            if finding.id in seen:
                out.append(ctx.error("section.duplicate", (*here, "id"), f"duplicate section id '{finding.id}'"))
            seen.add(finding.id)
            children = spec.sections
        out += _findings(ctx, finding.findings, children, (*here, "findings"))
    return out


def _cycle(ctx: RuleContext, question: Any, path: DocPath, mandatory: bool) -> list[Diagnostic]:
    fw = ctx.fw
    if fw.cycle is None:
        return [ctx.error("cycle.keys", (*path, key),
                          f"'{key}' is only for frameworks with an inspection cycle; {fw.id} has none", at_key=True)
                for key in ("inspected", "last_inspected", "carried_over") if getattr(question, key) is not None]
    out = _cycle_presence(ctx, question, path)
    if question.inspected and question.last_inspected not in (None, fw.cycle):
        out.append(ctx.error("cycle.inspected", (*path, "last_inspected"),
                             f"'{question.id}' was inspected in {fw.cycle}, so last_inspected must be \"{fw.cycle}\"",
                             hint=f"or set inspected: false to carry over the {question.last_inspected} judgment"))
    if question.inspected is False and question.last_inspected == fw.cycle:
        out.append(ctx.error("cycle.inspected", (*path, "last_inspected"),
                             f"'{question.id}' was not inspected in {fw.cycle}, so its judgment "
                             "comes from an earlier year", hint="give that year, e.g. \"2017\""))
    if mandatory and question.inspected is False:
        out.append(ctx.error("cycle.mandatory", (*path, "inspected"),
                             f"'{question.id}' is a mandatory area: it must be inspected in {fw.cycle}"))
    if question.carried_over is not None and question.inspected:
        out.append(ctx.error("cycle.inspected", (*path, "carried_over"),
                             "'carried_over' is for judgments not inspected this cycle", at_key=True))
    return out


def _cycle_presence(ctx: RuleContext, question: Any, path: DocPath) -> list[Diagnostic]:
    out = []
    if question.inspected is None:
        out.append(ctx.error("cycle.inspected", path, "missing required key 'inspected'",
                             hint=f"true if '{question.id}' was inspected in {ctx.fw.cycle}"))
    if question.last_inspected is None:
        out.append(ctx.error("cycle.inspected", path, "missing required key 'last_inspected'",
                             hint=f"the year of the judgment, e.g. \"{ctx.fw.cycle}\""))
    return out


# -- figures and references (every framework) -----------------------------------------


def _figures(ctx: RuleContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[str] = set()
    for index, figure in enumerate(ctx.report.figures):
        if figure.id in seen:
            out.append(ctx.error("figure.duplicate", ("figures", index, "id"), f"duplicate figure id '{figure.id}'"))
        seen.add(figure.id)
        if figure.table is not None:
            out += _table(ctx, figure.table, ("figures", index, "table"))
    return out


def _table(ctx: RuleContext, table: Any, path: DocPath) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    columns = len(table.columns)
    for r, row in enumerate(table.rows):
        if len(row.cells) != columns:
            out.append(ctx.error("table.row-length", (*path, "rows", r),
                                 f"row has {_plural(len(row.cells), 'cell')} but the table has "
                                 f"{_plural(columns, 'column')}"))
            continue
        for c, (cell, column) in enumerate(zip(row.cells, table.columns, strict=True)):
            if column.type == "number" and isinstance(cell, str) and cell.strip() not in {"*", "-", "–", ""}:
                out.append(ctx.error("table.number-cell", (*path, "rows", r, c),
                                     f"column '{column.heading}' holds numbers, got {cell!r}",
                                     hint="write a number, null for an empty cell, or '*' / '–' for a marker"))
    return out


def _plural(count: int, one: str) -> str:
    return f"{count:,} {one if count == 1 else one + 's'}"


def _references(ctx: RuleContext) -> list[Diagnostic]:
    """Ids that metrics, datasets, charts and tiles refer to must exist."""
    report = ctx.report
    out: list[Diagnostic] = []
    for kind, key in (("metric", "metrics"), ("dataset", "datasets"), ("data source", "data_sources")):
        seen: set[str] = set()
        for i, item in enumerate(getattr(report, key)):
            if item.id in seen:
                out.append(ctx.error("reference.duplicate", (key, i, "id"), f"duplicate {kind} id '{item.id}'"))
            seen.add(item.id)
    sources = [d.id for d in report.data_sources]
    for key in ("metrics", "datasets", "figures"):
        for i, item in enumerate(getattr(report, key)):
            if item.data_source is not None and item.data_source not in sources:
                out.append(ctx.error("reference.data-source", (key, i, "data_source"),
                                     f"unknown data source '{item.data_source}'",
                                     hint=suggest(item.data_source, sources) or "define it under 'data_sources:'"))
    out += _chart_references(ctx)
    out += _metric_scales(ctx)
    return out


def _chart_references(ctx: RuleContext) -> list[Diagnostic]:
    report = ctx.report
    datasets, metrics = [d.id for d in report.datasets], [m.id for m in report.metrics]
    out: list[Diagnostic] = []
    for i, figure in enumerate(report.figures):
        chart = figure.chart
        if chart is None:
            continue
        if chart.dataset is not None and chart.dataset not in datasets:
            out.append(ctx.error("reference.dataset", ("figures", i, "chart", "dataset"),
                                 f"unknown dataset '{chart.dataset}'",
                                 hint=suggest(chart.dataset, datasets) or "define it under 'datasets:'"))
        out += [ctx.error("reference.metric", ("figures", i, "chart", "metrics", j), f"unknown metric '{metric_id}'",
                          hint=suggest(metric_id, metrics))
                for j, metric_id in enumerate(chart.metrics) if metric_id not in metrics]
    return out


def check_metric_ids(ctx: RuleContext, metric_ids: list[str], path: DocPath) -> list[Diagnostic]:
    """Tiles name metrics that exist."""
    metrics = [m.id for m in ctx.report.metrics]
    return [ctx.error("reference.metric", (*path, i), f"unknown metric '{metric_id}'",
                      hint=suggest(metric_id, metrics) or "define it under 'metrics:'")
            for i, metric_id in enumerate(metric_ids) if metric_id not in metrics]


def _metric_scales(ctx: RuleContext) -> list[Diagnostic]:
    from peelgen.formatting import SCALES

    out: list[Diagnostic] = []
    for i, metric in enumerate(ctx.report.metrics):
        if metric.scale is None:
            continue
        divisor = SCALES[metric.scale]
        smallest = 10 ** -metric.decimals / 2
        for key in ("value", "ew"):
            value = getattr(metric, key)
            if value is not None and value != 0 and abs(value) / divisor < smallest:
                out.append(ctx.error("metric.scale", ("metrics", i, key),
                                     f"{value:g} with scale '{metric.scale}' would print as "
                                     f"£{0:.{metric.decimals}f} {metric.scale}",
                                     hint=f"give the value in pounds, e.g. {value * divisor:,.0f}"))
    return out


# -- on the loaded data, before typing -------------------------------------------------

# Beyond 15 digits a float no longer holds every digit, and a huge int cannot be
# formatted as a float at all.
MAX_CELL_NUMBER = 10**15


def check_raw_cells(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
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
                    out.append(_cell_error(source.diagnostic(
                        (*here, c), f"a table cell cannot be {str(cell).lower()}",
                        hint=f"write a number, or quote it as text: '{str(cell).lower()}'")))
                elif isinstance(cell, float) and not math.isfinite(cell):
                    out.append(_cell_error(source.diagnostic(
                        (*here, c), f"a table cell must be a finite number, got {cell}",
                        hint="write the number, or '–' for no value")))
                elif isinstance(cell, int | float) and abs(cell) >= MAX_CELL_NUMBER:
                    out.append(_cell_error(source.diagnostic(
                        (*here, c), "the number is too large for a table",
                        hint="at most 15 digits before the decimal point")))
    return out




def _cell_error(found: Diagnostic) -> Diagnostic:
    return dataclasses.replace(found, rule="table.cell-value")




PLACEHOLDER = "TODO"


def check_placeholders(data: object, source: SourceMap) -> list[Diagnostic]:
    """Every string still starting with "TODO" (as ``peelgen new`` writes them) is an
    error. Checked on the loaded data, before typing, so that every placeholder is
    reported in one run, whatever else is wrong."""
    out: list[Diagnostic] = []
    for path, value in _strings(data, ()):
        if value.lstrip().startswith(PLACEHOLDER):
            found = source.diagnostic(path, "placeholder not filled in", hint=" ".join(value.split())[:80])
            out.append(dataclasses.replace(found, rule="placeholder.todo"))
    return out


def _strings(value: object, path: DocPath) -> Iterable[tuple[DocPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
