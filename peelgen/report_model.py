"""One report model per framework, composed from the chapter components it lists.

A framework's model is :class:`~peelgen.models.ReportBase` (the keys every report
has) plus the keys its chapters read, each declared by its chapter kind
(:meth:`peelgen.chapters.ChapterComponent.report_fields`), and a question model with
only the keys this framework uses. So a key no chapter of the framework reads is an
error, and ``peelgen schema`` is this model's schema.

The report's ``wording`` (its own text in place of the framework's) is applied here
too: :func:`apply_wording` returns the framework the rest of the pipeline sees.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, create_model, field_validator, model_validator

from peelgen import framework as frameworks
from peelgen.chapters import FieldDef, component
from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath
from peelgen.framework import Framework, Labels, merge_data
from peelgen.load import SourceMap
from peelgen.models import (
    Dataset,
    DataSource,
    Figure,
    GradeId,
    Identifier,
    Markdown,
    Meta,
    Metric,
    PrintOptions,
    Question,
    Strict,
    Style,
)


class ChapterWording(Strict):
    """The report's own text for one of the framework's chapters; null removes a text."""

    heading: str | None = Field(None, min_length=1, max_length=300, description="The chapter's heading.")
    body: Markdown | None = Field(None, description="The framework's text for this chapter (intro or body).")
    closing: Markdown | None = Field(None, description="The framework's closing text (leadership, observations).")

    @model_validator(mode="after")
    def _heading_not_removed(self) -> ChapterWording:
        if "heading" in self.model_fields_set and self.heading is None:
            raise ValueError("a chapter keeps a heading: give one, or remove the chapter with null")
        return self


Tone = Literal["positive", "mixed", "concerning"]


class Wording(Strict):
    """Framework text the report replaces (a string) or removes (null). The same
    placeholders as the framework's text are available: {force}, {inspectorate}, …"""

    report_title: str | None = Field(None, min_length=1, max_length=300, description="The report's title.")
    short_title: str | None = Field(None, min_length=1, max_length=120, description="The short title.")
    cover_subtitle: str | None = Field(None, max_length=300, description="The cover line under the title.")
    author: str | None = Field(None, min_length=1, max_length=300,
                               description="Who wrote the report: the page's and the PDF's author.")
    publisher: str | None = Field(None, min_length=1, max_length=300,
                                  description="The name on the cover and in the colophon.")
    page_description: str | None = Field(None, min_length=1, max_length=500,
                                         description="The page description and the PDF subject.")
    keywords: str | None = Field(None, max_length=500, description="The page's and the PDF's keywords.")
    overall_lead: str | None = Field(None, max_length=500, description="The overall judgment's lead sentence.")
    hmi_openings: dict[Tone, str | None] = Field(default_factory=dict,
                                                 description="Stock openings of HM Inspector's text, by tone.")
    hmi_closing: str | None = Field(None, description="The stock closing of HM Inspector's text.")
    findings_intro: str | None = Field(None, description="The sentence before an inspected unit's findings.")
    carried_over: str | None = Field(None, description="The sentence for a judgment carried over.")
    crime_recording: str | None = Field(None, description="The crime-recording estimate's sentence.")
    labels: dict[str, str | dict[str, str]] = Field(default_factory=dict, description=(
        "Framework labels by name (docs/frameworks.md lists them), e.g. judgments: Our self-assessed grades."))
    chapters: dict[Identifier, ChapterWording | None] = Field(default_factory=dict, description=(
        "By chapter id: the chapter's heading, body or closing; null removes the whole chapter."))


