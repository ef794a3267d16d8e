"""The words of a report: the fields of a language catalogue's ``labels:`` block.

Every word peelgen itself writes has a field here and a value in each catalogue
(``peelgen/languages/<tag>.yaml``); none has an English default in Python, so a
catalogue must be complete and a report in Welsh can never fall back to English.
A framework's ``labels:`` and a report's ``wording.labels`` replace any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from peelgen.language import ListWords, UnitWords

if TYPE_CHECKING:
    from peelgen.language import Language


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    # Derived: words drawn on charts, and counts in descriptions (whole phrases with {n})
    illustrative_mark: str = Field(description="Along the bottom of a chart of illustrative data.")
    band_legend: str = Field(description="Legend of a ranked chart's shaded band (one standard deviation).")
    mean_legend: str = Field(description="Control chart legend: the mean, with {value}.")
    limits_legend: str = Field(description="Control chart legend: the limits, with {lower} and {upper}.")
    outside_legend: str = Field(description="Control chart legend: the points outside the limits.")
    periods: Plural = Field(description="{periods} in 'trend': '{n} periods'.")
    forces: Plural = Field(description="{forces} in 'ranked': '{n} forces'.")
    months: Plural = Field(description="{months} in 'control': '{n} months'.")


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
    published: str = Field(description="Before the publication date on the cover.")
    # Derived: words peelgen's Python composes (resolve, charts, Word)
    units: UnitWords = Field(description="Values with their units, and axis labels.")
    list_join: ListWords = Field(description="Joins names into a list.")
    annex_title_drops: list[str] = Field(description=(
        "Phrases naming the force in a figure title, left out of its force-neutral title in Annex A; "
        "{place} stands for {area}, {force} or {force_short}, longest first: 'in {place} Police', 'in {place}'."))
    grade_phrase_ends: list[str] = Field(description=(
        "Words that end a grade's phrase before its topic ('at' in 'is good at'); {grade_verb} is the phrase "
        "without them."))
    # Pages: the web page's and the PDF's own words (templates and print furniture)
    skip_link: str = Field(description="The web page's first link, to the main content.")
    draft: str = Field(description="The draft banner's first word (bold).")
    draft_notice: str = Field(description="The rest of the draft banner's sentence.")
    draft_watermark: str = Field(description="The word across every page of a draft PDF.")
    back_to_text: str = Field(description="A note's link back to where it is cited.")
    back_to_text_label: str = Field(description="That link's accessible name; {number} is the note's number.")
    note_label: str = Field(description="A note reference's accessible name; {number} is the note's number.")
    recommendation_numbered: str = Field(description="A numbered recommendation's title; {n} is its number.")
    aim: str = Field(description="Before a police and crime plan aim (panel reports).")
    period_against: str = Field(description="A measure's period against the one compared: {period}, {previous_period}.")
    inspection: str = Field(description="Heading of the inspections table's first column (panel reports).")
    no_entries: str = Field(description="Read out for an empty column of the judgments table.")
    page_footer: str = Field(description="The PDF's footer unless the report sets print.footer: {page}, {pages}.")
    logo_alt: str = Field(description="The cover logo's text alternative unless the report sets meta.logo_alt.")
    cover_subtitle: str = Field(description="A framework's cover_subtitle unless it gives its own; {force}.")
    page_description: str = Field(description="A framework's page_description unless it gives its own.")
    overall_judgment: str = Field(description="A framework's overall.judgment_heading unless it gives its own.")
    ungraded: str = Field(description="A framework's grades.ungraded.label unless it gives its own.")
    # Editions
    edition_link: dict[str, str] = Field(description=(
        "The link to the report's other-language edition (meta.translation), by that edition's "
        "language tag: a whole phrase in this catalogue's language naming the other language, "
        "e.g. cy: Read the Welsh version."))
    # Tool pages: serve's error page and diff's redline page
    error_page: ErrorPageWords = Field(description="The page peelgen serve shows while the report does not build.")
    diff_page: DiffPageWords = Field(description="The redline page of peelgen diff --html.")


# Tool pages: the words of the pages peelgen's commands write besides the report.


class ErrorPageWords(_Frozen):
    """``peelgen serve``'s page while the report does not build (the messages themselves
    are peelgen's, as in the terminal)."""

    title: str = Field(description="The page's title; {name} is the report file.")
    heading: str = Field(description="Its heading; {name} is the report file.")
    advice: str = Field(description="Under the heading, before the list of messages.")


class DiffKinds(_Frozen):
    """What each kind of change is called, heading it on the redline page."""

    grade: str
    previous_grade: str
    added: str
    removed: str
    reworded: str
    text: str
    changed: str
    metric: str
    metric_added: str
    metric_removed: str
    figure: str = Field(description="A figure's value (in the report or its CSV file) changed.")
    figure_added: str
    figure_removed: str
    footnote_added: str
    footnote_removed: str
    footnote_changed: str

    def of(self, kind: str) -> str:
        """The words for a change's kind (``metric-added``), or the kind itself if unknown."""
        name = kind.replace("-", "_")
        return getattr(self, name) if name in type(self).model_fields else kind


class DiffPageWords(_Frozen):
    """``peelgen diff --html``: the redline page of the changes between two drafts."""

    title: str = Field(description="The page's title and heading; {old} and {new} are the drafts' files.")
    count: Plural = Field(description="How many changes there are, a sentence with {n}.")
    key: str = Field(description="After the count: how insertions and deletions are shown.")
    no_changes: str = Field(description="The whole summary when nothing changed.")
    inserted: str = Field(description="Read out before inserted text (hidden from sight).")
    deleted: str = Field(description="Read out before deleted text (hidden from sight).")
    none: str = Field(description="A value that is not there.")
    footnote: str = Field(description="What changed: a footnote; {note} is its name.")
    figure: str = Field(description="What changed: a figure; {title} is its title.")
    figure_data: str = Field(description="What changed: a figure's CSV data; {dataset} is its id.")
    kinds: DiffKinds


Labels.model_rebuild()  # its last fields' models are defined after it
