"""The report's shape, as pydantic models.

These models know nothing of any particular framework: grades and question ids are
plain strings here and are checked against the framework in :mod:`peelgen.validate`.
Every model forbids unknown keys so that a misspelt key is reported, not ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from peelgen.diagnostics import suggest

Markdown = Annotated[str, Field(description="CommonMark text; raw HTML is not allowed.")]
Identifier = Annotated[
    str,
    Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80,
          description="Lower-case id: letters, digits, '-' and '_'."),
]


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


GradeId = Annotated[str, AfterValidator(_check_grade),
                    Field(description="A grade id from the framework's scale, or 'ungraded'.")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class Meta(Strict):
    force: str = Field(min_length=1, max_length=200, description="The force's full name.")
    force_short: str | None = Field(None, max_length=200, description="Short name, e.g. 'West Mercia'.")
    area: str | None = Field(None, max_length=200, description="The policed area, used in some headings.")
    inspectorate: str | None = Field(None, max_length=200, description="Overrides the framework's inspectorate name.")
    inspection_period: str | None = Field(None, max_length=200, description="When the fieldwork took place.")
    publication_date: dt.date = Field(description="Publication date, YYYY-MM-DD.")
    slug: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,79}$",
                             description="Output file name without extension.")
    logo: str | None = Field(None, max_length=300,
                             description="A PNG, JPEG or SVG image in the report's folder, shown on the cover.")
    logo_alt: str | None = Field(None, max_length=200, description="Text alternative for the logo.")
    marking: str | None = Field(None, pattern=r"^[A-Z][A-Z -]{1,40}$",
                                description="Protective marking, e.g. OFFICIAL or OFFICIAL-SENSITIVE.")


class PrintOptions(Strict):
    footer: str = Field("Page {page} of {pages}", max_length=80,
                        description="Page footer; {page} and {pages} are replaced. Empty for none.")


class Overall(Strict):
    grade: GradeId
    previous_grade: GradeId | None = Field(
        None, description="Last assessment's grade; the comparison sentence is derived.")
    summary: Markdown | None = Field(None, description="The overview narrative.")


class Finding(Strict):
    """A section of findings under a framework sub-question or an author's heading."""

    id: Identifier | None = Field(None, description="A sub-question id from the framework.")
    heading: str | None = Field(None, max_length=300, description="An author's own heading (instead of id).")
    body: Markdown | None = None
    findings: list[Finding] = Field(default_factory=list, description="Nested sections (the next heading level).")

    @model_validator(mode="after")
    def _id_or_heading(self) -> Finding:
        if self.id is None and self.heading is None:
            raise ValueError("give either 'id' (a framework sub-question) or 'heading'")
        if self.id is not None and self.heading is not None:
            raise ValueError("give 'id' or 'heading', not both: a framework section's heading is fixed")
        return self


class Recommendation(Strict):
    text: Markdown
    deadline: dt.date | None = Field(None, description="Printed wherever {deadline} appears in the text.")

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class AreaForImprovement(Recommendation):
    pass


class CauseOfConcern(Strict):
    statement: Markdown
    recommendations: list[Recommendation] = Field(default_factory=list)


class Practice(Strict):
    kind: Literal["innovative", "promising"]
    title: str = Field(min_length=1, max_length=200)
    body: Markdown


class CrimeRecording(Strict):
    percent: float = Field(ge=0, le=100, description="Estimated share of crime recorded.")
    interval: float = Field(ge=0, le=100, description="Confidence interval, +/- percentage points.")
    of: str = Field(min_length=1, max_length=200, description="What was estimated, e.g. 'reported crime'.")


