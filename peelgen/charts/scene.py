"""A drawn chart as a flat list of shapes, for the writers to turn into SVG or PNG.

Units are points, with the origin at the top left and y growing downwards (as in SVG).
Shapes are painted in list order. There are only four kinds, so that every writer is
small and every chart is lean: filled rectangles, stroked polylines, markers and text.
Anything richer (a hatch, a halo, a legend key) is made from these by the chart kinds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Point = tuple[float, float]
Anchor = Literal["start", "middle", "end"]
MarkerShape = Literal["circle", "square", "triangle", "diamond"]


@dataclass(frozen=True, slots=True)
class Stroke:
    colour: str
    width: float
    dash: tuple[float, ...] = ()  # on, off, ... lengths in points; empty for a solid line


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    edge: Stroke | None = None


@dataclass(frozen=True, slots=True)
class Lines:
    """One or more polylines (``runs``) drawn with the same stroke; a gap between runs
    is a gap in the line (a missing value)."""

    runs: tuple[tuple[Point, ...], ...]
    stroke: Stroke


@dataclass(frozen=True, slots=True)
class MarkerStyle:
    shape: MarkerShape
    size: float  # across, in points
    fill: str
    edge: str
    edge_width: float = 0.8


def marker_corners(style: MarkerStyle, centre: Point) -> list[Point]:
    """The corners of a square, triangle or diamond marker centred on ``centre`` (the
    triangle points up, equilateral, in the circle of the marker's size): one outline
    for every writer."""
    x, y = centre
    r = style.size / 2
    if style.shape == "square":
        return [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    if style.shape == "triangle":
        half_side = r * math.sqrt(3) / 2
        return [(x, y - r), (x + half_side, y + r / 2), (x - half_side, y + r / 2)]
    if style.shape == "diamond":
        return [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    raise ValueError(f"a circle has no corners, and {style.shape!r} is not a marker shape")


@dataclass(frozen=True, slots=True)
class Markers:
    points: tuple[Point, ...]
    style: MarkerStyle


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; ``y`` is its baseline. ``angle`` turns it anticlockwise (in
    degrees) about its anchor point."""

    x: float
    y: float
    text: str
    size: float
    colour: str
    anchor: Anchor = "start"
    bold: bool = False
    italic: bool = False
    angle: float = 0.0


Shape = Rect | Lines | Markers | Text


@dataclass(slots=True)
class Scene:
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)

    def add(self, *shapes: Shape) -> None:
        self.shapes.extend(shapes)
