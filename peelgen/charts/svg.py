"""Writing a chart's :class:`~peelgen.charts.scene.Scene` as lean, accessible SVG.

The SVG is small by construction, because WeasyPrint's drawing time and a page's
weight both grow with its nodes:

* no groups, clip paths, ids (other than the title's and description's), ``<defs>``
  or style sheets: every element carries its own few presentation attributes;
* shapes painted one after the other with the same look become one ``<path>``: all the
  bars of one colour, all the grid lines, every marker of a series;
* numbers are written to two decimals at most;
* text stays text (selectable, searchable, read aloud), each line one ``<text>``, in
  the font stack named once on the root;
* the root is ``role="img"`` and labelled by its ``<title>`` and ``<desc>``, which
  carry the figure's number and title and the chart's generated description.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape

from peelgen.charts.scene import Lines, Markers, MarkerStyle, Point, Rect, Scene, Shape, Stroke, Text, marker_corners
from peelgen.charts.style import BACKGROUND, FONT_STACK

SVG_NS = "http://www.w3.org/2000/svg"


def to_svg(scene: Scene, ident: str, title: str, description: str) -> str:
    """The SVG document for ``scene``, the chart of the figure whose anchor is ``ident``."""
    width, height = fmt(scene.width), fmt(scene.height)
    head = (f'<svg xmlns="{SVG_NS}" role="img" aria-labelledby="{ident}-title {ident}-desc" width="{width}pt" '
            f'height="{height}pt" viewBox="0 0 {width} {height}" font-family="{FONT_STACK}" '
            f'stroke-linejoin="round">')
    parts = [head, f'<title id="{ident}-title">{escape(title, quote=False)}</title>',
             f'<desc id="{ident}-desc">{escape(description, quote=False)}</desc>',
             f'<path d="M0 0H{width}V{height}H0z" fill="{BACKGROUND}"/>']
    parts.extend(_elements(scene.shapes))
    parts.append("</svg>")
    return "".join(parts)


def fmt(value: float) -> str:
    """A coordinate to two decimals, without trailing zeros (and never ``-0``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _elements(shapes: Sequence[Shape]) -> Iterator[str]:
    """Each run of shapes that look alike as one element; text as one element a line."""
    index = 0
    while index < len(shapes):
        shape = shapes[index]
        if isinstance(shape, Text):
            yield _text(shape)
            index += 1
            continue
        end = index + 1
        while end < len(shapes) and _look(shapes[end]) == _look(shape):
            end += 1
        data = " ".join(_path_data(s) for s in shapes[index:end])
        yield f'<path d="{data}"{_paint(shape)}/>'
        index = end


def _look(shape: Shape) -> tuple[object, ...] | None:
    """What decides a shape's paint: shapes with the same look may share a path."""
    if isinstance(shape, Rect):
        return ("rect", shape.fill, shape.edge)
    if isinstance(shape, Lines):
        return ("lines", shape.stroke)
    if isinstance(shape, Markers):
        return ("markers", shape.style)
    return None


def _paint(shape: Shape) -> str:
    if isinstance(shape, Rect):
        return f' fill="{shape.fill}"' + (_stroke(shape.edge) if shape.edge else "")
    if isinstance(shape, Lines):
        return ' fill="none"' + _stroke(shape.stroke)
    assert isinstance(shape, Markers)
    style = shape.style
    return f' fill="{style.fill}"' + _stroke(Stroke(style.edge, style.edge_width))


def _stroke(stroke: Stroke) -> str:
    paint = f' stroke="{stroke.colour}" stroke-width="{fmt(stroke.width)}"'
    if stroke.dash:
        paint += f' stroke-dasharray="{" ".join(fmt(d) for d in stroke.dash)}"'
    return paint


def _path_data(shape: Shape) -> str:
    if isinstance(shape, Rect):
        return f"M{fmt(shape.x)} {fmt(shape.y)}h{fmt(shape.width)}v{fmt(shape.height)}h{fmt(-shape.width)}z"
    if isinstance(shape, Lines):
        return " ".join(_polyline(run) for run in shape.runs if len(run) > 1)
    assert isinstance(shape, Markers)
    return " ".join(marker_path(shape.style, point) for point in shape.points)


def _polyline(run: Sequence[Point]) -> str:
    (x, y), rest = run[0], run[1:]
    return f"M{fmt(x)} {fmt(y)}" + "".join(f"L{fmt(px)} {fmt(py)}" for px, py in rest)


def marker_path(style: MarkerStyle, centre: Point) -> str:
    """One marker's outline as path data, centred on ``centre``."""
    x, y = centre
    r = style.size / 2
    if style.shape == "circle":
        return f"M{fmt(x - r)} {fmt(y)}a{fmt(r)} {fmt(r)} 0 1 0 {fmt(2 * r)} 0a{fmt(r)} {fmt(r)} 0 1 0 {fmt(-2 * r)} 0z"
    corners = marker_corners(style, centre)
    return "M" + "L".join(f"{fmt(px)} {fmt(py)}" for px, py in corners) + "z"


def _text(text: Text) -> str:
    attributes = [f'x="{fmt(text.x)}"', f'y="{fmt(text.y)}"', f'font-size="{fmt(text.size)}"',
                  f'fill="{text.colour}"']
    if text.anchor != "start":
        attributes.append(f'text-anchor="{text.anchor}"')
    if text.bold:
        attributes.append('font-weight="bold"')
    if text.italic:
        attributes.append('font-style="italic"')
    if text.angle:
        attributes.append(f'transform="rotate({fmt(-text.angle)} {fmt(text.x)} {fmt(text.y)})"')
    return f"<text {' '.join(attributes)}>{escape(text.text, quote=False)}</text>"
