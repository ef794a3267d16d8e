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
from peelgen.language import DEFAULT_LANGUAGE, Language, load_language
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
    """A word by CLDR plural category; ``other`` is required, the rest as the language needs."""

    zero: str | None = None
    one: str | None = None
    two: str | None = None
    few: str | None = None
    many: str | None = None
    other: str

    def for_count(self, count: int, language: Language) -> str:
        return getattr(self, language.plural_category(count)) or self.other


class ChartWords(_Frozen):
    """The sentences of chart descriptions (text alternatives), with their placeholders."""

    no_data: str
    period: str
    comparison: str
    comparison_pair: str
    trend: str
    trend_series: str
    shares: str
    shares_part: str
    ranked: str
    ranked_force: str
    ranked_force_no_data: str
    ranked_national: str
    ranked_extremes: str
    ranked_band: str
    ranked_missing: str
    control_title: str
    control: str
    control_outside: str
    control_inside: str


class Labels(_Frozen):
    overall_summary: str
    summary_of_findings: str
    areas_for_improvement: Plural
    causes_of_concern: Plural
    recommendations: Plural
    figure: str
    source: str
    annex_pointer: str
    contents: str
    footnotes: str
    england_and_wales: str
    show_data: str
    illustrative: str
    force_in_numbers_pointer: str
    annex_force_in_numbers: str
    annex_figures: str
    caveats_intro: str
    see_above: str
    no_data: str
    download_data: str
    # 2018/19 integrated assessment
    inspected_area: str
    inspected_question: str
    last_inspected: str
    grade: str
    yes: str
    no: str
    summary: str
    force_in_context: str
    # 2023–25
    judgments: str
    not_graded_sentence: str
    main_findings: str
    main_findings_intro: str
    area_for_improvement_numbered: str
    innovative_practice: str
    promising_practice: str
    victim_service_assessment: str
    # National reports
    question: str
    improved: str
    declined: str
    force: str
    illustrative_grades: str
    addressee: str
    deadline: str
    # Police and Crime Panel reports
    objective: str
    signs_improvement: str
    signs_success: str
    topic: str
    data: str
    activity: str
    measure: str
    current: str
    previous: str
    change: str
    direction: str
    peer: str
    improving: str
    no_change: str
    deteriorating: str
    peer_below: str
    peer_similar: str
    peer_above: str
    graded: str
    not_graded: str
    report_of: str
    introduction: str
    summary_of_performance: str
    charts: ChartWords
    and_word: str = Field(description="Joins the last two names of a list.")
    published: str = Field(description="Before the publication date on the cover.")
    # Editions
    edition_link: dict[str, str] = Field(description=(
        "The link to the report's other-language edition (meta.translation), by that edition's "
        "language tag: a whole phrase in this catalogue's language naming the other language, "
        "e.g. cy: Read the Welsh version."))


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
    language: str = Field(DEFAULT_LANGUAGE, description="Set by the loader: the language of this copy's words.")
    labels: Labels = Field(description="Words of the report's language (its catalogue), with this framework's own.")
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

    @functools.cached_property
    def words(self) -> Language:
        """The language of this copy: plural categories, ordinals, dates."""
        return load_language(self.language)

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


def _with_language(data: Any, language: Language) -> Any:
    """The framework's data with the language's catalogue under its ``labels``."""
    if not isinstance(data, dict):
        return data
    own = data.get("labels")
    labels = merge_data(language.labels, own) if isinstance(own, dict) and own else language.labels
    return {**data, "language": language.tag, "labels": labels}


@functools.lru_cache(maxsize=32)
def _load_file(path: Path, mtime_ns: int, language: Language) -> Framework:
    loaded, data = _data(path)
    data = _with_language(data, language)
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


def load_framework(framework_id: str, language: str = DEFAULT_LANGUAGE) -> Framework:
    """Load a framework by id, in a language; raises :class:`BuildFailed` if unknown or invalid."""
    files = available()
    path = files.get(framework_id)
    if path is None:
        raise BuildFailed([Diagnostic(
            "<framework>", f"unknown framework '{framework_id}'",
            hint=suggest(framework_id, list(files)) or f"installed: {', '.join(files) or 'none'}",
        )])
    return _load_file(path, path.stat().st_mtime_ns, load_language(language))
