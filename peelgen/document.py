"""The resolved document: what :mod:`peelgen.resolve` produces and templates render.

Everything here is final: headings carry their anchors, footnotes and figures their
numbers, grades their labels, and derived sentences and tables are written out. A
template only lays these values out; it never counts, numbers or looks anything up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markdown_it.token import Token

from peelgen.framework import Labels  # the framework's fixed words, used as they are


@dataclass(slots=True)
class Fragment:
    """Parsed markdown, with placeholders filled and references numbered."""

    tokens: list[Token]
    inline: bool = False


@dataclass(slots=True)
class Heading:
    text: Fragment
    anchor: str
    level: int
    in_contents: bool = True


@dataclass(slots=True)
class GradeView:
    id: str
    label: str
    graded: bool
    rank: int | None  # 0 = best; None when ungraded
    colour: str = "#4b5563"  # the framework's colours for this grade (checked for contrast)
    text_colour: str = "#ffffff"


@dataclass(slots=True)
class Section:
    heading: Heading | None
    intro: Fragment | None = None
    body: Fragment | None = None
    sections: list[Section] = field(default_factory=list)
    kind: str = "text"  # covering report parts: text | objectives | inspections
    number: str | None = None  # "2.1.3" where a document numbers its sections


@dataclass(slots=True)
class InspectionView:
    title: str
    graded: bool
    grade: GradeView | None
    question: str | None
    recommendations: int
    areas_for_improvement: int
    response: Fragment | None


@dataclass(slots=True)
class MeasureView:
    label: str
    current: str
    previous: str
    change: str
    direction: str  # in words
    direction_id: str  # improving | no-change | deteriorating
    peer: str | None
    peer_id: str | None
    period: str | None
    previous_period: str | None


@dataclass(slots=True)
class TopicView:
    heading: Heading
    number: str
    body: Fragment | None
    measures: list[MeasureView]
    figure_id: str | None


@dataclass(slots=True)
class AimView:
    heading: Heading
    number: str
    aim: str | None
    signs_title: str | None
    signs_kind: str | None
    signs: list[str]
    topics: list[TopicView]


@dataclass(slots=True)
class Item:
    """An area for improvement or a recommendation."""

    text: Fragment
    deadline: dt.date | None = None
    # Set when the text does not quote its own deadline, so the template prints it.
    deadline_text: str | None = None


@dataclass(slots=True)
class Concern:
    statement: Fragment
    recommendations: list[Item]
    recommendations_title: str


@dataclass(slots=True)
class Box:
    kind: str  # areas-for-improvement | causes-of-concern | innovative-practice | promising-practice
    title: str
    anchor: str
    items: list[Item] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    item_labels: list[str] = field(default_factory=list)  # "Area for improvement 1" …, when numbered
    subtitle: str | None = None  # a practice box's own title
    body: Fragment | None = None  # a practice box's text


@dataclass(slots=True)
class InspectedRow:
    label: str
    inspected: bool


@dataclass(slots=True)
class ComponentRow:
    label: str
    grade: GradeView
    last_inspected: str | None
    anchor: str


@dataclass(slots=True)
class PillarTable:
    label: str
    grade: GradeView
    anchor: str
    rows: list[ComponentRow]


@dataclass(slots=True)
class GradeColumn:
    grade: GradeView
    entries: list[tuple[str, str]]  # (table label, anchor)


@dataclass(slots=True)
class DistributionRow:
    label: str
    counts: list[int]  # one per grade, best first, then declined and improved


@dataclass(slots=True)
class RecommendationView:
    number: int
    topic: str
    addressee: str
    deadline: str | None
    text: Fragment
    anchor: str


@dataclass(slots=True)
class ForceRow:
    name: str
    grades: list[GradeView]


@dataclass(slots=True)
class Signature:
    name: str
    title: str


@dataclass(slots=True)
class SummaryRow:
    label: str
    grade: GradeView
    anchor: str


@dataclass(slots=True, kw_only=True)
class ChapterView:
    """What every chapter kind's view has; each kind in :mod:`peelgen.chapters` adds its own."""

    id: str
    kind: str  # the chapter kind: its template is templates/chapters/<kind>.html.j2
    heading: Heading
    new_page: bool = True

    def contents_children(self) -> list[Heading]:
        """Second-level headings listed under this chapter in the contents."""
        return [s.heading for s in getattr(self, "sections", ()) if s.heading and s.heading.in_contents]


@dataclass(slots=True)
class Cell:
    text: str
    numeric: bool


@dataclass(slots=True)
class TableRow:
    kind: str
    cells: list[Cell]


