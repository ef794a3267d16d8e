"""``glossary``: the report's terms and definitions; left out when it has none."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, framework_block
from peelgen.document import ChapterView, Fragment
from peelgen.framework import ChapterSpec, Framework
from peelgen.models import GlossaryEntry
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class GlossaryView(ChapterView):
    body: Fragment | None = None
    glossary: list[tuple[str, Fragment]] = field(default_factory=list)


@chapter_kind
class Glossary(ChapterComponent):
    kind = "glossary"
    summary = "The report's `glossary`: terms and their definitions."

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"glossary": (list[GlossaryEntry], Field(default_factory=list,
                                                        description="Glossary terms and definitions."))}

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[GlossaryView]:
        if not state.report.glossary:
            return
        heading = chapter_heading(state, spec)
        view = GlossaryView(id=spec.id, kind=self.kind, heading=heading, body=framework_block(state, spec, spec.body))
        view.glossary = [(entry.term, state.inline(entry.definition, Origin(("glossary", i, "definition"))))
                         for i, entry in enumerate(state.report.glossary)]
        yield view
