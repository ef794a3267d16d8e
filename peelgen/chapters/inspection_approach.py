"""``inspection-approach``: the framework's text and a table of which questions were
inspected this cycle (2018/19)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import chapter_kind
from peelgen.chapters._shared import chapter_heading, entries, framework_block
from peelgen.chapters.questions import QuestionsBase
from peelgen.document import ChapterView, Fragment, InspectedRow
from peelgen.framework import ChapterSpec
from peelgen.state import ResolveState


@dataclass(slots=True, kw_only=True)
class InspectionApproachView(ChapterView):
    body: Fragment | None = None
    inspected_heading: str = ""
    inspected_rows: list[InspectedRow] = field(default_factory=list)


@chapter_kind
class InspectionApproach(QuestionsBase):
    kind = "inspection-approach"
    summary = "The framework's text and a table saying, for each entry of `questions`, whether it was inspected."

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[InspectionApproachView]:
        heading = chapter_heading(state, spec)
        view = InspectionApproachView(id=spec.id, kind=self.kind, heading=heading,
                                      body=framework_block(state, spec, spec.body))
        view.inspected_heading = state.fill(state.fw.labels.inspected_question)
        view.inspected_rows = [InspectedRow(state.fill(unit.label("ipa")), bool(question.inspected))
                               for unit, question, _ in entries(state)]
        yield view
