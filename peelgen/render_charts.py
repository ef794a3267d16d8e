"""Render stage, charts: draw each figure's chart as SVG with matplotlib.

Charts are deterministic (fixed hash salt, no dates or random ids), keep their text as
text, fit an A4 text column and read in grayscale: this force is drawn dark, other
forces light, the England and Wales value as a dashed line, and the standard-deviation
band as a hatched light area. Each SVG carries a <title> and <desc> for screen readers.
"""

from __future__ import annotations

import functools
import io
import re
from types import ModuleType
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from peelgen.assets import builtin_dir
from peelgen.document import ChartView, Document
from peelgen.formatting import number

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN = 6.3  # the A4 text column, 160 mm
DARK = "#1d3f6e"
LIGHT = "#a9b8cc"
MID = "#5b7290"
INK = "#1b1b1b"
GREY = "#6b6b6b"


@functools.cache
def _pyplot() -> ModuleType:
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        font_manager.fontManager.addfont(str(builtin_dir("styles") / "fonts" / f"NotoSans-{face}.ttf"))
    matplotlib.rcParams.update({
        "svg.fonttype": "none",  # text stays text: selectable, searchable, read aloud
        "svg.hashsalt": "peelgen",  # stable ids
        "axes.unicode_minus": False,  # the bundled font has no U+2212
        "font.family": "Noto Sans",
        "font.size": 8,
        "axes.edgecolor": GREY,
        "axes.labelcolor": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
        "legend.frameon": False,
    })
    return plt


def _fmt(value: float, decimals: int) -> str:
    return number(value, decimals)