class ReportBase(Strict):
    """The keys every report has, whatever its framework. Each framework's report model
    adds the keys its chapters read (:func:`peelgen.report_model.report_model`)."""

    framework: str = Field(description="The framework id, e.g. 'peel-2016-effectiveness'.")
    status: Literal["draft", "final"] = Field(
        "final", description="draft: a DRAFT watermark on every PDF page and a banner on the web page.")
    meta: Meta = Field(description="Who and when: the force, dates, slug, logo and marking.")
    wording: Wording = Field(default_factory=lambda: Wording(), description=(
        "The report's own text in place of the framework's: cover lines, author, page description, stock "
        "sentences, labels and chapter texts (null removes a text). See docs/report-yaml.md."))
    figures: list[Figure] = Field(default_factory=list,
        description="Tables, charts and images, placed in the text with {figure:ID}.")
    footnotes: dict[Identifier, Markdown] = Field(default_factory=dict,
        description="Footnote texts by id, cited in markdown as [^id].")
    templates: str | None = Field(None, min_length=1, max_length=300, description=(
        "A folder inside the report's folder searched for templates before the built-in ones "
        "(after any --templates); its styles/ subfolder overrides stylesheets."))
    print: PrintOptions = Field(default_factory=PrintOptions, description="Options for the PDF.")
    style: Style = Field(default_factory=Style, description="House style for numbers.")
    metrics: list[Metric] = Field(default_factory=list,
        description="Single values (Force in numbers, comparison charts).")
    datasets: list[Dataset] = Field(default_factory=list, description="CSV data files drawn as charts.")
    data_sources: list[DataSource] = Field(default_factory=list, description="Annex A entries.")

    @field_validator("footnotes", mode="before")
    @classmethod
    def _footnotes_mapping(cls, value: Any) -> Any:
        return {} if value is None else value


class ReportLoose(ReportBase):
    """The common keys alone, the rest ignored: for a report whose framework is unknown,
    so that only the framework is reported, not every key it would have defined."""

    model_config = ConfigDict(extra="ignore", frozen=True)


_MODELS: dict[tuple[int, bool], tuple[Framework, type[ReportBase]]] = {}


def report_model(fw: Framework, *, lenient: bool = False) -> type[ReportBase]:
    """The pydantic model of a report written for ``fw`` (cached per framework object).

    ``lenient``: the same model with the chapters' required keys optional. When a report
    lacks one, the validator still types the rest with it and runs every rule, so that
    an author sees all errors at once."""
    cached = _MODELS.get((id(fw), lenient))
    if cached is not None and cached[0] is fw:
        return cached[1]
    fields: dict[str, FieldDef] = {}
    for spec in fw.chapters:
        for name, definition in component(spec.kind).report_fields(fw, spec).items():
            fields.setdefault(name, definition)
    if "questions" in fields:
        fields["questions"] = (list[question_model(fw)], fields["questions"][1])  # type: ignore[misc]
    if lenient:
        fields = {key: _optional(definition) for key, definition in fields.items()}
    name = "Report_" + "".join(part.capitalize() for part in fw.id.replace("-", "_").split("_"))
    model = create_model(name, __base__=ReportBase, __doc__=f"A {fw.title} report.", **fields)  # type: ignore[call-overload]
    _MODELS[(id(fw), lenient)] = (fw, model)
    return model


def _optional(definition: FieldDef) -> FieldDef:
    annotation, info = definition
    if not info.is_required():
        return definition
    return (annotation | None, Field(None, description=info.description))


def question_model(fw: Framework) -> type[Question]:
    """The keys of a ``questions`` entry that this framework uses."""
    kinds = {c.kind for c in fw.chapters}
    unused: set[str] = set()
    if fw.cycle is None:
        unused |= {"inspected", "last_inspected", "carried_over"}
    if "areas" not in kinds:
        unused |= {"practice", "lead", "main_findings_intro"}
    if "areas" not in kinds or not fw.crime_recording:
        unused.add("crime_recording")
    if not fw.question_grades:
        unused |= {"grade", "areas_for_improvement", "causes_of_concern"}
    fields: dict[str, Any] = {}
    for key, info in Question.model_fields.items():
        if key in unused:
            continue
        fields[key] = (info.annotation, info)
    if fw.question_grades:
        fields["grade"] = (GradeId, Field(description="The grade: a grade id or label of the framework's scale."))
    if fw.cycle is not None:
        fields["inspected"] = (bool, Field(description=f"Inspected in {fw.cycle}?"))
        fields["last_inspected"] = (str, Field(max_length=20, description="When the judgment was made, e.g. '2017'."))
    return create_model("Question", __base__=_QuestionBase, __doc__=Question.__doc__, **fields)  # type: ignore[call-overload]


