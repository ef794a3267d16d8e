"""The report's shape, as pydantic models.

These models know nothing of any particular framework: grades and question ids are
plain strings here and are checked against the framework in :mod:`peelgen.validate`.
Every model forbids unknown keys so that a misspelt key is reported, not ignored.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from peelgen.diagnostics import suggest

Markdown = Annotated[str, Field(description="CommonMark text; raw HTML is not allowed.")]
Identifier = Annotated[
    str,
    Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80,
          description="Lower-case id: letters, digits, '-' and '_'."),
]


def normalise_grade(value: str) -> str:
    """'Requires improvement', 'requires_improvement' -> 'requires-improvement'."""
    return "-".join(value.strip().lower().replace("_", " ").split())


def _grade_from_label(value: Any, info: ValidationInfo) -> Any:
    """Accept a grade's label ("Requires improvement") as well as its id. The JSON
    Schema (``peelgen schema``) accepts exactly the same spellings."""
    framework = (info.context or {}).get("framework")
    if framework is None or not isinstance(value, str):
        return value
    grades = [*framework.grades.scale, framework.grades.ungraded]
    return next((g.id for g in grades if normalise_grade(g.label) == normalise_grade(value)), value)


def _check_grade(value: str, info: ValidationInfo) -> str:
    """Check a grade against the framework passed as validation context, if any.

    Done here rather than after validation so that grade errors are reported in the
    same run as every other error in the file.
    """
    framework = (info.context or {}).get("framework")
    if framework is None:
        return value
    allowed = [*framework.grade_ids, framework.grades.ungraded.id]
    if value not in allowed:
        hint = suggest(value, allowed) or f"use one of: {', '.join(allowed)}"
        raise PydanticCustomError("unknown_grade", "'{value}' is not a grade in {framework}",
                                  {"value": value, "framework": framework.id, "hint": hint})
    return value


GradeId = Annotated[str, BeforeValidator(_grade_from_label), AfterValidator(_check_grade),
                    Field(description="A grade id from the framework's scale, or 'ungraded'.",
                          json_schema_extra={"x-peelgen-grade": True})]


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


# A number a report can print: finite (no .nan or .inf, no overflow) and never true/false,
# which YAML reads as booleans and pydantic would otherwise take as 1 and 0.
Number = Annotated[float, BeforeValidator(_not_a_boolean), Field(allow_inf_nan=False)]
# A count or a setting such as decimals: a whole number, and never true/false either.
Whole = Annotated[int, BeforeValidator(_not_a_boolean)]
# Yes or no: only true or false (pydantic would otherwise take 1, 0, "yes" or "off").
Flag = Annotated[bool, Field(strict=True)]


def _visible(value: str) -> str:
    # Spaces, line breaks (Z*, whitespace), control (Cc) and format characters such as a
    # zero-width space (Cf) alone would print as nothing.
    if all(char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp") for char in value):
        raise PydanticCustomError(
            "blank_text", "must contain visible text, not only spaces, line breaks or invisible characters")
    return value


# Text that names or titles something (a force, a figure, a metric), or is required.
Name = Annotated[str, AfterValidator(_visible)]
RequiredMarkdown = Annotated[Markdown, AfterValidator(_visible)]


def _date_not_number(value: Any) -> Any:
    if isinstance(value, int | float):  # pydantic would read 1468800000 as seconds since 1970
        raise PydanticCustomError("date_type", "a date must be written as YYYY-MM-DD")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_not_number)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class Meta(Strict):
    force: Name = Field(min_length=1, max_length=200, description="The force's full name.")
    force_short: Name | None = Field(None, max_length=200, description="Short name, e.g. 'West Mercia'.")
    area: Name | None = Field(None, max_length=200, description="The policed area, used in some headings.")
    inspectorate: str | None = Field(None, max_length=200, description="Overrides the framework's inspectorate name.")
    inspection_period: str | None = Field(None, max_length=200, description="When the fieldwork took place.")
    publication_date: Date = Field(description="Publication date, YYYY-MM-DD.")
    slug: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,79}$",
                             description="Output file name without extension.")
    logo: str | None = Field(None, max_length=300,
                             description="A PNG, JPEG or SVG image in the report's folder, shown on the cover.")
    logo_alt: str | None = Field(None, max_length=200, description=(
        "Text alternative for the logo. Default: the language's 'logo_alt' label ('{force} logo' in English)."))
    marking: str | None = Field(None, pattern=r"^[A-Z][A-Z -]{1,40}$",
                                description="Protective marking, e.g. OFFICIAL or OFFICIAL-SENSITIVE.")
    language: str = Field("en-GB", pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$", description=(
        "The report's language, a catalogue in peelgen/languages (en-GB, cy): every word peelgen "
        "writes, the dates and numbers, the page's lang and the PDF's /Lang. See docs/languages.md."))
    translation: str | None = Field(None, min_length=1, max_length=300, description=(
        "The report's other-language edition: a YAML file in the same folder (e.g. report.cy.yaml) "
        "whose meta.translation names this file. The two link to each other, and validate checks that "
        "they agree on every grade, figure value, id, date and marking."))


class PrintOptions(Strict):
    footer: str | None = Field(None, max_length=80, description=(
        "Page footer; {page} and {pages} are replaced. Empty for none. Default: the language's "
        "'page_footer' label ('Page {page} of {pages}' in English)."))


class Overall(Strict):
    grade: GradeId = Field(description="The overall grade.")
    previous_grade: GradeId | None = Field(
        None, description="Last assessment's grade; the comparison sentence is derived.")
    summary: Markdown | None = Field(None, description="The overview narrative.")


class Finding(Strict):
    """A section of findings under a framework sub-question or an author's heading."""

    id: Identifier | None = Field(None, description="A sub-question id from the framework.")
    heading: str | None = Field(None, max_length=300, description="An author's own heading (instead of id).")
    body: Markdown | None = Field(None, description="Markdown text of this section.")
    findings: list[Finding] = Field(default_factory=list, description="Nested sections (the next heading level).")

    @model_validator(mode="after")
    def _id_or_heading(self) -> Finding:
        if self.id is None and self.heading is None:
            raise ValueError("give either 'id' (a framework sub-question) or 'heading'")
        if self.id is not None and self.heading is not None:
            raise ValueError("give 'id' or 'heading', not both: a framework section's heading is fixed")
        return self


