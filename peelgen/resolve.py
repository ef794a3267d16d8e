"""Stage 3: turn a validated report into a final :class:`~peelgen.document.Document`.

Resolution walks the document in reading order, so numbering is by first appearance:
footnotes are numbered once across the whole report (headings and figure titles
included), figures in the order they are placed. Placeholders are filled, derived
sentences and tables written, and every cross-reference checked, with located errors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, FileRefused, suggest
from peelgen.document import (
    AimView,
    Box,
    Cell,
    Chapter,
    ChartView,
    ComponentRow,
    Concern,
    DistributionRow,
    Document,
    FigureView,
    FootnoteView,
    ForceRow,
    Fragment,
    GradeColumn,
    GradeView,
    Heading,
    InspectedRow,
    InspectionView,
    Item,
    MeasureView,
    PillarTable,
    RecommendationView,
    Section,
    Signature,
    SummaryRow,
    TableRow,
    TableView,
    Tile,
    TopicView,
)
from peelgen.folder import Folder
from peelgen.formatting import long_date, measure, number, slugify, unit_label
from peelgen.formatting import measure as measure_text
from peelgen.framework import ChapterSpec, Framework, QuestionSpec, SubQuestion
from peelgen.load_csv import DatasetData, load_dataset
from peelgen.load_images import load_image
from peelgen.markdown import parse_block, parse_inline
from peelgen.models import (
    AnnexSection,
    Chart,
    DataSource,
    Figure,
    Finding,
    Measure,
    Metric,
    Question,
    Recommendation,
    Report,
)
from peelgen.national import NationalData, load_force_grades
from peelgen.national import counts as national_counts
from peelgen.validate import ValidatedReport

_ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
_FOOTER_PART = re.compile(r"\{(page|pages)\}|\{[^}]*\}|[^{]+|\{")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of text came from, for error messages."""

    path: DocPath | None  # a path in the report, or None for framework text
    what: str = ""  # for framework text: which part


