"""Charts from hostile or extreme data: labels are text (never TeX), values too large to
draw and charts too big to read are refused with a message, and nothing crashes."""

from __future__ import annotations

import html
import math
import re

import pytest

from peelgen.build import compile_report
from peelgen.charts.kinds import draw_scene
from peelgen.charts.measure import ELLIPSIS, text_width
from peelgen.charts.png import to_png
from peelgen.charts.scene import Text
from peelgen.charts.style import GEOMETRY
from peelgen.diagnostics import BuildFailed
from peelgen.document import ChartText, ChartView, TableView
from peelgen.render_charts import MAX_BARS, MAX_MAGNITUDE, render_charts
from tests.test_metrics import DATA_REPORT, FORCES, write_data

TEX_LABELS = [r"\frac{1}{ Police", r"$\nosuchsymbol$", "$5 and $x^2$ Police", r"Police $\sqrt{2}$"]


def svg_texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.mark.parametrize("target", ["web", "print"])
def test_dollar_signs_and_backslashes_in_labels_are_drawn_as_typed(write, tmp_path, target):
    write_data(tmp_path, {**FORCES, **{label: 10.0 + i for i, label in enumerate(TEX_LABELS)}})
    (tmp_path / "data" / "trend.csv").write_text("period,$\\frac{1}{,England and Wales\n$x$,1,2\n\\alpha$,3,4\n")
    report = DATA_REPORT.replace("chart: {type: trend, dataset: trend}",
                                 "chart: {type: trend, dataset: trend, y_label: 'Cost in $ (\\sqrt{x}$)'}")
    doc = compile_report(write(report)).document
    charts = render_charts(doc, target=target)
    ranked, trend = svg_texts(charts["ranked"]), svg_texts(charts["trend"])
    assert "Cost in $ (\\sqrt{x}$)" in trend  # the axis label
    for label in TEX_LABELS:
        assert label in ranked
    assert {"$x$", "\\alpha$"} <= set(trend)
    assert "$\\frac{1}{" in trend  # the legend


@pytest.mark.parametrize(("dataset", "file", "content", "culprit"), [
    ("ranked", "by-force.csv", "force,value\nTestshire Police,1e308\nAlphashire Police,-1e308\n", "Testshire Police"),
    ("ranked", "by-force.csv", "force,value\nTestshire Police,5\nAlphashire Police,-1.5e13\n", "Alphashire Police"),
    ("trend", "trend.csv", "period,Testshire,England and Wales\n2015,1e308,2\n2016,3,4\n", "2015"),
    ("shares", "shares.csv", "category,value\nDrugs,-1e308\n", "Drugs"),
])
def test_values_too_large_to_draw_are_refused_by_name(cli, write, tmp_path, dataset, file, content, culprit):
    write_data(tmp_path)
    (tmp_path / "data" / file).write_text(content)
    write(DATA_REPORT)
    result = cli("build", "report.yaml", "-o", "out", "--format", "html")
    assert result.code == 1
    # Refused where it stands: the culprit's row of the CSV, before any chart is drawn.
    row = next(n for n, line in enumerate(content.splitlines(), start=1) if line.startswith(culprit))
    assert any(re.match(rf"data/{re.escape(file)}:{row}:\d+: .*numbers may be at most 1,000,000,000,000", line)
               for line in result.err_lines), result.err_lines
    assert not (tmp_path / "out").exists()  # nothing half written


def test_a_comparison_metric_too_large_to_draw_is_refused(write, tmp_path):
    write_data(tmp_path)
    doc = compile_report(write(DATA_REPORT.replace("value: 84.1", "value: 1.0e+300"))).document
    with pytest.raises(BuildFailed, match=r"figure 'compare' \(comparison chart\): the value 1e\+300 for "
                                          r"'Victim satisfaction' is too large to draw"):
        render_charts(doc)


@pytest.mark.parametrize("value", [MAX_MAGNITUDE, -MAX_MAGNITUDE, 1e-300, -5e-324, 0.0])
def test_the_largest_and_tiniest_drawable_values_draw(write, tmp_path, value):
    write_data(tmp_path, {**FORCES, "Alphashire Police": value})
    doc = compile_report(write(DATA_REPORT)).document
    for target in ("web", "print"):
        svg = render_charts(doc, target=target)["ranked"]
        assert "Alphashire Police" in svg_texts(svg)
        assert "nan" not in svg.lower() and "inf" not in re.sub(r"<[^>]*>", "", svg).lower().replace("info", "")


def test_a_chart_with_too_many_bars_is_refused_before_drawing(cli, write, tmp_path):
    # The documented CSV maximum is 10,000 rows (here with England and Wales's). A chart
    # of them would be unreadable, and slow to draw.
    many = {f"Force {i:05d}": float(i % 97) for i in range(9_998)}
    write_data(tmp_path, {**many, "Testshire Police": 5.0})
    write(DATA_REPORT)
    result = cli("build", "report.yaml", "-o", "out", "--format", "html")
    assert result.code == 1
    # Refused at the figure's dataset in the YAML, before anything is drawn.
    assert any(re.match(rf"report\.yaml:\d+:\d+: figures\[\d+\]\.chart\.dataset: .*by-force\.csv has 9,999 rows: "
                        rf"a ranked chart draws at most {MAX_BARS:,} bars", line)
               for line in result.err_lines), result.err_lines


