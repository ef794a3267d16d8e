"""Drawing each kind of chart on matplotlib axes.

Every chart reads in grayscale: this force is drawn dark, other forces lighter, the
England and Wales value as a dashed line with a white halo (so it shows over any bar),
and the standard-deviation band as a pale dotted area behind the bars. Legends sit
above the plot, where they can never hide a bar or a line.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from peelgen.charts.style import BAND, DARK, GREY, GRID, INK, MID, OTHER, Geometry
from peelgen.document import ChartView
from peelgen.formatting import number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Rect = tuple[float, float, float, float]  # left, bottom, right, top, as fractions of the figure
ROW_KINDS = ("ranked", "shares")  # one row per category: the figure grows with the rows


def figure_height(chart: ChartView, geometry: Geometry) -> float:
    """A first guess at the figure's height in points (see :func:`fit_rows`)."""
    if chart.type not in ROW_KINDS:
        return geometry.height_pt
    return len(chart.categories) * geometry.row_pt + 8 * geometry.font_pt


def lay_out(fig: Figure, ax: Axes, chart: ChartView, geometry: Geometry, rect: Rect) -> None:
    """Lay the figure out, then draw the grid where the final ticks fell."""
    _fit_plot(fig, ax, chart, geometry, rect)
    _grid(ax, "x" if chart.type in ROW_KINDS else "y")


def _fit_plot(fig: Figure, ax: Axes, chart: ChartView, geometry: Geometry, rect: Rect) -> None:
    """Grow the figure until the plot has its full height (for bar lists, every row its
    pitch), however much room the legend and labels took."""
    fig.tight_layout(rect=rect)
    rows = chart.type in ROW_KINDS
    wanted = max(len(chart.categories), 2) * geometry.row_pt if rows else geometry.plot_pt
    height = fig.get_figheight() * 72
    plot = ax.get_position().height * height
    if plot < wanted - 0.5:
        bottom = rect[1] * height  # the strip kept free along the bottom stays the same size
        height += wanted - plot
        fig.set_figheight(height / 72)
        fig.tight_layout(rect=(rect[0], bottom / height, rect[2], rect[3]))


def _grid(ax: Axes, axis: str) -> None:
    """Grid lines at the value axis's ticks as one path (matplotlib's own grid is a path
    per line, each with its own group and clip path)."""
    ticks, limits = (ax.get_xticks(), ax.get_xlim()) if axis == "x" else (ax.get_yticks(), ax.get_ylim())
    low, high = sorted(limits)
    inside = [t for t in ticks if low <= t <= high]
    along = [v for t in inside for v in (t, t, math.nan)]
    across = [0.0, 1.0, math.nan] * len(inside)
    xs, ys, transform = (along, across, ax.get_xaxis_transform()) if axis == "x" else (
        across, along, ax.get_yaxis_transform())
    ax.plot(xs, ys, transform=transform, color=GRID, linewidth=0.6, zorder=0.5, scalex=False, scaley=False)


def draw_kind(ax: Axes, chart: ChartView, geometry: Geometry) -> None:
    kinds: dict[str, Callable[[Axes, ChartView, Geometry], None]] = {
        "trend": _trend, "comparison": _comparison, "ranked": _ranked, "shares": _shares, "control": _control}
    kinds[chart.type](ax, chart, geometry)
    if chart.text.decimal != ".":
        _decimal_ticks(ax, chart.text.decimal)


def _decimal_ticks(ax: Axes, decimal: str) -> None:
    """Value axes' tick labels with the language's decimal symbol (matplotlib writes '.')."""
    from matplotlib.ticker import ScalarFormatter

    class Ticks(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", decimal)

    for axis in (ax.xaxis, ax.yaxis):
        if type(axis.get_major_formatter()) is ScalarFormatter:
            axis.set_major_formatter(Ticks())


def _halo() -> list[object]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=3.2, foreground="white")]


def _value_label(value: float, chart: ChartView) -> str:
    return number(value, chart.decimals, group=chart.text.group, decimal=chart.text.decimal)


