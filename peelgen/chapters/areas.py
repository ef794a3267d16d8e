"""``areas``: one chapter per graded area (2023–25): grade, lead sentence, boxes
(cause of concern first, areas for improvement numbered, practice), then the main
findings with their intro and, for recording data, the crime-recording estimate."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import chapter_kind
from peelgen.chapters._shared import boxes, entries, replaced, sections
from peelgen.chapters.questions import QuestionsBase
from peelgen.diagnostics import DocPath
from peelgen.document import Box, ChapterView, Fragment, GradeView, Heading, Section
from peelgen.framework import ChapterSpec, QuestionSpec
from peelgen.models import Question
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class AreaView(ChapterView):
    grade: GradeView
    lead: Fragment | None = None
    summary: Fragment | None = None
    boxes: list[Box] = field(default_factory=list)
    main_findings_heading: Heading
    main_findings_intro: Fragment | None = None
    crime_recording: Fragment | None = None
    sections: list[Section] = field(default_factory=list)

    def contents_children(self) -> list[Heading]:
        return []


@chapter_kind
class Areas(QuestionsBase):
    kind = "areas"
    summary = ("One chapter per graded entry of `questions`: grade, lead sentence (or the entry's own `lead`), "
               "boxes, then the main findings after their intro (or the entry's own `main_findings_intro`).")

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[AreaView]:
        for unit, question, path in entries(state):
            if unit.graded:  # the victim service assessment has a chapter of its own
                yield _area(state, unit, question, path)


def _area(state: ResolveState, unit: QuestionSpec, question: Question, path: DocPath) -> AreaView:
    labels = state.fw.labels
    origin = Origin(None, f"area '{unit.id}'")
    heading = state.reserved_heading(unit.heading, origin, unit.id, 1)
    lead = _lead(state, unit, question, path)
    found = boxes(state, question, path, unit.id, numbered=True)
    main_findings = state.heading(labels.main_findings, origin, f"{unit.id}-main-findings", 2, in_contents=False)
    view = AreaView(id=unit.id, kind="areas", heading=heading, grade=state.grade(question.grade), lead=lead,
                    boxes=found, main_findings_heading=main_findings)
    intro = replaced(question, "main_findings_intro",
                     state.fill(labels.main_findings_intro, topic=unit.topic) if unit.topic else None)
    where = Origin((*path, "main_findings_intro")) if "main_findings_intro" in question.model_fields_set else origin
    view.main_findings_intro = state.block(intro, where)
    if question.crime_recording and state.fw.crime_recording:
        estimate = question.crime_recording
        view.crime_recording = state.block(state.fill(
            state.fw.crime_recording, percent=state.formats.number(estimate.percent, 1),
            interval=state.formats.number(estimate.interval, 1), of=estimate.of), Origin((*path, "crime_recording")))
    view.summary = state.block(question.summary, Origin((*path, "summary")))
    view.sections = sections(state, question.findings, unit.sections, (*path, "findings"),
                             view.heading.anchor, 3, in_contents=False)
    return view


def _lead(state: ResolveState, unit: QuestionSpec, question: Question, path: DocPath) -> Fragment | None:
    """The framework's lead sentence for the grade, unless the report gives its own (or null for none)."""
    if "lead" in question.model_fields_set:
        return state.inline(question.lead, Origin((*path, "lead"))) if question.lead else None
    grade = state.fw.grade(question.grade or "")
    if not unit.lead or grade is None:
        return None
    verb = _without_ends(grade.phrase, state.fw.labels.grade_phrase_ends)
    sentence = state.fill(unit.lead, grade_phrase=grade.phrase, grade_verb=verb, grade_label=grade.label.lower())
    return state.inline(sentence, Origin(None, f"area '{unit.id}'"))


def _without_ends(phrase: str, ends: list[str]) -> str:
    """'is good at' -> 'is good': the phrase without the word that leads to its topic."""
    for end in ends:
        if phrase.endswith(f" {end}"):
            return phrase[: -len(end) - 1]
    return phrase
