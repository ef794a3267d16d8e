"""CSV datasets are read strictly: numbers the UK way, limits before work, every problem
located on the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from peelgen.load_csv import MAX_CSV_BYTES, MAX_ROWS, CellProblem, load_dataset, read_csv, read_number
from tests.test_metrics import DATA_REPORT, write_data


@pytest.mark.parametrize(("cell", "number"), [
    ("1,234", 1234.0), ("1,234,567.5", 1234567.5), ("14.2", 14.2), ("-3", -3.0), ("\u22123", -3.0),
    ("+5", 5.0), (" 7 ", 7.0), (".5", 0.5), ("1e3", 1000.0), ("0", 0.0), ("", None), ("-", None), ("–", None),
])
def test_numbers_are_read_the_uk_way(cell: str, number: float | None):
    assert read_number(cell, percent=False) == number


@pytest.mark.parametrize(("cell", "hint"), [
    ("14,2", "a decimal comma? write 14.2"),
    ("0,5", "a decimal comma? write 0.5"),
    ("1,2,3", "',' may only separate thousands, as in 1,234"),
    ("1.234,5", "a decimal comma? write 1,234.5"),
    ("inf", "leave the cell empty"), ("-inf", "leave the cell empty"), ("nan", "leave the cell empty"),
    ("1e400", "write a finite number"), ("-1e400", "write a finite number"),
    ("1_000", "leave the cell empty"), ("١٢", "leave the cell empty"), ("£3", "leave the cell empty"),
    ("1 234", "leave the cell empty"), ("12.5%", "set 'unit: percent' on the dataset"),
])
def test_doubtful_numbers_are_refused_with_a_hint(cell: str, hint: str):
    with pytest.raises(CellProblem) as problem:
        read_number(cell, percent=False)
    assert hint in problem.value.hint


@pytest.mark.parametrize(("cell", "number"), [("12.5%", 12.5), ("12.5 %", 12.5), ("100%", 100.0), ("7", 7.0)])
def test_percent_signs_are_read_where_the_unit_is_percent(cell: str, number: float):
    assert read_number(cell, percent=True) == number


def load(tmp_path: Path, content: str | bytes, *, unit: str = "count"):
    path = tmp_path / "data.csv"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    data, problems = load_dataset(path, unit=unit)
    return data, [p.format().replace(str(path), "data.csv") for p in problems]


def test_decimal_comma_is_a_located_error(tmp_path: Path):
    data, problems = load(tmp_path, 'force,value\nAlphashire,"14,2"\nBetashire,"1,2,3"\nGammashire,"1,234"\n')
    assert data is None
    assert problems == [
        "data.csv:2:12: column 'value' expects a number, got '14,2' (a decimal comma? write 14.2: numbers are "
        "read the UK way, with ',' only between thousands (1,234))",
        "data.csv:3:11: column 'value' expects a number, got '1,2,3' (',' may only separate thousands, "
        "as in 1,234)",
    ]


def test_thousands_separators_are_fine(tmp_path: Path):
    data, problems = load(tmp_path, 'force,value\nAlphashire,"1,234"\nBetashire,"12,345.5"\n')
    assert problems == []
    assert data is not None and data.rows == [("Alphashire", [1234.0]), ("Betashire", [12345.5])]


def test_a_percent_dataset_reads_percent_signs(tmp_path: Path):
    data, problems = load(tmp_path, "force,value\nAlphashire,12.5%\n", unit="percent")
    assert problems == []
    assert data is not None and data.rows == [("Alphashire", [12.5])]
    _, problems = load(tmp_path, "force,value\nAlphashire,12.5%\n", unit="rate")
    assert problems == ["data.csv:2:12: column 'value' expects a number, got '12.5%' (a percentage: set "
                        "'unit: percent' on the dataset, or remove the % sign)"]


def test_byte_order_mark_and_crlf_are_handled(tmp_path: Path):
    data, problems = load(tmp_path, b"\xef\xbb\xbf# illustrative\r\nforce,value\r\nAlphashire,1\r\nBetashire,2\r\n")
    assert problems == []
    assert data is not None
    assert data.key == "force" and data.illustrative
    assert data.rows == [("Alphashire", [1.0]), ("Betashire", [2.0])]


def test_crlf_errors_are_on_the_right_line(tmp_path: Path):
    _, problems = load(tmp_path, "# note\r\nforce,value\r\nAlphashire,1\r\nBetashire,x\r\n")
    assert problems == ["data.csv:4:11: column 'value' expects a number, got 'x' (leave the cell empty for a "
                        "missing value)"]


def test_semicolon_separated_files_are_read(tmp_path: Path):
    data, problems = load(tmp_path, "force;value;other\nAlphashire;1,234;2\nBetashire;14,2;3\n")
    assert problems == ["data.csv:3:11: column 'value' expects a number, got '14,2' (a decimal comma? write "
                        "14.2: numbers are read the UK way, with ',' only between thousands (1,234))"]
    data, problems = load(tmp_path, "force;value\nAlphashire;1.5\n")
    assert problems == []
    assert data is not None and data.rows == [("Alphashire", [1.5])]
    parsed, _ = read_csv(tmp_path / "data.csv")
    assert parsed is not None and parsed.delimiter == ";"


def test_excels_sep_line_names_the_delimiter(tmp_path: Path):
    _, problems = load(tmp_path, "sep=;\r\nforce;value\r\nAlphashire;1,234\r\nBetashire;x\r\n")
    assert problems == ["data.csv:4:11: column 'value' expects a number, got 'x' (leave the cell empty for a "
                        "missing value)"]


def test_an_error_after_a_quoted_newline_is_on_its_own_line(tmp_path: Path):
    text = 'force,value\n"Alpha\nshire",1\nBetashire,x\n'
    _, problems = load(tmp_path, text)
    assert problems == ["data.csv:4:11: column 'value' expects a number, got 'x' (leave the cell empty for a "
                        "missing value)"]


def test_an_unclosed_quote_is_located_where_its_row_starts(tmp_path: Path):
    _, problems = load(tmp_path, 'force,value\n"Alpha\nshire",1\n"Betashire,2\nGammashire,3\n')
    assert len(problems) == 1
    assert problems[0].startswith("data.csv:4:1: malformed CSV: ")


def test_too_many_rows_are_refused_at_the_first_row_over(tmp_path: Path):
    rows = "".join(f"force{i},{i}\n" for i in range(MAX_ROWS + 5))
    _, problems = load(tmp_path, "# note\nforce,value\n" + rows)
    assert problems == [f"data.csv:{MAX_ROWS + 3}:1: the CSV has more than {MAX_ROWS:,} rows (a chart or table "
                        "needs far fewer; summarise the data first)"]
    data, problems = load(tmp_path, "force,value\n" + "".join(f"force{i},{i}\n" for i in range(MAX_ROWS)))
    assert problems == [] and data is not None and len(data.rows) == MAX_ROWS


def test_an_over_large_file_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "data.csv"
    with path.open("wb") as file:
        file.truncate(3 * 1024 ** 3)  # sparse
    data, problems = load_dataset(path)
    assert data is None
    [problem] = problems
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message == (f"the CSV file is too large (3,221,225,472 bytes; the limit is {MAX_CSV_BYTES:,} "
                               "bytes)")


def test_an_unreadable_file_is_a_located_error(tmp_path: Path, monkeypatch):
    import errno
    import os

    path = tmp_path / "data.csv"
    path.write_text("force,value\nA,1\n")

    def refuse(*args, **kwargs):  # as chmod 0 would, also for root, who may read anything
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    data, problems = load_dataset(path)
    assert data is None
    [problem] = problems
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message == "CSV file 'data.csv' cannot be read: permission denied"


def test_a_binary_file_is_a_located_error(tmp_path: Path):
    _, problems = load(tmp_path, b"force,value\nA,\x00\x01\n")
    assert problems == ["data.csv:1:1: the file is binary, not CSV text"]


def test_csv_problems_reach_the_cli_located(cli, write, tmp_path):
    write_data(tmp_path)
    (tmp_path / "data" / "by-force.csv").write_text('force,value\nAlphashire Police,"14,2"\n')
    write(DATA_REPORT)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith("data/by-force.csv:2:19: column 'value' expects a number, got '14,2' (a decimal "
                               "comma? write 14.2") for line in result.err_lines), result.err_lines
