"""Load stage, for data: read a CSV dataset beside the report, with located errors.

A dataset is a header row, then rows whose first cell names the row (a force, a period
or a category) and whose other cells are numbers or empty. Comment lines starting with
``#`` may precede the header; ``# illustrative`` marks the data as illustrative.

Analysts export these files from spreadsheets, so the reading is strict where a guess
would print a wrong number: numbers are read the UK way (``1,234`` is 1234, ``14,2`` and
``1,2,3`` are errors, not 142 and 123), infinities and NaN are refused, and ``12.5%`` is
read only where the dataset's unit is percent. A byte-order mark, CRLF line ends and
semicolon- or tab-separated files (as some spreadsheet locales save them) are handled.
The file's size is checked before it is read, and its rows while they are read.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.numbers import NumberFormatError, parse_decimal

from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused, display_name
from peelgen.folder import read_regular_file
from peelgen.load import decode_text

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# Numbers are read as in the UK: "," between thousands, "." before decimals.
NUMBER_LOCALE = "en_GB"
MISSING = ("", "-", "–", "—")

_NEWLINE = re.compile(r"\r\n|\r|\n")
_SEPARATOR_LINE = re.compile(r"sep=([,;\t|])")
# The characters a number may have before Babel checks where the commas are.
_NUMBER = re.compile(r"[+-]?(?=[0-9.,]*[0-9])[0-9.,]+(?:[eE][+-]?[0-9]+)?")
_MISSING_HINT = "leave the cell empty for a missing value"


@dataclass(slots=True)
class DatasetData:
    file: str
    key: str  # the first column's heading
    columns: list[str]  # the numeric columns
    rows: list[tuple[str, list[float | None]]] = field(default_factory=list)
    illustrative: bool = False
    comments: list[str] = field(default_factory=list)

    def column(self, name: str) -> list[tuple[str, float | None]]:
        index = self.columns.index(name)
        return [(key, values[index]) for key, values in self.rows]


@dataclass(slots=True)
class CsvText:
    """A CSV file's rows, with the comment lines that precede its header."""

    name: str  # the file name shown in messages
    comments: list[str]
    first_line: int  # the 1-based line of the header row
    rows: list[list[str]]
    # The 1-based line each row starts on (a quoted cell may span lines), header first.
    lines: list[int] = field(default_factory=list)
    delimiter: str = ","

    @property
    def illustrative(self) -> bool:
        return any(c.lower().startswith("illustrative") for c in self.comments)


class CellProblem(ValueError):
    """A cell that is not a number peelgen will read; carries the message's hint."""

    def __init__(self, hint: str) -> None:
        self.hint = hint
        super().__init__(hint)


def read_csv(path: Path) -> tuple[CsvText | None, list[Diagnostic]]:
    """Read ``path`` as UTF-8 CSV; leading ``#`` lines are comments, not data."""
    name = display_name(path)
    try:
        text = decode_text(read_regular_file(path, limit=MAX_CSV_BYTES, what="CSV file"), name, "CSV")
    except FileRefused as refused:
        return None, [Diagnostic(name, refused.message, 1, 1, hint=refused.hint)]
    except BuildFailed as failure:
        return None, failure.diagnostics
    comments, offset, first_line = _preamble(text)
    header_end = _NEWLINE.search(text, offset)
    header = text[offset:header_end.start() if header_end else len(text)]
    if (declared := _SEPARATOR_LINE.fullmatch(header.strip())) and header_end is not None:
        # Excel's "sep=;" line names the delimiter; the header follows it.
        delimiter, offset, first_line = declared.group(1), header_end.end(), first_line + 1
    else:
        delimiter = _delimiter(header)
    parsed = CsvText(name, comments, first_line, [], [], delimiter)
    problem = _read_rows(text[offset:], parsed)
    return (None, [problem]) if problem else (parsed, [])


def _preamble(text: str) -> tuple[list[str], int, int]:
    """The comments before the header, where the header starts, and its line."""
    comments: list[str] = []
    offset, line = 0, 1
    while offset < len(text):
        newline = _NEWLINE.search(text, offset)
        end = newline.end() if newline else len(text)
        content = text[offset:newline.start() if newline else end]
        if content.startswith("#"):
            comments.append(content[1:].strip())
        elif content.strip():
            break
        offset, line = end, line + 1
    return comments, offset, line


def _delimiter(header: str) -> str:
    """``,`` unless the header is clearly separated by semicolons or tabs instead."""
    for other in (";", "\t"):
        if header.count(other) > header.count(","):
            return other
    return ","


def _read_rows(body: str, parsed: CsvText) -> Diagnostic | None:
    """Fill ``parsed.rows`` and ``parsed.lines``; the first problem, if any."""
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=parsed.delimiter, strict=True)
    lines_before = 0  # lines read before the current row (the reader's line_num after the last one)
    try:
        for row in reader:
            line = parsed.first_line + lines_before
            lines_before = reader.line_num
            if len(parsed.rows) > MAX_ROWS:  # the header and MAX_ROWS rows are in already
                return Diagnostic(parsed.name, f"the CSV has more than {MAX_ROWS:,} rows", line, 1,
                                  hint="a chart or table needs far fewer; summarise the data first")
            parsed.rows.append(row)
            parsed.lines.append(line)
    except csv.Error as error:
        # Located at the start of the row that failed: where an unclosed quote opens.
        return Diagnostic(parsed.name, f"malformed CSV: {error}", parsed.first_line + lines_before, 1,
                          hint="check the quotes in this row")
    return None


