"""Laying out each kind of chart as a :class:`~peelgen.charts.scene.Scene`.

Every chart reads in grayscale: this force is drawn dark, other forces lighter, the
England and Wales value as a dashed line with a white halo (so it shows over any bar),
and the standard-deviation band as a pale area with dotted edges behind the bars.
Legends sit above the plot, where they can never hide a bar or a line.

Two layouts serve the five kinds. *Columns* (trend, comparison, control) put the
categories along the bottom, each in an equal slot, and the values up the side; the
figure has a fixed height unless a tall legend or long labels need more, and the plot
never gets less than the geometry's ``plot_pt``. *Bar lists* (ranked, shares) give each
category a row of the geometry's ``row_pt``, names at the left, so the figure grows
with its rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from peelgen.charts import axes
from peelgen.charts.axes import LINE_SPACING, Key, Scale
from peelgen.charts.measure import metrics, shorten, text_width, wrap
from peelgen.charts.scene import Lines, Markers, MarkerStyle, Point, Rect, Scene, Shape, Stroke, Text
from peelgen.charts.style import BACKGROUND, BAND, DARK, GREY, INK, MID, OTHER, Geometry
from peelgen.document import ChartView
from peelgen.formatting import number

ROW_KINDS = ("ranked", "shares")  # one row per category: the figure grows with the rows
HALO = 3.2  # the white stroke under a reference line
DASHED, DOTTED, DASH_DOT = (3.7, 1.6), (1.0, 1.65), (6.4, 1.6, 1.0, 1.6)  # per unit of line width


def dashes(pattern: tuple[float, ...], width: float) -> tuple[float, ...]:
    return tuple(round(length * width, 2) for length in pattern)


def draw_scene(chart: ChartView, geometry: Geometry) -> Scene:
    """The chart laid out for ``geometry``'s target."""
    kinds: dict[str, Callable[[ChartView, Geometry], Scene]] = {
        "trend": _trend, "comparison": _comparison, "control": _control, "ranked": _ranked, "shares": _shares}
    return kinds[chart.type](chart, geometry)


def _label(value: float, chart: ChartView) -> str:
    return number(value, chart.decimals, group=chart.text.group, decimal=chart.text.decimal)


def _drawn(chart: ChartView) -> list[float]:
    """Every value the value axis must show: data, reference, band and limits."""
    values = [v for _, series in chart.series for v in series if v is not None]
    values += [*(chart.band or ()), *(chart.limits or ())]
    if chart.reference:
        values.append(chart.reference[1])
    return values or [0.0]


# -- columns: trend, comparison, control ------------------------------------------------


@dataclass(slots=True)
class Frame:
    """What both layouts work out before drawing: the plot's edges (``left`` to
    ``right``, ``top`` to ``bottom``, in points), the value scale and its ticks, and the
    legend's keys, drawn first (so that text copied from a chart reads legend first)."""

    values_across: ClassVar[bool] = False  # the value axis runs along the bottom (bar lists)
    chart: ChartView
    geometry: Geometry
    keys: list[Key]
    scene: Scene = field(init=False)
    scale: Scale = field(init=False)
    ticks: list[float] = field(init=False)
    left: float = field(init=False)
    right: float = field(init=False)
    top: float = field(init=False)
    bottom: float = field(init=False)

    @property
    def columns(self) -> int:
        """The legend's columns: its keys side by side, as many as the geometry allows."""
        return min(len(self.keys), self.geometry.legend_columns) or 1

    def draw_frame(self) -> None:
        """The legend, then the grid behind the data (vertical lines for bar lists)."""
        axes.legend(self.scene, self.keys, self.geometry, self.columns)
        across = (self.top, self.bottom) if self.values_across else (self.left, self.right)
        self.scene.add(*_some(axes.grid(self.scale, self.ticks, across, vertical=self.values_across)))


