"""Numbers live once: metrics and CSV datasets feed sentences, charts, tiles and Annex A."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from peelgen.build import compile_report
from peelgen.render_charts import render_charts
from peelgen.render_html import render_html
from tests.conftest import MINIMAL, line_of


class SVGSnapshot(SingleFileSnapshotExtension):
    file_extension = "svg"
    _write_mode = WriteMode.TEXT


FORCES = {"Alphashire Police": 12.0, "Betashire Constabulary": 20.5, "Testshire Police": 15.25,
          "Gammashire Police": None, "Deltashire Police": 8.0}
RANKED = ["Betashire Constabulary", "Testshire Police", "Alphashire Police", "Deltashire Police"]

_WITH_PROSE = MINIMAL.replace(
    "          Crime in {area} is low.\n",
    "          Crime in {area} is {metric:crime-rate} per 1,000 people, against {metric:crime-rate.ew} across\n"
    "          England and Wales, in the {metric:crime-rate.period}. Satisfaction: {metric:satisfaction}.\n"
    "          Calls: {metric:calls}.\n",
).replace("          {figure:rates}\n",
          "".join(f"          {{figure:{name}}}\n\n" for name in ("rates", "ranked", "trend", "compare", "shares")))

DATA_REPORT = (_WITH_PROSE + """\
metrics:
  - id: crime-rate
    label: Recorded crime
    value: 58.8
    ew: 68.2
    unit: rate
    per: 1,000 population
    decimals: 1
    period: 12 months to 30 June 2016
    data_source: recorded-crime
  - id: satisfaction
    label: Victim satisfaction
    value: 84.1
    ew: 83.3
    unit: percent
    decimals: 1
    data_source: victims
  - id: calls
    label: Calls for assistance
    value: null
    missing: The force could not supply this figure.
    data_source: recorded-crime
datasets:
  - id: by-force
    file: data/by-force.csv
    unit: percent
    decimals: 1
  - id: trend
    file: data/trend.csv
    unit: rate
    per: 1,000 population
  - id: shares
    file: data/shares.csv
    unit: percent
data_sources:
  - id: recorded-crime
    title: Recorded crime and crime outcomes
    body: Home Office figures for the year.
    caveats:
      - forces: [Alphashire Police, Betashire Constabulary]
        text: supplied three quarters of the year.
  - id: victims
    title: Victim satisfaction
    body: A survey of victims.
force_in_numbers: [crime-rate, satisfaction, calls]
""").replace("figures:\n", """figures:
  - id: ranked
    title: Share of crime with a vulnerable victim in {area}, by force
    source: HMIC data return
    data_source: recorded-crime
    chart: {type: ranked, dataset: by-force, band: true}
  - id: trend
    title: Crime rate in {area} over time
    chart: {type: trend, dataset: trend}
  - id: compare
    title: Crime and satisfaction in {area}
    chart: {type: comparison, metrics: [crime-rate, satisfaction]}
  - id: shares
    title: Organised crime groups by type
    chart: {type: shares, dataset: shares}
