"""``annex-b``: every force's grade for every graded question (national reports)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block
from peelgen.chapters.distribution import force_grades_field, force_grades_scaffold
from peelgen.document import ChapterView, ForceRow, Fragment
from peelgen.framework import ChapterSpec, Framework
from peelgen.state import ResolveState


@dataclass(slots=True, kw_only=True)
class AnnexBView(ChapterView):
    body: Fragment | None = None
    table_headings: list[str] = field(default_factory=list)
    force_rows: list[ForceRow] = field(default_factory=list)


@chapter_kind
class AnnexB(ChapterComponent):
    kind = "annex-b"
    summary = "A table of every force's current grade for each graded question, from `force_grades`."

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"force_grades": force_grades_field()}

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        return force_grades_scaffold(fw, spec)

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[AnnexBView]:
        national = state.files.national
        if national is None:
            return
        heading = chapter_heading(state, spec)
        view = AnnexBView(id=spec.id, kind=self.kind, heading=heading, body=framework_block(state, spec, spec.body))
        units = [q for q in state.fw.questions if q.graded]
        view.table_headings = [state.fw.labels.force, *[state.fill(u.label("short")) for u in units]]
        view.force_rows = [ForceRow(force.short_name, [state.grade(force.grades[u.id]["2017"] or "") for u in units])
                           for force in national.forces]
        yield view