@dataclass(slots=True)
class Columns(Frame):
    """A column chart's frame: where the plot is, its value scale and category slots."""

    margin: float = 0.05  # of the value range, above (and below) the data
    slanted: bool = False  # category labels at 45 degrees (many months)
    unit_lines: list[str] = field(init=False)  # the unit, up the side, in one or two lines

    def __post_init__(self) -> None:
        g, chart = self.geometry, self.chart
        values = _drawn(chart)
        low, high = axes.value_range(values, margin=self.margin, zero=min(values) >= 0)
        self.ticks = axes.ticks(low, high, int(g.plot_pt / (2 * g.font_pt)))
        labels = [self.tick_label(v) for v in self.ticks]
        self.unit_lines = wrap(chart.unit_label, g.plot_pt, g.label_pt, max_lines=2) if chart.unit_label else []
        side = (metrics().ascent + metrics().descent + LINE_SPACING * (len(self.unit_lines) - 1)) * g.label_pt \
            + 0.5 * g.font_pt if self.unit_lines else 0
        self.left = 0.4 * g.font_pt + side + max(text_width(t, g.font_pt) for t in labels) + 0.5 * g.font_pt
        self.right = g.width_pt - 0.8 * g.font_pt
        if self.slanted:  # the first label, slanting down to the left, must not leave the figure
            reach = max((text_width(self._slanted(name), g.font_pt) for name in chart.categories[:1]), default=0.0)
            self.left = max(self.left, reach * math.sqrt(0.5) + 0.5 * g.font_pt - self.slot / 2)
        self.top = axes.legend_height(self.keys, g, self.columns) or 0.8 * g.font_pt
        below = self._labels_height() + (axes.note_height(g) if chart.illustrative else 0.4 * g.font_pt)
        height = max(g.height_pt, self.top + g.plot_pt + below)
        self.bottom = height - below
        self.scene = Scene(g.width_pt, height)
        self.scale = Scale(low, high, self.bottom, self.top)

    @property
    def slot(self) -> float:
        return (self.right - self.left) / max(len(self.chart.categories), 1)

    def x(self, index: float) -> float:
        """The middle of category ``index``'s slot."""
        return self.left + (index + 0.5) * self.slot

    def tick_label(self, value: float) -> str:
        return axes.tick_label(value, self.ticks, self.chart.text.group, self.chart.text.decimal)

    def shown(self) -> list[int]:
        """The categories labelled along the bottom: all, or every n-th when crowded."""
        count, g = len(self.chart.categories), self.geometry
        fits = int(0.85 * g.width_pt / (1.6 * g.font_pt)) if self.slanted else g.max_labels
        return list(range(0, count, max(1, math.ceil(count / fits))))

    def _labels_height(self) -> float:
        size = self.geometry.font_pt
        names = [self.chart.categories[i] for i in self.shown()]
        if not names:
            return 0.5 * size
        if self.slanted:
            longest = max(text_width(self._slanted(name), size) for name in names)
            return 0.5 * size + (longest + size) * math.sqrt(0.5)
        lines = max(len(self._wrapped(name)) for name in names)
        return 0.5 * size + axes.block_height(lines, size)

    def _wrapped(self, name: str) -> list[str]:
        shown = self.shown()
        step = shown[1] - shown[0] if len(shown) > 1 else 1
        return wrap(name, 0.92 * self.slot * step, self.geometry.font_pt, max_lines=4)  # its slot, less a gap

    def _slanted(self, name: str) -> str:
        return shorten(name, 0.3 * self.geometry.width_pt, self.geometry.font_pt)


    def draw_axes(self) -> None:
        g, scene, size = self.geometry, self.scene, self.geometry.font_pt
        scene.add(axes.spine(((self.left, self.top), (self.left, self.bottom), (self.right, self.bottom))))
        for value in self.ticks:
            scene.add(Text(self.left - 0.5 * size, axes.baseline_centred(self.scale(value), size),
                           self.tick_label(value), size, INK, "end"))
        for index in self.shown():
            scene.add(*self._category(index))
        for line, text in enumerate(self.unit_lines):  # turned to read upwards: the first line leftmost
            x = 0.4 * size + (metrics().ascent + line * LINE_SPACING) * g.label_pt
            scene.add(Text(x, (self.top + self.bottom) / 2, text, g.label_pt, INK, "middle", angle=90))
        if self.chart.illustrative:
            axes.note(scene, self.chart.text.illustrative, g)

    def _category(self, index: int) -> list[Text]:
        size, name = self.geometry.font_pt, self.chart.categories[index]
        top = self.bottom + 0.5 * size
        if self.slanted:  # ends under its point, rising to the left
            shift = metrics().cap_height * size / 2 * math.sqrt(0.5)
            return [Text(self.x(index) + shift, top + shift, self._slanted(name), size, INK, "end", angle=45)]
        return axes.text_lines(self.x(index), top, self._wrapped(name), size, anchor="middle")


