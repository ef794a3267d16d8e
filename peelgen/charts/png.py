"""Paint a chart :class:`~peelgen.charts.scene.Scene` as a PNG, for Word and OpenDocument.

Word and OpenDocument files cannot carry peelgen's SVG charts as they stand, so these
outputs get a picture. It is drawn with Pillow alone: Pillow is already installed (WeasyPrint
needs it), draws TrueType text through FreeType, and writes PNG itself. matplotlib, cairo
and numpy would each be a large dependency for four kinds of shape.

Anti-aliasing: Pillow's ImageDraw draws hard-edged shapes, so the whole scene is painted at
``SUPERSAMPLE`` times the final resolution and then shrunk with ``Image.reduce``, which
averages each block of pixels (a box filter: no ringing around thin lines, unlike Lanczos).
Three times in each direction gives nine shades per edge, which is smooth at 200 dpi, and
keeps a print chart's canvas near 40 MB rather than the 70 MB of four times.
Text is painted on the same canvas (not afterwards at the final size) so that shapes and
text keep the scene's painting order.

The file is byte-for-byte the same for the same scene: no time or software chunk is
written, only the pixels and a pHYs chunk with the resolution, so that Word sizes the
picture at the scene's size in points.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
from collections.abc import Iterator, Sequence

from PIL import Image, ImageColor, ImageDraw, ImageFont

from peelgen.charts import measure
from peelgen.charts.scene import Lines, Markers, MarkerStyle, Point, Rect, Scene, Shape, Stroke, Text, marker_corners

SUPERSAMPLE = 3
POINTS_PER_INCH = 72
# Pillow's anchors: left/middle/right of the text, on its baseline.
_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}
RGB = tuple[int, int, int]
# Pillow fills every pixel a polygon or ellipse touches, both ends included, which widens
# it by about half a pixel each side: strokes and discs are drawn that much thinner.
_GROWTH = 0.5
_THINNEST = 0.25


def to_png(scene: Scene, *, dpi: int = 200) -> bytes:
    """The PNG bytes of ``scene`` at ``dpi`` pixels per inch (``dpi / 72`` per point)."""
    scale = dpi / POINTS_PER_INCH
    size = (max(1, round(scene.width * scale)), max(1, round(scene.height * scale)))
    canvas = Image.new("RGB", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), "white")
    painter = _Painter(canvas, scale * SUPERSAMPLE)
    for shape in scene.shapes:
        painter.paint(shape)
    picture = canvas.reduce(SUPERSAMPLE)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", dpi=(dpi, dpi), optimize=False, compress_level=6)
    return buffer.getvalue()


@functools.lru_cache(maxsize=256)
def _rgb(colour: str) -> RGB:
    red, green, blue = ImageColor.getrgb(colour)[:3]
    return red, green, blue


@functools.lru_cache(maxsize=64)  # a few faces and sizes per chart
def _font(bold: bool, italic: bool, size_px: float) -> ImageFont.FreeTypeFont:
    # The basic layout (no shaping, no GPOS kerning) matches measure.text_width, which
    # leaves kerning out, and does not depend on whether libraqm is installed.
    return ImageFont.truetype(measure.font_file(bold, italic), size_px,
                              layout_engine=ImageFont.Layout.BASIC)


class _Painter:
    """Paints shapes on ``canvas``, ``scale`` canvas pixels to the point."""

    def __init__(self, canvas: Image.Image, scale: float) -> None:
        self.canvas = canvas
        self.draw = ImageDraw.Draw(canvas)
        self.scale = scale

    def paint(self, shape: Shape) -> None:
        if isinstance(shape, Rect):
            self.rect(shape)
        elif isinstance(shape, Lines):
            for run in shape.runs:
                self.polyline(run, shape.stroke)
        elif isinstance(shape, Markers):
            for point in shape.points:
                self.marker(point, shape.style)
        else:
            self.text(shape)

    def _px(self, point: Point) -> tuple[float, float]:
        return point[0] * self.scale, point[1] * self.scale

    def rect(self, rect: Rect) -> None:
        left, top = rect.x * self.scale, rect.y * self.scale
        right, bottom = (rect.x + rect.width) * self.scale, (rect.y + rect.height) * self.scale
        # Pillow fills both end pixels: the last pixel inside is one before the edge.
        if round(right) > round(left) and round(bottom) > round(top):
            self.draw.rectangle((round(left), round(top), round(right) - 1, round(bottom) - 1),
                                fill=_rgb(rect.fill))
        if rect.edge is not None:
            x, y, w, h = rect.x, rect.y, rect.width, rect.height
            self.polyline(((x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)), rect.edge, closed=True)

    def polyline(self, run: Sequence[Point], stroke: Stroke, *, closed: bool = False) -> None:
        """``run`` stroked along its middle, dashed as SVG dashes (restarting at each run).

        Each segment is a four-cornered polygon and each corner a disc (a round join),
        rather than Pillow's wide line, whose even widths sit half a pixel off to one side
        depending on the line's direction."""
        if len(run) < 2 or stroke.width <= 0:
            return
        half = max(stroke.width * self.scale / 2 - _GROWTH, _THINNEST)
        colour = _rgb(stroke.colour)
        if _dashed(stroke.dash):
            for piece in dash_pieces(run, stroke.dash):
                self._stroke([self._px(p) for p in piece], half, colour, joined_ends=False)
        else:
            self._stroke([self._px(p) for p in run], half, colour, joined_ends=closed)

    def _stroke(self, points: list[tuple[float, float]], half: float, colour: RGB, *,
                joined_ends: bool) -> None:
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            length = math.hypot(x1 - x0, y1 - y0)
            if length == 0:
                continue
            nx, ny = (y0 - y1) / length * half, (x1 - x0) / length * half
            self.draw.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)],
                              fill=colour)
        joints = points if joined_ends else points[1:-1]
        for x, y in joints:
            self.draw.ellipse((x - half, y - half, x + half, y + half), fill=colour)

    def marker(self, centre: Point, style: MarkerStyle) -> None:
        """One marker, ``style.size`` across, its edge centred on its outline (as in SVG)."""
        x, y = centre
        edge = style.edge_width if style.edge_width > 0 else 0.0
        if style.shape == "circle":
            self._disc(centre, style.size / 2 + edge / 2, style.edge if edge else style.fill)
            if edge:
                self._disc(centre, style.size / 2 - edge / 2, style.fill)
            return
        outline = marker_corners(style, (x, y))
        self.draw.polygon([self._px(p) for p in outline], fill=_rgb(style.fill))
        if edge:
            self.polyline([*outline, outline[0]], Stroke(style.edge, edge), closed=True)

    def _disc(self, centre: Point, radius: float, colour: str) -> None:
        if radius <= 0:
            return
        x, y = self._px(centre)
        r = max(radius * self.scale - _GROWTH, _THINNEST)
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=_rgb(colour))

    def text(self, text: Text) -> None:
        if not text.text or text.size <= 0:
            return
        font = _font(text.bold, text.italic, text.size * self.scale)
        anchor = _ANCHORS[text.anchor]
        x, y = text.x * self.scale, text.y * self.scale  # text is placed by its pen position
        if text.angle % 360 == 0:
            self.draw.text((x, y), text.text, fill=_rgb(text.colour), font=font, anchor=anchor)
            return
        mask, (ax, ay) = rotated_text_mask(text.text, font, anchor, text.angle)
        self.draw.bitmap((round(x - ax), round(y - ay)), mask, fill=_rgb(text.colour))