class Recommendation(Strict):
    text: RequiredMarkdown = Field(description="Markdown; {deadline} prints the deadline.")
    deadline: Date | None = Field(None, description="Printed wherever {deadline} appears in the text.")

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class AreaForImprovement(Recommendation):
    pass


class CauseOfConcern(Strict):
    statement: RequiredMarkdown = Field(description="The cause of concern.")
    recommendations: list[Recommendation] = Field(default_factory=list, description="Recommendations answering it.")


class Practice(Strict):
    kind: Literal["innovative", "promising"] = Field(description="innovative or promising.")
    title: Name = Field(min_length=1, max_length=200, description="The practice box's own title.")
    body: RequiredMarkdown = Field(description="Its text.")


class CrimeRecording(Strict):
    percent: Number = Field(ge=0, le=100, description="Estimated share of crime recorded.")
    interval: Number = Field(ge=0, le=100, description="Confidence interval, +/- percentage points.")
    of: Name = Field(min_length=1, max_length=200, description="What was estimated, e.g. 'reported crime'.")


class Question(Strict):
    id: Identifier = Field(description="The framework's question, component or area id.")
    grade: GradeId | None = Field(None, description="Required unless the framework's questions carry no grades.")
    inspected: Flag | None = Field(None, description="Inspected this cycle? (2018/19)")
    last_inspected: str | None = Field(None, max_length=20, description="e.g. '2016' or '2018/19'.")
    carried_over: Markdown | None = Field(None, description="Own text for a judgment carried over.")
    findings: list[Finding] = Field(default_factory=list,
        description="Sections under the framework's sub-questions or an author's own headings.")
    summary: Markdown | None = Field(None, description="Summary of findings.")
    areas_for_improvement: list[AreaForImprovement] = Field(default_factory=list,
        description="Each a markdown string, or a mapping with text and deadline.")
    causes_of_concern: list[CauseOfConcern] = Field(default_factory=list,
        description="Causes of concern, each with its recommendations.")
    practice: list[Practice] = Field(default_factory=list, description="Innovative or promising practice boxes.")
    crime_recording: CrimeRecording | None = Field(None, description="The crime-recording estimate (2023–25).")
    lead: str | None = Field(None, max_length=1000, description=(
        "Inline markdown replacing the framework's lead sentence for the grade; null for none (2023–25)."))
    main_findings_intro: Markdown | None = Field(None, description=(
        "Replaces the framework's sentence before the main findings; null for none (2023–25)."))


