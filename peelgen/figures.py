"""Resolve figures: a placed figure's number, title, notes and table, chart or image.

Chart descriptions (the text alternative of every chart) are written from the data,
in the words of the framework's ``labels.charts``, so a framework or a report in
another language can reword them without touching code.
"""

from __future__ import annotations

import itertools
import statistics
from typing import Any

from peelgen.diagnostics import DocPath
from peelgen.document import Cell, ChartText, ChartView, FigureView, Fragment, TableRow, TableView
from peelgen.formatting import slugify
from peelgen.framework import Plural
from peelgen.limits import MAX_BARS, MAX_POINTS
from peelgen.models import Chart, Dataset, Figure, Metric
from peelgen.state import Origin, ResolveState, plain_text, table_view, text_token


def build_figure(state: ResolveState, index: int) -> FigureView:
    """Number figure ``index`` and resolve it; called when it is first placed."""
    figure: Figure = state.report.figures[index]
    path: DocPath = ("figures", index)
    label = figure.label or state.fw.labels.figure
    numbered = _figure_number(state, figure, label, path)
    key = f"{slugify(figure.label) if figure.label else 'figure'}-{numbered}"
    table = table_view(figure.table, state.formats) if figure.table else None
    view = FigureView(figure.id, numbered, state.anchor(key), Fragment([]),
                      figure.source, figure.annex_pointer, table, [], label, key)
    state.figures[figure.id] = view
    view.title = state.inline(figure.title, Origin((*path, "title")))
    view.plain_title = plain_text(view.title)
    notes = [(note, (*path, "notes", i)) for i, note in enumerate(figure.notes)]
    if figure.table:
        notes += [(note, (*path, "table", "notes", i)) for i, note in enumerate(figure.table.notes)]
    view.notes = [n for note, where in notes if (n := state.block(note, Origin(where))) is not None]
    if figure.chart is not None:
        view.chart = chart_view(state, figure.chart, (*path, "chart"), view.plain_title)
    if figure.image is not None:
        view.image = state.files.images.get(figure.id)
        view.image_alt = figure.image.alt
    return view


def _figure_number(state: ResolveState, figure: Figure, label: str, path: DocPath) -> int:
    """The next number in reading order among figures with the same label ('Figure',
    'Table'), or the number the figure was published with; a published number must keep
    its sequence rising, so cross-references stay true."""
    following = state.next_figure_number(label)
    if figure.number is None:
        return following
    if figure.number < following:
        state.error("figure.number", Origin((*path, "number")),
                    f"{label} number {figure.number} does not follow {label} {following - 1}",
                    hint=f"use {following} or more, or leave 'number' out to count in order")
    return figure.number


def chart_view(state: ResolveState, chart: Chart, path: DocPath, title: str) -> ChartView | None:
    if chart.type == "comparison":
        return _comparison(state, chart, title)
    dataset = state.report.datasets[state.dataset_index[chart.dataset]] \
        if chart.dataset in state.dataset_index else None
    data = state.files.datasets.get(chart.dataset or "")
    if dataset is None or data is None:
        return None  # already reported
    if not _drawable(state, chart, data, dataset.file, path):
        return None
    columns = chart.columns or data.columns
    unknown = [c for c in columns if c not in data.columns]
    if unknown:
        state.error("chart.columns", Origin((*path, "columns")), f"column '{unknown[0]}' is not in {dataset.file}",
                    hint=f"columns: {', '.join(data.columns)}")
        return None
    return {"trend": _trend, "shares": _shares, "ranked": _ranked}[chart.type](
        state, chart, path, title, dataset, data, columns)


def _drawable(state: ResolveState, chart: Chart, data: Any, file: str, path: DocPath) -> bool:
    """Whether a chart of ``data`` has few enough bars or points to draw; an error if not."""
    limit, what = (MAX_POINTS, "points") if chart.type in ("trend", "control") else (MAX_BARS, "bars")
    national = state.fw.labels.england_and_wales  # a ranked chart's line, not a bar
    rows = sum(1 for key, _ in data.rows if chart.type != "ranked" or key != national)
    if rows <= limit:
        return True
    state.error("chart.size", Origin((*path, "dataset")), f"{file} has {rows:,} rows: a {chart.type} chart draws "
                f"at most {limit:,} {what}", hint="chart a shorter dataset, or give the figure a table instead")
    return False


class _Formatter:
    """A dataset's or metric's values in the report's house style."""

    def __init__(self, state: ResolveState, unit: str, decimals: int, scale: str | None = None) -> None:
        self.state, self.unit, self.decimals, self.scale = state, unit, decimals, scale

    def __call__(self, value: float | None) -> str:
        if value is None:
            return self.state.fw.labels.charts.no_data
        return self.state.formats.measure(value, unit=self.unit, decimals=self.decimals,
                                          percent_style=self.state.report.style.percent, scale=self.scale)


