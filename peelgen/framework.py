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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from peelgen.diagnostics import BuildFailed, Diagnostic, suggest
from peelgen.load import load_yaml

BUILTIN_DIR = Path(__file__).with_name("frameworks")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


HexColour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", description="A colour, #rrggbb.")]


class Grade(_Frozen):
    id: str
    label: str
    phrase: str = Field(description="Completes '{force} … {topic}', e.g. 'is good at'.")
    infinitive: str = Field(description="Completes 'we judged the force to …'.")
    colour: HexColour = Field("#4b5563", description="Background of the grade's badge and chips.")
    text_colour: HexColour = Field("#ffffff", description="Text on that background.")


class Ungraded(_Frozen):
    id: str = "ungraded"
    label: str = "Ungraded"
    colour: HexColour = "#4b5563"
    text_colour: HexColour = "#ffffff"


class GradeScale(_Frozen):
    """The grades, best first: a grade's rank is its place in this list."""

    scale: list[Grade] = Field(min_length=1)
    ungraded: Ungraded = Ungraded()

    @model_validator(mode="after")
    def _readable(self) -> GradeScale:
        """Every badge must be readable: WCAG 2.2 AA asks for 4.5:1 for normal text."""
        for grade in [*self.scale, self.ungraded]:
            ratio = contrast_ratio(grade.colour, grade.text_colour)
            if ratio < MIN_CONTRAST:
                raise ValueError(f"grade '{grade.id}': text {grade.text_colour} on {grade.colour} has a contrast "
                                 f"of {ratio:.2f}:1; at least {MIN_CONTRAST}:1 is needed")
        return self


MIN_CONTRAST = 4.5


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Plural(_Frozen):
    one: str
    other: str

    def for_count(self, count: int) -> str:
        return self.one if count == 1 else self.other


class ChartWords(_Frozen):
    """The sentences of chart descriptions (text alternatives), with their placeholders."""

    no_data: str = "no data"
    period: str = "Period"
    comparison: str = "{title}. Bar chart comparing {force} with {national} ({unit}). {pairs}."
    comparison_pair: str = "{label}: {force_value} in {force} against {national_value} in {national}"
    trend: str = "{title}. Line chart of {unit} over {count} periods. {changes}."
    trend_series: str = "{name}: {first} in {first_period} and {last} in {last_period}"
    shares: str = "{title}. Bar chart of shares by category. {parts}."
    shares_part: str = "{category}: {value}"
    ranked: str = "{title}. Bar chart of {count} forces, highest first."
    ranked_force: str = "{force}: {value}, {rank} of {count}."
    ranked_force_no_data: str = "{force}: no data."
    ranked_national: str = "{national}: {value}."
    ranked_extremes: str = "Highest: {highest}, {highest_value}. Lowest: {lowest}, {lowest_value}."
    ranked_band: str = "Shaded band: one standard deviation either side of the mean of forces, from {low} to {high}."
    ranked_missing: str = "No data for {names}."
    control_title: str = "{title} by month"
    control: str = ("{title}. Line chart of {count} months from {first} to {last}. "
                    "Mean {mean}; control limits {lower} to {upper}.")
    control_outside: str = "Outside the limits: {months}."
    control_inside: str = "Every month is within the limits."