def read_number(cell: str, *, percent: bool) -> float | None:
    """The number in ``cell``, None if it is empty, :class:`CellProblem` if it is not a
    number read the UK way, not finite, or a percentage where ``percent`` is false."""
    text = cell.strip().replace("\u2212", "-")  # a typographic minus sign is a minus
    if text in MISSING:
        return None
    is_percent = text.endswith("%")
    if is_percent:
        text = text[:-1].rstrip()
    if not _NUMBER.fullmatch(text):
        raise CellProblem(_MISSING_HINT)
    try:
        number = float(parse_decimal(text, locale=NUMBER_LOCALE, strict=True) if "," in text else text)
    except NumberFormatError as error:
        raise CellProblem(_separator_hint(text, getattr(error, "suggestions", None) or [])) from None
    except ValueError:  # "1.2.3"
        raise CellProblem(_MISSING_HINT) from None
    if not math.isfinite(number):
        raise CellProblem(f"write a finite number, or {_MISSING_HINT}")
    if is_percent and not percent:
        raise CellProblem("a percentage: set 'unit: percent' on the dataset, or remove the % sign")
    return number


def _separator_hint(text: str, suggestions: list[str]) -> str:
    # "1.234,5" written the continental way is "1,234.5" here; otherwise Babel's guess.
    swapped = text.translate(str.maketrans(",.", ".,"))
    decimal = swapped if swapped in suggestions else next((s for s in suggestions if "." in s), None)
    if decimal is not None:
        return (f"a decimal comma? write {decimal}: numbers are read the UK way, with ',' only between "
                "thousands (1,234)")
    return "',' may only separate thousands, as in 1,234"


def load_dataset(path: Path, *, unit: str = "count") -> tuple[DatasetData | None, list[Diagnostic]]:
    """Parse ``path``; returns the data, or None and every problem found. ``12.5%`` is
    read as 12.5 only if ``unit`` is percent."""
    parsed, problems = read_csv(path)
    if parsed is None:
        return None, problems
    data, problem = _header(parsed)
    if data is None:
        return None, [problem] if problem else []
    errors: list[Diagnostic] = []
    seen: set[str] = set()
    for row, line in zip(parsed.rows[1:], parsed.lines[1:], strict=True):
        if not any(cell.strip() for cell in row):
            continue
        key, problem = _row_key(row, line, data, seen)
        if problem is not None:
            errors.append(problem)
            continue
        values, row_errors = _row_values(row, line, data, percent=unit == "percent")
        errors.extend(row_errors)
        data.rows.append((key, values))
    if not data.rows and not errors:
        errors.append(Diagnostic(data.file, "the CSV has no data rows", parsed.first_line, 1))
    return (None if errors else data), errors


def _header(parsed: CsvText) -> tuple[DatasetData | None, Diagnostic | None]:
    name, line = parsed.name, parsed.first_line
    if not parsed.rows:
        return None, Diagnostic(name, "the CSV has no header row", 1, 1,
                                hint="the first line names the columns, e.g. force,value")
    header = [cell.strip() for cell in parsed.rows[0]]
    if len(header) < 2 or any(not cell for cell in header):
        hint = "e.g. force,value"
        if parsed.delimiter == "," and ";" in parsed.rows[0][0]:
            hint = "separate the columns with commas or semicolons, not both"
        return None, Diagnostic(name, "the header needs a name for every column and at least two columns",
                                line, 1, hint=hint)
    duplicates = {cell for cell in header if header.count(cell) > 1}
    if duplicates:
        return None, Diagnostic(name, f"duplicate column {sorted(duplicates)[0]!r}", line, 1)
    return DatasetData(name, header[0], header[1:], illustrative=parsed.illustrative,
                       comments=parsed.comments), None


def _row_key(row: list[str], line: int, data: DatasetData, seen: set[str]) -> tuple[str, Diagnostic | None]:
    width = len(data.columns) + 1
    if len(row) != width:
        return "", Diagnostic(data.file, f"row has {len(row)} cells but the header has {width}", line, 1)
    key = row[0].strip()
    if not key:
        return "", Diagnostic(data.file, f"the {data.key!r} cell is empty", line, 1)
    if key in seen:
        return "", Diagnostic(data.file, f"{key!r} appears more than once", line, 1)
    seen.add(key)
    return key, None


def _row_values(row: list[str], line: int, data: DatasetData, *,
                percent: bool) -> tuple[list[float | None], list[Diagnostic]]:
    values: list[float | None] = []
    errors: list[Diagnostic] = []
    column = len(row[0]) + 2  # where the second cell starts (1-based), if nothing is quoted
    for heading, cell in zip(data.columns, row[1:], strict=True):
        try:
            values.append(read_number(cell, percent=percent))
        except CellProblem as problem:
            errors.append(Diagnostic(data.file, f"column {heading!r} expects a number, got {cell!r}", line, column,
                                     hint=problem.hint))
            values.append(None)
        column += len(cell) + 1
    return values, errors
