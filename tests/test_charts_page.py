"""Charts on the page: unique ids, text readable on a phone, a font fallback, and
colours with enough contrast (WCAG 2.2: 1.4.11 non-text contrast, 3:1)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from peelgen.build import compile_report
from peelgen.charts.style import (
    BACKGROUND,
    BAND,
    DARK,
    DATA_COLOURS,
    GEOMETRY,
    GRID,
    MIN_PHONE_TEXT_PX,
    OTHER,
    PHONE_COLUMN_PX,
)
from peelgen.render_charts import render_charts
from peelgen.render_html import render_html
from tests.conftest import EXAMPLES, example_id
from tests.test_metrics import DATA_REPORT, write_data

_REFERENCE = re.compile(r'url\(#([^)]+)\)|href="#([^"]+)"')


@pytest.fixture(scope="module")
def example_charts() -> dict[str, dict[str, str]]:
    """Every chart of every example, for both targets: {target: {example/figure: svg}}."""
    charts: dict[str, dict[str, str]] = {"web": {}, "print": {}}
    for path in EXAMPLES:
        doc = compile_report(path).document
        for target in charts:
            for figure_id, svg in render_charts(doc, target=target).items():
                charts[target][f"{example_id(path)}/{figure_id}"] = svg
    return charts


def test_examples_have_charts_of_every_kind(example_charts):
    # Described in the report's language: English or Welsh (siart llinell, siart bar).
    described = r"(Line chart|Siart llinell)|(Bar chart|Siart bar)"
    found = [re.search(described, svg) for svg in example_charts["web"].values()]
    kinds = {"Line" if match.group(1) else "Bar" for match in found}
    assert kinds == {"Line", "Bar"} and len(example_charts["web"]) >= 10


def test_every_id_on_a_page_is_unique_and_every_reference_resolves(write, tmp_path):
    write_data(tmp_path)
    doc = compile_report(write(DATA_REPORT)).document
    page = render_html(doc, target="web")
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) > 20
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    for svg in re.findall(r"<svg.*?</svg>", page, re.DOTALL):
        own = set(re.findall(r'\sid="([^"]+)"', svg))
        for match in _REFERENCE.finditer(svg):
            assert (match.group(1) or match.group(2)) in own  # never another chart's pattern or marker


def test_example_chart_ids_carry_their_figure_anchor(example_charts):
    for name, svg in example_charts["web"].items():
        anchor = re.search(r'<title id="([^"]+)-title"', svg).group(1)
        assert all(i.startswith(f"{anchor}-") for i in re.findall(r'\sid="([^"]+)"', svg)), name


def rendered_text_sizes(svg: str, column_px: float) -> list[float]:
    """Each text's size in CSS px when the SVG is scaled to a column ``column_px`` wide."""
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    scale = column_px / view_width
    return [float(size) * scale for size in re.findall(r'<text [^>]*font-size="([\d.]+)"', svg)]


def test_web_chart_text_is_at_least_9px_on_a_390px_phone(example_charts):
    # At 390 px the page's text column is 358 px (1 rem padding each side); the sum uses
    # 350 px for room to spare. The chart's SVG is scaled to the column's width.
    assert PHONE_COLUMN_PX <= 390 - 2 * 16
    for name, svg in example_charts["web"].items():
        sizes = rendered_text_sizes(svg, PHONE_COLUMN_PX)
        assert sizes and min(sizes) >= MIN_PHONE_TEXT_PX, (name, min(sizes))


def test_the_arithmetic_would_catch_the_old_6_3_inch_charts():
    old = '<svg viewBox="0 0 453.6 302.4"><text font-size="6">Kent Police</text></svg>'
    assert rendered_text_sizes(old, PHONE_COLUMN_PX) == [pytest.approx(4.63, abs=0.01)]


def test_print_chart_text_is_at_least_7_5pt(example_charts):
    # In print the SVG fills the 160 mm (453.6 pt) column at its own size: a unit is a point.
    for name, svg in example_charts["print"].items():
        assert 'viewBox="0 0 453.6 ' in svg
        assert min(rendered_text_sizes(svg, 453.6)) >= 7.5, name


def test_chart_text_names_a_font_fallback_stack(example_charts):
    for svg in example_charts["web"].values():
        root = svg[:svg.index(">")]
        assert "font-family=\"'Noto Sans', 'Helvetica Neue', Arial, sans-serif\"" in root
        assert "font-family" not in svg[len(root):]  # no text overrides it with a lone name


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    dark, light = sorted((luminance(a), luminance(b)))
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#a9b8cc", "#ffffff") == pytest.approx(2.02, abs=0.01)  # the old other-force bars failed


@pytest.mark.parametrize("colour", DATA_COLOURS)
def test_every_data_colour_has_3_to_1_against_white_and_the_band(colour):
    assert contrast(colour, BACKGROUND) >= 3
    assert contrast(colour, BAND) >= 3


def test_this_force_and_other_forces_differ_by_3_to_1():
    assert contrast(DARK, OTHER) >= 3


def test_every_colour_drawn_in_the_example_charts_is_accounted_for(example_charts):
    # Data colours pass above; white is the background (and halos behind lines and
    # labels); the grid and the band's fill are backgrounds that carry no data of their own.
    allowed = {*DATA_COLOURS, BACKGROUND, GRID, BAND, "#4a4a4a"}  # and the note's grey text
    drawn: set[str] = set()
    for svg in [*example_charts["web"].values(), *example_charts["print"].values()]:
        drawn.update(c.lower() for c in re.findall(r"(?:fill|stroke)(?::\s*|=\")(#[0-9a-fA-F]{6})", svg))
    assert drawn - allowed == set()
    assert {DARK, OTHER, BAND} <= drawn
    assert contrast("#4a4a4a", BACKGROUND) >= 4.5  # text, so AA's 4.5:1


def test_web_geometry_fits_the_phone_sum():
    web = GEOMETRY["web"]
    assert web.font_pt * PHONE_COLUMN_PX / web.width_pt >= MIN_PHONE_TEXT_PX
