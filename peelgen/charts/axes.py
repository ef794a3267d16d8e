"""The parts every chart shares: a value scale with round ticks, the legend above the
plot, the grid, text blocks and the note along the bottom.

Ticks follow the rule most charting tools use: steps of 1, 2, 2.5 or 5 times a power
of ten, the smallest that keeps the count of intervals within what the axis has room
for; tick labels use the report's language's number symbols.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from peelgen.charts.measure import metrics, wrap
from peelgen.charts.scene import Anchor, Lines, Markers, MarkerStyle, Point, Rect, Scene, Shape, Stroke, Text
from peelgen.charts.style import GREY, GRID, INK, NOTE, Geometry
from peelgen.formatting import number

STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
LINE_SPACING = 1.2  # lines of a label, in ems


@dataclass(frozen=True, slots=True)
class Scale:
    """Values from ``low`` to ``high`` drawn from ``start`` to ``end`` points (``end`` may
    be less than ``start``: a vertical axis grows upwards)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) / span * (self.end - self.start)


def value_range(values: Sequence[float], *, margin: float, zero: bool = True) -> tuple[float, float]:
    """The data's range widened by ``margin`` of its span on each side, except that an
    axis of values all on one side of zero starts at zero (``zero``), with no margin."""
    low, high = min(values), max(values)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    span = high - low or abs(high) or 1.0
    low = low if zero and low == 0 else low - margin * span
    high = high if zero and high == 0 else high + margin * span
    return low, high


def ticks(low: float, high: float, room: int) -> list[float]:
    """Round values between ``low`` and ``high``: the smallest round step for which the
    multiples of the step around the range make at most ``room`` intervals."""
    if not high > low:  # a scale of one value (value_range widens every real one)
        return [low]
    intervals = max(1, min(room, 8))
    raw = (high - low) / intervals
    power = 10.0 ** math.floor(math.log10(raw))
    candidates = [s * power for s in STEPS] + [s * power * 10 for s in STEPS[1:]]
    step = next(s for s in candidates if s >= raw * (1 - 1e-9)
                and math.ceil(high / s - 1e-9) - math.floor(low / s + 1e-9) <= intervals)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(i * step, 10) + 0.0 for i in range(first, last + 1)]


def tick_label(value: float, values: Sequence[float], group: str, decimal: str) -> str:
    """A tick's label, with as many decimals as the steps between ticks need."""
    step = abs(values[1] - values[0]) if len(values) > 1 else 1.0
    decimals = next((d for d in range(4) if abs(round(step, d) - step) < 1e-9), 4)
    return number(value, decimals, group=group, decimal=decimal)


def baseline_below(top: float, size: float) -> float:
    """The baseline of a line of text whose capitals start at ``top``."""
    return top + metrics().cap_height * size


def baseline_centred(middle: float, size: float) -> float:
    """The baseline of a line of text whose capitals are centred on ``middle``."""
    return middle + metrics().cap_height * size / 2


def text_lines(x: float, top: float, lines: Sequence[str], size: float, *, anchor: Anchor = "start",
               bold: bool = False, colour: str = INK) -> list[Text]:
    """Lines of text one below the other, the first with its capitals from ``top``."""
    first = baseline_below(top, size)
    return [Text(x, first + i * LINE_SPACING * size, line, size, colour, anchor, bold) for i, line in enumerate(lines)]


def block_height(lines: int, size: float) -> float:
    """From the top of the first line's capitals to the lowest descender of the last."""
    return metrics().cap_height * size + (lines - 1) * LINE_SPACING * size + metrics().descent * size


def grid(scale: Scale, values: Sequence[float], across: tuple[float, float], *, vertical: bool) -> Lines | None:
    """Grid lines at ``values`` as one shape: vertical lines for a horizontal value axis."""
    runs = tuple(((scale(v), across[0]), (scale(v), across[1])) if vertical else ((across[0], scale(v)),
                                                                                   (across[1], scale(v)))
                 for v in values)
    return Lines(runs, Stroke(GRID, 0.6)) if runs else None


