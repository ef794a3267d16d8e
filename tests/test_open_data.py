"""build --format data: grades, metrics and figure data as CSV and JSON (issue 15)."""

from __future__ import annotations

import csv
import html.parser
import io
import json

import jsonschema
import pytest

from tests.conftest import MINIMAL, ROOT, WEST_MERCIA, example_params

SCHEMA = json.loads((ROOT / "docs" / "schemas" / "report-data.schema.json").read_text(encoding="utf-8"))


def _validate(document: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


def _rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self._in_downloads = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "aside" and attrs.get("class") == "data-downloads":
            self._in_downloads = True
        elif tag == "a" and self._in_downloads:
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "aside":
            self._in_downloads = False


def test_west_mercia_data_files_and_links(cli, tmp_path):
    result = cli("build", "-f", "html", "-f", "data", "-o", "site", WEST_MERCIA)
    assert result.code == 0, result.err
    site = tmp_path / "site"
    document = json.loads((site / "west-mercia-2016-data.json").read_text(encoding="utf-8"))
    _validate(document)

    grades = _rows(site / "west-mercia-2016-grades.csv")
    assert grades[0] == ["id", "heading", "grade", "grade_label"]
    assert [grades[2][0], grades[2][2]] == ["preventing", "requires-improvement"]
    metrics = {row[0]: row for row in _rows(site / "west-mercia-2016-metrics.csv")}
    assert metrics["crime-rate"][2:4] == ["58.8", "68.2"]

    # A figure's CSV holds the numbers of the data file behind its chart.
    figure = _rows(site / "west-mercia-2016-figure-crime-trend.csv")
    source = [line for line in _rows(ROOT / "examples" / "west-mercia-2016" / "data" / "crime-trend.csv")
              if line and not line[0].startswith("#")]
    assert [row[1:] for row in figure[1:]] == [row[1:] for row in source[1:]]
    assert len(document["figures"]) == len(list(site.glob("west-mercia-2016-figure-*.csv")))

    page = _Links()
    page.feed((site / "west-mercia-2016.html").read_text(encoding="utf-8"))
    assert sorted(page.hrefs) == sorted(document["files"].values())
    assert all((site / href).is_file() for href in page.hrefs)


def test_html_without_data_has_no_download_links(cli, tmp_path):
    assert cli("build", "-f", "html", "-o", "site", WEST_MERCIA).code == 0
    assert "data-downloads" not in (tmp_path / "site" / "west-mercia-2016.html").read_text(encoding="utf-8")


def test_national_aggregate_csv(cli, tmp_path):
    result = cli("build", "-q", "-f", "data", "-o", "site", ROOT / "examples" / "national-2017" / "report.yaml")
    assert result.code == 0, result.err
    assert result.out == ""
    [aggregate] = (tmp_path / "site").glob("*-national.csv")
    rows = _rows(aggregate)
    assert rows[0][0] == "Question" and rows[0][-2:] == ["Declined", "Improved"]
    # Every force has one grade per question: each row's grades add up to the same total.
    totals = {sum(int(cell) for cell in row[1:-2]) for row in rows[1:]}
    assert totals == {43}


def test_cells_are_neutralised_for_spreadsheets(cli, write, tmp_path):
    write(MINIMAL.replace("[Recorded crime, 58.8]", "['=HYPERLINK(\"http://x\")', 58.8]"))
    result = cli("build", "-f", "data", "-o", "site", "report.yaml")
    assert result.code == 0, result.err
    [figure] = (tmp_path / "site").glob("*-figure-rates.csv")
    assert _rows(figure)[1][0] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("report", example_params())
def test_every_example_data_validates(cli, tmp_path, report):
    result = cli("build", "-q", "-f", "data", "-o", "site", report)
    assert result.code == 0, result.err
    [document] = (tmp_path / "site").glob("*-data.json")
    data = json.loads(document.read_text(encoding="utf-8"))
    _validate(data)
    assert all((tmp_path / "site" / name).is_file() for name in data["files"].values())


def test_schema_can_fail():
    with pytest.raises(jsonschema.ValidationError):
        _validate({"format": "peelgen-report-data", "version": 1, "report": {}, "files": {}, "grades": [],
                   "metrics": [], "figures": [], "national": None})
