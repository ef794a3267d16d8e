"""``text``: a heading and framework text, which a report key may replace."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import chapter_heading, chapter_origin, text_field
from peelgen.document import ChapterView, Fragment, Section
from peelgen.framework import ChapterSpec, Framework
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class TextView(ChapterView):
    body: Fragment | None = None
    sections: list[Section] = field(default_factory=list)


@chapter_kind
class Text(ChapterComponent):
    kind = "text"
    summary = ("A heading, the framework's body text and optional sections; with `report_field`, "
               "that report key's markdown replaces the body.")

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        if spec.report_field is None:
            return {}
        return {spec.report_field: text_field(f"Markdown replacing the framework's '{spec.heading or spec.id}' text.")}

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[TextView]:
        override = state.get(spec.report_field) if spec.report_field else None
        origin = chapter_origin(spec)
        body = (state.block(override, Origin((spec.report_field,))) if override
                else state.block(spec.body, origin))
        if body is None and not spec.sections:
            return
        heading = chapter_heading(state, spec)
        sections = [Section(state.heading(s.heading, origin, f"{spec.id}-{s.heading}", 2),
                            body=state.block(s.body, origin))
                    for s in spec.sections]
        yield TextView(id=spec.id, kind=self.kind, heading=heading, body=body, sections=sections)
