"""``appendix``: a force's performance report (Police and Crime Panel reports): an
introduction, a summary table by aim, then each aim's topics with their measures and
monthly control charts; numbered 1, 2, 2.1, 2.1.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, chapter_origin
from peelgen.diagnostics import Diagnostic, DocPath, suggest
from peelgen.document import AimView, ChapterView, MeasureView, Section, TopicView
from peelgen.figures import control_chart
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import Aim, Appendix, Measure, Topic
from peelgen.rules import RuleContext
from peelgen.state import Origin, ResolveState

SummaryGroup = tuple[str, list[tuple[str, str, str]]]


@dataclass(slots=True, kw_only=True)
class AppendixView(ChapterView):
    sections: list[Section] = field(default_factory=list)
    summary_groups: list[SummaryGroup] = field(default_factory=list)
    aims: list[AimView] = field(default_factory=list)


@chapter_kind
class AppendixChapter(ChapterComponent):
    kind = "appendix"
    summary = ("The performance appendix from `appendix` (introduction, aims and their topics) with the "
               "`measures` its topics list and control charts of their datasets.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"appendix": (Appendix | None, Field(None, description="The performance appendix.")),
                "measures": (list[Measure], Field(default_factory=list, description="Performance measures by id."))}

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        appendix = ctx.report.appendix
        measures, datasets = [m.id for m in ctx.report.measures], [d.id for d in ctx.report.datasets]
        out: list[Diagnostic] = []
        for a, aim in enumerate(appendix.aims if appendix else []):
            for t, topic in enumerate(aim.topics):
                where: DocPath = ("appendix", "aims", a, "topics", t)
                out += [ctx.error("reference.measure", (*where, "measures", j), f"unknown measure '{measure_id}'",
                                  hint=suggest(measure_id, measures) or "define it under 'measures:'")
                        for j, measure_id in enumerate(topic.measures) if measure_id not in measures]
                if topic.chart is not None and topic.chart not in datasets:
                    out.append(ctx.error("reference.measure", (*where, "chart"), f"unknown dataset '{topic.chart}'",
                                         hint=suggest(topic.chart, datasets) or "define it under 'datasets:'"))
        return out

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[AppendixView]:
        appendix = state.report.appendix
        if appendix is None:
            return
        labels, origin = state.fw.labels, chapter_origin(spec)
        view = AppendixView(id=spec.id, kind=self.kind, heading=chapter_heading(state, spec))
        intro = state.heading(labels.introduction, origin, f"{spec.id}-introduction", 2)
        intro_text = state.block(appendix.introduction, Origin(("appendix", "introduction")))
        view.sections.append(Section(intro, body=intro_text, number="1."))
        summary = state.heading(labels.summary_of_performance, origin, f"{spec.id}-summary", 2)
        view.sections.append(Section(summary, number="2."))
        for a, aim in enumerate(appendix.aims, start=1):
            aim_view, rows = _aim(state, aim, a, spec.id)
            view.aims.append(aim_view)
            _group(view.summary_groups, aim.aim or aim.title, rows)
        yield view


def _group(groups: list[SummaryGroup], group: str, rows: list[tuple[str, str, str]]) -> None:
    """Aims sharing one aim line share a group of the summary table."""
    if rows and groups and groups[-1][0] == group:
        groups[-1][1].extend(rows)
    elif rows:
        groups.append((group, rows))


def _aim(state: ResolveState, aim: Aim, a: int, chapter_id: str) -> tuple[AimView, list[tuple[str, str, str]]]:
    labels = state.fw.labels
    here: DocPath = ("appendix", "aims", a - 1)
    heading = state.heading(aim.title, Origin((*here, "title")), f"{chapter_id}-{aim.title}", 3)
    signs = aim.signs
    view = AimView(heading, f"2.{a}", aim.aim,
                   (labels.signs_improvement if signs.kind == "improvement" else labels.signs_success)
                   if signs else None, signs.kind if signs else None, list(signs.items) if signs else [], [])
    rows = []
    for t, topic in enumerate(aim.topics, start=1):
        view.topics.append(_topic(state, topic, (*here, "topics", t - 1), heading.anchor, f"2.{a}.{t}"))
        if topic.data or topic.activity:  # the summary table lists topics it has something on
            rows.append((topic.title, topic.data or "", topic.activity or ""))
    return view, rows


def _topic(state: ResolveState, topic: Topic, where: DocPath, parent: str, number_: str) -> TopicView:
    measures = {m.id: m for m in state.report.measures}
    heading = state.heading(topic.title, Origin((*where, "title")), f"{parent}-{topic.title}", 4, in_contents=False)
    views = [_measure(state, measures[m]) for m in topic.measures if m in measures]  # others: see check()
    figure_id = control_chart(state, topic.chart, topic.title, (*where, "chart")) if topic.chart else None
    body = state.block(topic.body, Origin((*where, "body")))
    return TopicView(heading, number_, body, views, figure_id)


def _measure(state: ResolveState, measure: Measure) -> MeasureView:
    labels = state.fw.labels

    def fmt(value: float) -> str:
        return state.formats.measure(value, unit=measure.unit, decimals=measure.decimals,
                                     percent_style=state.report.style.percent)

    difference = measure.current - measure.previous
    percent = (difference / measure.previous * 100) if measure.previous else 0.0
    sign = "+" if difference > 0 else ""
    change = f"{sign}{state.formats.number(difference, measure.decimals)}"
    if measure.previous and measure.unit == "count":
        change += f" ({labels.units.percent_sign.format(value=sign + state.formats.number(percent, 1))})"
    if abs(percent) <= measure.tolerance:
        direction_id, direction = "no-change", labels.no_change
    elif (difference < 0) == (measure.better == "lower"):
        direction_id, direction = "improving", labels.improving
    else:
        direction_id, direction = "deteriorating", labels.deteriorating
    peer = {"below": labels.peer_below, "similar": labels.peer_similar, "above": labels.peer_above}.get(
        measure.peer or "")
    return MeasureView(measure.label, fmt(measure.current), fmt(measure.previous), change, direction,
                       direction_id, peer, measure.peer, measure.period, measure.previous_period)