class Column(Strict):
    heading: str = Field(max_length=300, description="The column heading.")
    type: Literal["text", "number"] = Field("text", description="text, or number (right-aligned, formatted).")
    decimals: Whole = Field(1, ge=0, le=6, description="Decimal places for numbers.")


Cell = str | int | float | None


class Row(Strict):
    cells: list[Cell] = Field(description="One cell per column: text, a number or null.")
    kind: Literal["row", "group", "total"] = Field("row", description="row, group (a group heading) or total.")
    decimals: Whole | None = Field(None, ge=0, le=6, description="Overrides the columns' decimals for this row.")

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, value: Any) -> Any:
        return {"cells": value} if isinstance(value, list) else value


class Table(Strict):
    columns: list[Column] = Field(min_length=1, description="The columns, left to right.")
    rows: list[Row] = Field(min_length=1, description="The rows: a list of cells, or a mapping with cells.")
    notes: list[Markdown] = Field(default_factory=list, description="Notes printed under the table.")


class Chart(Strict):
    type: Literal["trend", "comparison", "ranked", "shares"] = Field(
        description="trend: values over periods; comparison: the force against England and Wales per metric; "
                    "ranked: every force as a bar; shares: parts of a whole.")
    dataset: Identifier | None = Field(None, description="Dataset to draw (trend, ranked, shares).")
    metrics: list[Identifier] = Field(default_factory=list, description="Metrics to compare (comparison).")
    columns: list[str] = Field(default_factory=list, description="Dataset columns to draw (default: all).")
    band: Flag = Field(False, description="Ranked charts: shade one standard deviation either side of the mean.")
    y_label: str | None = Field(None, max_length=120, description="Axis label (default: from the unit).")
    force_row: str | None = Field(None, min_length=1, max_length=200, description=(
        "Ranked charts: this force's row in the data file, where it is named otherwise than meta.force "
        "(for example an edition in another language drawing the same file)."))

    @model_validator(mode="after")
    def _data_for_type(self) -> Chart:
        if self.force_row is not None and self.type != "ranked":
            raise ValueError("'force_row' names the highlighted row of a ranked chart; this is a "
                             f"{self.type} chart")
        if self.type == "comparison":
            if not self.metrics:
                raise ValueError("a comparison chart needs 'metrics'")
            if self.dataset is not None:
                raise ValueError("a comparison chart draws 'metrics', not a 'dataset'")
        elif self.dataset is None:
            raise ValueError(f"a {self.type} chart needs 'dataset'")
        return self


class FigureImage(Strict):
    file: str = Field(min_length=1, max_length=300, description="A PNG, JPEG or SVG image in the report's folder.")
    alt: str = Field(min_length=1, max_length=2000, description="Text alternative: what the image shows, in words.")


class Figure(Strict):
    id: Identifier = Field(description="The figure's id, placed with {figure:ID}.")
    number: int | None = Field(None, ge=1, le=999, description=(
        "The number the figure was published with; figures after it count on from it."))
    label: Name | None = Field(None, max_length=40, description=(
        "The word before the figure's number as published, e.g. Table; figures with the same word "
        "are numbered in one sequence. Default: the language's word for Figure."))
    title: Name = Field(min_length=1, max_length=500, description="Inline markdown; may cite footnotes.")
    annex_title: str | None = Field(None, max_length=500,
                                    description="Force-neutral title for Annex A (default: title without 'in {area}').")
    source: str | None = Field(None, max_length=500, description="Where the data come from.")
    data_source: Identifier | None = Field(None, description="The Annex A entry describing this figure's data.")
    annex_note: Markdown | None = Field(None, description="Text for this figure's own Annex A entry.")
    annex_pointer: Flag = Field(True, description="False: drop the 'please see annex A' line.")
    notes: list[Markdown] = Field(default_factory=list, description="Notes printed under the figure.")
    table: Table | None = Field(None, description="The figure as a table.")
    chart: Chart | None = Field(None, description="The figure as a chart.")
    image: FigureImage | None = Field(None, description="The figure as published, as an image (needs 'source').")

    @model_validator(mode="after")
    def _table_or_chart(self) -> Figure:
        if sum(part is not None for part in (self.table, self.chart, self.image)) != 1:
            raise ValueError("a figure has one of 'table', 'chart' or 'image'")
        if self.image is not None and not self.source:
            raise ValueError("a figure given as an image needs its 'source'")
        return self


Unit = Literal["count", "percent", "rate", "gbp"]


