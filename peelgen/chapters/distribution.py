"""``distribution``: how many forces got each grade per question, with how many
improved and declined, derived from ``force_grades`` (national reports)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block
from peelgen.document import ChapterView, DistributionRow, Fragment
from peelgen.framework import ChapterSpec, Framework
from peelgen.state import ResolveState


def force_grades_field() -> FieldDef:
    return (str, Field(min_length=1, max_length=300, description="The per-force grades CSV in the report's folder."))


def force_grades_scaffold(fw: Framework, spec: ChapterSpec) -> list[str]:
    first = next(c for c in fw.chapters if c.kind in ("distribution", "annex-b"))
    if first is not spec:
        return []
    return ["", "# The per-force grades CSV (see `peelgen national`).", "force_grades: TODO.csv"]


@dataclass(slots=True, kw_only=True)
class DistributionView(ChapterView):
    body: Fragment | None = None
    table_headings: list[str] = field(default_factory=list)
    distribution: list[DistributionRow] = field(default_factory=list)
    note: Fragment | None = None


@chapter_kind
class Distribution(ChapterComponent):
    kind = "distribution"
    summary = "A table of how many forces got each grade per graded question, derived from `force_grades`."

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"force_grades": force_grades_field()}

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        return force_grades_scaffold(fw, spec)

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[DistributionView]:
        counts = state.files.counts
        if not counts:
            return
        labels, fw = state.fw.labels, state.fw
        heading = chapter_heading(state, spec)
        view = DistributionView(id=spec.id, kind=self.kind, heading=heading,
                                body=framework_block(state, spec, spec.body))
        view.table_headings = [labels.question, *[g.label for g in fw.grades.scale], labels.declined, labels.improved]
        for unit in (q for q in fw.questions if q.graded):
            tally = counts[unit.id]
            view.distribution.append(DistributionRow(
                state.fill(unit.label("table")),
                [tally[g] for g in fw.grade_ids] + [tally["declined"], tally["improved"]]))
        national = state.files.national
        if national is not None and national.illustrative:
            view.note = framework_block(state, spec, labels.illustrative_grades)
        yield view
