"""Metrics and table rows from a CSV beside the report (`{from: FILE.csv}`), read strictly."""

from __future__ import annotations

import jsonschema

from peelgen.build import compile_report
from peelgen.commands.schema import report_schema
from peelgen.framework import load_framework
from peelgen.load import load_yaml
from peelgen.render_html import render_html
from tests.conftest import MINIMAL

KPIS = """\
id,label,value,ew,unit,decimals,period
crime-rate,Recorded crime per 1000,"1,234",58.5,count,0,12 months to June 2016
satisfaction,Victims satisfied,12.5%,80.1,percent,1,2016
"""

WITH_METRICS = MINIMAL.replace("Crime in {area} is low.", "Crime: {metric:crime-rate}; {metric:satisfaction}.") \
    + "metrics: {from: kpis.csv}\n"


def test_metrics_from_a_csv(write, tmp_path):
    (tmp_path / "kpis.csv").write_text(KPIS, encoding="utf-8")
    path = write(WITH_METRICS)
    html = render_html(compile_report(path).document)
    assert "Crime: 1,234; 12.5 percent." in html
    # The JSON Schema accepts the form too, as the validator does.
    data = load_yaml(path).data
    validator = jsonschema.Draft202012Validator(report_schema(load_framework(data["framework"])))
    assert list(validator.iter_errors(data)) == []


def test_a_decimal_comma_is_a_located_error(cli, write, tmp_path):
    (tmp_path / "kpis.csv").write_text(KPIS.replace('"1,234"', '"14,2"'), encoding="utf-8")
    write(WITH_METRICS)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith("kpis.csv:2:36: column 'value' expects a number, got '14,2' (a decimal comma?")
               for line in result.err_lines), result.err_lines
    assert len(result.err_lines) == 1  # the row is reported once, in the CSV


def test_grouping_in_the_wrong_places_is_a_located_error(cli, write, tmp_path):
    (tmp_path / "kpis.csv").write_text(KPIS.replace('"1,234"', '"1,2,3"'), encoding="utf-8")
    write(WITH_METRICS)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith("kpis.csv:2:36: column 'value' expects a number, got '1,2,3'")
               for line in result.err_lines), result.err_lines


def test_table_rows_from_a_csv(write, tmp_path):
    (tmp_path / "rates.csv").write_text('crime,rate\nRecorded crime,"1,058.8"\nBurglary,\n', encoding="utf-8")
    text = MINIMAL.replace("      rows:\n        - [Recorded crime, 58.8]\n", "      rows: {from: rates.csv}\n")
    assert "rates.csv" in text
    html = render_html(compile_report(write(text)).document)
    assert "1,058.8" in html and "Burglary" in html


def test_a_missing_csv_is_located_in_the_report(cli, write):
    text = MINIMAL + "metrics: {from: nowhere.csv}\n"
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any("metrics.from:" in line and "nowhere.csv" in line for line in result.err_lines), result.err_lines