class Question(Strict):
    id: Identifier = Field(description="The framework's question, component or area id.")
    grade: GradeId | None = Field(None, description="Required unless the framework's questions carry no grades.")
    inspected: bool | None = Field(None, description="Inspected this cycle? (2018/19)")
    last_inspected: str | None = Field(None, max_length=20, description="e.g. '2016' or '2018/19'.")
    carried_over: Markdown | None = Field(None, description="Own text for a judgment carried over.")
    findings: list[Finding] = Field(default_factory=list)
    summary: Markdown | None = Field(None, description="Summary of findings.")
    areas_for_improvement: list[AreaForImprovement] = Field(default_factory=list)
    causes_of_concern: list[CauseOfConcern] = Field(default_factory=list)
    practice: list[Practice] = Field(default_factory=list, description="Innovative or promising practice boxes.")
    crime_recording: CrimeRecording | None = None


class Column(Strict):
    heading: str = Field(max_length=300)
    type: Literal["text", "number"] = "text"
    decimals: int = Field(1, ge=0, le=6)


Cell = str | int | float | None


class Row(Strict):
    cells: list[Cell]
    kind: Literal["row", "group", "total"] = "row"
    decimals: int | None = Field(None, ge=0, le=6, description="Overrides the columns' decimals for this row.")

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, value: Any) -> Any:
        return {"cells": value} if isinstance(value, list) else value


class Table(Strict):
    columns: list[Column] = Field(min_length=1)
    rows: list[Row] = Field(min_length=1)
    notes: list[Markdown] = Field(default_factory=list)


class Chart(Strict):
    type: Literal["trend", "comparison", "ranked", "shares"] = Field(
        description="trend: values over periods; comparison: the force against England and Wales per metric; "
                    "ranked: every force as a bar; shares: parts of a whole.")
    dataset: Identifier | None = Field(None, description="Dataset to draw (trend, ranked, shares).")
    metrics: list[Identifier] = Field(default_factory=list, description="Metrics to compare (comparison).")
    columns: list[str] = Field(default_factory=list, description="Dataset columns to draw (default: all).")
    band: bool = Field(False, description="Ranked charts: shade one standard deviation either side of the mean.")
    y_label: str | None = Field(None, max_length=120, description="Axis label (default: from the unit).")

    @model_validator(mode="after")
    def _data_for_type(self) -> Chart:
        if self.type == "comparison":
            if not self.metrics:
                raise ValueError("a comparison chart needs 'metrics'")
            if self.dataset is not None:
                raise ValueError("a comparison chart draws 'metrics', not a 'dataset'")
        elif self.dataset is None:
            raise ValueError(f"a {self.type} chart needs 'dataset'")
        return self


class Figure(Strict):
    id: Identifier
    title: str = Field(min_length=1, max_length=500, description="Inline markdown; may cite footnotes.")
    annex_title: str | None = Field(None, max_length=500,
                                    description="Force-neutral title for Annex A (default: title without 'in {area}').")
    source: str | None = Field(None, max_length=500)
    data_source: Identifier | None = Field(None, description="The Annex A entry describing this figure's data.")
    annex_note: Markdown | None = Field(None, description="Text for this figure's own Annex A entry.")
    annex_pointer: bool = True
    notes: list[Markdown] = Field(default_factory=list, description="Notes printed under the figure.")
    table: Table | None = None
    chart: Chart | None = None

    @model_validator(mode="after")
    def _table_or_chart(self) -> Figure:
        if (self.table is None) == (self.chart is None):
            raise ValueError("a figure has either 'table' or 'chart'")
        return self


Unit = Literal["count", "percent", "rate", "gbp"]


class Metric(Strict):
    id: Identifier
    label: str = Field(min_length=1, max_length=200)
    value: float | None = Field(description="The force's value; null when it could not be supplied.")
    ew: float | None = Field(None, description="England and Wales value.")
    unit: Unit = "count"
    per: str | None = Field(None, max_length=80,
                            description="For rates: what the rate is per, e.g. '1,000 population'.")
    scale: Literal["million", "billion"] | None = Field(None, description="For money: print as '£143 million'.")
    decimals: int = Field(0, ge=0, le=4)
    period: str | None = Field(None, max_length=200)
    source: str | None = Field(None, max_length=300)
    data_source: Identifier | None = None
    missing: Markdown | None = Field(None, description="Why the value is missing; printed as a footnote to a dash.")
    notes: list[Markdown] = Field(default_factory=list)

    @model_validator(mode="after")
    def _missing_needs_reason(self) -> Metric:
        if self.value is None and not self.missing:
            raise ValueError("the value is null: say why in 'missing'")
        return self


