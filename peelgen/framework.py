"""Inspection frameworks: data files that describe a report family.

A framework file holds the grade scale, the tree of questions with stable ids,
headings, table labels, boilerplate paragraphs and the template that renders it.
Adding a framework means adding a file to ``peelgen/frameworks/`` (or a folder on
``PEELGEN_FRAMEWORKS_PATH``), not writing Python.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from peelgen.assets import search_path, yaml_files
from peelgen.diagnostics import BuildFailed, Diagnostic, MissingTranslation, display_name, suggest
from peelgen.framework_translations import translate, with_text_defaults
from peelgen.labels import ChartWords, Labels, Plural  # noqa: F401 - part of this module's interface
from peelgen.language import DEFAULT_LANGUAGE, PLURAL_CATEGORIES, Language, load_language
from peelgen.language import available as languages_available
from peelgen.load import LoadedFile, load_yaml

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
    label: str = Field(description="Default: the catalogue's 'ungraded' label.")
    colour: HexColour = "#4b5563"
    text_colour: HexColour = "#ffffff"


class GradeScale(_Frozen):
    """The grades, best first: a grade's rank is its place in this list."""

    scale: list[Grade] = Field(min_length=1)
    ungraded: Ungraded = Field(description="Default: id 'ungraded', labelled by the catalogue.")

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
    judgment_heading: str = Field(description="Default: the catalogue's 'overall_judgment' label.")
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
    cover_subtitle: str = Field(description="Default: the catalogue's 'cover_subtitle' label.")
    publisher: str = Field("{inspectorate}", description="The name on the cover and in the colophon.")
    author: str = Field("{inspectorate}", description="Who wrote the report: the page's author and the PDF's.")
    keywords: str = Field("{programme}, {force}, {inspectorate_short}",
                          description="The page's keywords and the PDF's.")
    page_description: str = Field(description=(
        "The web page's description and the PDF's subject. Default: the catalogue's 'page_description' label."))
    cover: bool = Field(True, description="False: no cover page; page 1 has a masthead and page numbers.")
    question_grades: bool = Field(True, description="False: the report's questions carry no grades (national).")
    grades: GradeScale
    source_language: str = Field(DEFAULT_LANGUAGE, description=(
        "The language the framework file is written in; its text in other languages comes "
        "from overlays, frameworks/<tag>/<id>.yaml (docs/languages.md)."))
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

    @model_validator(mode="before")
    @classmethod
    def _catalogue_defaults(cls, data: Any) -> Any:
        """Wording a framework file may leave out comes from its language's catalogue."""
        if not isinstance(data, dict):
            return data
        labels = data.get("labels")
        words = labels.model_dump() if isinstance(labels, BaseModel) else labels
        return with_catalogue_defaults(data, words) if isinstance(words, dict) else data

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


def with_catalogue_defaults(data: dict[str, Any], words: dict[str, Any]) -> dict[str, Any]:
    """``data`` with the catalogue's words where the framework file leaves out its cover
    subtitle, page description, overall judgment heading or ungraded label."""
    data = {**data, **{key: words[key] for key in ("cover_subtitle", "page_description")
                       if key not in data and isinstance(words.get(key), str)}}
    grades = data.get("grades")
    if isinstance(grades, dict) and isinstance(words.get("ungraded"), str):
        ungraded = grades.get("ungraded", {})
        if isinstance(ungraded, dict) and "label" not in ungraded:
            data["grades"] = {**grades, "ungraded": {**ungraded, "label": words["ungraded"]}}
    overall = data.get("overall")
    if isinstance(overall, dict) and "judgment_heading" not in overall and isinstance(
            words.get("overall_judgment"), str):
        data["overall"] = {**overall, "judgment_heading": words["overall_judgment"]}
    return data


def search_dirs() -> list[Path]:
    return search_path("PEELGEN_FRAMEWORKS_PATH", BUILTIN_DIR)


def available() -> dict[str, Path]:
    """Framework id -> file, the first folder on the search path winning."""
    return yaml_files(search_dirs())


def merge_data(base: Any, own: Any) -> Any:
    """``own`` over ``base``: mappings merge key by key; anything else (lists too, an
    empty mapping, and a plural's forms, which belong together) replaces."""
    if isinstance(base, dict) and isinstance(own, dict) and own and not _is_plural(own):
        return {**base, **{key: merge_data(base.get(key), value) for key, value in own.items()}}
    return own


def _is_plural(value: dict[str, Any]) -> bool:
    """A label's forms by CLDR plural category: a framework's or a report's English
    ``{one, other}`` must not keep a catalogue's other forms beside its own."""
    return "other" in value and set(value) <= set(PLURAL_CATEGORIES)