class _QuestionBase(Strict):
    """The common base of every framework's question model (forbids unknown keys).

    A key this framework does not use reads as its default, so code shared by several
    frameworks (rules, lint, boxes) need not ask which keys the model has."""

    def __getattr__(self, name: str) -> Any:
        info = Question.model_fields.get(name)
        if info is None:
            return super().__getattr__(name)  # type: ignore[misc]
        return info.get_default(call_default_factory=True)


def frameworks_using(key: str) -> list[str]:
    """Installed frameworks whose reports have the top-level key ``key``."""
    using = []
    for framework_id in frameworks.available():
        try:
            fw = frameworks.load_framework(framework_id)
        except BuildFailed:  # a broken framework file is reported when a report uses it
            continue
        if key in report_model(fw).model_fields:
            using.append(framework_id)
    return using


def apply_wording(fw: Framework, wording: Wording, source: SourceMap) -> tuple[Framework, list[Diagnostic]]:
    """``fw`` with the report's own text in place of the framework's."""
    given = wording.model_fields_set
    update: dict[str, Any] = {}
    for key in ("report_title", "short_title", "cover_subtitle", "author", "publisher", "page_description",
                "keywords"):
        if key in given:
            update[key] = getattr(wording, key) or ""  # null: printed as nothing
    for key in ("overall_lead", "hmi_closing", "findings_intro", "carried_over", "crime_recording"):
        if key in given:
            update[key] = getattr(wording, key)  # null: the sentence is left out
    if wording.hmi_openings:
        openings = {**fw.hmi_openings, **wording.hmi_openings}
        update["hmi_openings"] = {tone: text for tone, text in openings.items() if text}
    problems: list[Diagnostic] = []
    if wording.labels:
        labels = _labels(fw, wording, source, problems)
        if labels is not None:
            update["labels"] = labels
    if wording.chapters:
        update["chapters"] = _chapters(fw, wording, source, problems)
    return (fw.model_copy(update=update) if update else fw), problems


def _labels(fw: Framework, wording: Wording, source: SourceMap, problems: list[Diagnostic]) -> Labels | None:
    merged = merge_data(fw.labels.model_dump(), wording.labels)  # e.g. one of labels.charts, the rest kept
    try:
        return Labels.model_validate(merged)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            key = item["loc"][0] if item["loc"] else ""
            path: DocPath = ("wording", "labels", key)
            hint = "labels: " + ", ".join(Labels.model_fields) if item["type"] == "extra_forbidden" else None
            message = f"unknown label '{key}'" if item["type"] == "extra_forbidden" else item["msg"]
            problems.append(source.diagnostic(path, message, hint=hint, at_key=True))
        return None


def _chapters(fw: Framework, wording: Wording, source: SourceMap, problems: list[Diagnostic]) -> list[Any]:
    known = {c.id for c in fw.chapters}
    for chapter_id in wording.chapters:
        if chapter_id not in known:
            found = source.diagnostic(("wording", "chapters", chapter_id), f"{fw.id} has no chapter '{chapter_id}'",
                                      hint="chapters: " + ", ".join(known), at_key=True)
            problems.append(Diagnostic(found.file, found.message, found.line, found.column, found.path, found.hint,
                                       rule="wording.chapter"))
    chapters = []
    for spec in fw.chapters:
        if spec.id not in wording.chapters:
            chapters.append(spec)
            continue
        own = wording.chapters[spec.id]
        if own is None:
            continue  # removed
        chapters.append(spec.model_copy(update={key: getattr(own, key) for key in own.model_fields_set}))
    return chapters
