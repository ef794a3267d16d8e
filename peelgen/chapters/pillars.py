"""``pillars``: one chapter per pillar (2018/19): its Force in context tiles, its
question, grade and summary, then each of its components from ``questions``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import FieldDef, chapter_kind
from peelgen.chapters._shared import boxes, entries, sections, tiles
from peelgen.chapters.questions import QuestionsBase
from peelgen.diagnostics import Diagnostic, DocPath, suggest
from peelgen.document import Box, ChapterView, Fragment, GradeView, Heading, Section, Tile
from peelgen.framework import ChapterSpec, Framework, QuestionSpec
from peelgen.models import PillarEntry, Question
from peelgen.rules import RuleContext, check_metric_ids
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class ComponentView(ChapterView):
    grade: GradeView
    carried_over: Fragment | None = None
    intro: Fragment | None = None
    summary: Fragment | None = None
    findings_intro: Fragment | None = None
    boxes: list[Box] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class PillarView(ChapterView):
    grade: GradeView
    tiles: list[Tile] = field(default_factory=list)
    question_heading: Heading
    summary_heading: Heading
    summary: Fragment | None = None
    components: list[ComponentView] = field(default_factory=list)

    def contents_children(self) -> list[Heading]:
        return [self.question_heading, self.summary_heading, *[c.heading for c in self.components]]


@chapter_kind
class Pillars(QuestionsBase):
    kind = "pillars"
    summary = ("One chapter per pillar of `pillars` (grade, summary, `force_in_context` tiles), holding its "
               "components from `questions`, each with a carried-over sentence when not inspected this cycle.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {**super().report_fields(fw, spec),
                "pillars": (list[PillarEntry], Field(default_factory=list, description="Pillar grades and summaries."))}

    def check(self, ctx: RuleContext, spec: ChapterSpec) -> list[Diagnostic]:
        specs = {p.id: p for p in ctx.fw.pillars}
        entries_ = ctx.report.pillars
        counts = Counter(p.id for p in entries_)
        out: list[Diagnostic] = []
        seen: set[str] = set()
        for i, pillar in enumerate(entries_):
            pillar_spec = specs.get(pillar.id)
            if pillar_spec is None:
                out.append(ctx.error("pillar.unknown", ("pillars", i, "id"), f"unknown pillar '{pillar.id}'",
                                     hint=suggest(pillar.id, list(specs)) or f"pillars: {', '.join(specs)}"))
                continue
            if pillar.id in seen:
                out.append(ctx.error("pillar.duplicate", ("pillars", i, "id"), f"duplicate pillar id '{pillar.id}'"))
            seen.add(pillar.id)
            if pillar_spec.graded and pillar.grade == ctx.fw.grades.ungraded.id:
                out.append(ctx.error("pillar.graded", ("pillars", i, "grade"), f"pillar '{pillar.id}' is graded",
                                     hint=f"use one of: {', '.join(ctx.fw.grade_ids)}"))
        for i, pillar in enumerate(entries_):
            out += check_metric_ids(ctx, pillar.force_in_context, ("pillars", i, "force_in_context"))
        out += [ctx.error("pillar.missing", ("pillars",), f"missing pillar '{pillar_id}'",
                          hint=f"add an entry with id: {pillar_id}", at_key=True)
                for pillar_id in specs if pillar_id not in counts]
        return out

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        out = ["", "# One entry per pillar: its grade and summary.", "pillars:"]
        for pillar in fw.pillars:
            out += [f"  # {' '.join(pillar.question.split())}", f"  - id: {pillar.id}",
                    f"    grade: {'TODO' if pillar.graded else fw.grades.ungraded.id}",
                    '    summary: "TODO: the pillar summary (markdown)"']
        return out + super().scaffold(fw, spec)

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[PillarView]:
        given = {p.id: (p, i) for i, p in enumerate(state.report.pillars)}
        labels = state.fw.labels
        for pillar in state.fw.pillars:
            if pillar.id not in given:
                continue
            entry, index = given[pillar.id]
            origin = Origin(None, f"pillar '{pillar.id}'")
            heading = state.reserved_heading(pillar.heading, origin, pillar.id, 1)
            question_heading = state.heading(pillar.question, origin, f"{pillar.id}-question", 2)
            summary_heading = state.heading(labels.summary, origin, f"{pillar.id}-summary", 3, in_contents=False)
            view = PillarView(id=pillar.id, kind=self.kind, heading=heading, grade=state.grade(entry.grade),
                              question_heading=question_heading, summary_heading=summary_heading)
            view.summary = state.block(entry.summary, Origin(("pillars", index, "summary")))
            view.tiles = tiles(state, entry.force_in_context, ("pillars", index, "force_in_context"))
            view.components = [_component(state, unit, question, path)
                               for unit, question, path in entries(state) if unit.pillar == pillar.id]
            yield view


def _component(state: ResolveState, unit: QuestionSpec, question: Question, path: DocPath) -> ComponentView:
    origin = Origin(None, f"component '{unit.id}'")
    view = ComponentView(id=unit.id, kind="component", heading=state.reserved_heading(unit.heading, origin, unit.id, 2),
                         grade=state.grade(question.grade))
    if question.inspected is False:
        text = question.carried_over or state.fill(state.fw.carried_over or "",
                                                   last_inspected=question.last_inspected or "")
        where = Origin((*path, "carried_over")) if question.carried_over else origin
        view.carried_over = state.block(text, where)
    view.intro = state.block(unit.intro, origin)
    view.summary = state.block(question.summary, Origin((*path, "summary")))
    if question.findings and unit.graded and state.fw.findings_intro:
        view.findings_intro = state.block(state.fw.findings_intro, origin)
    view.sections = sections(state, question.findings, unit.sections, (*path, "findings"), view.heading.anchor, 3)
    view.boxes = boxes(state, question, path, unit.id)
    return view
