"""Load stage, for data: read a CSV dataset beside the report, with located errors.

A dataset is a header row, then rows whose first cell names the row (a force, a period
or a category) and whose other cells are numbers or empty. Comment lines starting with
``#`` may precede the header; ``# illustrative`` marks the data as illustrative.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

from peelgen.diagnostics import Diagnostic, display_name
from peelgen.load import read_text

MAX_ROWS = 10_000


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

    @property
    def illustrative(self) -> bool:
        return any(c.lower().startswith("illustrative") for c in self.comments)


def read_csv(path: Path) -> tuple[CsvText | None, list[Diagnostic]]:
    """Read ``path`` as UTF-8 CSV; leading ``#`` lines are comments, not data."""
    from peelgen.diagnostics import BuildFailed

    name = display_name(path)
    try:
        text = read_text(path)
    except BuildFailed as failure:
        return None, failure.diagnostics
    lines = text.splitlines()
    comments: list[str] = []
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        if lines[start].startswith("#"):
            comments.append(lines[start][1:].strip())
        start += 1
    table: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO("\n".join(lines[start:])), strict=True):
            table.append(row)
    except csv.Error as error:
        # The rows read so far locate the row whose quote was never closed.
        return None, [Diagnostic(name, f"malformed CSV: {error}", start + len(table) + 1, 1,
                                 hint="check the quotes in this row")]
    return CsvText(name, comments, start + 1, table), []


def load_dataset(path: Path) -> tuple[DatasetData | None, list[Diagnostic]]:
    """Parse ``path``; returns the data, or None and every problem found."""
    parsed, problems = read_csv(path)
    if parsed is None:
        return None, problems
    name, comments, table, start = parsed.name, parsed.comments, parsed.rows, parsed.first_line - 1
    errors: list[Diagnostic] = []
    if not table:
        return None, [Diagnostic(name, "the CSV has no header row", 1, 1,
                                 hint="the first line names the columns, e.g. force,value")]
    header = [cell.strip() for cell in table[0]]
    header_line = start + 1
    if len(header) < 2 or any(not cell for cell in header):
        return None, [Diagnostic(name, "the header needs a name for every column and at least two columns",
                                 header_line, 1, hint="e.g. force,value")]
    duplicates = {cell for cell in header if header.count(cell) > 1}
    if duplicates:
        return None, [Diagnostic(name, f"duplicate column {sorted(duplicates)[0]!r}", header_line, 1)]
    data = DatasetData(name, header[0], header[1:], illustrative=parsed.illustrative, comments=comments)
    seen: set[str] = set()
    if len(table) - 1 > MAX_ROWS:
        return None, [Diagnostic(name, f"the CSV has more than {MAX_ROWS:,} rows", header_line, 1)]
    for offset, row in enumerate(table[1:], start=1):
        line = header_line + offset
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(Diagnostic(name, f"row has {len(row)} cells but the header has {len(header)}", line, 1))
            continue
        key = row[0].strip()
        if not key:
            errors.append(Diagnostic(name, f"the {header[0]!r} cell is empty", line, 1))
            continue
        if key in seen:
            errors.append(Diagnostic(name, f"{key!r} appears more than once", line, 1))
            continue
        seen.add(key)
        values: list[float | None] = []
        column_start = len(row[0]) + 2
        for index, cell in enumerate(row[1:], start=1):
            cell = cell.strip().replace(",", "")
            if cell in ("", "-", "–"):
                values.append(None)
            else:
                try:
                    number = float(cell)
                    if not math.isfinite(number):
                        raise ValueError(cell)  # "nan", "inf" and overflow print as nonsense
                    values.append(number)
                except ValueError:
                    errors.append(Diagnostic(name, f"column {header[index]!r} expects a number, got {row[index]!r}",
                                             line, column_start, hint="leave the cell empty for a missing value"))
                    values.append(None)
            column_start += len(row[index]) + 1
        data.rows.append((key, values))
    if not data.rows and not errors:
        errors.append(Diagnostic(name, "the CSV has no data rows", header_line, 1))
    return (None if errors else data), errors