def _category_ticks(ax: Axes, labels: Sequence[str], geometry: Geometry) -> None:
    """Category labels along the x axis, wrapped, and thinned out when there are many."""
    step = max(1, math.ceil(len(labels) / geometry.max_labels))
    positions = list(range(0, len(labels), step))
    ax.set_xticks(positions, [_wrap(labels[i], geometry.wrap) for i in positions])


def _zero_floor(ax: Axes, series: Sequence[tuple[str, Sequence[float | None]]]) -> None:
    """Start the value axis at zero unless a value is below it (then it must show)."""
    if all(v is None or v >= 0 for _, values in series for v in values):
        ax.set_ylim(bottom=0)


def _trend(ax: Axes, chart: ChartView, geometry: Geometry) -> None:
    styles = [(DARK, "-", "o"), (INK, "--", "s"), (MID, ":", "^"), (GREY, "-.", "D")]
    for (name, values), (colour, line, marker) in zip(chart.series, styles * 3, strict=False):
        points = [(i, v) for i, v in enumerate(values) if v is not None]
        ax.plot([p[0] for p in points], [p[1] for p in points], color=colour, linestyle=line, marker=marker,
                markersize=4, linewidth=1.6, label=name)
    _category_ticks(ax, chart.categories, geometry)
    _zero_floor(ax, chart.series)
    ax.set_ylabel(chart.unit_label)
    _legend_above(ax, len(chart.series), geometry)


def _comparison(ax: Axes, chart: ChartView, geometry: Geometry) -> None:
    width = 0.38
    x = list(range(len(chart.categories)))
    fills = [(DARK, None), ("white", "////")]
    for offset, ((name, values), (colour, hatch)) in enumerate(zip(chart.series, fills, strict=False)):
        positions = [i + (offset - 0.5) * width for i in x]
        bars = ax.bar(positions, [v or 0 for v in values], width, label=name, color=colour, edgecolor=DARK,
                      hatch=hatch, linewidth=0.8)
        for bar, value in zip(bars, values, strict=True):
            if value is not None:
                below = value < 0
                ax.annotate(_value_label(value, chart), (bar.get_x() + bar.get_width() / 2, value), ha="center",
                            va="top" if below else "bottom", xytext=(0, -2 if below else 2),
                            textcoords="offset points")
    ax.set_xticks(x, [_wrap(c, geometry.wrap) for c in chart.categories])
    ax.margins(y=0.12)  # room for the value labels inside the plot, clear of the legend
    _zero_floor(ax, chart.series)
    ax.set_ylabel(chart.unit_label)
    _legend_above(ax, 2, geometry)


def _ranked(ax: Axes, chart: ChartView, geometry: Geometry) -> None:
    """Every force as a horizontal bar, highest first: names read across, at any width."""
    [(_, values)] = chart.series
    y = list(range(len(chart.categories)))
    if chart.band:  # under the bars: its dotted edges show in the gaps, against the band or white
        low, high = chart.band
        ax.axvspan(low, high, facecolor=BAND, edgecolor=GREY, linestyle=":", linewidth=0.8, label=chart.text.band,
                   zorder=0)
    colours = [DARK if c == chart.highlight else OTHER for c in chart.categories]
    ax.barh(y, [v or 0 for v in values], 0.72, color=colours, linewidth=0, zorder=2)
    if chart.reference:
        name, value = chart.reference
        ax.axvline(value, color=INK, linestyle="--", linewidth=1.2, zorder=3, path_effects=_halo(),
                   label=f"{name} ({_value_label(value, chart)})")
    ax.set_yticks(y, chart.categories)
    for label in ax.get_yticklabels():
        if label.get_text() == chart.highlight:
            label.set_fontweight("bold")
    ax.set_ylim(len(y) - 0.4, -0.6)  # highest at the top
    _bar_list_axes(ax, chart)
    if chart.highlight in chart.categories:
        i = chart.categories.index(chart.highlight)
        _end_label(ax, i, values[i] or 0, chart, bold=True)
    if chart.reference or chart.band:
        _legend_above(ax, 2, geometry)


