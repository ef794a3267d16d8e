"""``summary-tables``: one table per pillar, the pillar's grade then its components'
grades and when each was last inspected (2018/19)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import chapter_kind
from peelgen.chapters._shared import chapter_heading, entries, framework_block
from peelgen.chapters.questions import QuestionsBase
from peelgen.document import ChapterView, ComponentRow, Fragment, PillarTable
from peelgen.framework import ChapterSpec
from peelgen.state import ResolveState


@dataclass(slots=True, kw_only=True)
class SummaryTablesView(ChapterView):
    body: Fragment | None = None
    pillar_tables: list[PillarTable] = field(default_factory=list)


@chapter_kind
class SummaryTables(QuestionsBase):
    kind = "summary-tables"
    summary = "A grade table per pillar of `pillars`, listing its components from `questions` with their grades."

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[SummaryTablesView]:
        heading = chapter_heading(state, spec)
        view = SummaryTablesView(id=spec.id, kind=self.kind, heading=heading,
                                 body=framework_block(state, spec, spec.body))
        grades = {p.id: p.grade for p in state.get("pillars", [])}
        for pillar in state.fw.pillars:
            if pillar.id not in grades:
                continue
            rows = [ComponentRow(state.fill(unit.label("table")), state.grade(question.grade),
                                 question.last_inspected, state.unit_anchor[unit.id])
                    for unit, question, _ in entries(state) if unit.pillar == pillar.id]
            view.pillar_tables.append(PillarTable(pillar.label or pillar.heading, state.grade(grades[pillar.id]),
                                                  state.unit_anchor[pillar.id], rows))
        yield view
