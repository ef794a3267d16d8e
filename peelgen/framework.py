"""Inspection frameworks: data files that describe a report family.

A framework file holds the grade scale, the tree of questions with stable ids,
headings, table labels, boilerplate paragraphs and the template that renders it.
Adding a framework means adding a file to ``peelgen/frameworks/`` (or a folder on
``PEELGEN_FRAMEWORKS_PATH``), not writing Python.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peelgen.diagnostics import BuildFailed, Diagnostic, suggest
from peelgen.load import load_yaml

BUILTIN_DIR = Path(__file__).with_name("frameworks")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Grade(_Frozen):
    id: str
    label: str
    phrase: str = Field(description="Completes '{force} … {topic}', e.g. 'is good at'.")
    infinitive: str = Field(description="Completes 'we judged the force to …'.")


class Ungraded(_Frozen):
    id: str = "ungraded"
    label: str = "Ungraded"


class GradeScale(_Frozen):
    scale: list[Grade] = Field(min_length=1)
    ungraded: Ungraded = Ungraded()


class Plural(_Frozen):
    one: str
    other: str

    def for_count(self, count: int) -> str:
        return self.one if count == 1 else self.other


class Labels(_Frozen):
    overall_judgment: str = "Overall judgment"
    overall_summary: str = "Overall summary"
    summary_of_findings: str = "Summary of findings"
    areas_for_improvement: Plural = Plural(one="Area for improvement", other="Areas for improvement")
    causes_of_concern: Plural = Plural(one="Cause of concern", other="Causes of concern")
    recommendations: Plural = Plural(one="Recommendation", other="Recommendations")
    figure: str = "Figure"
    source: str = "Source"
    annex_pointer: str = "For further information about these data, please see annex A."
    contents: str = "Contents"
    footnotes: str = "Notes"
    england_and_wales: str = "England and Wales"
    show_data: str = "Show the data behind this chart"
    illustrative: str = "Illustrative data: not the published figures for every force."
    force_in_numbers_pointer: str = "For further information about the data in this graphic, please see annex A."
    annex_force_in_numbers: str = "Force in numbers"
    annex_figures: str = "Figures throughout the report"
    caveats_intro: str = "When viewing this data, the reader should be aware of the following:"
    see_above: str = "Please see ‘{title}’ above."
    no_data: str = "No data"


class GradeChange(_Frozen):
    improved: str
    same: str
    declined: str


class Inspectorate(_Frozen):
    name: str
    short: str


class SubQuestion(_Frozen):
    id: str
    heading: str
    intro: str | None = None
    sections: list[SubQuestion] = []


class QuestionSpec(_Frozen):
    id: str
    heading: str
    table_label: str
    short_label: str
    grade_phrase_topic: str | None = None
    graded: bool = True
    required: bool = True
    intro: str | None = None
    sections: list[SubQuestion] = []


class OverallSpec(_Frozen):
    id: str = "overall"
    heading: str
    chapter_heading: str
    judgment_heading: str = "Overall judgment"
    previous_grade: Literal["optional", "required", "none"] = "optional"


class TextSection(_Frozen):
    heading: str
    body: str


class ChapterSpec(_Frozen):
    id: str
    kind: Literal["text", "force-in-numbers", "overview", "questions", "annex"]
    heading: str | None = None
    body: str | None = None
    sections: list[TextSection] = []
    report_field: str | None = Field(None, description="Report key whose text replaces or fills this chapter.")


class Framework(_Frozen):
    id: str
    title: str
    description: str
    programme: str
    programme_year: str
    document_kind: str
    template: str
    inspectorate: Inspectorate
    report_title: str
    short_title: str
    grades: GradeScale
    labels: Labels = Labels()
    grade_change: GradeChange | None = None
    overall_lead: str | None = None
    footnotes: dict[str, str] = {}
    overall: OverallSpec
    chapters: list[ChapterSpec]
    questions: list[QuestionSpec]

    @functools.cached_property
    def grade_ids(self) -> list[str]:
        return [g.id for g in self.grades.scale]

    def grade(self, grade_id: str) -> Grade | None:
        return next((g for g in self.grades.scale if g.id == grade_id), None)

    def rank(self, grade_id: str) -> int:
        """0 for the best grade; larger is worse."""
        return self.grade_ids.index(grade_id)

    def question(self, question_id: str) -> QuestionSpec | None:
        return next((q for q in self.questions if q.id == question_id), None)


def search_dirs() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("PEELGEN_FRAMEWORKS_PATH", "").split(os.pathsep) if p]
    return [*extra, BUILTIN_DIR]


def available() -> dict[str, Path]:
    """Framework id -> file, the first folder on the search path winning."""
    found: dict[str, Path] = {}
    for folder in search_dirs():
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


@functools.lru_cache(maxsize=32)
def _load_file(path: Path, mtime_ns: int) -> Framework:
    loaded = load_yaml(path)
    try:
        framework = Framework.model_validate(loaded.data)
    except ValidationError as error:
        raise BuildFailed([
            loaded.source.diagnostic(tuple(e["loc"]), f"framework file: {e['msg']}")
            for e in error.errors()
        ]) from None
    if framework.id != path.stem:
        raise BuildFailed([loaded.source.diagnostic(
            ("id",), f"framework id '{framework.id}' must match its file name '{path.stem}'")])
    return framework


def load_framework(framework_id: str) -> Framework:
    """Load a framework by id; raises :class:`BuildFailed` if unknown or invalid."""
    files = available()
    path = files.get(framework_id)
    if path is None:
        raise BuildFailed([Diagnostic(
            "<framework>", f"unknown framework '{framework_id}'",
            hint=suggest(framework_id, list(files)) or f"installed: {', '.join(files) or 'none'}",
        )])
    return _load_file(path, path.stat().st_mtime_ns)
