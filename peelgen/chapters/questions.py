"""``questions``: one chapter per question (2016): findings under the framework's
sub-questions, the summary of findings with the grade, then the boxes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from peelgen.chapters import ChapterComponent, FieldDef, chapter_kind
from peelgen.chapters._shared import boxes, entries, questions_field, sections
from peelgen.document import Box, ChapterView, Fragment, GradeView, Heading, Section
from peelgen.framework import ChapterSpec, Framework, SubQuestion
from peelgen.state import Origin, ResolveState


@dataclass(slots=True, kw_only=True)
class QuestionView(ChapterView):
    grade: GradeView
    intro: Fragment | None = None
    sections: list[Section] = field(default_factory=list)
    summary_heading: Heading
    summary: Fragment | None = None
    boxes: list[Box] = field(default_factory=list)

    def contents_children(self) -> list[Heading]:
        return [*ChapterView.contents_children(self), self.summary_heading]


def scaffold_questions(fw: Framework, *, summary: bool = True) -> list[str]:
    """The ``questions:`` entries of a new report: one per required question."""
    required = [spec for spec in fw.questions if spec.required]
    out = ["", "# One entry per question of the framework, in any order.",
           "questions:" if required else "questions: []"]
    for spec in required:
        out += ["", f"  # {' '.join(spec.heading.split())}", f"  - id: {spec.id}"]
        if fw.question_grades:
            out.append(f"    grade: {'TODO' if spec.graded else fw.grades.ungraded.id}")
        if fw.cycle is not None:
            out += ["    inspected: true  # false to carry over an earlier judgment",
                    f'    last_inspected: "{fw.cycle}"']
        out += _scaffold_findings(spec.sections)
        if summary:
            out += ['    summary: "TODO: the summary of findings (markdown)"']
        if fw.question_grades:
            out += ["    # Each a markdown string, or {text, deadline} for a dated one.",
                    "    areas_for_improvement: []"]
    return out


def _scaffold_findings(specs: list[SubQuestion]) -> list[str]:
    if not specs:
        return ["    findings:", '      - heading: "TODO: a heading"', '        body: "TODO: findings (markdown)"']
    out = ["    # Findings under the framework's sub-questions (headings come from the framework).", "    findings:"]
    for section in specs:
        out += [f"      # {' '.join(section.heading.split())}", f"      - id: {section.id}",
                '        body: "TODO: findings under this heading (markdown)"']
    return out


class QuestionsBase(ChapterComponent):
    """Kinds that read the report's ``questions``: the first chapter of such a kind in
    a framework writes their part of a new report."""

    def report_fields(self, fw: Framework, spec: ChapterSpec) -> dict[str, FieldDef]:
        return {"questions": questions_field()}

    def scaffold(self, fw: Framework, spec: ChapterSpec) -> list[str]:
        readers = [c for c in fw.chapters if isinstance(_component(c.kind), QuestionsBase)]
        return scaffold_questions(fw) if readers[0] is spec else []


def _component(kind: str) -> ChapterComponent:
    from peelgen.chapters import component

    return component(kind)


@chapter_kind
class Questions(QuestionsBase):
    kind = "questions"
    summary = ("One chapter per entry of `questions`, in framework order: the framework's intro, the findings, "
               "the summary of findings with the grade, then areas for improvement and causes of concern.")

    def resolve(self, state: ResolveState, spec: ChapterSpec) -> Iterator[QuestionView]:
        labels = state.fw.labels
        for unit, question, path in entries(state):
            origin = Origin(None, f"question '{unit.id}'")
            heading = state.reserved_heading(unit.heading, origin, unit.id, 1)
            intro = state.block(unit.intro, origin)
            found = sections(state, question.findings, unit.sections, (*path, "findings"), unit.id, 2)
            summary_heading = state.heading(labels.summary_of_findings, origin, f"{unit.id}-summary", 2)
            summary = state.block(question.summary, Origin((*path, "summary")))
            yield QuestionView(id=unit.id, kind=self.kind, heading=heading, grade=state.grade(question.grade),
                               intro=intro, sections=found, summary_heading=summary_heading, summary=summary,
                               boxes=boxes(state, question, path, unit.id))