def _some(shape: Shape | None) -> list[Shape]:
    return [] if shape is None else [shape]


TREND_STYLES = [(DARK, (), "circle"), (INK, DASHED, "square"), (MID, DOTTED, "triangle"), (GREY, DASH_DOT, "diamond")]
MARKER_SIZES = {"circle": 4.6, "square": 4.0, "triangle": 5.2, "diamond": 5.2}


def _trend_style(index: int) -> tuple[Stroke, MarkerStyle]:
    colour, pattern, shape = TREND_STYLES[index % len(TREND_STYLES)]
    return Stroke(colour, 1.6, dashes(pattern, 1.6)), MarkerStyle(shape, MARKER_SIZES[shape], colour, colour)


def _trend(chart: ChartView, geometry: Geometry) -> Scene:
    styles = [_trend_style(i) for i in range(len(chart.series))]
    keys = [Key(name, line=line, marker=marker) for (name, _), (line, marker) in zip(chart.series, styles,
                                                                                      strict=True)]
    frame = Columns(chart, geometry, keys, margin=0.05)
    frame.draw_frame()
    for (_, values), (line, marker) in zip(chart.series, styles, strict=True):
        points = tuple((frame.x(i), frame.scale(v)) for i, v in enumerate(values) if v is not None)
        frame.scene.add(Lines((points,), line), Markers(points, marker))
    frame.draw_axes()
    return frame.scene


def _comparison(chart: ChartView, geometry: Geometry) -> Scene:
    edge = Stroke(DARK, 0.8)
    looks = [(DARK, False), (BACKGROUND, True)]
    keys = [Key(name, fill=fill, edge=edge, hatched=hatched)
            for (name, _), (fill, hatched) in zip(chart.series, looks, strict=False)]
    frame = Columns(chart, geometry, keys, margin=0.12)  # room for the value labels, clear of the legend
    frame.draw_frame()
    width = 0.38 * frame.slot
    zero = frame.scale(max(frame.scale.low, 0.0))
    for offset, ((_, values), (fill, hatched)) in enumerate(zip(chart.series, looks, strict=False)):
        for index, value in enumerate(values):
            x = frame.x(index) + (offset - 1) * width
            top = frame.scale(value or 0.0)
            box = (x, min(top, zero), width, abs(top - zero))
            frame.scene.add(Rect(*box, fill, edge))
            if hatched:
                frame.scene.add(axes.hatch(box, DARK))
            if value is not None:
                frame.scene.add(_bar_value(chart, value, x + width / 2, top, geometry.font_pt))
    frame.draw_axes()
    return frame.scene


def _bar_value(chart: ChartView, value: float, x: float, end: float, size: float) -> Text:
    """A column's value just beyond its end: above it, or below a negative column."""
    if value < 0:
        return Text(x, axes.baseline_below(end + 2, size), _label(value, chart), size, INK, "middle")
    return Text(x, end - 2 - metrics().descent * size, _label(value, chart), size, INK, "middle")


def _control(chart: ChartView, geometry: Geometry) -> Scene:
    """XmR chart: monthly values, their mean, and the control limits. Points outside
    the limits are drawn as larger squares, so they stand out without colour."""
    [(name, values)] = chart.series
    line, dot = Stroke(DARK, 1.4), MarkerStyle("circle", 4.0, DARK, DARK)
    mean_line, limit_line = Stroke(INK, 1.0), Stroke(GREY, 1.0, dashes(DASHED, 1.0))
    flagged = MarkerStyle("square", 7.0, BACKGROUND, INK, 1.0)
    outside = _outside(chart)
    keys = [Key(name, line=line, marker=dot)]
    if chart.limits:
        keys += [Key(chart.text.mean, line=mean_line), Key(chart.text.limits, line=limit_line)]
        keys += [Key(chart.text.outside, marker=flagged)] if outside else []
    frame = Columns(chart, geometry, keys, margin=0.05, slanted=True)
    frame.draw_frame()
    runs = _runs([(frame.x(i), None if v is None else frame.scale(v)) for i, v in enumerate(values)])
    frame.scene.add(Lines(runs, line), Markers(tuple(p for run in runs for p in run), dot))
    if chart.limits:
        mean, lower, upper = chart.limits
        across = (frame.left, frame.right)
        frame.scene.add(Lines((_level(across, frame.scale(mean)),), mean_line),
                        Lines((_level(across, frame.scale(upper)), _level(across, frame.scale(lower))), limit_line))
        if outside:
            frame.scene.add(Markers(tuple((frame.x(i), frame.scale(v)) for i, v in outside), flagged))
    frame.draw_axes()
    return frame.scene