def _shares(ax: Axes, chart: ChartView, geometry: Geometry) -> None:
    [(_, values)] = chart.series
    y = list(range(len(chart.categories)))
    ax.barh(y, [v or 0 for v in values], 0.6, color=DARK, linewidth=0)
    for i, value in zip(y, values, strict=True):
        if value is not None:
            _end_label(ax, i, value, chart)
    ax.set_yticks(y, chart.categories)
    ax.set_ylim(len(y) - 0.4, -0.6)
    _bar_list_axes(ax, chart)


def _bar_list_axes(ax: Axes, chart: ChartView) -> None:
    """Horizontal bars: values along the bottom, a zero line where the bars start."""
    ax.spines["left"].set_visible(False)
    ax.axvline(0, color=GREY, linewidth=0.8, zorder=2.5)
    ax.margins(x=0.08)
    ax.set_xlabel(chart.unit_label)


def _end_label(ax: Axes, row: int, value: float, chart: ChartView, *, bold: bool = False) -> None:
    """The value just beyond the end of its bar, whichever way the bar points."""
    below = value < 0
    # This force's value sits on a white patch, so a reference line behind it never strikes it through.
    backing = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"} if bold else None
    ax.annotate(_value_label(value, chart), (value, row), xytext=(-3 if below else 3, 0), textcoords="offset points",
                va="center", ha="right" if below else "left", fontweight="bold" if bold else "normal", zorder=4,
                bbox=backing)


def _control(ax: Axes, chart: ChartView, geometry: Geometry) -> None:
    """XmR chart: monthly values, their mean, and the control limits. Points outside
    the limits are drawn as larger squares, so they stand out without colour."""
    [(name, values)] = chart.series
    x = list(range(len(chart.categories)))
    gapped = [math.nan if v is None else v for v in values]  # a missing month is a gap in the line
    ax.plot(x, gapped, color=DARK, marker="o", markersize=3.5, linewidth=1.4, label=name)
    if chart.limits:
        mean, lower, upper = chart.limits
        ax.axhline(mean, color=INK, linestyle="-", linewidth=1, label=chart.text.mean)
        ax.axhline(upper, color=GREY, linestyle="--", linewidth=1, label=chart.text.limits)
        ax.axhline(lower, color=GREY, linestyle="--", linewidth=1)
        outside = [(i, v) for i, v in zip(x, values, strict=True) if v is not None and not lower <= v <= upper]
        if outside:
            ax.plot([i for i, _ in outside], [v for _, v in outside], linestyle="none", marker="s", markersize=7,
                    markerfacecolor="white", markeredgecolor=INK, label=chart.text.outside)
    # Slanted labels need only about a line's height each along the axis.
    fits = int(0.85 * geometry.width_pt / (1.6 * geometry.font_pt))
    step = max(1, math.ceil(len(x) / fits))
    ax.set_xticks(x[::step], chart.categories[::step], rotation=45, ha="right")
    _zero_floor(ax, chart.series)
    ax.set_ylabel(chart.unit_label)
    _legend_above(ax, 3, geometry)


def _legend_above(ax: Axes, columns: int, geometry: Geometry) -> None:
    """The legend above the plot, from the figure's left edge, labels wrapped to fit."""
    from matplotlib.transforms import blended_transform_factory

    columns = min(columns, geometry.legend_columns)
    handles, labels = ax.get_legend_handles_labels()
    # Characters that fit beside a legend key in one column: about 0.55 em per character.
    fits = int((geometry.width_pt / columns - 3 * geometry.font_pt) / (0.55 * geometry.font_pt))
    ax.legend(handles, [_wrap(label, fits) for label in labels], loc="lower left", bbox_to_anchor=(0.01, 1.01),
              bbox_transform=blended_transform_factory(ax.figure.transFigure, ax.transAxes), ncols=columns,
              borderaxespad=0)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text