@dataclass(slots=True)
class TableView:
    columns: list[tuple[str, bool]]  # (heading, numeric)
    rows: list[TableRow]


@dataclass(slots=True)
class ChartText:
    """Words and number symbols drawn on a chart, in the document's language (resolve
    writes them from ``labels.charts``, as it writes the description)."""

    illustrative: str = ""  # along the bottom of a chart of illustrative data
    band: str = ""  # legend of a ranked chart's standard-deviation band
    mean: str = ""  # control chart legend: the mean, with its value
    limits: str = ""  # control chart legend: the limits, with their values
    outside: str = ""  # control chart legend: points outside the limits
    group: str = ","  # the language's number symbols (CLDR)
    decimal: str = "."


@dataclass(slots=True)
class ChartView:
    """Everything needed to draw a chart; :mod:`peelgen.render_charts` draws it."""

    type: str  # trend | comparison | ranked | shares
    categories: list[str]  # x-axis labels: periods, metric labels, forces or categories
    series: list[tuple[str, list[float | None]]]  # named values, one per category
    unit_label: str
    decimals: int
    description: str  # the text alternative, generated from the data
    data_table: TableView  # the same data as a table, for readers who cannot see the chart
    highlight: str | None = None  # the category drawn as "this force"
    reference: tuple[str, float] | None = None  # e.g. ("England and Wales", 14.3)
    band: tuple[float, float] | None = None  # one standard deviation either side of the mean
    limits: tuple[float, float, float] | None = None  # control chart: mean, lower and upper limits
    illustrative: bool = False
    missing: list[str] = field(default_factory=list)  # categories with no value
    text: ChartText = field(default_factory=ChartText)  # words drawn on it (legends, marks)


@dataclass(slots=True)
class FigureView:
    id: str
    number: int
    anchor: str
    title: Fragment
    source: str | None
    annex_pointer: bool
    table: TableView | None
    notes: list[Fragment]
    label: str = ""  # the word before the number: the language's 'Figure', or as published ('Table')
    key: str = ""  # 'figure-3', or 'table-1' for a figure published with its own label: anchors
    chart: ChartView | None = None
    plain_title: str = ""
    annex_anchor: str | None = None  # this figure's entry in Annex A
    image: str | None = None  # a data: URI: the figure as published, instead of data
    image_alt: str | None = None


@dataclass(slots=True)
class Tile:
    """A Force in numbers tile."""

    label: str
    value: Fragment
    ew: Fragment | None
    period: str | None


@dataclass(slots=True)
class FootnoteView:
    id: str
    number: int
    anchor: str
    body: Fragment


@dataclass(frozen=True, slots=True)
class EditionLink:
    """The report's other-language edition (meta.translation), linked from the cover and page."""

    slug: str  # its output file name, without the extension
    lang: str  # its language tag: the link's hreflang
    text: str  # the link's words, in this edition's language
    default_slug: str  # this edition's output file name when meta.slug is not given


@dataclass(slots=True)
class Document:
    framework_id: str
    title: str
    short_title: str
    cover_subtitle: str
    force: str
    force_short: str
    inspectorate: str
    inspectorate_short: str
    programme: str
    programme_year: str
    publication_date: dt.date
    publication_date_text: str
    inspection_period: str | None
    slug: str
    template: str
    labels: Labels
    chapters: list[ChapterView]
    grades: list[GradeView]  # the scale, best first, then ungraded: their colours style every badge
    cycle: str | None
    figures: dict[str, FigureView]
    footnotes: list[FootnoteView]
    annex_anchor: str | None
    # Print furniture: the footer as literal text and page counters, e.g.
    # [("text", "Page "), ("page", ""), ("text", " of "), ("pages", "")].
    footer: list[tuple[str, str]] = field(default_factory=list)
    marking: str | None = None
    logo_data_uri: str | None = None
    logo_alt: str | None = None
    cover: bool = True
    masthead: tuple[str, str, str] | None = None  # body, report of, title
    author: str = ""
    description: str = ""
    keywords: str = ""
    lang: str = "en-GB"
    # The language has hyphenation patterns (pyphen's) and may hyphenate; if not (Welsh),
    # the page forbids automatic hyphenation, so no other language's patterns split a word.
    hyphenate: bool = True
    draft: bool = False  # watermark every PDF page and put a banner on the web page
    data_files: list[str] = field(default_factory=list)  # build --format data: linked from the web page
    edition: EditionLink | None = None  # the other-language edition, if the report names one

    @property
    def contents(self) -> list[tuple[Heading, list[Heading]]]:
        """Chapters and their second-level headings, for a contents list."""
        return [(chapter.heading, chapter.contents_children()) for chapter in self.chapters]