def overlay_file(framework_file: Path, tag: str) -> Path:
    """Where the translation of a framework file into language ``tag`` lives:
    ``<tag>/<id>.yaml`` beside it. (Only there: a translation belongs to the file it
    translates, so a changed copy of a framework elsewhere never takes on a translation
    of the original.)"""
    return framework_file.parent / tag / framework_file.name


def languages_of(framework_id: str) -> list[str]:
    """The languages a framework can be loaded in: its own, then those it has translations into."""
    path = available().get(framework_id)
    if path is None:
        return []
    data = load_yaml(path).data
    own = data.get("source_language", DEFAULT_LANGUAGE) if isinstance(data, dict) else DEFAULT_LANGUAGE
    tags = {folder.name for folder in path.parent.iterdir() if overlay_file(path, folder.name).is_file()}
    return [own, *sorted(tags - {own})]


def _translated(loaded: LoadedFile, language: Language) -> Any:
    """A framework file's own data in ``language``, from its overlay if the file is in another."""
    data = loaded.data
    source = data.get("source_language", DEFAULT_LANGUAGE) if isinstance(data, dict) else DEFAULT_LANGUAGE
    if not isinstance(data, dict) or source in (language.tag, language.info.framework_language):
        return data
    overlay = overlay_file(loaded.path, language.tag)
    if not overlay.is_file():
        name, tag = language.info.english_name, language.tag
        raise MissingTranslation([Diagnostic(
            display_name(loaded.path),
            f"framework {loaded.path.stem} has no {name} ({tag}) translation: "
            f"add frameworks/{tag}/{loaded.path.stem}.yaml (docs/languages.md)",
            hint=f"or build the report in its own language: meta.language: {source}")])
    # Defaults are filled in once, in the file that extends nothing (a child would otherwise
    # put a default over its parent's own text).
    # The source language's catalogue words count as the file's own text here, so that a
    # translation gives them too (the catalogue's generic words may not suit the framework).
    base = data if "extends" in data else with_text_defaults(
        with_catalogue_defaults(data, load_language(source).labels), Framework)
    return translate(base, load_yaml(overlay), Labels)


def _data(path: Path, language: Language, seen: tuple[Path, ...] = ()) -> tuple[LoadedFile, Any]:
    """A framework file's data in ``language``, with the file it ``extends`` (by id) merged under it."""
    loaded = load_yaml(path)
    data = _translated(loaded, language)
    parent_id = data.get("extends") if isinstance(data, dict) else None
    if not isinstance(parent_id, str):
        return loaded, data
    parent = available().get(parent_id)
    if parent is None or parent in seen or parent == path:
        raise BuildFailed([loaded.source.diagnostic(("extends",), f"cannot extend '{parent_id}'",
                                                    hint=suggest(parent_id, list(available())))])
    _, base = _data(parent, language, (*seen, path))
    own = {key: value for key, value in data.items() if key != "extends"}
    return loaded, merge_data(base, own)


def _with_language(data: Any, language: Language) -> Any:
    """The framework's data with the language's catalogue under its ``labels``."""
    if not isinstance(data, dict):
        return data
    own = data.get("labels")
    labels = merge_data(language.labels, own) if isinstance(own, dict) and own else language.labels
    return {**data, "language": language.tag, "labels": labels}


def _stamp(path: Path, tag: str) -> tuple[tuple[str, int], ...]:
    """What a cached copy depends on: the framework files and their translations."""
    files = [path, *(p for folder in search_dirs() for p in sorted((folder / tag).glob("*.yaml")))]
    return tuple((str(p), p.stat().st_mtime_ns) for p in files)


@functools.lru_cache(maxsize=32)
def _load_file(path: Path, stamp: tuple[tuple[str, int], ...], language: Language) -> Framework:
    loaded, data = _data(path, language)
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
    words = load_language(language)
    return _load_file(path, _stamp(path, words.tag), words)


def files_read(framework_id: str, language: str) -> list[Path]:
    """The files :func:`load_framework` reads for ``framework_id`` in ``language``, for a
    watcher (``peelgen serve``): the framework file and those it extends, where their
    translations into ``language`` are (or would be), and the catalogues. Never raises:
    from a broken or unknown file, what could be found."""
    catalogues = languages_available()
    found: list[Path] = [catalogues[language]] if language in catalogues else []
    try:
        framework_language = load_language(language).info.framework_language
    except BuildFailed:
        framework_language = None
    files, path = available(), available().get(framework_id)
    while path is not None and path not in found:
        found.append(path)
        try:
            data = load_yaml(path).data
        except BuildFailed:
            break
        data = data if isinstance(data, dict) else {}
        source = data.get("source_language", DEFAULT_LANGUAGE)
        if source not in (language, framework_language):  # read from its overlay, over its catalogue's words
            found += [overlay_file(path, language), *([catalogues[source]] if source in catalogues else [])]
        parent = data.get("extends")
        path = files.get(parent) if isinstance(parent, str) else None
    return list(dict.fromkeys(found))