def _comparison(state: ResolveState, chart: Chart, title: str) -> ChartView | None:
    metrics: list[Metric] = [state.metric(m) for m in chart.metrics if m in state.metric_index]
    if not metrics:
        return None
    first, words = metrics[0], state.fw.labels.charts
    force, national = state.values["force_short"], state.fw.labels.england_and_wales
    categories = [m.label for m in metrics]
    force_values = [m.value for m in metrics]
    ew_values = [m.ew for m in metrics]
    view = _view(state, chart, categories, [(force, force_values), (national, ew_values)],
                 first.unit, first.per, first.decimals, False)
    fmt = _Formatter(state, first.unit, first.decimals, first.scale)
    pairs = "; ".join(words.comparison_pair.format(label=label, force=force, national=national,
                                                    force_value=fmt(f), national_value=fmt(e))
                      for label, f, e in zip(categories, force_values, ew_values, strict=True))
    view.description = words.comparison.format(title=title, force=force, national=national,
                                               unit=view.unit_label.lower(), pairs=pairs)
    return view


def _trend(state: ResolveState, chart: Chart, path: DocPath, title: str, dataset: Dataset, data, columns) -> ChartView:
    words, fmt = state.fw.labels.charts, _Formatter(state, dataset.unit, dataset.decimals)
    categories = [key for key, _ in data.rows]
    series = [(c, [v for _, v in data.column(c)]) for c in columns]
    view = _view(state, chart, categories, series, dataset.unit, dataset.per, dataset.decimals, data.illustrative)
    changes = "; ".join(words.trend_series.format(name=name, first=fmt(values[0]), first_period=categories[0],
                                                  last=fmt(values[-1]), last_period=categories[-1])
                        for name, values in series)
    view.description = words.trend.format(title=title, unit=view.unit_label.lower(), count=len(categories),
                                          periods=_count(state, words.periods, len(categories)), changes=changes)
    return view


def _shares(state: ResolveState, chart: Chart, path: DocPath, title: str, dataset: Dataset, data, columns) -> ChartView:
    words, fmt = state.fw.labels.charts, _Formatter(state, dataset.unit, dataset.decimals)
    column = columns[0]
    points = data.column(column)
    view = _view(state, chart, [k for k, _ in points], [(column, [v for _, v in points])],
                 dataset.unit, dataset.per, dataset.decimals, data.illustrative)
    parts = "; ".join(words.shares_part.format(category=k, value=fmt(v)) for k, v in points)
    view.description = words.shares.format(title=title, parts=parts)
    return view


def _ranked(state: ResolveState, chart: Chart, path: DocPath, title: str, dataset: Dataset, data, columns) -> ChartView:
    """Every force, highest first, this force highlighted, England and Wales as a line."""
    column = columns[0]
    national = state.fw.labels.england_and_wales
    points = [(k, v) for k, v in data.column(column) if k != national]
    reference = next((v for k, v in data.column(column) if k == national), None)
    present = sorted(((k, v) for k, v in points if v is not None), key=lambda kv: (-kv[1], kv[0]))
    highlight = _force_row(state, chart, path, dataset, [k for k, _ in points])
    view = _view(state, chart, [k for k, _ in present], [(column, [v for _, v in present])],
                 dataset.unit, dataset.per, dataset.decimals, data.illustrative)
    view.highlight = highlight
    view.missing = [k for k, v in points if v is None]
    if reference is not None:
        view.reference = (national, reference)
    view.band = _band([v for _, v in present]) if chart.band else None
    view.description = " ".join(_ranked_sentences(state, title, present, highlight, view, dataset))
    return view


def _band(values: list[float]) -> tuple[float, float] | None:
    """One standard deviation either side of the mean, if there are two values or more."""
    if len(values) < 2:
        return None
    mean, spread = statistics.fmean(values), statistics.pstdev(values)
    return mean - spread, mean + spread


def _force_row(state: ResolveState, chart: Chart, path: DocPath, dataset: Dataset, names: list[str]) -> str | None:
    """The row drawn as this force: the one ``force_row`` names, or the one named as the
    force (or its short name, or its area). None, and an error, if there is none; a
    national report ranks every force without singling one out."""
    highlight = _find_force(state, names) if chart.force_row is None else (
        chart.force_row if chart.force_row in names else None)
    if highlight is None and (chart.force_row is not None or state.fw.document_kind != "national-report"):
        _no_force_row(state, chart, path, dataset)
    return highlight


def _no_force_row(state: ResolveState, chart: Chart, path: DocPath, dataset: Dataset) -> None:
    if chart.force_row is not None:
        state.error("chart.force-row", Origin((*path, "force_row")), f"{dataset.file} has no row named "
                    f"'{chart.force_row}'", hint="force_row must be the name in the first column exactly")
    else:
        state.error("chart.force-row", Origin((*path, "dataset")), f"{dataset.file} has no row for "
                    f"{state.values['force']}", hint="the first column should name every force in full, as in "
                    "meta.force; or name this force's row with the chart's force_row")