def spine(points: Sequence[Point]) -> Lines:
    return Lines((tuple(points),), Stroke(GREY, 0.8))


def note(scene: Scene, text: str, geometry: Geometry) -> None:
    """The chart's note (illustrative data) in the strip along the bottom, at the right."""
    size = geometry.font_pt
    scene.add(Text(scene.width - 0.01 * scene.width, scene.height - metrics().descent * size - 0.01 * scene.height,
                   text, size, NOTE, "end", italic=True))


def note_height(geometry: Geometry) -> float:
    return 1.8 * geometry.font_pt


# -- the legend -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Key:
    """What a legend entry shows beside its label: a swatch, a line, a marker, or these
    together (a line with its marker)."""

    label: str
    fill: str | None = None
    edge: Stroke | None = None
    hatched: bool = False
    line: Stroke | None = None
    marker: MarkerStyle | None = None


def legend_height(keys: Sequence[Key], geometry: Geometry, columns: int) -> float:
    """The height of the legend above the plot, with the gap below it; 0 for none."""
    if not keys:
        return 0.0
    rows = _legend_rows(keys, geometry, columns)
    size = geometry.font_pt
    lines = sum(max(len(lines) for _, lines in row) for row in rows)
    return 0.6 * size + lines * LINE_SPACING * size + 0.4 * size * (len(rows) - 1) + 0.8 * size


def legend(scene: Scene, keys: Sequence[Key], geometry: Geometry, columns: int) -> None:
    """The legend across the top of the figure, from its left edge, labels wrapped to fit."""
    size = geometry.font_pt
    column_width = (scene.width - size) / geometry.legend_columns  # entries side by side, from the left
    top = 0.6 * size
    for row in _legend_rows(keys, geometry, columns):
        for column, (key, lines) in enumerate(row):
            left = 0.5 * size + column * column_width
            middle = top + metrics().cap_height * size / 2
            scene.add(*_key_shapes(key, left, middle, size))
            scene.add(*text_lines(left + 2.8 * size, top, lines, size))
        top += max(len(lines) for _, lines in row) * LINE_SPACING * size + 0.4 * size


def _legend_rows(keys: Sequence[Key], geometry: Geometry, columns: int) -> list[list[tuple[Key, list[str]]]]:
    size = geometry.font_pt
    room = (geometry.width_pt - size) / geometry.legend_columns - 3.2 * size
    wrapped = [(key, wrap(key.label, room, size)) for key in keys]
    return [wrapped[i:i + columns] for i in range(0, len(wrapped), columns)]


def _key_shapes(key: Key, left: float, middle: float, size: float) -> list[Shape]:
    width, height = 2.0 * size, 0.7 * size
    shapes: list[Shape] = []
    if key.fill is not None:
        box = (left, middle - height / 2, width, height)
        shapes.append(Rect(*box, key.fill, key.edge))
        if key.hatched and key.edge is not None:
            shapes.append(hatch(box, key.edge.colour))
    if key.line is not None:
        shapes.append(Lines((((left, middle), (left + width, middle)),), key.line))
    if key.marker is not None:
        shapes.append(Markers(((left + width / 2, middle),), key.marker))
    return shapes


def hatch(box: tuple[float, float, float, float], colour: str, spacing: float = 4.8) -> Lines:
    """Lines rising to the right across the rectangle ``box`` (x, y, width, height), cut
    at its edges: a hatch that needs no pattern, so every writer draws it the same."""
    x0, y0, width, height = box
    x1, y1 = x0 + width, y0 + height
    runs = []
    diagonal = x0 + y0 + spacing / 2
    while diagonal < x1 + y1:
        start_x, end_x = max(x0, diagonal - y1), min(x1, diagonal - y0)
        if end_x > start_x:
            runs.append(((start_x, diagonal - start_x), (end_x, diagonal - end_x)))
        diagonal += spacing
    return Lines(tuple(runs), Stroke(colour, 0.6))