class Dataset(Strict):
    id: Identifier
    file: str = Field(min_length=1, max_length=300, description="CSV file in the report's folder.")
    unit: Unit = "count"
    per: str | None = Field(None, max_length=80)
    decimals: int = Field(1, ge=0, le=4)
    period: str | None = Field(None, max_length=200)
    source: str | None = Field(None, max_length=300)
    data_source: Identifier | None = None


class Caveat(Strict):
    forces: list[str] = Field(default_factory=list, description="The forces the caveat concerns.")
    text: Markdown


class DataSource(Strict):
    id: Identifier
    title: str = Field(min_length=1, max_length=200)
    body: Markdown | None = None
    caveats: list[Caveat] = Field(default_factory=list)


class Style(Strict):
    percent: Literal["percent", "per cent", "%"] = Field("percent", description="How percentages are written.")


class AnnexSection(Strict):
    heading: str = Field(min_length=1, max_length=300)
    body: Markdown | None = None
    sections: list[AnnexSection] = Field(default_factory=list)


class Annex(Strict):
    body: Markdown | None = None
    sections: list[AnnexSection] = Field(default_factory=list)


class Signature(Strict):
    name: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=200, description="e.g. HM Inspector of Constabulary")


class PillarEntry(Strict):
    id: Identifier = Field(description="A pillar id from the framework.")
    grade: GradeId
    summary: Markdown | None = None


Stage = Literal["contact", "response", "recording", "investigation", "outcome"]


class VictimFinding(Strict):
    stage: Stage = Field(description="Where in the victim's journey: findings print in journey order.")
    heading: str = Field(min_length=1, max_length=300, description="A full-sentence heading.")
    body: Markdown


class VictimService(Strict):
    case_files: int = Field(ge=1, le=100_000, description="Case files reviewed.")
    closed_files: int | None = Field(None, ge=0, description="Of which closed with the outcome below.")
    closed_outcome: str | None = Field(None, max_length=200)
    findings: list[VictimFinding] = Field(default_factory=list)

    @model_validator(mode="after")
    def _closed_within_reviewed(self) -> VictimService:
        if self.closed_files is not None and self.closed_files > self.case_files:
            raise ValueError("closed_files cannot be more than case_files")
        if (self.closed_files is None) != (self.closed_outcome is None):
            raise ValueError("give closed_files and closed_outcome together")
        return self


class NationalRecommendation(Strict):
    number: int = Field(ge=1, le=99, description="The recommendation's own number; printed in the order written.")
    topic: str = Field(min_length=1, max_length=200)
    addressee: str = Field(min_length=1, max_length=200)
    deadline: str | None = Field(None, pattern=r"^\d{4}-\d{2}(-\d{2})?$",
                                 description="YYYY-MM or YYYY-MM-DD; {deadline} in the text prints it.")
    text: Markdown


class GlossaryEntry(Strict):
    term: str = Field(min_length=1, max_length=200)
    definition: Markdown


class Masthead(Strict):
    body: str = Field(min_length=1, max_length=200, description="e.g. West Mercia Police and Crime Panel")
    report_of: str = Field(min_length=1, max_length=200, description="Whose report it is.")
    title: str = Field(min_length=1, max_length=300)


class Objective(Strict):
    number: int = Field(ge=1, le=99)
    title: str = Field(min_length=1, max_length=300)
    body: Markdown | None = None


