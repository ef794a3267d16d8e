"""``leadership``: the ungraded leadership summary (2023–25): the framework's intro,
the report's ``leadership`` text and the framework's closing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block, text_field
from peelgen.document import ChapterView, Fragment
from peelgen.framework import ChapterSpec, Framework
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class LeadershipView(ChapterView):
    intro: Fragment | None = None
    body: Fragment | None = None
    closing: Fragment | None = None


@chapter_kind
class Leadership(ChapterComponent):
    kind = "leadership"
    summary = "The framework's intro, the report's `leadership` markdown, then the framework's closing."

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"leadership": text_field("The ungraded leadership summary (markdown).", required=True)}

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        return ["", "# The ungraded leadership summary (markdown).", 'leadership: "TODO: the leadership summary"']

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[LeadershipView]:
        heading = chapter_heading(state, spec)
        view = LeadershipView(id=spec.id, kind=self.kind, heading=heading,
                              intro=framework_block(state, spec, spec.body))
        view.body = state.block(state.report.leadership, Origin(("leadership",)))
        view.closing = framework_block(state, spec, spec.closing)
        yield view