class Metric(Strict):
    id: Identifier = Field(description="The metric's id.")
    label: Name = Field(min_length=1, max_length=200, description="What is measured.")
    value: Number | None = Field(description="The force's value; null when it could not be supplied.")
    ew: Number | None = Field(None, description="England and Wales value.")
    unit: Unit = Field("count", description="What the value is.")
    per: str | None = Field(None, max_length=80,
                            description="For rates: what the rate is per, e.g. '1,000 population'.")
    scale: Literal["thousand", "million", "billion"] | None = Field(
        None, description="For money: print as '£143 million'. The value is still given in pounds.")
    decimals: Whole = Field(0, ge=0, le=4, description="Decimal places.")
    period: str | None = Field(None, max_length=200, description="The period the value covers.")
    source: str | None = Field(None, max_length=300, description="Where the value comes from.")
    data_source: Identifier | None = Field(None, description="The Annex A entry describing this value.")
    missing: Markdown | None = Field(None, description="Why the value is missing; printed as a footnote to a dash.")
    notes: list[Markdown] = Field(default_factory=list, description="Notes printed with the value.")

    @model_validator(mode="after")
    def _missing_needs_reason(self) -> Metric:
        if self.value is None and not self.missing:
            raise ValueError("the value is null: say why in 'missing'")
        return self


class Dataset(Strict):
    id: Identifier
    file: Name = Field(min_length=1, max_length=300, description="CSV file in the report's folder.")
    unit: Unit = Field("count", description="What the values are.")
    per: str | None = Field(None, max_length=80,
        description="For rates: what the rate is per, e.g. '1,000 population'.")
    decimals: Whole = Field(1, ge=0, le=4, description="Decimal places.")
    period: str | None = Field(None, max_length=200, description="The period the data cover.")
    source: str | None = Field(None, max_length=300, description="Where the data come from.")
    data_source: Identifier | None = Field(None, description="The Annex A entry describing this data.")


class Caveat(Strict):
    forces: list[str] = Field(default_factory=list, description="The forces the caveat concerns.")
    text: RequiredMarkdown = Field(description="The caveat.")


class DataSource(Strict):
    id: Identifier
    title: Name = Field(min_length=1, max_length=200, description="The Annex A entry's title.")
    body: Markdown | None = None
    caveats: list[Caveat] = Field(default_factory=list, description="Caveats about particular forces' data.")


class Style(Strict):
    percent: Literal["percent", "per cent", "%"] = Field("percent", description="How percentages are written.")


class AnnexSection(Strict):
    heading: Name = Field(min_length=1, max_length=300, description="The section heading.")
    body: Markdown | None = Field(None, description="The section text.")
    sections: list[AnnexSection] = Field(default_factory=list, description="Nested sections.")


class Annex(Strict):
    body: Markdown | None = Field(None, description="Opening paragraphs.")
    sections: list[AnnexSection] = Field(default_factory=list, description="Sections, each with a heading.")


class Signature(Strict):
    name: Name = Field(min_length=1, max_length=120, description="The inspector's name.")
    title: Name = Field(min_length=1, max_length=200, description="e.g. HM Inspector of Constabulary")


class PillarEntry(Strict):
    id: Identifier = Field(description="A pillar id from the framework.")
    grade: GradeId
    summary: Markdown | None = Field(None, description="The pillar's summary.")
    force_in_context: list[Identifier] = Field(
        default_factory=list, description="Metric ids shown as this pillar's Force in context tiles.")


Stage = Literal["contact", "response", "recording", "investigation", "outcome"]


class VictimFinding(Strict):
    stage: Stage = Field(description="Where in the victim's journey: findings print in journey order.")
    heading: Name = Field(min_length=1, max_length=300, description="A full-sentence heading.")
    body: RequiredMarkdown


class VictimService(Strict):
    introduction: Markdown | None = Field(None, description=(
        "Replaces the framework's introduction (and its numbers); null for none."))
    case_files: Whole = Field(ge=1, le=100_000, description="Case files reviewed.")
    closed_files: Whole | None = Field(None, ge=0, description="Of which closed with the outcome below.")
    closed_outcome: str | None = Field(None, max_length=200, description="The outcome the closed files had.")
    findings: list[VictimFinding] = Field(default_factory=list, description="Findings along the victim's journey.")

    @model_validator(mode="after")
    def _closed_within_reviewed(self) -> VictimService:
        if self.closed_files is not None and self.closed_files > self.case_files:
            raise ValueError("closed_files cannot be more than case_files")
        if (self.closed_files is None) != (self.closed_outcome is None):
            raise ValueError("give closed_files and closed_outcome together")
        return self