class InspectionReference(Strict):
    title: str = Field(min_length=1, max_length=300)
    graded: bool
    question: str | None = Field(None, max_length=300)
    grade: GradeId | None = None
    recommendations: int = Field(0, ge=0, le=999)
    areas_for_improvement: int = Field(0, ge=0, le=999)
    response: Markdown | None = None

    @model_validator(mode="after")
    def _grade_if_graded(self) -> InspectionReference:
        if self.graded and self.grade is None:
            raise ValueError("a graded inspection needs its 'grade'")
        if not self.graded and self.grade is not None:
            raise ValueError("an inspection that was not graded has no 'grade'")
        return self


class Signs(Strict):
    kind: Literal["improvement", "success"]
    items: list[str] = Field(min_length=1)


class Topic(Strict):
    title: str = Field(min_length=1, max_length=200)
    data: str | None = Field(None, max_length=200, description="The summary table's Data cell.")
    activity: str | None = Field(None, max_length=300, description="The summary table's Activity cell.")
    body: Markdown | None = None
    measures: list[Identifier] = Field(default_factory=list)
    chart: Identifier | None = Field(None, description="A monthly dataset drawn as a control chart.")


class Aim(Strict):
    title: str = Field(min_length=1, max_length=120)
    aim: str | None = Field(None, max_length=200)
    signs: Signs | None = None
    topics: list[Topic] = Field(default_factory=list)


class Appendix(Strict):
    introduction: Markdown | None = None
    aims: list[Aim] = Field(default_factory=list)


class Measure(Strict):
    id: Identifier
    label: str = Field(min_length=1, max_length=200)
    current: float
    previous: float
    period: str | None = Field(None, max_length=120)
    previous_period: str | None = Field(None, max_length=120)
    better: Literal["lower", "higher"]
    tolerance: float = Field(5, ge=0, le=100, description="Percent change treated as no change.")
    peer: Literal["below", "similar", "above"] | None = None
    unit: Literal["count", "percent"] = "count"
    decimals: int = Field(0, ge=0, le=3)


class Report(Strict):
    framework: str = Field(description="The framework id, e.g. 'peel-2016-effectiveness'.")
    meta: Meta
    overall: Overall | None = Field(None, description="Required when the framework grades an overall question.")
    hmi: Signature | None = Field(None, description="HM Inspector's signature block.")
    observations: Markdown | None = Field(None, description="HM Inspector's observations or summary.")
    tone: Literal["positive", "mixed", "concerning"] | None = Field(
        None, description="Chooses the stock opening sentence of HM Inspector's summary.")
    leadership: Markdown | None = Field(None, description="The ungraded leadership summary (2023–25).")
    pillars: list[PillarEntry] = Field(default_factory=list, description="Pillar grades and summaries (2018/19).")
    victim_service: VictimService | None = None
    force_grades: str | None = Field(None, max_length=300, description="National: per-force grades CSV.")
    foreword: Markdown | None = None
    summary: Markdown | None = Field(None, description="National: summary and main findings.")
    recommendations: list[NationalRecommendation] = Field(default_factory=list)
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    masthead: Masthead | None = None
    covering: dict[Identifier, Markdown] = Field(default_factory=dict, description="Covering report sections by id.")
    objectives: list[Objective] = Field(default_factory=list)
    inspections: list[InspectionReference] = Field(default_factory=list)
    appendix: Appendix | None = None
    measures: list[Measure] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    footnotes: dict[Identifier, Markdown] = Field(default_factory=dict)
    next_steps: Markdown | None = None
    annex_a: Annex | None = None
    annex_c: Annex | None = None
    print: PrintOptions = Field(default_factory=PrintOptions, description="Options for the PDF.")
    style: Style = Field(default_factory=Style, description="House style for numbers.")
    metrics: list[Metric] = Field(default_factory=list)
    datasets: list[Dataset] = Field(default_factory=list)
    data_sources: list[DataSource] = Field(default_factory=list, description="Annex A entries.")
    force_in_numbers: list[Identifier] = Field(default_factory=list, description="Metric ids shown as tiles.")

    @field_validator("footnotes", mode="before")
    @classmethod
    def _footnotes_mapping(cls, value: Any) -> Any:
        return {} if value is None else value