def draw(chart: ChartView, title: str, ident: str) -> str:
    """The chart as an SVG document (a string)."""
    buffer = io.StringIO()
    _save(chart, buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _accessible(buffer.getvalue(), title, chart.description, ident)


def draw_png(chart: ChartView, *, dpi: int = 200) -> bytes:
    """The same chart as a PNG at print resolution, for Word and OpenDocument output
    (which carry the description as the picture's alt text)."""
    buffer = io.BytesIO()
    _save(chart, buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _save(chart: ChartView, buffer: io.IOBase, **options: object) -> None:
    plt = _pyplot()
    draw_fn = {"trend": _trend, "comparison": _comparison, "ranked": _ranked, "shares": _shares,
               "control": _control}[chart.type]
    height = 4.2 if chart.type == "ranked" else 3.0
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
    try:
        draw_fn(ax, chart)
        ax.set_ylabel(chart.unit_label)
        if chart.illustrative:
            fig.text(0.99, 0.01, "Illustrative data", ha="right", va="bottom", fontsize=7, color=GREY,
                     style="italic")
        fig.tight_layout()
        fig.savefig(buffer, **options)  # type: ignore[arg-type]
    finally:
        plt.close(fig)


def _accessible(svg: str, title: str, description: str, ident: str) -> str:
    """Drop the XML prologue and metadata; add a title, description and role."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" ', 1)
    head_end = svg.index(">") + 1
    accessible = (f'<title id="{ident}-title">{escape(title)}</title>'
                  f'<desc id="{ident}-desc">{escape(description)}</desc>')
    return svg[:head_end] + accessible + svg[head_end:]


def _trend(ax: Axes, chart: ChartView) -> None:
    styles = [(DARK, "-", "o"), (INK, "--", "s"), (MID, ":", "^"), (GREY, "-.", "D")]
    x = range(len(chart.categories))
    for (name, values), (colour, line, marker) in zip(chart.series, styles * 3, strict=False):
        points = [(i, v) for i, v in zip(x, values, strict=True) if v is not None]
        ax.plot([p[0] for p in points], [p[1] for p in points], color=colour, linestyle=line, marker=marker,
                markersize=4, linewidth=1.6, label=name)
    ax.set_xticks(list(x), [_wrap(c, 18) for c in chart.categories])
    ax.set_ylim(bottom=0)
    _legend_above(ax, len(chart.series))


def _comparison(ax: Axes, chart: ChartView) -> None:
    width = 0.38
    x = list(range(len(chart.categories)))
    fills = [(DARK, None), ("white", "////")]
    for offset, ((name, values), (colour, hatch)) in enumerate(zip(chart.series, fills, strict=False)):
        positions = [i + (offset - 0.5) * width for i in x]
        heights = [v or 0 for v in values]
        bars = ax.bar(positions, heights, width, label=name, color=colour, edgecolor=DARK, hatch=hatch,
                      linewidth=0.8)
        for bar, value in zip(bars, values, strict=True):
            if value is not None:
                ax.annotate(_fmt(value, chart.decimals), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                            ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(x, [_wrap(c, 16) for c in chart.categories])
    _legend_above(ax, 2)


def _ranked(ax: Axes, chart: ChartView) -> None:
    [(_, values)] = chart.series
    x = list(range(len(chart.categories)))
    colours = [DARK if c == chart.highlight else LIGHT for c in chart.categories]
    if chart.band:
        low, high = chart.band
        ax.axhspan(low, high, facecolor="#eeeeee", edgecolor=GREY, hatch="....", linewidth=0,
                   label="One standard deviation either side of the mean", zorder=0)
        ax.axhline(low, color=GREY, linestyle=":", linewidth=0.8)
        ax.axhline(high, color=GREY, linestyle=":", linewidth=0.8)
    ax.bar(x, [v or 0 for v in values], 0.75, color=colours, edgecolor=colours, zorder=2)
    if chart.reference:
        name, value = chart.reference
        ax.axhline(value, color=INK, linestyle="--", linewidth=1.2, label=f"{name} ({_fmt(value, chart.decimals)})",
                   zorder=3)
    ax.set_xticks(x, chart.categories, rotation=90, fontsize=6)
    for label in ax.get_xticklabels():
        if label.get_text() == chart.highlight:
            label.set_fontweight("bold")
    ax.set_xlim(-0.6, len(x) - 0.4)
    if chart.highlight in chart.categories:
        i = chart.categories.index(chart.highlight)
        value = values[i] or 0
        below = value < 0  # label beyond the end of the bar, whichever way it points
        ax.annotate(f"{chart.highlight}: {_fmt(value, chart.decimals)}", (i, value), xytext=(0, -10 if below else 8),
                    textcoords="offset points", ha="center", va="top" if below else "bottom", fontsize=7,
                    fontweight="bold", zorder=4, bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none"})
    if chart.reference or chart.band:
        _legend_above(ax, 2)


def _shares(ax: Axes, chart: ChartView) -> None:
    [(_, values)] = chart.series
    y = list(range(len(chart.categories)))
    ax.barh(y, [v or 0 for v in values], 0.6, color=DARK)
    for i, value in zip(y, values, strict=True):
        if value is not None:
            ax.annotate(_fmt(value, chart.decimals), (value, i), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=7)
    ax.set_yticks(y, chart.categories)
    ax.invert_yaxis()
    ax.grid(axis="x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(chart.unit_label)
    ax.set_ylabel("")


def _control(ax: Axes, chart: ChartView) -> None:
    """XmR chart: monthly values, their mean, and the control limits. Points outside
    the limits are drawn as larger squares, so they stand out without colour."""
    [(name, values)] = chart.series
    x = list(range(len(chart.categories)))
    ax.plot(x, values, color=DARK, marker="o", markersize=3.5, linewidth=1.4, label=name)
    if chart.limits:
        mean, lower, upper = chart.limits
        ax.axhline(mean, color=INK, linestyle="-", linewidth=1, label=f"Mean ({_fmt(mean, chart.decimals)})")
        ax.axhline(upper, color=GREY, linestyle="--", linewidth=1,
                   label=f"Control limits ({_fmt(lower, chart.decimals)} to {_fmt(upper, chart.decimals)})")
        ax.axhline(lower, color=GREY, linestyle="--", linewidth=1)
        outside = [(i, v) for i, v in zip(x, values, strict=True) if v is not None and not lower <= v <= upper]
        if outside:
            ax.plot([i for i, _ in outside], [v for _, v in outside], linestyle="none", marker="s", markersize=7,
                    markerfacecolor="white", markeredgecolor=INK, label="Outside the limits")
    step = max(1, len(x) // 12)
    ax.set_xticks(x[::step], chart.categories[::step], rotation=45, ha="right")
    ax.set_ylim(bottom=0)
    _legend_above(ax, 3)


def _legend_above(ax: Axes, columns: int) -> None:
    """Legends sit above the plot, where they can never hide a bar or a line."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=columns, fontsize=7, borderaxespad=0)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def render_charts(doc: Document) -> dict[str, str]:
    """SVG for every chart in ``doc``, by figure id."""
    return {
        figure.id: draw(figure.chart, f"{doc.labels.figure} {figure.number}: {figure.plain_title}", figure.anchor)
        for figure in doc.figures.values() if figure.chart is not None
    }