def test_a_chart_at_the_bar_limit_draws_every_row(write, tmp_path):
    many = {f"Force {i:03d}": float(i) for i in range(MAX_BARS - 1)}
    write_data(tmp_path, {**many, "Testshire Police": 5.0})
    doc = compile_report(write(DATA_REPORT)).document
    texts = svg_texts(render_charts(doc, target="web")["ranked"])
    assert {*many, "Testshire Police"} <= set(texts)


LONG = "Office of the police and crime commissioner for a very long named force area " * 3


def _long_chart(kind: str) -> ChartView:
    count, series = (21, 1) if kind == "control" else (5, 2 if kind in ("trend", "comparison") else 1)
    names = [f"{LONG}{i}" for i in range(count)] + ([""] if kind == "shares" else [])
    values = [[float(3 * i + j + 1) for i in range(len(names))] for j in range(series)]
    chart = ChartView(kind, names, [(f"{LONG} series {j}", v) for j, v in enumerate(values)], LONG[:120], 1,
                      "description", TableView([], []), highlight=names[1], reference=(LONG, 5.0), band=(2.0, 8.0),
                      illustrative=True, text=ChartText(illustrative="Illustrative data", band=LONG, mean=LONG,
                                                        limits=LONG, outside=LONG))
    if kind == "control":
        chart.limits = (5.0, 1.0, 9.0)
    return chart


@pytest.mark.parametrize("target", ["web", "print"])
@pytest.mark.parametrize("kind", ["trend", "comparison", "control", "ranked", "shares"])
def test_long_labels_are_cut_to_fit_and_never_leave_the_figure(kind, target):
    scene = draw_scene(_long_chart(kind), GEOMETRY[target])
    texts = [shape for shape in scene.shapes if isinstance(shape, Text)]
    for text in texts:
        width = text_width(text.text, text.size, bold=text.bold, italic=text.italic)
        start = {"start": text.x, "middle": text.x - width / 2, "end": text.x - width}[text.anchor]
        reach = width * math.cos(math.radians(text.angle))  # along x, for slanted and upright text alike
        assert start + width - reach >= -0.5 and start + width <= scene.width + 0.5, (text.text, text.angle)
    assert any(text.text.endswith(ELLIPSIS) for text in texts)  # cut short, not overflowing
    assert scene.height < 2000
    to_png(scene, dpi=72)  # and the picture for Word draws too


def test_a_label_cut_short_is_still_whole_in_the_description_and_title(write, tmp_path):
    long_force = "The Police Service of a Force Area Whose Name Runs On and On Without Any End In Sight"
    write_data(tmp_path, {**FORCES, long_force: 25.0})  # the highest: named in the description
    doc = compile_report(write(DATA_REPORT)).document
    svg = render_charts(doc, target="web")["ranked"]
    assert long_force not in svg_texts(svg)  # cut short on the chart ...
    assert any(t.startswith("The Police Service of") and t.endswith(ELLIPSIS) for t in svg_texts(svg))
    chart = doc.figures["ranked"].chart
    assert long_force in chart.description  # ... whole in the text alternative and the data table
    assert long_force in [row.cells[0].text for row in chart.data_table.rows]


EDGE_VALUES = {
    "all zero": lambda n: [0.0] * n,
    "all missing": lambda n: [None] * n,
    "all equal": lambda n: [5.0] * n,
    "all negative": lambda n: [-3.0] * n,
    "huge and missing": lambda n: [None if i % 2 else -1e12 + i for i in range(n)],
    "tiny": lambda n: [1e-9 * i for i in range(n)],
}


@pytest.mark.parametrize("count", [1, 2])
@pytest.mark.parametrize("values", EDGE_VALUES.values(), ids=EDGE_VALUES.keys())
@pytest.mark.parametrize("kind", ["trend", "comparison", "control", "ranked", "shares"])
def test_edge_values_draw_with_every_label_inside(kind, values, count):
    series = [("a", values(count))] + ([("b", values(count))] if kind == "comparison" else [])
    chart = ChartView(kind, [f"c{i}" for i in range(count)], series, "Rate", 1, "d", TableView([], []),
                      highlight="c0", limits=(0.0, -1.0, 1.0) if kind == "control" else None)
    for target in ("web", "print"):
        scene = draw_scene(chart, GEOMETRY[target])
        for text in (shape for shape in scene.shapes if isinstance(shape, Text) and not shape.angle):
            width = text_width(text.text, text.size, bold=text.bold, italic=text.italic)
            start = {"start": text.x, "middle": text.x - width / 2, "end": text.x - width}[text.anchor]
            assert start >= -0.5 and start + width <= scene.width + 0.5, (target, text.text)
    assert to_png(draw_scene(chart, GEOMETRY["print"]), dpi=36).startswith(b"\x89PNG")