def _outside(chart: ChartView) -> list[tuple[int, float]]:
    if not chart.limits:
        return []
    _, lower, upper = chart.limits
    [(_, values)] = chart.series
    return [(i, v) for i, v in enumerate(values) if v is not None and not lower <= v <= upper]


def _runs(points: Sequence[tuple[float, float | None]]) -> tuple[tuple[Point, ...], ...]:
    """Points split at each missing value: a missing month is a gap in the line."""
    runs: list[list[Point]] = [[]]
    for x, y in points:
        if y is None:
            runs.append([])
        else:
            runs[-1].append((x, y))
    return tuple(tuple(run) for run in runs if run)


def _level(across: tuple[float, float], y: float) -> tuple[Point, Point]:
    return (across[0], y), (across[1], y)


# -- bar lists: ranked, shares ----------------------------------------------------------


@dataclass(slots=True)
class Rows(Frame):
    """A bar list's frame: names at the left, a row per category, values along the bottom."""

    values_across: ClassVar[bool] = True

    labelled: list[int] = field(default_factory=list)  # rows whose value is written at the end of the bar
    names: list[str] = field(init=False)  # the categories as drawn: a long name is cut short

    def __post_init__(self) -> None:
        g, chart = self.geometry, self.chart
        size = g.font_pt
        bold = [name == chart.highlight for name in chart.categories]
        self.names = [shorten(name, 0.5 * g.width_pt, size, bold=b) for name, b in zip(chart.categories, bold,
                                                                                       strict=True)]
        self.left = 0.5 * size + max(text_width(name, size, bold=b) for name, b in zip(self.names, bold,
                                                                                       strict=True)) + 0.5 * size
        self.right = g.width_pt - 0.8 * size
        self.top = axes.legend_height(self.keys, g, self.columns) or 0.5 * size
        self.bottom = self.top + max(len(chart.categories), 2) * g.row_pt
        below = 0.5 * size + axes.block_height(1, size)
        below += 0.6 * size + axes.block_height(1, g.label_pt) if chart.unit_label else 0
        below += axes.note_height(g) if chart.illustrative else 0.4 * size
        self.scene = Scene(g.width_pt, self.bottom + below)
        self.scale = self._fitted_scale()
        self.ticks = axes.ticks(self.scale.low, self.scale.high, int((self.right - self.left) / (5 * size)))

    def _fitted_scale(self) -> Scale:
        """The value scale, widened until every value written beyond its bar fits."""
        values = _drawn(self.chart)
        low, high = axes.value_range(values, margin=0.08, zero=True)
        for _ in range(3):
            scale = Scale(low, high, self.left, self.right)
            over_right = max((self._label_end(scale, i) - self.right for i in self.labelled), default=0.0)
            over_left = max((self.left - self._label_end(scale, i) for i in self.labelled), default=0.0)
            per_point = (high - low) / (self.right - self.left)
            high += max(over_right, 0.0) * per_point * 1.1
            low -= max(over_left, 0.0) * per_point * 1.1
        return Scale(low, high, self.left, self.right)

    def _label_end(self, scale: Scale, row: int) -> float:
        value = self.chart.series[0][1][row] or 0.0
        width = 3 + text_width(_label(value, self.chart), self.geometry.font_pt, bold=True)
        return scale(value) - width if value < 0 else scale(value) + width

    def y(self, row: int) -> float:
        """The middle of row ``row``."""
        return self.top + (row + 0.5) * (self.bottom - self.top) / max(len(self.chart.categories), 2)

    @property
    def pitch(self) -> float:
        return (self.bottom - self.top) / max(len(self.chart.categories), 2)


    def bars(self, thickness: float) -> None:
        """One bar per row from zero, this force's dark and the others lighter (each
        colour drawn in one go, so that all the other forces' bars make one path)."""
        [(_, values)] = self.chart.series
        zero, half = self.scale(0.0), thickness * self.pitch / 2
        bars = [(DARK if name == self.chart.highlight or self.chart.type == "shares" else OTHER,
                 Rect(min(zero, self.scale(value or 0.0)), self.y(row) - half, abs(self.scale(value or 0.0) - zero),
                      2 * half, ""))
                for row, (name, value) in enumerate(zip(self.chart.categories, values, strict=True))]
        for colour in (OTHER, DARK):
            self.scene.add(*(Rect(b.x, b.y, b.width, b.height, colour) for c, b in bars if c == colour))
        self.scene.add(Lines((((zero, self.top), (zero, self.bottom)),), Stroke(GREY, 0.8)))

    def end_label(self, row: int, *, bold: bool) -> None:
        """The value just beyond the end of its bar, whichever way the bar points; this
        force's on a white patch, so a reference line behind it never strikes it through."""
        value, size = self.chart.series[0][1][row] or 0.0, self.geometry.font_pt
        text = _label(value, self.chart)
        width = text_width(text, size, bold=bold)
        start = self.scale(value) - 3 - width if value < 0 else self.scale(value) + 3
        if bold:
            pad = 0.1 * size
            height = (metrics().cap_height + 0.4) * size
            self.scene.add(Rect(start - pad, self.y(row) - height / 2, width + 2 * pad, height, BACKGROUND))
        self.scene.add(Text(start, axes.baseline_centred(self.y(row), size), text, size, INK, bold=bold))

    def draw_axes(self) -> None:
        g, scene, size = self.geometry, self.scene, self.geometry.font_pt
        scene.add(axes.spine(((self.left, self.bottom), (self.right, self.bottom))))
        for row, (name, shown) in enumerate(zip(self.chart.categories, self.names, strict=True)):
            scene.add(Text(self.left - 0.4 * size, axes.baseline_centred(self.y(row), size), shown, size, INK,
                           "end", bold=name == self.chart.highlight))
        for value in self.ticks:
            label = axes.tick_label(value, self.ticks, self.chart.text.group, self.chart.text.decimal)
            half = text_width(label, size) / 2 + 0.2 * size
            x = min(max(self.scale(value), half), scene.width - half)  # a long label at an end stays inside
            scene.add(Text(x, axes.baseline_below(self.bottom + 0.5 * size, size), label, size, INK, "middle"))
        if self.chart.unit_label:
            top = self.bottom + 0.5 * size + axes.block_height(1, size) + 0.6 * size
            unit = shorten(self.chart.unit_label, self.right - self.left, g.label_pt)
            scene.add(*axes.text_lines((self.left + self.right) / 2, top, [unit], g.label_pt, anchor="middle"))
        if self.chart.illustrative:
            axes.note(scene, self.chart.text.illustrative, g)


