"""Load stage: metrics and table rows kept in a CSV beside the report.

Analysts export their figures from spreadsheets, so a report may write

    metrics: {from: data/kpis.csv}          # one metric per row, a column per key
    figures:
      - id: outcomes
        table:
          columns: [...]
          rows: {from: data/outcomes.csv}   # one table row per CSV row

and the rows are read here, before validation, as if they had been written in the
YAML. Numbers are read as datasets' are (:func:`peelgen.load_csv.read_number`: the UK
way, "1,234" is 1234, "14,2" and "1,2,3" are errors), and every problem is located in
the CSV file (file, line, column).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from peelgen.diagnostics import Diagnostic, DocPath, FileRefused
from peelgen.folder import Folder
from peelgen.load import LoadedFile
from peelgen.load_csv import MISSING, CellProblem, CsvText, read_csv, read_number

# Metric keys whose cells are numbers, and those that are whole numbers.
_NUMBERS = {"value", "ew"}
_WHOLE = {"decimals"}


class CellError(ValueError):
    """A cell that is not what its column holds; ``hint`` says what to write."""

    def __init__(self, hint: str) -> None:
        self.hint = hint
        super().__init__(hint)


@dataclass(slots=True)
class _Expander:
    loaded: LoadedFile
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def csv(self, spec: dict[str, Any], path: DocPath) -> CsvText | None:
        """The CSV a ``{from: FILE}`` mapping names, inside the report's folder."""
        source = self.loaded.source
        name = spec.get("from")
        extra = sorted(set(spec) - {"from"})
        if not isinstance(name, str) or extra:
            self.diagnostics.append(source.diagnostic(
                path, "expected a list, or {from: FILE.csv} naming a CSV file in the report's folder"))
            return None
        try:
            file = Folder.of([self.loaded.path.resolve().parent]).locate(name, suffixes=(".csv",))
        except FileRefused as refused:
            self.diagnostics.append(source.diagnostic((*path, "from"), refused.message, hint=refused.hint))
            return None
        parsed, problems = read_csv(file)
        self.diagnostics.extend(problems)
        if parsed is not None and not parsed.rows:
            self.diagnostics.append(Diagnostic(parsed.name, "the CSV has no header row", 1, 1))
            return None
        return parsed

    def cell_error(self, parsed: CsvText, line: int, column: int, header: str, cell: str, error: CellError) -> None:
        self.diagnostics.append(Diagnostic(parsed.name, f"column {header!r} expects a number, got {cell!r}",
                                           line, column, hint=error.hint))

    def metrics(self, spec: dict[str, Any]) -> list[dict[str, Any]]:
        parsed = self.csv(spec, ("metrics",))
        if parsed is None:
            return []
        header = [cell.strip() for cell in parsed.rows[0]]
        out = []
        for row, line in zip(parsed.rows[1:], parsed.lines[1:], strict=True):
            if any(cell.strip() for cell in row):
                metric = self._metric(parsed, header, row, line)
                if metric is not None:  # a row with a bad cell is reported once, in the CSV
                    out.append(metric)
        return out

    def _metric(self, parsed: CsvText, header: list[str], row: list[str], line: int) -> dict[str, Any] | None:
        metric: dict[str, Any] = {}
        before = len(self.diagnostics)
        percent = any(h == "unit" and c.strip() == "percent" for h, c in zip(header, row, strict=False))
        column = 1
        for key, cell in zip(header, row, strict=False):
            try:
                value = _metric_cell(key, cell, percent=percent)
            except CellError as error:
                self.cell_error(parsed, line, column, key, cell, error)
                value = None
            if value is not None or (key == "value" and cell.strip() in MISSING):
                metric[key] = value
            column += len(cell) + 1
        if len(row) != len(header):
            self.diagnostics.append(Diagnostic(parsed.name, f"row has {len(row)} cells but the header has "
                                               f"{len(header)}", line, 1))
        return metric if len(self.diagnostics) == before else None

    def rows(self, table: dict[str, Any], path: DocPath) -> list[list[Any]]:
        parsed = self.csv(table["rows"], (*path, "rows"))
        if parsed is None:
            return []
        columns = table.get("columns") if isinstance(table.get("columns"), list) else []
        numeric = [isinstance(c, dict) and c.get("type") == "number" for c in columns]
        out = []
        for row, line in zip(parsed.rows[1:], parsed.lines[1:], strict=True):  # the first row is the CSV's header
            if any(cell.strip() for cell in row):
                out.append(self._row(parsed, row, numeric, line, parsed.rows[0]))
        return out

    def _row(self, parsed: CsvText, row: list[str], numeric: list[bool], line: int, header: list[str]) -> list[Any]:
        cells: list[Any] = []
        column = 1
        for index, cell in enumerate(row):
            if index < len(numeric) and numeric[index]:
                try:
                    cells.append(_number(cell, percent=False))
                except CellError as error:
                    self.cell_error(parsed, line, column, header[index] if index < len(header) else "?", cell, error)
                    cells.append(None)
            else:
                cells.append(cell.strip() or None)
            column += len(cell) + 1
        return cells


def _number(cell: str, *, percent: bool) -> float | None:
    """A number read as datasets are (:func:`peelgen.load_csv.read_number`)."""
    try:
        return read_number(cell, percent=percent)
    except CellProblem as problem:
        raise CellError(problem.hint) from None


def _metric_cell(key: str, cell: str, *, percent: bool) -> Any:
    text = cell.strip()
    if key in _NUMBERS:
        return _number(text, percent=percent)
    if key in _WHOLE:
        if not text:
            return None
        if not text.isdigit():
            raise CellError("write a whole number")
        return int(text)
    return text or None


def expand_csv_sources(loaded: LoadedFile) -> tuple[LoadedFile, list[Diagnostic]]:
    """``loaded`` with each ``{from: FILE.csv}`` under ``metrics`` or a table's ``rows``
    replaced by the rows of that CSV file; the diagnostics are located in the CSV."""
    data = loaded.data
    if not isinstance(data, dict) or not _has_sources(data):
        return loaded, []
    data = copy.deepcopy(data)
    expander = _Expander(loaded)
    if isinstance(data.get("metrics"), dict):
        data["metrics"] = expander.metrics(data["metrics"])
    for index, figure in enumerate(data.get("figures") or []):
        table = figure.get("table") if isinstance(figure, dict) else None
        if isinstance(table, dict) and isinstance(table.get("rows"), dict) and "from" in table["rows"]:
            table["rows"] = expander.rows(table, ("figures", index, "table"))
    return LoadedFile(loaded.path, data, loaded.source), expander.diagnostics


def csv_source_names(data: Any) -> list[str]:
    """The file names of the ``{from: FILE.csv}`` sources in a loaded report (for ``serve``,
    which watches them)."""
    if not isinstance(data, dict):
        return []
    specs = [data.get("metrics")]
    specs += [f["table"].get("rows") for f in data.get("figures") or []
              if isinstance(f, dict) and isinstance(f.get("table"), dict)]
    return [spec["from"] for spec in specs if isinstance(spec, dict) and isinstance(spec.get("from"), str)]


def _has_sources(data: dict[str, Any]) -> bool:
    if isinstance(data.get("metrics"), dict):
        return True
    figures = data.get("figures")
    return isinstance(figures, list) and any(
        isinstance(f, dict) and isinstance(f.get("table"), dict) and isinstance(f["table"].get("rows"), dict)
        and "from" in f["table"]["rows"] for f in figures)