class Labels(_Frozen):
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
    illustrative: str = "Illustrative data: some values are invented, as the data file says."
    force_in_numbers_pointer: str = "For further information about the data in this graphic, please see annex A."
    annex_force_in_numbers: str = "Force in numbers"
    annex_figures: str = "Figures throughout the report"
    caveats_intro: str = "When viewing this data, the reader should be aware of the following:"
    see_above: str = "Please see ‘{title}’ above."
    no_data: str = "No data"
    # 2018/19 integrated assessment
    inspected_area: str = "Area"
    inspected_question: str = "Inspected in {cycle}?"
    last_inspected: str = "Last inspected"
    grade: str = "Grade"
    yes: str = "Yes"
    no: str = "No"
    summary: str = "Summary"
    force_in_context: str = "Force in context"
    # 2023–25
    judgments: str = "Our judgments"
    not_graded_sentence: str = "We do not grade the victim service assessment."
    main_findings: str = "Main findings"
    main_findings_intro: str = "In this section we set out our main findings that relate to {topic}."
    area_for_improvement_numbered: str = "Area for improvement {n}"
    innovative_practice: str = "Innovative practice"
    promising_practice: str = "Promising practice"
    victim_service_assessment: str = "Victim service assessment"
    # National reports
    question: str = "Question"
    improved: str = "Improved"
    declined: str = "Declined"
    force: str = "Force"
    illustrative_grades: str = ("Some earlier years' grades in the data behind this table are illustrative, "
                                "as its data file says.")
    addressee: str = "For"
    deadline: str = "Deadline"
    # Police and Crime Panel reports
    objective: str = "Objective {number} – {title}"
    signs_improvement: str = "Signs of improvement would be:"
    signs_success: str = "Signs of success would be:"
    topic: str = "Topic"
    data: str = "Data"
    activity: str = "Activity"
    measure: str = "Measure"
    current: str = "Current"
    previous: str = "Previous"
    change: str = "Change"
    direction: str = "Direction"
    peer: str = "Compared with similar forces"
    improving: str = "Improving"
    no_change: str = "No change"
    deteriorating: str = "Deteriorating"
    peer_below: str = "Below group average"
    peer_similar: str = "Similar to group average"
    peer_above: str = "Above group average"
    graded: str = "Graded"
    not_graded: str = "Not graded"
    report_of: str = "Report of the"
    introduction: str = "Introduction"
    summary_of_performance: str = "Summary of performance"
    charts: ChartWords = ChartWords()
    and_word: str = Field("and", description="Joins the last two names of a list.")
    published: str = Field("Published", description="Before the publication date on the cover.")


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
    """A graded unit: a question (2016), a component (2018/19) or an area (2023–25)."""

    id: str
    heading: str
    table_label: str | None = None
    short_label: str | None = None
    ipa_label: str | None = Field(None, description="Label in the 'inspected this cycle?' table.")
    pillar: str | None = None
    grade_phrase_topic: str | None = None
    graded: bool = True
    required: bool = True
    mandatory: bool = Field(False, description="Must be inspected this cycle.")
    chapter: bool = Field(True, description="Has a chapter of its own (false: tables only, e.g. overall).")
    aliases: list[str] = Field([], description="Ids of the same question in force frameworks (national reports).")
    topic: str | None = Field(None, description="Completes 'main findings that relate to …'.")
    lead: str | None = Field(None, description="Lead sentence, e.g. '{force} {grade_phrase} recording crime.'")
    intro: str | None = None
    sections: list[SubQuestion] = []

    def label(self, kind: str) -> str:
        return {"table": self.table_label, "short": self.short_label,
                "ipa": self.ipa_label}.get(kind) or self.table_label or self.heading


class PillarSpec(_Frozen):
    id: str
    heading: str
    question: str
    label: str | None = None
    graded: bool = True


class OverallSpec(_Frozen):
    id: str = "overall"
    heading: str
    chapter_heading: str
    judgment_heading: str = "Overall judgment"
    previous_grade: Literal["optional", "required", "none"] = "optional"


class TextSection(_Frozen):
    heading: str
    body: str




class PartSpec(_Frozen):
    """A numbered section of a covering report; numbered only when present."""

    id: str
    heading: str
    kind: Literal["text", "objectives", "inspections"] = "text"