def _ranked(chart: ChartView, geometry: Geometry) -> Scene:
    """Every force as a horizontal bar, highest first: names read across, at any width."""
    band_edge = Stroke(GREY, 0.8, dashes(DOTTED, 0.8))
    reference = Stroke(INK, 1.2, dashes(DASHED, 1.2))
    keys = [Key(chart.text.band, fill=BAND, edge=band_edge)] if chart.band else []
    if chart.reference:
        name, value = chart.reference
        keys.append(Key(f"{name} ({_label(value, chart)})", line=reference))
    highlighted = [chart.categories.index(chart.highlight)] if chart.highlight in chart.categories else []
    frame = Rows(chart, geometry, keys, highlighted)
    if chart.band:  # under the bars: its dotted edges show in the gaps, against the band or white
        low, high = (frame.scale(v) for v in chart.band)
        frame.scene.add(Rect(low, frame.top, high - low, frame.bottom - frame.top, BAND),
                        Lines((((low, frame.top), (low, frame.bottom)), ((high, frame.top), (high, frame.bottom))),
                              band_edge))
    frame.draw_frame()
    frame.bars(0.72)
    if chart.reference:
        x = frame.scale(chart.reference[1])
        run = (((x, frame.top), (x, frame.bottom)),)
        frame.scene.add(Lines(run, Stroke(BACKGROUND, HALO)), Lines(run, reference))
    for row in highlighted:
        frame.end_label(row, bold=True)
    frame.draw_axes()
    return frame.scene


def _shares(chart: ChartView, geometry: Geometry) -> Scene:
    [(_, values)] = chart.series
    frame = Rows(chart, geometry, [], [i for i, v in enumerate(values) if v is not None])
    frame.draw_frame()
    frame.bars(0.6)
    for row in frame.labelled:
        frame.end_label(row, bold=False)
    frame.draw_axes()
    return frame.scene
