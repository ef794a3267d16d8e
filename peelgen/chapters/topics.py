"""``topics``: one chapter per question that has a chapter (national reports): the
framework's intro, the summary and the findings; no grades (they come from
``force_grades``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import chapter_kind
from peelgen.chapters._shared import entries, sections
from peelgen.chapters.questions import QuestionsBase
from peelgen.document import ChapterView, Fragment, Section
from peelgen.framework import ChapterSpec
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class TopicChapterView(ChapterView):
    intro: Fragment | None = None
    summary: Fragment | None = None
    sections: list[Section] = field(default_factory=list)


@chapter_kind
class Topics(QuestionsBase):
    kind = "topics"
    summary = "One chapter per entry of `questions` whose framework question has a chapter: intro, summary, findings."

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[TopicChapterView]:
        for unit, question, path in entries(state):
            if not unit.chapter:
                continue
            origin = Origin(None, f"question '{unit.id}'")
            view = TopicChapterView(id=unit.id, kind=self.kind,
                                    heading=state.reserved_heading(unit.heading, origin, unit.id, 1))
            view.intro = state.block(unit.intro, origin)
            view.summary = state.block(question.summary, Origin((*path, "summary")))
            view.sections = sections(state, question.findings, unit.sections, (*path, "findings"),
                                     view.heading.anchor, 2)
            yield view
