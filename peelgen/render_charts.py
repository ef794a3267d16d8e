"""Render stage, charts: draw each figure's chart as SVG (and as PNG for Word).

Charts are deterministic (fixed hash salt, no dates or random ids), keep their text as
text, carry a <title> and <desc> for screen readers, and come in two sizes: ``web``
(narrow, large text, readable on a phone) and ``print`` (the A4 text column). See
:mod:`peelgen.charts` for the parts.

A chart has at most :data:`MAX_BARS` bars (:data:`MAX_POINTS` points for line charts)
and values within ±:data:`MAX_MAGNITUDE`; larger charts or values are refused with a
message naming the figure, never half drawn.
"""

from __future__ import annotations

from collections.abc import Iterator

from peelgen.charts.cache import ChartCache, DiskChartCache, MemoryChartCache, chart_key, default_cache_dir
from peelgen.charts.style import GEOMETRY, Target
from peelgen.diagnostics import BuildFailed, Diagnostic
from peelgen.document import ChartView, Document, FigureView
from peelgen.formatting import number
from peelgen.limits import MAX_BARS, MAX_MAGNITUDE, MAX_POINTS

__all__ = ["MAX_BARS", "MAX_MAGNITUDE", "MAX_POINTS", "ChartCache", "DiskChartCache", "MemoryChartCache",
           "build_cache", "chart_problems", "default_cache_dir", "draw", "draw_png", "render_charts"]



def render_charts(doc: Document, *, target: Target = "web", cache: ChartCache | None = None,
                  source: str = "report") -> dict[str, str]:
    """SVG for every chart in ``doc``, by figure id, sized for ``target``.

    With a ``cache``, a chart whose key (:func:`chart_key`) is already there is not drawn
    again. Raises :class:`BuildFailed` naming ``source`` and each figure whose chart is
    too large or has values too large to draw."""
    figures = [figure for figure in doc.figures.values() if figure.chart is not None]
    problems = [Diagnostic(source, message, hint=hint) for figure in figures
                for message, hint in chart_problems(figure)]
    if problems:
        raise BuildFailed(problems)
    charts = {}
    for figure in figures:
        title = f"{figure.label or doc.labels.figure} {figure.number}: {figure.plain_title}"
        if figure.chart is not None:
            charts[figure.id] = _cached_draw(figure.chart, title, figure.anchor, target, cache)
    if isinstance(cache, DiskChartCache):
        cache.trim()
    return charts


def build_cache(*, enabled: bool = True) -> ChartCache | None:
    """The chart cache a build uses: on disk under ``$XDG_CACHE_HOME/peelgen/charts``,
    or none at all (``--no-cache``). Pass it to :func:`render_charts` for each target."""
    return DiskChartCache() if enabled else None


def _cached_draw(chart: ChartView, title: str, ident: str, target: Target, cache: ChartCache | None) -> str:
    if cache is None:
        return draw(chart, title, ident, target=target)
    key = chart_key(chart, title=title, ident=ident, target=target)
    svg = cache.get(key)
    if svg is None:
        svg = draw(chart, title, ident, target=target)
        cache.put(key, svg)
    return svg


def chart_problems(figure: FigureView) -> Iterator[tuple[str, str]]:
    """Why ``figure``'s chart cannot be drawn, as (message, hint) pairs; none if it can."""
    chart = figure.chart
    if chart is None:
        return
    name = f"figure '{figure.id}' ({chart.type} chart)"
    line_chart = chart.type in ("trend", "control")
    limit = MAX_POINTS if line_chart else MAX_BARS
    if len(chart.categories) > limit:
        what = "points" if line_chart else "bars"
        yield (f"{name}: {number(len(chart.categories), 0)} {what} are too many to draw; a chart shows at most "
               f"{number(limit, 0)}", "chart a shorter dataset, or give the figure a table instead")
    for category, value in _values(chart):
        if abs(value) > MAX_MAGNITUDE:
            yield (f"{name}: the value {value:g} for '{category}' is too large to draw; charts draw values "
                   f"between -{number(MAX_MAGNITUDE, 0)} and {number(MAX_MAGNITUDE, 0)}",
                   "check the number in the data, or change its unit")
            return


def _values(chart: ChartView) -> Iterator[tuple[str, float]]:
    for _, values in chart.series:
        for category, value in zip(chart.categories, values, strict=False):
            if value is not None:
                yield category, value
    extras = [*(chart.band or ()), *(chart.limits or ())]
    if chart.reference:
        extras.append(chart.reference[1])
    yield from (("", value) for value in extras)


def draw(chart: ChartView, title: str, ident: str, *, target: Target = "web") -> str:
    """The chart as an SVG document (a string), for the figure with anchor ``ident``."""
    from peelgen.charts.kinds import draw_scene
    from peelgen.charts.svg import to_svg

    return to_svg(draw_scene(chart, GEOMETRY[target]), ident, title, chart.description)


def draw_png(chart: ChartView, *, dpi: int = 200) -> bytes:
    """The chart at print size as a PNG, for Word and OpenDocument output (which carry
    the description as the picture's alt text)."""
    from peelgen.charts.kinds import draw_scene
    from peelgen.charts.png import to_png

    return to_png(draw_scene(chart, GEOMETRY["print"]), dpi=dpi)
