"""``judgments``: "Our judgments" (2023–25): the graded areas listed under their grades,
best first, then the report's own overall summary narrative, if any."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, chapter_origin, entries, framework_block, text_field
from peelgen.chapters.questions import QuestionsBase
from peelgen.document import ChapterView, Fragment, GradeColumn, Heading
from peelgen.framework import ChapterSpec, Framework
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class JudgmentsView(ChapterView):
    summary_table_heading: Heading
    columns: list[GradeColumn] = field(default_factory=list)
    not_graded: str | None = None
    body: Fragment | None = None
    narrative: Fragment | None = None


@chapter_kind
class Judgments(QuestionsBase):
    kind = "judgments"
    summary = ("A table of the graded entries of `questions` under their grades, best first, the framework's "
               "sentence on what is not graded, then the report's `report_field` narrative, if any.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        fields = super().report_fields(fw, spec)
        if spec.report_field:
            fields[spec.report_field] = text_field("The overall summary's own narrative (markdown), "
                                                   "after the table of judgments.")
        return fields

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[JudgmentsView]:
        heading = chapter_heading(state, spec)
        body = framework_block(state, spec, spec.body)
        table_heading = state.heading(state.fw.labels.judgments, chapter_origin(spec), f"{spec.id}-judgments", 2)
        view = JudgmentsView(id=spec.id, kind=self.kind, heading=heading, summary_table_heading=table_heading,
                             body=body, not_graded=state.fw.labels.not_graded_sentence)
        graded = [(unit, question) for unit, question, _ in entries(state) if unit.graded]
        for grade in state.fw.grades.scale:
            listed = [(state.fill(unit.label("table")), state.unit_anchor[unit.id])
                      for unit, question in graded if question.grade == grade.id]
            view.columns.append(GradeColumn(state.grade(grade.id), listed))
        narrative = state.get(spec.report_field) if spec.report_field else None
        if narrative:
            view.narrative = state.block(narrative, Origin((spec.report_field,)))
        yield view
