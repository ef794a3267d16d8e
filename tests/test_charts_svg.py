"""peelgen's own chart writer: lean SVG, text kept as text, every label inside the figure."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from peelgen.build import compile_report
from peelgen.charts import axes
from peelgen.charts.kinds import draw_scene
from peelgen.charts.measure import text_width, wrap
from peelgen.charts.scene import Lines, Markers, MarkerStyle, Rect, Scene, Stroke, Text
from peelgen.charts.style import GEOMETRY, OTHER
from peelgen.charts.svg import to_svg
from peelgen.render_charts import render_charts
from tests.conftest import EXAMPLES, example_id
from tests.test_metrics import DATA_REPORT, write_data

SVG = "{http://www.w3.org/2000/svg}"


def elements(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter())


def tags(svg: str) -> list[str]:
    return [e.tag.removeprefix(SVG) for e in elements(svg)]


def test_shapes_that_look_alike_in_a_row_share_one_path():
    scene = Scene(100, 50, [Rect(0, 0, 10, 10, "#111111"), Rect(20, 0, 10, 10, "#111111"),
                            Rect(40, 0, 10, 10, "#222222"), Rect(60, 0, 10, 10, "#111111")])
    svg = to_svg(scene, "figure-1", "t", "d")
    assert tags(svg) == ["svg", "title", "desc", "path", "path", "path", "path"]  # background, 2 bars, 1, 1
    assert '<path d="M0 0h10v10h-10z M20 0h10v10h-10z" fill="#111111"/>' in svg


def test_lines_keep_their_gaps_and_dashes_and_numbers_are_short():
    dashed = Stroke("#1b1b1b", 1.2, (4.44, 1.92))
    scene = Scene(100, 50, [Lines((((0.123456, 1), (2, 3)), ((5, 5), (6, 6.666666))), dashed)])
    svg = to_svg(scene, "figure-1", "t", "d")
    assert ('<path d="M0.12 1L2 3 M5 5L6 6.67" fill="none" stroke="#1b1b1b" stroke-width="1.2" '
            'stroke-dasharray="4.44 1.92"/>') in svg


def test_markers_of_a_series_are_one_path_with_one_outline_each():
    style = MarkerStyle("square", 4, "#1d3f6e", "#1d3f6e")
    svg = to_svg(Scene(100, 50, [Markers(((10, 10), (20, 20), (30, 30)), style)]), "f", "t", "d")
    [marker] = [e for e in elements(svg) if e.tag == f"{SVG}path"][1:]
    assert marker.get("d").count("M") == 3 and marker.get("d").count("z") == 3


def test_text_is_text_escaped_and_turned_about_its_anchor():
    scene = Scene(100, 50, [Text(10, 20, "$\\frac{1}{ & <Kent>", 7.5, "#1b1b1b", "end", bold=True, angle=45)])
    svg = to_svg(scene, "figure-3", "Crime & <disorder>", "d")
    assert ('<text x="10" y="20" font-size="7.5" fill="#1b1b1b" text-anchor="end" font-weight="bold" '
            'transform="rotate(-45 10 20)">$\\frac{1}{ &amp; &lt;Kent&gt;</text>') in svg
    assert '<title id="figure-3-title">Crime &amp; &lt;disorder&gt;</title>' in svg


def test_the_root_is_an_image_labelled_by_its_title_and_description():
    root = ET.fromstring(to_svg(Scene(453.6, 216), "figure-3", "t", "d"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "figure-3-title figure-3-desc"
    assert root.get("viewBox") == "0 0 453.6 216" and root.get("width") == "453.6pt"
    assert [e.get("id") for e in root.iter() if e.get("id")] == ["figure-3-title", "figure-3-desc"]


@pytest.fixture(scope="module")
def data_charts(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("charts")
    write_data(folder)
    (folder / "report.yaml").write_text(DATA_REPORT)
    doc = compile_report(folder / "report.yaml").document
    return {f"{target}/{k}": v for target in ("web", "print") for k, v in render_charts(doc, target=target).items()}


def test_real_charts_are_lean(data_charts):
    assert data_charts
    for name, svg in data_charts.items():
        nodes = elements(svg)
        assert not {"g", "defs", "clipPath", "use", "style", "metadata"} & set(tags(svg)), name
        assert len(nodes) < 130, (name, len(nodes))
        # Bars of other forces are one path, whatever the number of forces.
        assert len([e for e in nodes if e.get("fill") == OTHER]) <= 1, name


def test_drawing_is_deterministic(data_charts, tmp_path):
    write_data(tmp_path)
    (tmp_path / "report.yaml").write_text(DATA_REPORT)
    doc = compile_report(tmp_path / "report.yaml").document
    again = {f"{target}/{k}": v for target in ("web", "print") for k, v in render_charts(doc, target=target).items()}
    assert again == data_charts


@pytest.mark.parametrize(("low", "high", "room", "expected"), [
    (0, 76.4, 8, [0, 10, 20, 30, 40, 50, 60, 70]),
    (0, 76.4, 4, [0, 20, 40, 60]),
    (-19.9, 1.6, 8, [-15, -10, -5, 0]),
    (-19.9, 1.6, 4, [-10, 0]),
    (0, 0.9, 4, [0, 0.25, 0.5, 0.75]),
    (3297, 4900, 5, [3500, 4000, 4500]),
])
def test_ticks_are_round_steps_within_the_range(low, high, room, expected):
    assert axes.ticks(low, high, room) == expected


def test_tick_labels_use_the_language_s_symbols_and_the_step_s_decimals():
    values = [0.0, 2.5, 5.0]
    assert [axes.tick_label(v, values, ".", ",") for v in values] == ["0,0", "2,5", "5,0"]
    assert axes.tick_label(4000.0, [3500.0, 4000.0], ",", ".") == "4,000"


def test_an_axis_of_positive_values_starts_at_zero_and_a_negative_one_shows_below():
    assert axes.value_range([10, 50], margin=0.1, zero=True) == (0, 55)
    low, high = axes.value_range([-20, 5], margin=0.1, zero=True)
    assert low == pytest.approx(-22.5) and high == pytest.approx(7.5)


def test_labels_wrap_at_spaces_to_the_measured_width():
    lines = wrap("Recorded crime (excluding fraud)", 60, 7.5)
    assert len(lines) > 1 and all(text_width(line, 7.5) <= 60 for line in lines)
    [word] = wrap("Supercalifragilisticexpialidocious", 40, 7.5)  # a word too long is cut short
    assert word.startswith("Super") and word.endswith("\u2026") and text_width(word, 7.5) <= 40
    many = wrap("one two three four five six seven eight", 20, 7.5, max_lines=2)
    assert len(many) == 2 and many[1].endswith("\u2026")
    assert text_width("WWW", 10) > text_width("iii", 10) > 0


def _text_extent(text: Text) -> tuple[float, float]:
    width = text_width(text.text, text.size, bold=text.bold, italic=text.italic)
    start = {"start": text.x, "middle": text.x - width / 2, "end": text.x - width}[text.anchor]
    return start, start + width


@pytest.fixture(scope="module")
def example_views():
    views = []
    for path in EXAMPLES:
        for figure in compile_report(path).document.figures.values():
            if figure.chart is not None:
                views.append((f"{example_id(path)}/{figure.id}", figure.chart))
    return views


@pytest.mark.parametrize("target", ["web", "print"])
def test_every_label_of_every_example_chart_lies_inside_its_figure(example_views, target):
    for name, chart in example_views:
        scene = draw_scene(chart, GEOMETRY[target])
        for text in (s for s in scene.shapes if isinstance(s, Text) and not s.angle):
            start, end = _text_extent(text)
            assert start >= -0.5 and end <= scene.width + 0.5, (name, text.text, start, end)
            assert text.size <= text.y <= scene.height, (name, text.text)
            assert not text.text.endswith("\u2026"), (name, text.text)  # every name in the examples fits whole


def test_a_bar_list_grows_by_one_row_pitch_per_bar(example_views):
    [(_, ranked)] = [(n, c) for n, c in example_views if n.endswith("/ocg-rate")]
    fewer = type(ranked)(**{**{f: getattr(ranked, f) for f in ranked.__slots__}, "categories": ranked.categories[:-5],
                            "series": [(ranked.series[0][0], ranked.series[0][1][:-5])]})
    geometry = GEOMETRY["print"]
    grown = draw_scene(ranked, geometry).height - draw_scene(fewer, geometry).height
    assert grown == pytest.approx(5 * geometry.row_pt)


def test_the_highlighted_force_is_bold_with_its_value_on_a_white_patch(example_views):
    [(_, ranked)] = [(n, c) for n, c in example_views if n.endswith("/ocg-rate")]
    scene = draw_scene(ranked, GEOMETRY["print"])
    bold = [s for s in scene.shapes if isinstance(s, Text) and s.bold]
    assert [t.text for t in bold] == ["23", ranked.highlight]
    patch_index = scene.shapes.index(bold[0]) - 1
    assert isinstance(scene.shapes[patch_index], Rect) and scene.shapes[patch_index].fill == "#ffffff"


def test_svg_from_a_real_chart_parses_and_names_each_category(example_views):
    for name, chart in example_views[:4]:
        svg = to_svg(draw_scene(chart, GEOMETRY["web"]), "figure-1", "t", chart.description)
        texts = [e.text for e in elements(svg) if e.tag == f"{SVG}text"]
        joined = " ".join(texts)
        assert all(all(word in joined for word in c.split()) for c in chart.categories[:3]), name
        assert re.search(r'viewBox="0 0 360 [\d.]+"', svg)