class Resolver:
    def __init__(self, validated: ValidatedReport) -> None:
        self.report: Report = validated.report
        self.base_dir: Path = validated.base_dir
        self.fw: Framework = validated.framework
        self.source = validated.source
        self.diagnostics: list[Diagnostic] = []
        self.footnotes: dict[str, FootnoteView] = {}
        self.figures: dict[str, FigureView] = {}
        self.figure_refs: list[tuple[str, Origin, int | None]] = []
        self.used_anchors: set[str] = set()
        self.figure_index = {f.id: i for i, f in enumerate(self.report.figures)}
        self.metric_index = {m.id: i for i, m in enumerate(self.report.metrics)}
        self.dataset_index = {d.id: i for i, d in enumerate(self.report.datasets)}
        self.source_index = {d.id: i for i, d in enumerate(self.report.data_sources)}
        self.used_metrics: set[str] = set()
        # Footnotes peelgen writes itself: why a metric's value is missing.
        self.generated_footnotes: dict[str, tuple[str, Origin]] = {
            f"missing-{m.id}": (m.missing, Origin(("metrics", i, "missing")))
            for i, m in enumerate(self.report.metrics) if m.value is None and m.missing
        }
        self.datasets: dict[str, DatasetData] = {}
        self._check_references()
        self._load_datasets()
        self.national: NationalData | None = None
        self.counts: dict[str, dict[str, int]] = {}
        if self.report.force_grades:
            path = self._inside_folder(self.report.force_grades, ("force_grades",), (".csv",))
            if path is not None:
                self.national, problems = load_force_grades(path, self.fw)
                self.diagnostics.extend(problems)
                if self.national is not None:
                    self.counts = national_counts(self.national, self.fw)
        meta = self.report.meta
        force_short = meta.force_short or meta.force
        self.values = {
            "force": meta.force,
            "force_short": force_short,
            "area": meta.area or force_short,
            "inspectorate": meta.inspectorate or self.fw.inspectorate.name,
            "inspectorate_short": self.fw.inspectorate.short,
            "programme_year": self.fw.programme_year,
            "cycle": self.fw.cycle or "",
        }
        # Anchors of every graded unit and pillar, reserved first so that tables printed
        # before a unit's chapter (summary tables, "Our judgments") can link to it.
        self.unit_anchor = {q.id: self.anchor(q.id) for q in self.fw.questions}
        self.unit_anchor |= {p.id: self.anchor(p.id) for p in self.fw.pillars}

    # -- diagnostics ---------------------------------------------------------------

    def error(self, origin: Origin, message: str, *, hint: str | None = None,
              line_offset: int | None = None, at_key: bool = False) -> None:
        if origin.path is None:
            self.diagnostics.append(Diagnostic(
                f"framework {self.fw.id}", f"{origin.what}: {message}", hint=hint))
        else:
            self.diagnostics.append(self.source.diagnostic(
                origin.path, message, hint=hint, line_offset=line_offset, at_key=at_key))

    # -- anchors ---------------------------------------------------------------------

    def anchor(self, wanted: str) -> str:
        base = slugify(wanted)
        candidate, n = base, 2
        while candidate in self.used_anchors:
            candidate, n = f"{base}-{n}", n + 1
        self.used_anchors.add(candidate)
        return candidate

    # -- text ------------------------------------------------------------------------

    def block(self, text: str | None, origin: Origin, extra: dict[str, str] | None = None) -> Fragment | None:
        if text is None or not text.strip():
            return None
        tokens = self._process(parse_block(text), origin, extra or {})
        return Fragment(tokens)

    def inline(self, text: str, origin: Origin, extra: dict[str, str] | None = None) -> Fragment:
        children = parse_inline(text)
        return Fragment(self._process_inline(children, origin, extra or {}, None), inline=True)

    def heading(self, text: str, origin: Origin, anchor: str, level: int, *, in_contents: bool = True) -> Heading:
        return Heading(self.inline(text, origin), self.anchor(anchor), level, in_contents)

    def reserved_heading(self, text: str, origin: Origin, unit_id: str, level: int) -> Heading:
        """The heading of a question, component, area or pillar, at its reserved anchor."""
        return Heading(self.inline(text, origin), self.unit_anchor[unit_id], level, True)

    def fill(self, template: str, **values: str) -> str:
        """Fill {placeholders} in a plain framework sentence (not markdown)."""
        merged = {**self.values, **values}
        try:
            return template.format_map(merged)
        except (KeyError, ValueError, IndexError) as error:
            self.diagnostics.append(Diagnostic(
                f"framework {self.fw.id}", f"bad placeholder in '{template}': {error}"))
            return template

    def _process(self, tokens: list[Token], origin: Origin, extra: dict[str, str]) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            line = token.map[0] if token.map else None
            if token.type == "paragraph_open" and i + 2 < len(tokens):
                children = tokens[i + 1].children or []
                if len(children) == 1 and children[0].type == "placeholder" and children[0].meta["name"] == "figure":
                    placed = self._place_figure(children[0].meta["arg"], origin, line)
                    if placed is not None:
                        out.append(placed)
                    i += 3
                    continue
            if token.type == "inline":
                token.children = self._process_inline(token.children or [], origin, extra, line)
            out.append(token)
            i += 1
        return out

    def _process_inline(self, children: list[Token], origin: Origin, extra: dict[str, str],
                        line: int | None) -> list[Token]:
        out: list[Token] = []
        for token in children:
            if token.type == "placeholder":
                out.extend(self._placeholder(token, origin, extra, line))
                continue
            if token.type == "footnote_ref":
                self._cite(token, origin, line)
            elif token.type == "link_open":
                href = token.attrGet("href") or ""
                if not (href.startswith("#") or href.lower().startswith(_ALLOWED_SCHEMES)):
                    self.error(origin, f"link target '{href}' is not allowed", line_offset=line,
                               hint="links may use http, https, mailto or #anchor")
                    token.attrSet("href", "#")
            elif token.type == "image":
                self.error(origin, "images are not allowed in text", line_offset=line,
                           hint="add the picture as a figure")
                continue
            out.append(token)
        return out

    def _placeholder(self, token: Token, origin: Origin, extra: dict[str, str], line: int | None) -> list[Token]:
        name, arg = token.meta["name"], token.meta["arg"]
        values = {**self.values, **extra}
        if arg is None and name in values:
            text = Token("text", "", 0)
            text.content = values[name]
            return [text]
        if name == "metric" and arg is not None:
            return self._metric_tokens(arg, origin, line)
        if name == "count" and arg is not None:
            return self._count_tokens(arg, origin, line)
        if name == "fig" and arg is not None:
            ref = Token("figure_ref", "", 0)
            ref.meta = {"id": arg}
            self.figure_refs.append((arg, origin, line))
            return [ref]
        if name == "figure":
            self.error(origin, f"{token.content} must stand alone in its own paragraph to place a figure",
                       line_offset=line, hint=f"to refer to it in a sentence write {{fig:{arg}}}")
            return []
        if name == "deadline":
            self.error(origin, "{deadline} is used but no deadline is given", line_offset=line,
                       hint="add 'deadline: YYYY-MM-DD' to this recommendation")
            return []
        known = [*values, "fig:ID", "figure:ID", "metric:ID"]
        self.error(origin, f"unknown placeholder {token.content}", line_offset=line,
                   hint=suggest(name, list(values)) or f"known: {', '.join('{' + k + '}' for k in known)}")
        return []

    def _cite(self, token: Token, origin: Origin, line: int | None) -> None:
        footnote_id = token.meta["id"]
        existing = self.footnotes.get(footnote_id)
        if existing is not None:
            token.meta.update(number=existing.number, anchor=existing.anchor, first=False)
            return
        if footnote_id in self.report.footnotes:
            text, where = self.report.footnotes[footnote_id], Origin(("footnotes", footnote_id))
        elif footnote_id in self.generated_footnotes:
            text, where = self.generated_footnotes[footnote_id]
        elif footnote_id in self.fw.footnotes:
            text, where = self.fw.footnotes[footnote_id], Origin(None, f"footnote '{footnote_id}'")
        else:
            self.error(origin, f"footnote [^{footnote_id}] is cited but not defined", line_offset=line,
                       hint=suggest(footnote_id, list(self.report.footnotes))
                       or "define it under 'footnotes:'")
            token.meta.update(number=0, anchor="", first=False, missing=True)
            return
        view = FootnoteView(footnote_id, len(self.footnotes) + 1, f"fn-{len(self.footnotes) + 1}",
                            Fragment([]))
        self.footnotes[footnote_id] = view
        token.meta.update(number=view.number, anchor=view.anchor, first=True)
        # Parsed after numbering, so a footnote citing another numbers it next.
        body = self.block(text, where)
        view.body = body or Fragment([])

    def _place_figure(self, figure_id: str, origin: Origin, line: int | None) -> Token | None:
        index = self.figure_index.get(figure_id)
        if index is None:
            self.error(origin, f"unknown figure '{figure_id}'", line_offset=line,
                       hint=suggest(figure_id, list(self.figure_index)) or "define it under 'figures:'")
            return None
        if figure_id in self.figures:
            self.error(origin, f"figure '{figure_id}' is placed more than once", line_offset=line)
            return None
        figure = self.report.figures[index]
        path: DocPath = ("figures", index)
        numbered = len(self.figures) + 1
        table = self._table(figure.table) if figure.table else None
        view = FigureView(figure_id, numbered, self.anchor(f"figure-{numbered}"), Fragment([]),
                          figure.source, figure.annex_pointer, table, [])
        self.figures[figure_id] = view
        view.title = self.inline(figure.title, Origin((*path, "title")))
        view.plain_title = _plain_text(view.title)
        notes = [(note, (*path, "notes", i)) for i, note in enumerate(figure.notes)]
        if figure.table:
            notes += [(note, (*path, "table", "notes", i)) for i, note in enumerate(figure.table.notes)]
        view.notes = [n for note, where in notes if (n := self.block(note, Origin(where))) is not None]
        if figure.chart is not None:
            view.chart = self._chart(figure, figure.chart, (*path, "chart"), view.plain_title)
        token = Token("peel_figure", "", 0)
        token.meta = {"id": figure_id}
        return token

    @staticmethod
    def _table(table: object) -> TableView:
        from peelgen.models import Table

        assert isinstance(table, Table)
        rows = []
        for row in table.rows:
            cells = []
            for value, column in zip(row.cells, table.columns, strict=False):
                decimals = row.decimals if row.decimals is not None else column.decimals
                if value is None:
                    cells.append(Cell("", column.type == "number"))
                elif isinstance(value, int | float) and not isinstance(value, bool) and column.type == "number":
                    cells.append(Cell(number(value, decimals), True))
                else:
                    cells.append(Cell(str(value), column.type == "number"))
            rows.append(TableRow(row.kind, cells))
        return TableView([(c.heading, c.type == "number") for c in table.columns], rows)

    # -- metrics and datasets ------------------------------------------------------------

    def _check_references(self) -> None:
        """Ids that metrics, datasets, charts and tiles refer to must exist."""
        report = self.report
        for kind, items in (("metric", report.metrics), ("dataset", report.datasets),
                            ("data source", report.data_sources)):
            seen: set[str] = set()
            key = {"metric": "metrics", "dataset": "datasets", "data source": "data_sources"}[kind]
            for i, item in enumerate(items):
                if item.id in seen:
                    self.error(Origin((key, i, "id")), f"duplicate {kind} id '{item.id}'")
                seen.add(item.id)
        sourced = [(("metrics", i), m.data_source) for i, m in enumerate(report.metrics)]
        sourced += [(("datasets", i), d.data_source) for i, d in enumerate(report.datasets)]
        sourced += [(("figures", i), f.data_source) for i, f in enumerate(report.figures)]
        for path, source_id in sourced:
            if source_id is not None and source_id not in self.source_index:
                self.error(Origin((*path, "data_source")), f"unknown data source '{source_id}'",
                           hint=suggest(source_id, list(self.source_index)) or "define it under 'data_sources:'")
        for i, figure in enumerate(report.figures):
            chart = figure.chart
            if chart is None:
                continue
            if chart.dataset is not None and chart.dataset not in self.dataset_index:
                self.error(Origin(("figures", i, "chart", "dataset")), f"unknown dataset '{chart.dataset}'",
                           hint=suggest(chart.dataset, list(self.dataset_index)) or "define it under 'datasets:'")
            for j, metric_id in enumerate(chart.metrics):
                if metric_id not in self.metric_index:
                    self.error(Origin(("figures", i, "chart", "metrics", j)), f"unknown metric '{metric_id}'",
                               hint=suggest(metric_id, list(self.metric_index)))

    def _load_datasets(self) -> None:
        for i, dataset in enumerate(self.report.datasets):
            path = self._inside_folder(dataset.file, ("datasets", i, "file"), (".csv",))
            if path is None:
                continue
            data, problems = load_dataset(path, unit=dataset.unit)
            self.diagnostics.extend(problems)
            if data is not None:
                self.datasets[dataset.id] = data

    def metric(self, metric_id: str) -> Metric:
        return self.report.metrics[self.metric_index[metric_id]]

    def format_metric(self, metric: Metric, value: float) -> str:
        return measure(value, unit=metric.unit, decimals=metric.decimals,
                       percent_style=self.report.style.percent, scale=metric.scale)

    def _metric_tokens(self, reference: str, origin: Origin, line: int | None) -> list[Token]:
        metric_id, _, field = reference.partition(".")
        if metric_id not in self.metric_index:
            self.error(origin, f"unknown metric '{metric_id}' in {{metric:{reference}}}", line_offset=line,
                       hint=suggest(metric_id, list(self.metric_index)) or "define it under 'metrics:'")
            return []
        metric = self.metric(metric_id)
        self.used_metrics.add(metric_id)
        fields = {"": "value", "value": "value", "ew": "ew", "period": "period", "label": "label", "source": "source"}
        if field not in fields:
            self.error(origin, f"unknown field '.{field}' in {{metric:{reference}}}", line_offset=line,
                       hint="use .ew, .period, .label or .source, or nothing for the force's value")
            return []
        attribute = fields[field]
        if attribute in ("period", "label", "source"):
            text_value = getattr(metric, attribute)
            if text_value is None:
                self.error(origin, f"metric '{metric_id}' has no {attribute}", line_offset=line)
                return []
            return [_text_token(text_value)]
        value = getattr(metric, attribute)
        if value is not None:
            return [_text_token(self.format_metric(metric, value))]
        if attribute == "ew":
            self.error(origin, f"metric '{metric_id}' has no England and Wales value", line_offset=line,
                       hint="add 'ew:' to the metric")
            return []
        # A missing value prints as a dash with a footnote saying why, as the reports do.
        ref = Token("footnote_ref", "", 0)
        ref.meta = {"id": f"missing-{metric_id}"}
        self._cite(ref, origin, line)
        return [_text_token("–"), ref]

    def _count_tokens(self, reference: str, origin: Origin, line: int | None) -> list[Token]:
        """{count:prevention.good} -> the number of forces, derived from force_grades."""
        question, _, what = reference.partition(".")
        if not self.counts:
            if self.report.force_grades is None:
                self.error(origin, f"{{count:{reference}}} needs force_grades", line_offset=line,
                           hint="name the per-force grades CSV under 'force_grades:'")
            return []
        if question not in self.counts:
            self.error(origin, f"unknown question '{question}' in {{count:{reference}}}", line_offset=line,
                       hint=suggest(question, list(self.counts)) or f"questions: {', '.join(self.counts)}")
            return []
        tally = self.counts[question]
        if what not in tally:
            self.error(origin, f"unknown count '{what}' in {{count:{reference}}}", line_offset=line,
                       hint=suggest(what, list(tally)) or f"use one of: {', '.join(tally)}")
            return []
        return [_text_token(number(tally[what], 0))]

    # -- charts ----------------------------------------------------------------------

    def _chart(self, figure: Figure, chart: Chart, path: DocPath, title: str) -> ChartView | None:
        percent = self.report.style.percent
        if chart.type == "comparison":
            metrics = [self.metric(m) for m in chart.metrics if m in self.metric_index]
            if not metrics:
                return None
            first = metrics[0]
            categories = [m.label for m in metrics]
            force_values = [m.value for m in metrics]
            ew_values = [m.ew for m in metrics]
            series = [(self.values["force_short"], force_values), (self.fw.labels.england_and_wales, ew_values)]
            self.used_metrics.update(chart.metrics)
            view = self._chart_view(chart, categories, series, first.unit, first.per, first.decimals, False)
            pairs = "; ".join(
                f"{label}: {self._fmt(f, first)} in {self.values['force_short']} against "
                f"{self._fmt(e, first)} in {self.fw.labels.england_and_wales}"
                for label, f, e in zip(categories, force_values, ew_values, strict=True))
            view.description = f"{title}. Bar chart comparing {self.values['force_short']} with " \
                               f"{self.fw.labels.england_and_wales} ({view.unit_label.lower()}). {pairs}."
            return view
        dataset = self.report.datasets[self.dataset_index[chart.dataset]] if chart.dataset in self.dataset_index \
            else None
        data = self.datasets.get(chart.dataset or "")
        if dataset is None or data is None:
            return None  # already reported
        columns = chart.columns or data.columns
        unknown = [c for c in columns if c not in data.columns]
        if unknown:
            self.error(Origin((*path, "columns")), f"column '{unknown[0]}' is not in {dataset.file}",
                       hint=f"columns: {', '.join(data.columns)}")
            return None
        def fmt(value: float | None) -> str:
            return "no data" if value is None else measure(value, unit=dataset.unit, decimals=dataset.decimals,
                                                             percent_style=percent)
        if chart.type == "trend":
            categories = [key for key, _ in data.rows]
            series = [(c, [v for _, v in data.column(c)]) for c in columns]
            view = self._chart_view(chart, categories, series, dataset.unit, dataset.per, dataset.decimals,
                                    data.illustrative)
            changes = "; ".join(f"{name}: {fmt(values[0])} in {categories[0]} and {fmt(values[-1])} in "
                                f"{categories[-1]}" for name, values in series)
            view.description = f"{title}. Line chart of {view.unit_label.lower()} over {len(categories)} " \
                               f"periods. {changes}."
            return view
        if chart.type == "shares":
            column = columns[0]
            points = data.column(column)
            view = self._chart_view(chart, [k for k, _ in points], [(column, [v for _, v in points])],
                                    dataset.unit, dataset.per, dataset.decimals, data.illustrative)
            parts = "; ".join(f"{k}: {fmt(v)}" for k, v in points)
            view.description = f"{title}. Bar chart of shares by category. {parts}."
            return view
        # ranked: every force, highest first, this force highlighted, England and Wales as a line
        column = columns[0]
        national = self.fw.labels.england_and_wales
        points = [(k, v) for k, v in data.column(column) if k != national]
        reference = next((v for k, v in data.column(column) if k == national), None)
        present = sorted(((k, v) for k, v in points if v is not None), key=lambda kv: (-kv[1], kv[0]))
        missing = [k for k, v in points if v is None]
        highlight = self._find_force([k for k, _ in points])
        # A national report ranks every force without singling one out.
        if highlight is None and self.fw.document_kind != "national-report":
            self.error(Origin((*path, "dataset")), f"{dataset.file} has no row for {self.values['force']}",
                       hint="the first column should name every force in full, as in meta.force")
        view = self._chart_view(chart, [k for k, _ in present], [(column, [v for _, v in present])],
                                dataset.unit, dataset.per, dataset.decimals, data.illustrative)
        view.highlight = highlight
        view.missing = missing
        if reference is not None:
            view.reference = (national, reference)
        values = [v for _, v in present]
        if chart.band and len(values) >= 2:
            import statistics

            mean, spread = statistics.fmean(values), statistics.pstdev(values)
            view.band = (mean - spread, mean + spread)
        rank = next((i for i, (k, _) in enumerate(present, start=1) if k == highlight), None)
        sentences = [f"{title}. Bar chart of {len(present)} forces, highest first."]
        if highlight is not None and rank is not None:
            sentences.append(f"{highlight}: {fmt(dict(present)[highlight])}, {_ordinal(rank)} of {len(present)}.")
        elif highlight is not None:
            sentences.append(f"{highlight}: no data.")
        if reference is not None:
            sentences.append(f"{national}: {fmt(reference)}.")
        if present:
            sentences.append(f"Highest: {present[0][0]}, {fmt(present[0][1])}. "
                             f"Lowest: {present[-1][0]}, {fmt(present[-1][1])}.")
        if view.band:
            sentences.append(f"Shaded band: one standard deviation either side of the mean of forces, from "
                             f"{fmt(view.band[0])} to {fmt(view.band[1])}.")
        if missing:
            sentences.append(f"No data for {', '.join(missing)}.")
        view.description = " ".join(sentences)
        return view

    def _fmt(self, value: float | None, metric: Metric) -> str:
        return "no data" if value is None else self.format_metric(metric, value)

    def _find_force(self, names: list[str]) -> str | None:
        wanted = [self.values["force"], self.values["force_short"], self.values["area"]]
        for candidate in wanted:
            if candidate in names:
                return candidate
        return None

    def _chart_view(self, chart: Chart, categories: list[str], series: list[tuple[str, list[float | None]]],
                    unit: str, per: str | None, decimals: int, illustrative: bool) -> ChartView:
        percent = self.report.style.percent
        label = chart.y_label or unit_label(unit, per, percent)
        first_heading = "Period" if chart.type == "trend" else ""
        headings = [(first_heading, False), *[(name, True) for name, _ in series]]
        rows = [TableRow("row", [Cell(category, False), *[
            Cell("" if values[i] is None else number(values[i], decimals), True) for _, values in series]])
            for i, category in enumerate(categories)]
        return ChartView(chart.type, categories, series, label, decimals, "", TableView(headings, rows),
                         illustrative=illustrative)

    # -- grades ----------------------------------------------------------------------

    def grade(self, grade_id: str) -> GradeView:
        grade = self.fw.grade(grade_id)
        if grade is None:
            ungraded = self.fw.grades.ungraded
            return GradeView(ungraded.id, ungraded.label, False, None)
        return GradeView(grade.id, grade.label, True, self.fw.rank(grade.id))

    # -- chapters --------------------------------------------------------------------

    def resolve(self) -> Document:
        chapters: list[Chapter] = []
        annex_anchor = None
        for spec in self.fw.chapters:
            for chapter in self._chapter(spec):
                chapter.new_page = spec.new_page
                chapters.append(chapter)
                if chapter.kind == "annex" and annex_anchor is None:
                    annex_anchor = chapter.heading.anchor
        self._check_unused()
        footer = self._footer(self.report.print.footer)
        logo = self._image(self.report.meta.logo, ("meta", "logo")) if self.report.meta.logo else None
        if self.diagnostics:
            raise BuildFailed(self.diagnostics)
        meta = self.report.meta
        fw = self.fw
        labels = fw.labels
        slug = meta.slug or slugify(f"{self.values['force_short']} {fw.programme_year}")
        return Document(
            framework_id=fw.id,
            title=fw.report_title,
            short_title=fw.short_title,
            cover_subtitle=self.fill(fw.cover_subtitle),
            force=meta.force,
            force_short=self.values["force_short"],
            inspectorate=self.values["inspectorate"],
            inspectorate_short=fw.inspectorate.short,
            programme=fw.programme,
            programme_year=fw.programme_year,
            publication_date=meta.publication_date,
            publication_date_text=long_date(meta.publication_date),
            inspection_period=meta.inspection_period,
            slug=slug,
            template=fw.template,
            labels=labels,
            chapters=chapters,
            cycle=fw.cycle,
            figures=self.figures,
            footnotes=sorted(self.footnotes.values(), key=lambda f: f.number),
            annex_anchor=annex_anchor,
            footer=footer,
            marking=meta.marking,
            logo_data_uri=logo,
            logo_alt=meta.logo_alt or f"{meta.force} logo",
            cover=fw.cover,
            draft=self.report.status == "draft",
            masthead=((self.report.masthead.body, self.report.masthead.report_of, self.report.masthead.title)
                      if self.report.masthead else None),
        )

    def _chapter(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if spec.kind == "text":
            yield from self._text_chapter(spec)
        elif spec.kind == "overview":
            yield self._overview()
        elif spec.kind == "questions":
            by_id = {q.id: q for q in self.report.questions}
            for question_spec in self.fw.questions:
                question = by_id.get(question_spec.id)
                if question is not None:
                    index = self.report.questions.index(question)
                    yield self._question(question_spec, question, ("questions", index))
        elif spec.kind == "annex":
            yield from self._annex(spec)
        elif spec.kind == "force-in-numbers":
            yield from self._force_in_numbers(spec)
        else:
            builder = {
                "inspection-approach": self._inspection_approach,
                "summary-tables": self._summary_tables,
                "observations": self._observations,
                "pillars": self._pillars,
                "judgments": self._judgments,
                "leadership": self._leadership,
                "victim-service": self._victim_service,
                "areas": self._areas,
                "distribution": self._distribution,
                "recommendations": self._recommendations,
                "topics": self._topics,
                "glossary": self._glossary,
                "annex-b": self._annex_b,
                "covering": self._covering,
                "appendix": self._appendix,
            }[spec.kind]
            yield from builder(spec)

    def _text_chapter(self, spec: ChapterSpec) -> Iterator[Chapter]:
        override = getattr(self.report, spec.report_field, None) if spec.report_field else None
        body = (self.block(override, Origin((spec.report_field,))) if override
                else self.block(spec.body, Origin(None, f"chapter '{spec.id}'")))
        if body is None and not spec.sections:
            return
        heading = self.heading(spec.heading or spec.id, Origin(None, f"chapter '{spec.id}'"), spec.id, 1)
        sections = [
            Section(self.heading(s.heading, Origin(None, f"chapter '{spec.id}'"), f"{spec.id}-{s.heading}", 2),
                    body=self.block(s.body, Origin(None, f"chapter '{spec.id}'")))
            for s in spec.sections
        ]
        yield Chapter(spec.id, "text", heading, body=body, sections=sections)

    # -- 2018/19 and 2023–25 chapter kinds ----------------------------------------------

    def _entries(self) -> list[tuple[QuestionSpec, Question, DocPath]]:
        """The report's graded units in framework order, with their paths."""
        by_id = {q.id: (q, i) for i, q in reversed(list(enumerate(self.report.questions)))}
        return [(spec, by_id[spec.id][0], ("questions", by_id[spec.id][1]))
                for spec in self.fw.questions if spec.id in by_id]

    def _chapter_start(self, spec: ChapterSpec, kind: str | None = None) -> Chapter:
        origin = Origin(None, f"chapter '{spec.id}'")
        chapter = Chapter(spec.id, kind or spec.kind, self.heading(spec.heading or spec.id, origin, spec.id, 1))
        chapter.body = self.block(spec.body, origin)
        return chapter

    def _inspection_approach(self, spec: ChapterSpec) -> Iterator[Chapter]:
        chapter = self._chapter_start(spec)
        chapter.inspected_heading = self.fill(self.fw.labels.inspected_question)
        chapter.inspected_rows = [InspectedRow(self.fill(unit.label("ipa")), bool(question.inspected))
                                  for unit, question, _ in self._entries()]
        yield chapter

    def _summary_tables(self, spec: ChapterSpec) -> Iterator[Chapter]:
        chapter = self._chapter_start(spec)
        grades = {p.id: p.grade for p in self.report.pillars}
        for pillar in self.fw.pillars:
            if pillar.id not in grades:
                continue
            rows = [ComponentRow(self.fill(unit.label("table")), self.grade(question.grade),
                                 question.last_inspected, self.unit_anchor[unit.id])
                    for unit, question, _ in self._entries() if unit.pillar == pillar.id]
            chapter.pillar_tables.append(PillarTable(pillar.label or pillar.heading, self.grade(grades[pillar.id]),
                                                     self.unit_anchor[pillar.id], rows))
        yield chapter

    def _observations(self, spec: ChapterSpec) -> Iterator[Chapter]:
        chapter = self._chapter_start(spec)
        origin = Origin(None, f"chapter '{spec.id}'")
        if self.report.tone and self.report.tone in self.fw.hmi_openings:
            chapter.intro = self.block(self.fw.hmi_openings[self.report.tone], origin)
        field = spec.report_field or "observations"
        chapter.body = self.block(getattr(self.report, field), Origin((field,)))
        chapter.closing = self.block(self.fw.hmi_closing, origin)
        if self.report.hmi:
            chapter.signature = Signature(self.report.hmi.name, self.report.hmi.title)
        yield chapter

    def _pillars(self, spec: ChapterSpec) -> Iterator[Chapter]:
        entries = {p.id: (p, i) for i, p in enumerate(self.report.pillars)}
        labels = self.fw.labels
        for pillar in self.fw.pillars:
            if pillar.id not in entries:
                continue
            entry, index = entries[pillar.id]
            origin = Origin(None, f"pillar '{pillar.id}'")
            chapter = Chapter(pillar.id, "pillar", self.reserved_heading(pillar.heading, origin, pillar.id, 1),
                              grade=self.grade(entry.grade))
            chapter.question_heading = self.heading(pillar.question, origin, f"{pillar.id}-question", 2)
            chapter.summary_heading = self.heading(labels.summary, origin, f"{pillar.id}-summary", 3,
                                                   in_contents=False)
            chapter.summary = self.block(entry.summary, Origin(("pillars", index, "summary")))
            chapter.tiles = self._tiles(entry.force_in_context, ("pillars", index, "force_in_context"))
            chapter.components = [self._component(unit, question, path)
                                  for unit, question, path in self._entries() if unit.pillar == pillar.id]
            yield chapter

    def _component(self, unit: QuestionSpec, question: Question, path: DocPath) -> Chapter:
        origin = Origin(None, f"component '{unit.id}'")
        chapter = Chapter(unit.id, "component", self.reserved_heading(unit.heading, origin, unit.id, 2),
                          grade=self.grade(question.grade))
        if question.inspected is False:
            text = question.carried_over or self.fill(self.fw.carried_over or "",
                                                       last_inspected=question.last_inspected or "")
            where = Origin((*path, "carried_over")) if question.carried_over else origin
            chapter.carried_over = self.block(text, where)
        chapter.intro = self.block(unit.intro, origin)
        chapter.summary = self.block(question.summary, Origin((*path, "summary")))
        if question.findings and unit.graded and self.fw.findings_intro:
            chapter.findings_intro = self.block(self.fw.findings_intro, origin)
        chapter.sections = self._sections(question.findings, unit.sections, (*path, "findings"),
                                          chapter.heading.anchor, 3)
        chapter.boxes = self._boxes(question, path, unit.id)
        return chapter

    def _judgments(self, spec: ChapterSpec) -> Iterator[Chapter]:
        chapter = self._chapter_start(spec)
        origin = Origin(None, f"chapter '{spec.id}'")
        chapter.summary_table_heading = self.heading(self.fw.labels.judgments, origin, f"{spec.id}-judgments", 2)
        graded = [(unit, question) for unit, question, _ in self._entries() if unit.graded]
        for grade in self.fw.grades.scale:
            entries = [(self.fill(unit.label("table")), self.unit_anchor[unit.id])
                       for unit, question in graded if question.grade == grade.id]
            chapter.columns.append(GradeColumn(self.grade(grade.id), entries))
        yield chapter

    def _leadership(self, spec: ChapterSpec) -> Iterator[Chapter]:
        chapter = self._chapter_start(spec)
        chapter.intro, chapter.body = chapter.body, self.block(self.report.leadership, Origin(("leadership",)))
        chapter.closing = self.block(spec.closing, Origin(None, f"chapter '{spec.id}'"))
        yield chapter

    def _victim_service(self, spec: ChapterSpec) -> Iterator[Chapter]:
        service = self.report.victim_service
        if service is None:
            return
        origin = Origin(None, f"chapter '{spec.id}'")
        chapter = Chapter(spec.id, "victim-service", self.heading(spec.heading or spec.id, origin, spec.id, 1))
        chapter.question_heading = self.heading(self.fw.labels.victim_service_assessment, origin,
                                                f"{spec.id}-assessment", 2)
        numbers = {"case_files": number(service.case_files, 0),
                   "closed_files": number(service.closed_files or 0, 0),
                   "closed_outcome": service.closed_outcome or ""}
        chapter.intro = self.block(spec.body, origin, numbers)
        order = ["contact", "response", "recording", "investigation", "outcome"]
        ordered = sorted(enumerate(service.findings), key=lambda item: order.index(item[1].stage))
        for i, finding in ordered:
            here: DocPath = ("victim_service", "findings", i)
            heading = self.heading(finding.heading, Origin((*here, "heading")), f"victims-{finding.heading}", 3,
                                   in_contents=False)
            chapter.sections.append(Section(heading, body=self.block(finding.body, Origin((*here, "body")))))
        yield chapter

    def _areas(self, spec: ChapterSpec) -> Iterator[Chapter]:
        labels = self.fw.labels
        for unit, question, path in self._entries():
            if not unit.graded:
                continue  # the victim service assessment has a chapter of its own
            origin = Origin(None, f"area '{unit.id}'")
            chapter = Chapter(unit.id, "area", self.reserved_heading(unit.heading, origin, unit.id, 1),
                              grade=self.grade(question.grade))
            grade = self.fw.grade(question.grade)
            if unit.lead and grade is not None:
                verb = grade.phrase.removesuffix(" at")
                chapter.lead = self.fill(unit.lead, grade_phrase=grade.phrase, grade_verb=verb,
                                         grade_label=grade.label.lower())
            chapter.boxes = self._boxes(question, path, unit.id, numbered=True)
            chapter.main_findings_heading = self.heading(labels.main_findings, origin, f"{unit.id}-main-findings", 2,
                                                         in_contents=False)
            if unit.topic:
                chapter.main_findings_intro = self.block(self.fill(labels.main_findings_intro, topic=unit.topic),
                                                         origin)
            if question.crime_recording and self.fw.crime_recording:
                estimate = question.crime_recording
                chapter.crime_recording = self.block(self.fill(
                    self.fw.crime_recording, percent=number(estimate.percent, 1),
                    interval=number(estimate.interval, 1), of=estimate.of), Origin((*path, "crime_recording")))
            chapter.summary = self.block(question.summary, Origin((*path, "summary")))
            chapter.sections = self._sections(question.findings, unit.sections, (*path, "findings"),
                                              chapter.heading.anchor, 3, in_contents=False)
            yield chapter

    # -- national reports ------------------------------------------------------------------

    def _graded_questions(self) -> list[QuestionSpec]:
        return [q for q in self.fw.questions if q.graded]

    def _distribution(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if not self.counts:
            return
        chapter = self._chapter_start(spec)
        labels = self.fw.labels
        chapter.table_headings = [labels.question, *[g.label for g in self.fw.grades.scale],
                                  labels.declined, labels.improved]
        for unit in self._graded_questions():
            tally = self.counts[unit.id]
            chapter.distribution.append(DistributionRow(
                self.fill(unit.label("table")),
                [tally[g] for g in self.fw.grade_ids] + [tally["declined"], tally["improved"]]))
        if self.national is not None and self.national.illustrative:
            chapter.note = self.block(labels.illustrative_grades, Origin(None, f"chapter '{spec.id}'"))
        yield chapter

    def _recommendations(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if not self.report.recommendations:
            return
        chapter = self._chapter_start(spec)
        seen: set[int] = set()
        for i, rec in enumerate(self.report.recommendations):
            if rec.number in seen:
                self.error(Origin(("recommendations", i, "number")), f"recommendation {rec.number} appears twice")
            seen.add(rec.number)
            deadline = _month_or_date(rec.deadline) if rec.deadline else None
            text = self.block(rec.text, Origin(("recommendations", i, "text")),
                              {"deadline": deadline} if deadline else None) or Fragment([])
            chapter.recommendations.append(RecommendationView(
                rec.number, rec.topic, rec.addressee, deadline, text,
                self.anchor(f"recommendation-{rec.number}")))
        yield chapter

    def _topics(self, spec: ChapterSpec) -> Iterator[Chapter]:
        for unit, question, path in self._entries():
            if not unit.chapter:
                continue
            origin = Origin(None, f"question '{unit.id}'")
            chapter = Chapter(unit.id, "topic", self.reserved_heading(unit.heading, origin, unit.id, 1))
            chapter.intro = self.block(unit.intro, origin)
            chapter.summary = self.block(question.summary, Origin((*path, "summary")))
            chapter.sections = self._sections(question.findings, unit.sections, (*path, "findings"),
                                              chapter.heading.anchor, 2)
            yield chapter

    def _glossary(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if not self.report.glossary:
            return
        chapter = self._chapter_start(spec)
        chapter.glossary = [(entry.term, self.inline(entry.definition, Origin(("glossary", i, "definition"))))
                            for i, entry in enumerate(self.report.glossary)]
        yield chapter

    def _annex_b(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if self.national is None:
            return
        chapter = self._chapter_start(spec)
        units = self._graded_questions()
        chapter.table_headings = [self.fw.labels.force, *[self.fill(u.label("short")) for u in units]]
        chapter.force_rows = [
            ForceRow(force.short_name, [self.grade(force.grades[u.id]["2017"] or "") for u in units])
            for force in self.national.forces]
        yield chapter

    # -- Police and Crime Panel reports --------------------------------------------------

    def _covering(self, spec: ChapterSpec) -> Iterator[Chapter]:
        """Numbered sections, numbered by what is present: an announced part that is
        missing leaves no gap."""
        report, labels = self.report, self.fw.labels
        chapter = Chapter(spec.id, "covering", Heading(Fragment([_text_token(report.masthead.title
                          if report.masthead else self.fw.report_title)], inline=True), self.anchor(spec.id), 1))
        number_ = 0
        for part in spec.parts:
            text = report.covering.get(part.id)
            present = text is not None or (part.kind == "objectives" and report.objectives) or (
                part.kind == "inspections" and report.inspections)
            if not present:
                continue
            number_ += 1
            origin = Origin(("covering", part.id)) if text is not None else Origin(None, f"part '{part.id}'")
            heading = self.heading(part.heading, Origin(None, f"part '{part.id}'"), f"{spec.id}-{part.id}", 2)
            section = Section(heading, body=self.block(text, origin), kind=part.kind, number=f"{number_}.")
            if part.kind == "objectives":
                for objective in sorted(report.objectives, key=lambda o: o.number):
                    index = report.objectives.index(objective)
                    title = labels.objective.format(number=objective.number, title=objective.title)
                    sub = self.heading(title, Origin(("objectives", index, "title")),
                                       f"objective-{objective.number}", 3, in_contents=False)
                    section.sections.append(Section(sub, body=self.block(
                        objective.body, Origin(("objectives", index, "body")))))
            chapter.sections.append(section)
        chapter.inspections = [
            InspectionView(ref.title, ref.graded, self.grade(ref.grade) if ref.grade else None, ref.question,
                           ref.recommendations, ref.areas_for_improvement,
                           self.block(ref.response, Origin(("inspections", i, "response"))))
            for i, ref in enumerate(report.inspections)]
        seen = {p.id for p in spec.parts}
        for key in report.covering:
            if key not in seen:
                self.error(Origin(("covering", key)), f"unknown section '{key}'", at_key=True,
                           hint=suggest(key, list(seen)) or f"sections: {', '.join(seen)}")
        yield chapter

    def _appendix(self, spec: ChapterSpec) -> Iterator[Chapter]:
        appendix = self.report.appendix
        if appendix is None:
            return
        labels = self.fw.labels
        origin = Origin(None, f"chapter '{spec.id}'")
        chapter = Chapter(spec.id, "appendix", self.heading(spec.heading or spec.id, origin, spec.id, 1))
        intro = self.heading(labels.introduction, origin, f"{spec.id}-introduction", 2)
        chapter.sections.append(Section(intro, body=self.block(appendix.introduction,
                                                                Origin(("appendix", "introduction"))), number="1."))
        summary = self.heading(labels.summary_of_performance, origin, f"{spec.id}-summary", 2)
        chapter.sections.append(Section(summary, number="2."))
        measures = {m.id: (m, i) for i, m in enumerate(self.report.measures)}
        for a, aim in enumerate(appendix.aims, start=1):
            here: DocPath = ("appendix", "aims", a - 1)
            heading = self.heading(aim.title, Origin((*here, "title")), f"{spec.id}-{aim.title}", 3)
            view = AimView(heading, f"2.{a}", aim.aim,
                           (labels.signs_improvement if aim.signs.kind == "improvement" else labels.signs_success)
                           if aim.signs else None, aim.signs.kind if aim.signs else None,
                           list(aim.signs.items) if aim.signs else [], [])
            rows = []
            for t, topic in enumerate(aim.topics, start=1):
                where: DocPath = (*here, "topics", t - 1)
                topic_heading = self.heading(topic.title, Origin((*where, "title")),
                                             f"{heading.anchor}-{topic.title}", 4, in_contents=False)
                views = []
                for j, measure_id in enumerate(topic.measures):
                    if measure_id not in measures:
                        self.error(Origin((*where, "measures", j)), f"unknown measure '{measure_id}'",
                                   hint=suggest(measure_id, list(measures)) or "define it under 'measures:'")
                        continue
                    views.append(self._measure(measures[measure_id][0]))
                figure_id = self._control_chart(topic.chart, topic.title, (*where, "chart")) if topic.chart else None
                body = self.block(topic.body, Origin((*where, "body")))
                view.topics.append(TopicView(topic_heading, f"2.{a}.{t}", body, views, figure_id))
                if topic.data or topic.activity:  # the summary table lists topics it has something on
                    rows.append((topic.title, topic.data or "", topic.activity or ""))
            chapter.aims.append(view)
            group = aim.aim or aim.title
            if rows and chapter.summary_groups and chapter.summary_groups[-1][0] == group:
                chapter.summary_groups[-1][1].extend(rows)  # aims sharing one aim line share a group
            elif rows:
                chapter.summary_groups.append((group, rows))
        yield chapter

    def _measure(self, measure: Measure) -> MeasureView:
        labels = self.fw.labels
        def fmt(value: float) -> str:
            return measure_text(value, unit=measure.unit, decimals=measure.decimals,
                                percent_style=self.report.style.percent)
        difference = measure.current - measure.previous
        percent = (difference / measure.previous * 100) if measure.previous else 0.0
        sign = "+" if difference > 0 else ""
        change = f"{sign}{number(difference, measure.decimals)}"
        if measure.previous and measure.unit == "count":
            change += f" ({sign}{number(percent, 1)}%)"
        if abs(percent) <= measure.tolerance:
            direction_id, direction = "no-change", labels.no_change
        elif (difference < 0) == (measure.better == "lower"):
            direction_id, direction = "improving", labels.improving
        else:
            direction_id, direction = "deteriorating", labels.deteriorating
        peer = {"below": labels.peer_below, "similar": labels.peer_similar, "above": labels.peer_above}.get(
            measure.peer or "")
        return MeasureView(measure.label, fmt(measure.current), fmt(measure.previous), change, direction,
                           direction_id, peer, measure.peer, measure.period, measure.previous_period)

    def _control_chart(self, dataset_id: str, title: str, path: DocPath) -> str | None:
        """A topic's monthly data as a numbered figure: an XmR chart with its mean and
        control limits (mean ± 2.66 × the average moving range)."""
        if dataset_id not in self.dataset_index:
            self.error(Origin(path), f"unknown dataset '{dataset_id}'",
                       hint=suggest(dataset_id, list(self.dataset_index)) or "define it under 'datasets:'")
            return None
        data = self.datasets.get(dataset_id)
        if data is None:
            return None
        dataset = self.report.datasets[self.dataset_index[dataset_id]]
        points = [(k, v) for k, v in data.column(data.columns[0]) if v is not None]
        if len(points) < 3:
            self.error(Origin(path), f"a control chart needs at least three values; {dataset.file} has {len(points)}")
            return None
        values = [v for _, v in points]
        mean = sum(values) / len(values)
        moving = sum(abs(b - a) for a, b in itertools.pairwise(values)) / (len(values) - 1)
        lower, upper = mean - 2.66 * moving, mean + 2.66 * moving
        numbered = len(self.figures) + 1
        figure_id = f"control-{dataset_id}"
        title_text = f"{title} by month"
        chart = self._chart_view(Chart(type="trend", dataset=dataset_id), [k for k, _ in points],
                                 [(data.columns[0], values)], dataset.unit, dataset.per, dataset.decimals,
                                 data.illustrative)
        chart.type = "control"
        chart.limits = (mean, max(lower, 0.0), upper)
        outside = [k for k, v in points if v < lower or v > upper]
        fmt = lambda v: number(v, dataset.decimals)  # noqa: E731
        chart.description = (
            f"{title_text}. Line chart of {len(values)} months from {points[0][0]} to {points[-1][0]}. "
            f"Mean {fmt(mean)}; control limits {fmt(max(lower, 0.0))} to {fmt(upper)}. "
            + (f"Outside the limits: {', '.join(outside)}." if outside else "Every month is within the limits."))
        view = FigureView(figure_id, numbered, self.anchor(f"figure-{numbered}"),
                          Fragment([_text_token(title_text)], inline=True), dataset.source, False, None, [],
                          chart=chart, plain_title=title_text)
        self.figures[figure_id] = view
        return figure_id

    def _tiles(self, metric_ids: list[str], path: DocPath) -> list[Tile]:
        """Tiles (value, label, England and Wales comparator, period) from metrics."""
        tiles = []
        for i, metric_id in enumerate(metric_ids):
            if metric_id not in self.metric_index:
                self.error(Origin((*path, i)), f"unknown metric '{metric_id}'",
                           hint=suggest(metric_id, list(self.metric_index)) or "define it under 'metrics:'")
                continue
            metric = self.metric(metric_id)
            where = Origin((*path, i))
            ew = self.inline(f"{{metric:{metric_id}.ew}}", where) if metric.ew is not None else None
            tiles.append(Tile(metric.label, self.inline(f"{{metric:{metric_id}}}", where), ew, metric.period))
        return tiles

    def _force_in_numbers(self, spec: ChapterSpec) -> Iterator[Chapter]:
        if not self.report.force_in_numbers:
            return
        origin = Origin(None, f"chapter '{spec.id}'")
        chapter = Chapter(spec.id, "force-in-numbers", self.heading(spec.heading or spec.id, origin, spec.id, 1))
        chapter.tiles = self._tiles(self.report.force_in_numbers, ("force_in_numbers",))
        chapter.note = self.block(self.fw.labels.force_in_numbers_pointer, origin)
        yield chapter

    def _overview(self) -> Chapter:
        fw, overall = self.fw, self.report.overall
        origin = Origin(None, "overall")
        grade = self.grade(overall.grade)
        chapter = Chapter("overview", "overview", self.heading(fw.overall.chapter_heading, origin, "overview", 1),
                          grade=grade)
        chapter.judgment_heading = self.heading(fw.overall.judgment_heading, origin, "overall-judgment", 2)
        framework_grade = fw.grade(overall.grade)
        if fw.overall_lead and framework_grade:
            chapter.lead = self.fill(fw.overall_lead, grade_phrase=framework_grade.phrase)
        chapter.grade_change = self._grade_change(overall.grade, overall.previous_grade)
        chapter.summary_table_heading = self.heading(fw.labels.overall_summary, origin, "overall-summary", 2)
        chapter.summary_rows = [
            SummaryRow(self.fill(q.label("table")), self.grade(self._question_grade(q.id)), self.unit_anchor[q.id])
            for q in fw.questions if self._question_grade(q.id) is not None
        ]
        chapter.body = self.block(overall.summary, Origin(("overall", "summary")))
        return chapter

    def _question_grade(self, question_id: str) -> str | None:
        return next((q.grade for q in self.report.questions if q.id == question_id), None)

    def _grade_change(self, grade_id: str, previous_id: str | None) -> str | None:
        change = self.fw.grade_change
        if previous_id is None or change is None:
            return None
        previous = self.fw.grade(previous_id)
        if previous is None or self.fw.grade(grade_id) is None:
            return None
        now, before = self.fw.rank(grade_id), self.fw.rank(previous_id)
        template = change.same if now == before else change.improved if now < before else change.declined
        return self.fill(template, previous_infinitive=previous.infinitive, previous_label=previous.label.lower())

    def _question(self, spec: QuestionSpec, question: Question, path: DocPath) -> Chapter:
        origin = Origin(None, f"question '{spec.id}'")
        chapter = Chapter(spec.id, "question", self.reserved_heading(spec.heading, origin, spec.id, 1),
                          grade=self.grade(question.grade))
        chapter.intro = self.block(spec.intro, origin)
        chapter.sections = self._sections(question.findings, spec.sections, (*path, "findings"), spec.id, 2)
        labels = self.fw.labels
        chapter.summary_heading = self.heading(labels.summary_of_findings, origin, f"{spec.id}-summary", 2)
        chapter.summary = self.block(question.summary, Origin((*path, "summary")))
        chapter.boxes = self._boxes(question, path, spec.id)
        return chapter

    def _boxes(self, question: Question, path: DocPath, anchor: str, *, numbered: bool = False) -> list[Box]:
        """Causes of concern and areas for improvement (2016 order: improvement first),
        then practice boxes; 2023–25 numbers its areas for improvement."""
        labels = self.fw.labels
        boxes: list[Box] = []
        if question.areas_for_improvement:
            items = [self._item(a, (*path, "areas_for_improvement", i))
                     for i, a in enumerate(question.areas_for_improvement)]
            box = Box("areas-for-improvement", labels.areas_for_improvement.for_count(len(items)),
                      self.anchor(f"{anchor}-areas-for-improvement"), items=items)
            if numbered:
                box.item_labels = [labels.area_for_improvement_numbered.format(n=n)
                                   for n in range(1, len(items) + 1)]
            boxes.append(box)
        if question.causes_of_concern:
            concerns = []
            for i, cause in enumerate(question.causes_of_concern):
                here = (*path, "causes_of_concern", i)
                statement = self.block(cause.statement, Origin((*here, "statement"))) or Fragment([])
                recs = [self._item(r, (*here, "recommendations", j)) for j, r in enumerate(cause.recommendations)]
                concerns.append(Concern(statement, recs, labels.recommendations.for_count(len(recs))))
            box = Box("causes-of-concern", labels.causes_of_concern.for_count(len(concerns)),
                      self.anchor(f"{anchor}-causes-of-concern"), concerns=concerns)
            # A cause of concern comes first where boxes are numbered (2023–25).
            boxes.insert(0 if numbered else len(boxes), box)
        for i, practice in enumerate(question.practice):
            title = labels.innovative_practice if practice.kind == "innovative" else labels.promising_practice
            boxes.append(Box(f"{practice.kind}-practice", title, self.anchor(f"{anchor}-{practice.kind}-practice"),
                             subtitle=practice.title,
                             body=self.block(practice.body, Origin((*path, "practice", i, "body")))))
        return boxes

    def _item(self, item: Recommendation, path: DocPath) -> Item:
        extra = {"deadline": long_date(item.deadline)} if item.deadline else {}
        text = self.block(item.text, Origin((*path, "text")), extra) or Fragment([])
        quoted = "{deadline}" in item.text
        return Item(text, item.deadline, extra["deadline"] if extra and not quoted else None)

    def _sections(self, findings: list[Finding], specs: Iterable[SubQuestion], path: DocPath,
                  parent_anchor: str, level: int, *, in_contents: bool = True) -> list[Section]:
        by_id = {s.id: s for s in specs}
        sections = []
        for index, finding in enumerate(findings):
            here = (*path, index)
            spec = by_id.get(finding.id) if finding.id else None
            if spec is not None:
                origin = Origin(None, f"section '{spec.id}'")
                heading = self.heading(spec.heading, origin, f"{parent_anchor}-{spec.id}", level)
                intro = self.block(spec.intro, origin)
                children = spec.sections
            else:
                heading = self.heading(finding.heading or "", Origin((*here, "heading")),
                                       f"{parent_anchor}-{finding.heading}", level, in_contents=in_contents)
                intro, children = None, []
            body = self.block(finding.body, Origin((*here, "body")))
            sub = self._sections(finding.findings, children, (*here, "findings"), heading.anchor, level + 1,
                                 in_contents=in_contents)
            sections.append(Section(heading, intro, body, sub))
        return sections

    def _annex(self, spec: ChapterSpec) -> Iterator[Chapter]:
        annex = getattr(self.report, spec.report_field, None) if spec.report_field else None
        origin = Origin(None, f"chapter '{spec.id}'")
        if annex is None and (not spec.generated or (not spec.body and not self.figures
                                                     and not self.report.force_in_numbers)):
            return
        heading = self.heading(spec.heading or spec.id, origin, spec.id, 1)
        if annex is None:
            yield Chapter(spec.id, "annex", heading, body=self.block(spec.body, origin),
                          sections=self._generated_annex(spec.id))
            return
        path: DocPath = (spec.report_field or spec.id,)
        body = self.block(annex.body, Origin((*path, "body")))
        sections = self._annex_sections(annex.sections, (*path, "sections"), spec.id, 2)
        if spec.generated:
            sections.extend(self._generated_annex(spec.id))
        yield Chapter(spec.id, "annex", heading, body=body, sections=sections)

    def _generated_annex(self, annex_id: str) -> list[Section]:
        """Annex A entries derived from what the report uses: the data sources behind
        Force in numbers, then every figure under its force-neutral title."""
        labels = self.fw.labels
        origin = Origin(None, "annex")
        sections: list[Section] = []
        described: dict[str, str] = {}  # data source id -> its heading's anchor
        tile_sources = [self.metric(m).data_source for m in self.report.force_in_numbers if m in self.metric_index]
        ordered = list(dict.fromkeys(s for s in tile_sources if s))
        if ordered:
            heading = self.heading(labels.annex_force_in_numbers, origin, f"{annex_id}-force-in-numbers", 2)
            children = []
            for source_id in ordered:
                source = self.report.data_sources[self.source_index[source_id]]
                child = self._data_source_section(source, heading.anchor, 3)
                described[source_id] = source.title
                children.append(child)
            sections.append(Section(heading, sections=children))
        figures = sorted(self.figures.values(), key=lambda f: f.number)
        if figures:
            heading = self.heading(labels.annex_figures, origin, f"{annex_id}-figures", 2)
            children = []
            for view in figures:
                index = self.figure_index[view.id]
                figure = self.report.figures[index]
                title = figure.annex_title or _neutral_title(figure.title)
                sub = self.heading(f"{labels.figure} {view.number}: {title}", Origin(("figures", index, "title")),
                                   f"{heading.anchor}-figure-{view.number}", 3, in_contents=False)
                view.annex_anchor = sub.anchor
                parts = []
                if figure.source:
                    parts.append(f"{labels.source}: {figure.source}.")
                source = (self.report.data_sources[self.source_index[figure.data_source]]
                          if figure.data_source in self.source_index else None)
                if source is not None and source.id in described:
                    # Described, caveats and all, in its own entry above: point to it.
                    parts.append(labels.see_above.format(title=source.title))
                elif source is not None:
                    parts.append(source.body or "")
                    if source.caveats:
                        parts.append(self._caveats_markdown(source))
                        described[source.id] = source.title
                if figure.annex_note:
                    parts.append(figure.annex_note)
                text = "\n\n".join(p for p in parts if p)
                body = self.block(text, Origin(("figures", index))) if text else None
                children.append(Section(sub, body=body))
            sections.append(Section(heading, sections=children))
        return sections

    def _data_source_section(self, source: DataSource, parent: str, level: int) -> Section:
        index = self.source_index[source.id]
        heading = self.heading(source.title, Origin(("data_sources", index, "title")),
                               f"{parent}-{source.id}", level, in_contents=False)
        text = source.body or ""
        if source.caveats:
            text += "\n\n" + self._caveats_markdown(source)
        return Section(heading, body=self.block(text, Origin(("data_sources", index, "body"))))

    def _caveats_markdown(self, source: DataSource) -> str:
        lines = [self.fw.labels.caveats_intro, ""]
        for caveat in source.caveats:
            forces = _join_names(caveat.forces)
            text = " ".join(caveat.text.split())
            # The caveat text continues a sentence whose subject is the forces named.
            lines.append(f"- **{forces}** {text}" if forces else f"- {text}")
        return "\n".join(lines)

    def _annex_sections(self, sections: list[AnnexSection], path: DocPath, parent: str, level: int) -> list[Section]:
        out = []
        for index, section in enumerate(sections):
            here = (*path, index)
            heading = self.heading(section.heading, Origin((*here, "heading")), f"{parent}-{section.heading}",
                                   level, in_contents=level == 2)
            out.append(Section(heading, body=self.block(section.body, Origin((*here, "body"))),
                               sections=self._annex_sections(section.sections, (*here, "sections"),
                                                             heading.anchor, level + 1)))
        return out

    # -- print furniture ---------------------------------------------------------------

    def _footer(self, pattern: str) -> list[tuple[str, str]]:
        parts: list[tuple[str, str]] = []
        for match in _FOOTER_PART.finditer(pattern):
            text = match.group(0)
            if match.group(1):
                parts.append((match.group(1), ""))
            elif text.startswith("{") and len(text) > 1:
                self.error(Origin(("print", "footer")), f"unknown placeholder {text} in the footer",
                           hint="the footer may use {page} and {pages}")
            else:
                parts.append(("text", text))
        return parts

    def _inside_folder(self, relative: str, path: DocPath, suffixes: Iterable[str]) -> Path | None:
        """The file ``relative`` names inside the report's folder, or None with an error."""
        try:
            return Folder.of([self.base_dir]).locate(relative, suffixes=tuple(suffixes))
        except FileRefused as refused:
            self.error(Origin(path), refused.message, hint=refused.hint)
            return None

    def _image(self, relative: str, path: DocPath) -> str | None:
        """A data: URI for an image inside the report's folder, or None with an error."""
        try:
            return load_image(Folder.of([self.base_dir]), relative).data_uri()
        except FileRefused as refused:
            self.error(Origin(path), refused.message, hint=refused.hint)
            return None

    # -- final checks ------------------------------------------------------------------

    def _check_unused(self) -> None:
        for footnote_id in self.report.footnotes:
            if footnote_id not in self.footnotes:
                self.error(Origin(("footnotes", footnote_id)), f"footnote '{footnote_id}' is defined but never cited",
                           hint=f"cite it with [^{footnote_id}] or remove it", at_key=True)
        for index, figure in enumerate(self.report.figures):
            if figure.id not in self.figures:
                self.error(Origin(("figures", index, "id")), f"figure '{figure.id}' is never placed",
                           hint=f"put {{figure:{figure.id}}} on its own line where it belongs")
        for figure_id, origin, line in self.figure_refs:
            if figure_id not in self.figures:
                self.error(origin, f"{{fig:{figure_id}}} refers to no placed figure", line_offset=line,
                           hint=suggest(figure_id, list(self.figures)))


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _plain_text(fragment: Fragment) -> str:
    """The words of an inline fragment, without footnote markers."""
    parts = []
    for token in fragment.tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _month_or_date(value: str) -> str:
    """'2018-10' -> 'October 2018'; '2018-10-01' -> '1 October 2018'."""
    import datetime as dt

    parts = [int(p) for p in value.split("-")]
    if len(parts) == 2:
        return long_date(dt.date(parts[0], parts[1], 1)).split(" ", 1)[1]
    return long_date(dt.date(*parts))


def _neutral_title(title: str) -> str:
    """'Crime rates in {area}, for 2016' -> 'Crime rates, for 2016' (the Annex A form)."""
    title = re.sub(r"\[\^[^\]]+\]", "", title)  # the annex entry cites no footnotes
    return re.sub(r"\s+(?:in|for)\s+\{(?:area|force|force_short)\}(?:\s+Police)?", "", title)


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def resolve(validated: ValidatedReport) -> Document:
    return Resolver(validated).resolve()