def _ranked_sentences(state: ResolveState, title: str, present: list[tuple[str, float]], highlight: str | None,
                      view: ChartView, dataset: Dataset) -> list[str]:
    words, fmt = state.fw.labels.charts, _Formatter(state, dataset.unit, dataset.decimals)
    sentences = [words.ranked.format(title=title, count=len(present),
                                     forces=_count(state, words.forces, len(present)))]
    rank = next((i for i, (k, _) in enumerate(present, start=1) if k == highlight), None)
    if highlight is not None and rank is not None:
        sentences.append(words.ranked_force.format(force=highlight, value=fmt(dict(present)[highlight]),
                                                   rank=state.fw.words.ordinal(rank), count=len(present)))
    elif highlight is not None:
        sentences.append(words.ranked_force_no_data.format(force=highlight))
    if view.reference is not None:
        sentences.append(words.ranked_national.format(national=view.reference[0], value=fmt(view.reference[1])))
    if present:
        sentences.append(words.ranked_extremes.format(highest=present[0][0], highest_value=fmt(present[0][1]),
                                                      lowest=present[-1][0], lowest_value=fmt(present[-1][1])))
    if view.band:
        sentences.append(words.ranked_band.format(low=fmt(view.band[0]), high=fmt(view.band[1])))
    if view.missing:
        sentences.append(words.ranked_missing.format(names=state.fw.labels.list_join.series(view.missing)))
    return sentences


def _find_force(state: ResolveState, names: list[str]) -> str | None:
    wanted = [state.values["force"], state.values["force_short"], state.values["area"]]
    return next((candidate for candidate in wanted if candidate in names), None)


def _view(state: ResolveState, chart: Chart, categories: list[str], series: list[tuple[str, list[float | None]]],
          unit: str, per: str | None, decimals: int, illustrative: bool) -> ChartView:
    label = chart.y_label or state.formats.unit_label(unit, per, state.report.style.percent)
    first_heading = state.fw.labels.charts.period if chart.type == "trend" else ""
    headings = [(first_heading, False), *[(name, True) for name, _ in series]]
    rows = [TableRow("row", [Cell(category, False), *[
        Cell("" if values[i] is None else state.formats.number(values[i], decimals), True) for _, values in series]])
        for i, category in enumerate(categories)]
    words = state.fw.labels.charts
    group, decimal = state.fw.words.number_symbols
    text = ChartText(illustrative=words.illustrative_mark, band=words.band_legend, group=group, decimal=decimal)
    return ChartView(chart.type, categories, series, label, decimals, "", TableView(headings, rows),
                     illustrative=illustrative, text=text)


def _count(state: ResolveState, phrase: Plural, count: int) -> str:
    """'12 periods': the phrase for ``count`` in the report's language, with its number."""
    return phrase.for_count(count, state.fw.words).format(n=state.formats.number(count))


def control_chart(state: ResolveState, dataset_id: str, title: str, path: DocPath) -> str | None:
    """A topic's monthly data as a numbered figure: an XmR chart with its mean and
    control limits (mean ± 2.66 × the average moving range)."""
    data = state.files.datasets.get(dataset_id)  # an unknown id is reported by the appendix's rules
    if data is None:
        return None
    dataset = state.report.datasets[state.dataset_index[dataset_id]]
    points = [(k, v) for k, v in data.column(data.columns[0]) if v is not None]
    if len(points) < 3:
        state.error("chart.control-values", Origin(path),
                    f"a control chart needs at least three values; {dataset.file} has {len(points)}")
        return None
    words = state.fw.labels.charts
    values = [v for _, v in points]
    mean = sum(values) / len(values)
    moving = sum(abs(b - a) for a, b in itertools.pairwise(values)) / (len(values) - 1)
    lower, upper = max(mean - 2.66 * moving, 0.0), mean + 2.66 * moving
    numbered = state.next_figure_number(state.fw.labels.figure)
    title_text = words.control_title.format(title=title)
    chart = _view(state, Chart(type="trend", dataset=dataset_id), [k for k, _ in points],
                  [(data.columns[0], values)], dataset.unit, dataset.per, dataset.decimals, data.illustrative)
    chart.type = "control"
    chart.limits = (mean, lower, upper)
    outside = [k for k, v in points if v < mean - 2.66 * moving or v > upper]
    fmt = lambda v: state.formats.number(v, dataset.decimals)  # noqa: E731
    chart.description = words.control.format(title=title_text, count=len(values), first=points[0][0],
                                             months=_count(state, words.months, len(values)),
                                             last=points[-1][0], mean=fmt(mean), lower=fmt(lower), upper=fmt(upper))
    chart.description += " " + (words.control_outside.format(months=state.fw.labels.list_join.series(outside))
                                if outside else words.control_inside)
    chart.text.mean = words.mean_legend.format(value=fmt(mean))
    chart.text.limits = words.limits_legend.format(lower=fmt(lower), upper=fmt(upper))
    chart.text.outside = words.outside_legend
    figure_id = f"control-{dataset_id}"
    state.figures[figure_id] = FigureView(
        figure_id, numbered, state.anchor(f"figure-{numbered}"), Fragment([text_token(title_text)], inline=True),
        dataset.source, False, None, [], state.fw.labels.figure, f"figure-{numbered}", chart=chart,
        plain_title=title_text)
    return figure_id