class NationalRecommendation(Strict):
    number: Whole = Field(ge=1, le=99, description="The recommendation's own number; printed in the order written.")
    topic: Name = Field(min_length=1, max_length=200, description="What the recommendation is about.")
    addressee: Name = Field(min_length=1, max_length=200, description="Whom it is for.")
    deadline: str | None = Field(None, pattern=r"^\d{4}-\d{2}(-\d{2})?$",
                                 description="YYYY-MM or YYYY-MM-DD; {deadline} in the text prints it.")
    text: RequiredMarkdown = Field(description="The recommendation.")


class GlossaryEntry(Strict):
    term: Name = Field(min_length=1, max_length=200, description="The term.")
    definition: RequiredMarkdown = Field(description="Its definition.")


class Masthead(Strict):
    body: Name = Field(min_length=1, max_length=200, description="e.g. West Mercia Police and Crime Panel")
    report_of: Name = Field(min_length=1, max_length=200, description="Whose report it is.")
    title: Name = Field(min_length=1, max_length=300, description="The report's title.")


class Objective(Strict):
    number: Whole = Field(ge=1, le=99, description="The objective's number.")
    title: Name = Field(min_length=1, max_length=300, description="Its title.")
    body: Markdown | None = Field(None, description="Its text.")


class InspectionReference(Strict):
    title: Name = Field(min_length=1, max_length=300, description="The inspection's title.")
    graded: Flag = Field(description="Was it graded?")
    question: str | None = Field(None, max_length=300, description="The question the inspection answered.")
    grade: GradeId | None = Field(None, description="Its grade, if graded.")
    recommendations: Whole = Field(0, ge=0, le=999, description="How many recommendations it made.")
    areas_for_improvement: Whole = Field(0, ge=0, le=999, description="How many areas for improvement it found.")
    response: Markdown | None = Field(None, description="The force's response.")

    @model_validator(mode="after")
    def _grade_if_graded(self) -> InspectionReference:
        if self.graded and self.grade is None:
            raise ValueError("a graded inspection needs its 'grade'")
        if not self.graded and self.grade is not None:
            raise ValueError("an inspection that was not graded has no 'grade'")
        return self


class Signs(Strict):
    kind: Literal["improvement", "success"] = Field(description="improvement or success.")
    items: list[str] = Field(min_length=1, description="The signs, one per item.")


class Topic(Strict):
    title: Name = Field(min_length=1, max_length=200, description="The topic's title.")
    data: str | None = Field(None, max_length=200, description="The summary table's Data cell.")
    activity: str | None = Field(None, max_length=300, description="The summary table's Activity cell.")
    body: Markdown | None = Field(None, description="Its text.")
    measures: list[Identifier] = Field(default_factory=list, description="Measure ids shown in its table.")
    chart: Identifier | None = Field(None, description="A monthly dataset drawn as a control chart.")


class Aim(Strict):
    title: Name = Field(min_length=1, max_length=120, description="The aim's title.")
    aim: str | None = Field(None, max_length=200, description="The aim in one sentence.")
    signs: Signs | None = Field(None, description="Signs of improvement or success.")
    topics: list[Topic] = Field(default_factory=list, description="The topics reported under this aim.")


class Appendix(Strict):
    introduction: Markdown | None = Field(None, description="Opening text.")
    aims: list[Aim] = Field(default_factory=list, description="The aims, each with its topics.")


class Measure(Strict):
    id: Identifier = Field(description="The measure's id.")
    label: Name = Field(min_length=1, max_length=200, description="What is measured.")
    current: Number = Field(description="This period's value.")
    previous: Number = Field(description="The previous period's value.")
    period: str | None = Field(None, max_length=120, description="This period.")
    previous_period: str | None = Field(None, max_length=120, description="The previous period.")
    better: Literal["lower", "higher"] = Field(description="Whether lower or higher values are better.")
    tolerance: Number = Field(5, ge=0, le=100, description="Percent change treated as no change.")
    peer: Literal["below", "similar", "above"] | None = Field(None,
        description="Compared with the most similar group of forces.")
    unit: Literal["count", "percent"] = Field("count", description="count or percent.")
    decimals: Whole = Field(0, ge=0, le=3, description="Decimal places.")


class LintOptions(Strict):
    ignore: list[str] = Field(default_factory=list, description="Lint rule ids not to warn about in this report.")