class ChapterSpec(_Frozen):
    id: str
    kind: str = Field(description="A chapter kind from peelgen.chapters (see docs/frameworks.md).")
    heading: str | None = None
    body: str | None = None
    closing: str | None = Field(None, description="Boilerplate after the report's text (leadership).")
    new_page: bool = Field(True, description="Start the chapter on a new page in print.")
    generated: bool = Field(True, description="Annex: add the entries peelgen derives (Force in numbers, figures).")
    parts: list[PartSpec] = Field([], description="Covering report: its numbered sections, in order.")
    sections: list[TextSection] = []
    sentences: dict[str, str] = Field({}, description=(
        "Sentences that need report values, put into the body where {name} stands; each is "
        "left out when a value it needs is missing."))
    report_field: str | None = Field(None, description="Report key whose text replaces or fills this chapter.")

    @field_validator("kind")
    @classmethod
    def _registered(cls, value: str) -> str:
        from peelgen.chapters import REGISTRY  # the registry imports this module

        if value not in REGISTRY:
            hint = suggest(value, list(REGISTRY)) or f"kinds: {', '.join(REGISTRY)}"
            raise ValueError(f"unknown chapter kind '{value}' ({hint})")
        return value


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
    cover_subtitle: str = "An inspection of {force}"
    publisher: str = Field("{inspectorate}", description="The name on the cover and in the colophon.")
    author: str = Field("{inspectorate}", description="Who wrote the report: the page's author and the PDF's.")
    keywords: str = Field("{programme}, {force}, {inspectorate_short}",
                          description="The page's keywords and the PDF's.")
    page_description: str = Field("{title} – an inspection of {force}",
                                  description="The web page's description and the PDF's subject.")
    cover: bool = Field(True, description="False: no cover page; page 1 has a masthead and page numbers.")
    question_grades: bool = Field(True, description="False: the report's questions carry no grades (national).")
    grades: GradeScale
    labels: Labels = Labels()
    grade_change: GradeChange | None = None
    overall_lead: str | None = None
    footnotes: dict[str, str] = {}
    overall: OverallSpec | None = None
    cycle: str | None = Field(None, description="Inspection cycle: an inspected unit's last_inspected.")
    pillars: list[PillarSpec] = []
    chapters: list[ChapterSpec]
    questions: list[QuestionSpec]
    carried_over: str | None = Field(None, description="Standard sentence for a judgment carried over.")
    findings_intro: str | None = Field(None, description="Sentence before an inspected unit's findings.")
    hmi_openings: dict[Literal["positive", "mixed", "concerning"], str] = {}
    hmi_closing: str | None = None
    crime_recording: str | None = Field(None, description="Sentence with {force}, {percent}, {interval}, {of}.")
    afi_opening: str | None = Field(None, description="Lint: the words every area for improvement starts with.")
    recommendation_deadlines: bool = Field(
        False, description="Lint: every recommendation in a cause of concern should have a deadline.")

    def has_chapter(self, kind: str) -> bool:
        return any(chapter.kind == kind for chapter in self.chapters)

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


def merge_data(base: Any, own: Any) -> Any:
    """``own`` over ``base``: mappings merge key by key; anything else (lists too, and
    an empty mapping) replaces."""
    if isinstance(base, dict) and isinstance(own, dict) and own:
        return {**base, **{key: merge_data(base.get(key), value) for key, value in own.items()}}
    return own


def _data(path: Path, seen: tuple[Path, ...] = ()) -> tuple[Any, Any]:
    """A framework file's data, with the file it ``extends`` (by id) merged under it."""
    loaded = load_yaml(path)
    data = loaded.data
    parent_id = data.get("extends") if isinstance(data, dict) else None
    if not isinstance(parent_id, str):
        return loaded, data
    parent = available().get(parent_id)
    if parent is None or parent in seen or parent == path:
        raise BuildFailed([loaded.source.diagnostic(("extends",), f"cannot extend '{parent_id}'",
                                                    hint=suggest(parent_id, list(available())))])
    _, base = _data(parent, (*seen, path))
    own = {key: value for key, value in data.items() if key != "extends"}
    return loaded, merge_data(base, own)


@functools.lru_cache(maxsize=32)
def _load_file(path: Path, mtime_ns: int) -> Framework:
    loaded, data = _data(path)
    try:
        framework = Framework.model_validate(data)
    except ValidationError as error:
        raise BuildFailed([
            loaded.source.diagnostic(tuple(e["loc"]), f"framework file: {e['msg'].removeprefix('Value error, ')}")
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