""")


def write_data(root: Path, by_force: dict[str, float | None] = FORCES) -> None:
    data = root / "data"
    data.mkdir(exist_ok=True)
    rows = "".join(f"{name},{'' if value is None else value}\n" for name, value in by_force.items())
    (data / "by-force.csv").write_text("# illustrative\nforce,value\n" + rows + "England and Wales,14.3\n")
    (data / "trend.csv").write_text("period,Testshire,England and Wales\n2015,50.1,60.2\n2016,58.8,68.2\n")
    (data / "shares.csv").write_text("category,value\nDrugs,60\nFraud,25.5\nOther,14.5\n")


@pytest.fixture
def data_report(write, tmp_path: Path):
    write_data(tmp_path)
    return write(DATA_REPORT)


def test_metric_values_in_prose_come_from_data(data_report):
    html = render_html(compile_report(data_report).document, target="web")
    assert "Crime in Testshire is 58.8 per 1,000 people, against 68.2 across" in html
    assert "in the 12 months to 30 June 2016. Satisfaction: 84.1 percent." in html


@pytest.mark.parametrize(("style", "expected"), [("percent", "84.1 percent"), ("per cent", "84.1 per cent"),
                                                 ("\"%\"", "84.1%")])
def test_percent_house_style(write, tmp_path, style, expected):
    write_data(tmp_path)
    html = render_html(compile_report(write(DATA_REPORT + f"style:\n  percent: {style}\n")).document)
    assert f"Satisfaction: {expected}." in html


def test_missing_value_is_a_dash_with_a_footnote(data_report):
    doc = compile_report(data_report).document
    html = render_html(doc, target="web")
    note = next(f for f in doc.footnotes if f.id == "missing-calls")
    assert f'Calls: –<sup class="fn-ref"><a href="#{note.anchor}"' in html
    assert "The force could not supply this figure." in html
    # The tile shows the same dash and cites the same note number.
    tiles = html[html.index('<ul class="tiles">'):html.index("</ul>", html.index('<ul class="tiles">'))]
    assert f'–<sup class="fn-ref"><a href="#{note.anchor}"' in tiles


def test_changing_one_metric_changes_sentence_chart_and_tile(write, tmp_path):
    write_data(tmp_path)
    before = compile_report(write(DATA_REPORT)).document
    after = compile_report(write(DATA_REPORT.replace("value: 58.8", "value: 61.3"))).document
    html_before, html_after = render_html(before), render_html(after)
    assert "Testshire is 58.8 per" in html_before and "Testshire is 61.3 per" in html_after
    tile = re.compile(r'<p class="tile-value">([^<]+)</p>\s*<p class="tile-label">Recorded crime</p>')
    assert tile.search(html_before).group(1) == "58.8"
    assert tile.search(html_after).group(1) == "61.3"
    svg_before, svg_after = render_charts(before)["compare"], render_charts(after)["compare"]
    assert ">58.8<" in svg_before and ">61.3<" in svg_after and ">58.8<" not in svg_after
    description = after.figures["compare"].chart.description
    assert "Recorded crime: 61.3 in Testshire against 68.2 in England and Wales" in description


def test_ranked_chart_highlights_force_ranks_and_bands(data_report):
    chart = compile_report(data_report).document.figures["ranked"].chart
    assert chart.categories == RANKED
    assert chart.highlight == "Testshire Police"
    assert chart.reference == ("England and Wales", 14.3)
    assert chart.missing == ["Gammashire Police"]
    values = [20.5, 15.25, 12.0, 8.0]
    mean, spread = statistics.fmean(values), statistics.pstdev(values)
    assert chart.band == pytest.approx((mean - spread, mean + spread))
    assert "Testshire Police: 15.2 percent, 2nd of 4." in chart.description
    assert "No data for Gammashire Police." in chart.description
    assert chart.illustrative


def test_a_ranked_chart_can_name_this_force_s_row(write, tmp_path):
    # An edition in another language draws the same file, where the force has its English name.
    write_data(tmp_path)
    report = write(DATA_REPORT.replace("dataset: by-force, band: true}",
                                       "dataset: by-force, band: true, force_row: Alphashire Police}"))
    chart = compile_report(report).document.figures["ranked"].chart
    assert chart.highlight == "Alphashire Police"
    assert "Alphashire Police: 12.0 percent, 3rd of 4." in chart.description


def test_a_force_row_not_in_the_data_is_located(cli, write, tmp_path):
    write_data(tmp_path)
    text = DATA_REPORT.replace("dataset: by-force, band: true}", "dataset: by-force, band: true, force_row: Alfashire}")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = [line for line in result.err_lines if "chart.force-row" in line]
    assert line.startswith(f"report.yaml:{line_of(text, 'force_row: Alfashire')}:")
    assert "figures[0].chart.force_row: data/by-force.csv has no row named 'Alfashire'" in line


def test_force_row_belongs_to_ranked_charts_only(cli, write, tmp_path):
    write_data(tmp_path)
    write(DATA_REPORT.replace("chart: {type: shares, dataset: shares}",
                              "chart: {type: shares, dataset: shares, force_row: Drugs}"))
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any("'force_row' names the highlighted row of a ranked chart; this is a shares chart" in line
               for line in result.err_lines), result.err_lines


@pytest.mark.parametrize("target", ["web", "print"])
def test_charts_are_accessible_deterministic_svg(data_report, snapshot, target):
    doc = compile_report(data_report).document
    first, second = render_charts(doc, target=target), render_charts(doc, target=target)
    assert first == second
    for figure_id, svg in first.items():
        figure = doc.figures[figure_id]
        root = svg[:svg.index(">")]
        assert root.startswith("<svg ") and 'role="img"' in root
        assert f'aria-labelledby="{figure.anchor}-title {figure.anchor}-desc"' in root
        assert f"<title id=\"{figure.anchor}-title\">Figure {figure.number}: " in svg
        assert "<desc id=" in svg
        assert "<text" in svg  # text stays text
        assert "<image" not in svg
        assert svg == snapshot(name=figure_id, extension_class=SVGSnapshot)


def test_html_offers_chart_data_as_a_table_and_print_uses_alt_text(data_report):
    doc = compile_report(data_report).document
    web = render_html(doc, target="web")
    assert '<details class="chart-data">' in web
    assert "<th scope=\"row\">Betashire Constabulary</th><td class=\"num\">20.5</td>" in web
    printed = render_html(doc, target="print")
    alt = re.search(r'<img class="chart" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', printed)
    assert alt and "Bar chart of 4 forces, highest first." in alt.group(1)


def test_annex_a_is_generated_from_what_the_report_uses(data_report):
    doc = compile_report(data_report).document
    annex = next(c for c in doc.chapters if c.kind == "annex")
    titles = [s.heading.text.tokens[0].content for s in annex.sections]
    assert titles[-2:] == ["Force in numbers", "Figures throughout the report"]
    fin, figures = annex.sections[-2], annex.sections[-1]
    assert [s.heading.text.tokens[0].content for s in fin.sections] == [
        "Recorded crime and crime outcomes", "Victim satisfaction"]
    entry_titles = [s.heading.text.tokens[0].content for s in figures.sections]
    assert entry_titles[1] == "Figure 2: Share of crime with a vulnerable victim, by force"  # force-neutral
    html = render_html(doc, target="web")
    assert "<strong>Alphashire Police and Betashire Constabulary</strong> supplied three quarters" in html
    assert html.count("supplied three quarters") == 1  # described once, then pointed to
    assert "Please see ‘Recorded crime and crime outcomes’ above." in html
    # The figure's pointer links to its own entry.
    ranked = doc.figures["ranked"]
    assert f'<a href="#{ranked.annex_anchor}">For further information' in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{metric:crime-rate} per", "{metric:crime-rat} per"),
         "unknown metric 'crime-rat' in {metric:crime-rat} (did you mean 'crime-rate'?) [text.metric]"),
        (("{metric:crime-rate.ew}", "{metric:crime-rate.eww}"), "unknown field '.eww' in {metric:crime-rate.eww}"),
        (("{metric:crime-rate.ew}", "{metric:satisfaction.period}"), "metric 'satisfaction' has no period"),
    ],
)
def test_unknown_metric_references_are_located(cli, write, tmp_path, change, message):
    write_data(tmp_path)
    text = DATA_REPORT.replace(*change)
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, change[1])}:1: questions[0].findings[0].body: {message}"
        + ("" if "did you mean" in message else result.err_lines[0][result.err_lines[0].index(message) + len(message):])
    ]


def test_unknown_ids_in_charts_tiles_and_sources(cli, write, tmp_path):
    write_data(tmp_path)
    text = (DATA_REPORT.replace("dataset: by-force, band", "dataset: by-forse, band")
            .replace("force_in_numbers: [crime-rate, satisfaction, calls]",
                     "force_in_numbers: [crime-rate, satisfactoin]")
            .replace("    data_source: victims\n", "    data_source: victim\n"))
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    messages = "\n".join(result.err_lines)
    assert "figures[0].chart.dataset: unknown dataset 'by-forse' (did you mean 'by-force'?)" in messages
    assert "force_in_numbers[1]: unknown metric 'satisfactoin' (did you mean 'satisfaction'?)" in messages
    assert "metrics[1].data_source: unknown data source 'victim' (did you mean 'victims'?)" in messages


def test_null_value_needs_a_reason(cli, write, tmp_path):
    write_data(tmp_path)
    text = DATA_REPORT.replace("    missing: The force could not supply this figure.\n", "")
    write(text)
    result = cli("validate", "report.yaml")
    assert any("metrics[2]: the value is null: say why in 'missing'" in line for line in result.err_lines)


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("force,value\nAlphashire Police,12\nTestshire Police,abc\n",
         "data/by-force.csv:3:18: column 'value' expects a number, got 'abc' "
         "(leave the cell empty for a missing value)"),
        ("force,value\nAlphashire Police,12,3\n", "data/by-force.csv:2:1: row has 3 cells but the header has 2"),
        ("force,value\nAlphashire Police,12\nAlphashire Police,13\n",
         "data/by-force.csv:3:1: 'Alphashire Police' appears more than once"),
        ("# only a comment\n", "data/by-force.csv:1:1: the CSV has no header row (the first line names the columns, "
                               "e.g. force,value)"),
        ("force,value,value\nA,1,2\n", "data/by-force.csv:1:1: duplicate column 'value'"),
        ('force,value\n"Alphashire Police,12\n', "data/by-force.csv:2:1: malformed CSV"),
        ("force,value\n", "data/by-force.csv:1:1: the CSV has no data rows"),
    ],
    ids=["not-a-number", "too-many-cells", "duplicate-row", "no-header", "duplicate-column", "bad-quote", "no-rows"],
)
def test_malformed_csv_gets_file_row_column(cli, write, tmp_path, csv, expected):
    write_data(tmp_path)
    (tmp_path / "data" / "by-force.csv").write_text(csv)
    write(DATA_REPORT)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith(expected) for line in result.err_lines), result.err_lines


@pytest.mark.parametrize("path", ["../outside.csv", "/etc/passwd.csv", "data/missing.csv", "data/by-force.txt"])
def test_dataset_files_must_be_csv_inside_the_folder(cli, write, tmp_path, path):
    write_data(tmp_path)
    text = DATA_REPORT.replace("file: data/by-force.csv", f"file: {path}")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith(f"report.yaml:{line_of(text, 'file: ' + path)}:11: datasets[0].file: ")
               for line in result.err_lines), result.err_lines


@pytest.mark.parametrize(("value", "message"), [
    (".inf", "input should be a finite number"),
    (".nan", "input should be a finite number"),
    ("1e400", "input should be a finite number"),
    ("true", "expected a number, got true"),
])
def test_metric_values_must_be_printable_numbers(cli, write, tmp_path, value, message):
    write_data(tmp_path)
    text = DATA_REPORT.replace("value: 58.8", f"value: {value}")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith(f"report.yaml:{line_of(text, 'value: ' + value)}:12: metrics[0].value: ")
               and message in line.lower() for line in result.err_lines), result.err_lines


@pytest.mark.parametrize("cell", ["nan", "inf", "Infinity", "1e400"])
def test_csv_cells_must_be_finite(cli, write, tmp_path, cell):
    write_data(tmp_path)
    (tmp_path / "data" / "by-force.csv").write_text(f"force,value\nAlphashire Police,{cell}\n")
    write(DATA_REPORT)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith(f"data/by-force.csv:2:19: column 'value' expects a number, got '{cell}'")
               for line in result.err_lines), result.err_lines


def test_number_formats_any_whole_number_exactly():
    from peelgen.formatting import number

    assert number(10**20, 1) == "100,000,000,000,000,000,000.0"
    assert number(-1234.5, 1) == "-1,234.5"