def rotated_text_mask(text: str, font: ImageFont.FreeTypeFont, anchor: str,
                      angle: float) -> tuple[Image.Image, tuple[float, float]]:
    """A coverage mask of ``text`` turned ``angle`` degrees anticlockwise, and where its
    anchor point lies in the mask (in pixels from the mask's top left)."""
    left, top, right, bottom = font.getbbox(text, anchor=anchor)
    left, top = math.floor(left) - 1, math.floor(top) - 1
    flat = Image.new("L", (math.ceil(right) + 1 - left, math.ceil(bottom) + 1 - top), 0)
    ImageDraw.Draw(flat).text((-left, -top), text, fill=255, font=font, anchor=anchor)
    turned = flat.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    # rotate(expand=True) keeps the image's centre at the centre: turn the anchor's offset
    # from the centre the same way (anticlockwise on screen, with y pointing down).
    dx, dy = -left - flat.width / 2, -top - flat.height / 2
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return turned, (turned.width / 2 + dx * cos + dy * sin, turned.height / 2 - dx * sin + dy * cos)


def _dashed(dash: Sequence[float]) -> bool:
    return bool(dash) and sum(dash) > 0 and all(length >= 0 for length in dash)


def dash_pieces(run: Sequence[Point], dash: Sequence[float]) -> Iterator[list[Point]]:
    """The drawn ("on") stretches of the polyline ``run`` under the dash pattern ``dash``.

    As SVG's stroke-dasharray: the pattern runs on along the line through its corners (a
    dash may turn a corner). An odd-length pattern is repeated to make it even, as SVG
    does, because "on" flips at every length rather than at every other one."""
    pattern = tuple(dash)
    index, left, on = 0, pattern[0], True
    piece: list[Point] = [run[0]]
    for start, end in itertools.pairwise(run):
        length = math.dist(start, end)
        travelled = 0.0
        while length - travelled > left:
            travelled += left
            cut = _along(start, end, travelled / length)
            if on:
                piece.append(cut)
                yield piece
            piece = [cut]
            index = (index + 1) % len(pattern)
            left, on = pattern[index], not on
        left -= length - travelled
        piece.append(end)
    if on and len(piece) > 1:
        yield piece


def _along(start: Point, end: Point, fraction: float) -> Point:
    return start[0] + (end[0] - start[0]) * fraction, start[1] + (end[1] - start[1]) * fraction
