"""The PNG chart writer: small hand-made scenes, checked pixel by pixel.

Most scenes are painted at 72 dpi, where one pixel is one point, so that positions in the
scene are positions in the picture.
"""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from peelgen.charts import measure
from peelgen.charts.png import dash_pieces, to_png
from peelgen.charts.scene import Lines, Markers, MarkerStyle, Rect, Scene, Stroke, Text

WHITE, RED, BLUE = (255, 255, 255), (255, 0, 0), (0, 0, 255)


def paint(scene: Scene, dpi: int = 72) -> Image.Image:
    picture = Image.open(io.BytesIO(to_png(scene, dpi=dpi)))
    picture.load()
    return picture.convert("RGB")


def ink_box(picture: Image.Image, darker_than: int = 128) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom; right and bottom exclusive) of dark pixels."""
    return picture.convert("L").point(lambda v: 255 if v < darker_than else 0).getbbox()


def is_dark(picture: Image.Image, x: int, y: int) -> bool:
    return sum(picture.getpixel((x, y))) < 3 * 128


def chunk_types(png: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset:offset + 4])
        types.append(png[offset + 4:offset + 8])
        offset += 12 + length
    return types


def test_rect_fills_its_area_and_nothing_else() -> None:
    picture = paint(Scene(40, 40, [Rect(10, 10, 20, 20, "#ff0000")]))
    assert picture.getpixel((20, 20)) == RED
    assert picture.getpixel((11, 28)) == RED
    for outside in ((5, 5), (35, 35), (20, 8), (32, 20)):
        assert picture.getpixel(outside) == WHITE


def test_rect_edge_is_drawn_on_its_outline() -> None:
    picture = paint(Scene(40, 40, [Rect(10, 10, 20, 20, "#ff0000", Stroke("#0000ff", 2))]))
    assert picture.getpixel((20, 20)) == RED
    for on_edge in ((20, 10), (10, 20), (29, 20), (20, 29)):
        assert picture.getpixel(on_edge) == BLUE
    assert picture.getpixel((20, 5)) == WHITE


def test_dashed_rect_edge_has_gaps() -> None:
    picture = paint(Scene(60, 40, [Rect(10, 10, 40, 20, "#ffffff", Stroke("#000000", 2, (5, 5)))]))
    assert is_dark(picture, 12, 10)  # first dash: 10..15 along the top
    assert not is_dark(picture, 18, 10)  # first gap: 15..20


def test_later_shapes_paint_over_earlier_ones() -> None:
    picture = paint(Scene(40, 40, [Rect(0, 0, 40, 40, "#ff0000"), Rect(10, 10, 10, 10, "#0000ff")]))
    assert picture.getpixel((15, 15)) == BLUE
    assert picture.getpixel((30, 30)) == RED


def test_solid_line_is_inked_along_its_length_and_width() -> None:
    picture = paint(Scene(100, 40, [Lines((((0, 20), (100, 20)),), Stroke("#000000", 4))]))
    assert all(is_dark(picture, x, y) for x in range(0, 100, 7) for y in (19, 20))
    assert not is_dark(picture, 50, 15) and not is_dark(picture, 50, 25)


@pytest.mark.parametrize("run", [((0, 20), (100, 20)), ((100, 20), (0, 20)),
                                 ((20, 0), (20, 100)), ((20, 100), (20, 0))])
def test_line_covers_exactly_its_width(run: tuple[tuple[float, float], ...]) -> None:
    # 2 points wide along x = 20 or y = 20 at one pixel to the point: pixels 19 and 20,
    # whichever way the line runs.
    picture = paint(Scene(100, 100, [Lines((run,), Stroke("#000000", 2))])).convert("L")
    across = [picture.getpixel((50, offset) if run[0][1] == run[1][1] else (offset, 50)) for offset in range(17, 23)]
    assert across == [255, 255, 0, 0, 255, 255]


def test_dashes_and_gaps_fall_where_the_pattern_says() -> None:
    picture = paint(Scene(100, 40, [Lines((((0, 20), (100, 20)),), Stroke("#000000", 4, (10, 10)))]))
    for x in (2, 5, 8, 25, 45, 85):
        assert is_dark(picture, x, 20), x
    for x in (12, 15, 18, 35, 55, 95):
        assert not is_dark(picture, x, 20), x


def test_dash_pattern_runs_on_round_a_corner() -> None:
    # 15 points along the top, then down: dashes at 0-10, 20-30, 40-50 along the line
    # are y 25-35 and 45-55 on the way down (a pattern restarting at the corner would differ).
    run = ((0, 20), (15, 20), (15, 80))
    picture = paint(Scene(40, 90, [Lines((run,), Stroke("#000000", 4, (10, 10)))]))
    for y in (30, 50):
        assert is_dark(picture, 15, y), y
    for y in (22, 40, 58):
        assert not is_dark(picture, 15, y), y


def test_odd_dash_pattern_is_repeated_as_in_svg() -> None:
    pieces = list(dash_pieces(((0, 0), (20, 0)), (3, 2, 5)))
    # 3 on, 2 off, 5 on, 3 off, 2 on, 5 off: dashes 0-3, 5-10, 13-15.
    assert [(piece[0][0], piece[-1][0]) for piece in pieces] == [(0, 3), (5, 10), (13, 15)]


def test_each_run_is_drawn_with_a_gap_between_runs() -> None:
    runs = (((0, 20), (30, 20)), ((60, 20), (100, 20)))
    picture = paint(Scene(100, 40, [Lines(runs, Stroke("#000000", 4))]))
    assert is_dark(picture, 15, 20) and is_dark(picture, 80, 20)
    assert not is_dark(picture, 45, 20)


@pytest.mark.parametrize(("shape", "empty", "inked"), [
    ("circle", [(11, 11), (28, 11), (11, 28), (28, 28)], []),
    ("diamond", [(11, 11), (28, 11), (11, 28), (28, 28)], []),
    # Equilateral, pointing up, in the circle: corners at y 10 and 25, so ink just below
    # the top corner and none just above the bottom of the box.
    ("triangle", [(11, 11), (28, 11), (11, 28), (28, 28), (20, 27)], [(20, 12), (13, 24), (26, 24)]),
    ("square", [], [(11, 11), (28, 11), (11, 28), (28, 28)]),
])
def test_marker_shapes(shape: str, empty: list[tuple[int, int]], inked: list[tuple[int, int]]) -> None:
    style = MarkerStyle(shape, 20, "#000000", "#000000", 0)  # type: ignore[arg-type]
    picture = paint(Scene(40, 40, [Markers(((20, 20),), style)]))
    assert is_dark(picture, 20, 20)
    for place in empty:
        assert not is_dark(picture, *place), place
    for place in inked:
        assert is_dark(picture, *place), place
    assert ink_box(picture) is not None and _within(ink_box(picture), (9, 9, 31, 31))


def test_marker_edge_surrounds_its_fill() -> None:
    style = MarkerStyle("circle", 20, "#ffffff", "#000000", 2)
    picture = paint(Scene(40, 40, [Markers(((20, 20), (20, 20)), style)]))
    assert picture.getpixel((20, 20)) == WHITE
    assert is_dark(picture, 20, 10) and is_dark(picture, 29, 20)
    assert not is_dark(picture, 20, 5)


def test_text_ink_lies_in_its_measured_box() -> None:
    size, x, baseline = 20, 10, 40
    width = measure.text_width("Hamburg", size)
    picture = paint(Scene(200, 60, [Text(x, baseline, "Hamburg", size, "#000000")]))
    box = ink_box(picture)
    assert box is not None
    font = measure.metrics()
    assert _within(box, (x - 1, baseline - font.ascent * size, x + width + 1, baseline + font.descent * size))
    # It fills that box: ink reaches near both ends, from the cap height to the descender of g.
    assert box[0] <= x + 3 and box[2] >= x + width - 3
    assert box[1] <= baseline - font.cap_height * size + 1 and box[3] >= baseline + 2


def test_anchor_end_puts_text_left_of_its_point() -> None:
    size, x = 20, 190
    width = measure.text_width("Hamburg", size)
    picture = paint(Scene(200, 60, [Text(x, 40, "Hamburg", size, "#000000", anchor="end")]))
    box = ink_box(picture)
    assert box is not None and box[2] <= x + 1 and box[0] >= x - width - 1 and box[0] <= x - width + 3


def test_anchor_middle_centres_text_on_its_point() -> None:
    picture = paint(Scene(200, 60, [Text(100, 40, "HHHH", 20, "#000000", anchor="middle")]))
    box = ink_box(picture)
    assert box is not None and abs((box[0] + box[2]) / 2 - 100) <= 1.5


@pytest.mark.parametrize(("bold", "italic"), [(False, False), (True, False), (False, True), (True, True)])
def test_text_is_drawn_in_the_measured_face(bold: bool, italic: bool) -> None:
    # "Wednesday" is 109, 115, 101 and 108 points wide at 20 points in the four faces.
    picture = paint(Scene(300, 60, [Text(5, 40, "Wednesday", 20, "#000000", bold=bold, italic=italic)]))
    box = ink_box(picture)
    assert box is not None
    assert abs((box[2] - box[0]) - measure.text_width("Wednesday", 20, bold=bold, italic=italic)) <= 2.5


def test_bold_text_has_more_ink() -> None:
    regular = paint(Scene(150, 60, [Text(5, 40, "Wednesday", 20, "#000000")]))
    bold = paint(Scene(150, 60, [Text(5, 40, "Wednesday", 20, "#000000", bold=True)]))
    assert _dark_count(bold) > 1.3 * _dark_count(regular)


def test_text_turned_45_degrees_rises_to_the_right_of_its_anchor() -> None:
    x, y = 20, 180
    picture = paint(Scene(200, 200, [Text(x, y, "Leicestershire", 16, "#000000", angle=45)]))
    box = ink_box(picture)
    assert box is not None
    # The baseline runs up and to the right from the anchor; the letters stand on it, so
    # their tops lean left of the anchor by at most the cap height turned 45 degrees.
    assert box[0] >= x - measure.metrics().cap_height * 16 / 2 ** 0.5 - 2 and box[3] <= y + 2
    reach = measure.text_width("Leicestershire", 16) / 2 ** 0.5
    assert box[2] >= x + reach - 4 and box[1] <= y - reach + 4
    centre_x, centre_y = _ink_centre(picture)
    assert abs((centre_x - x) - (y - centre_y)) < 8  # along the diagonal


def test_text_turned_90_degrees_reads_upwards_from_its_anchor() -> None:
    x, y, size = 100, 180, 16
    width = measure.text_width("Leicestershire", size)
    picture = paint(Scene(200, 200, [Text(x, y, "Leicestershire", size, "#000000", angle=90)]))
    box = ink_box(picture)
    font = measure.metrics()
    assert box is not None
    assert _within(box, (x - font.ascent * size, y - width - 1, x + font.descent * size, y + 1))
    assert box[1] <= y - width + 3 and box[3] >= y - 3


def test_picture_is_the_scenes_size_at_the_dpi() -> None:
    png = to_png(Scene(453.6, 100), dpi=200)
    assert Image.open(io.BytesIO(png)).size == (1260, round(100 * 200 / 72))
    assert Image.open(io.BytesIO(to_png(Scene(100, 50), dpi=144))).size == (200, 100)


def test_dpi_is_stored_so_word_sizes_the_picture_in_points() -> None:
    png = to_png(Scene(100, 50), dpi=200)
    dpi = Image.open(io.BytesIO(png)).info["dpi"]
    assert tuple(round(value) for value in dpi) == (200, 200)


def test_same_scene_gives_same_bytes_without_metadata() -> None:
    def scene() -> Scene:
        return Scene(120, 80, [Rect(5, 5, 50, 50, "#1d70b8"), Text(60, 40, "Mid", 9, "#0b0c0c", angle=30),
                               Lines((((0, 70), (120, 60)),), Stroke("#d4351c", 1.5, (3, 2)))])
    first, second = to_png(scene()), to_png(scene())
    assert first == second
    assert chunk_types(first)[0] == b"IHDR" and chunk_types(first)[-1] == b"IEND"
    assert set(chunk_types(first)) == {b"IHDR", b"pHYs", b"IDAT", b"IEND"}


def test_background_is_white() -> None:
    picture = paint(Scene(30, 20))
    assert picture.getextrema() == ((255, 255), (255, 255), (255, 255))


def _within(box: tuple[float, float, float, float], limits: tuple[float, float, float, float]) -> bool:
    return box[0] >= limits[0] - 1 and box[1] >= limits[1] - 1 and box[2] <= limits[2] + 1 and box[3] <= limits[3] + 1


def _ink_centre(picture: Image.Image) -> tuple[float, float]:
    grey = picture.convert("L")
    dark = [(x, y) for y in range(grey.height) for x in range(grey.width) if grey.getpixel((x, y)) < 128]
    return sum(x for x, _ in dark) / len(dark), sum(y for _, y in dark) / len(dark)


def _dark_count(picture: Image.Image) -> int:
    return sum(picture.convert("L").histogram()[:128])
