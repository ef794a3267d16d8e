"""Open data: ``build --format data`` writes the data behind a report.

Files, all named after the report's slug and written beside its web page:

- ``<slug>-data.json``: everything below in one document, described by the published
  JSON Schema docs/schemas/report-data.schema.json;
- ``<slug>-grades.csv``: each graded chapter (question, pillar, component, area);
- ``<slug>-metrics.csv``: each metric, with its England and Wales value;
- ``<slug>-figure-<id>.csv``: each figure's data;
- ``<slug>-national.csv``: a national report's aggregate (grades by question), if any.

Everything is read from the resolved :class:`~peelgen.document.Document` (and the
metrics from the validated report), in this one small module, so that a change to the
document's shape is adapted here alone. CSV cells are neutralised for spreadsheets as
``peelgen national`` does (:func:`peelgen.national.spreadsheet_safe`).

Languages: the names peelgen gives fields and columns (``id``, ``heading``, ``grade``,
``grade_label``, the metric fields, ``category`` for a chart's unnamed first column)
are machine names, the same in every language, so one script reads the data of an
English and a Welsh edition alike; the values, and the headings that come from the
report (a figure's columns, the national table's), are in the report's language.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from peelgen.document import Document, FigureView, Fragment, TableView
from peelgen.national import spreadsheet_safe

FORMAT_ID = "peelgen-report-data"
FORMAT_VERSION = 1
SCHEMA_NAME = "report-data.schema.json"
METRIC_FIELDS = ("id", "label", "value", "ew", "unit", "per", "decimals", "period", "source")

Cell = str | int | float | None


def file_names(slug: str, figure_ids: list[str], national: bool) -> dict[str, str]:
    """What each data file is called: key -> file name."""
    names = {"json": f"{slug}-data.json", "grades": f"{slug}-grades.csv", "metrics": f"{slug}-metrics.csv"}
    names.update({f"figure:{fid}": f"{slug}-figure-{fid}.csv" for fid in figure_ids})
    if national:
        names["national"] = f"{slug}-national.csv"
    return names


def plain(fragment: Fragment | None) -> str:
    """The words of a fragment, without markup or footnote markers."""
    if fragment is None:
        return ""
    parts: list[str] = []
    for token in fragment.tokens:
        for part in [token, *(token.children or [])]:
            if part.type in ("text", "code_inline"):
                parts.append(part.content)
            elif part.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return " ".join("".join(parts).split())


def _chapters(chapters: list[Any]) -> Iterator[Any]:
    """Every chapter and the views nested in it (a kind's view has its own fields, so
    only those a view has are read)."""
    for chapter in chapters:
        yield chapter
        for field in ("components", "questions", "pillars", "areas"):
            yield from _chapters(getattr(chapter, field, None) or [])


def grades(doc: Document) -> list[dict[str, Any]]:
    return [{"id": chapter.id, "heading": plain(chapter.heading.text), "grade": chapter.grade.id,
             "grade_label": chapter.grade.label}
            for chapter in _chapters(doc.chapters) if getattr(chapter, "grade", None) is not None]


def metrics(report: Any) -> list[dict[str, Any]]:
    return [{name: getattr(metric, name, None) for name in METRIC_FIELDS} for metric in getattr(report, "metrics", [])]


def _table(table: TableView) -> tuple[list[str], list[list[Cell]]]:
    return [heading for heading, _numeric in table.columns], [[cell.text for cell in row.cells] for row in table.rows]


def figure_data(figure: FigureView) -> dict[str, Any]:
    """A figure's values: a chart's as numbers, else its table's cells as printed."""
    if figure.chart is not None:
        chart = figure.chart
        columns = [(chart.data_table.columns[0][0] if chart.data_table.columns else "") or "category",
                   *[name for name, _values in chart.series]]
        rows: list[list[Cell]] = [[category, *[values[i] for _name, values in chart.series]]
                                  for i, category in enumerate(chart.categories)]
    elif figure.table is not None:
        columns, rows = _table(figure.table)
    else:
        columns, rows = [], []
    return {"id": figure.id, "number": figure.number, "title": figure.plain_title or plain(figure.title),
            "source": figure.source, "columns": columns, "rows": rows}


def national_aggregate(doc: Document) -> dict[str, Any] | None:
    for chapter in _chapters(doc.chapters):
        if getattr(chapter, "distribution", None):
            return {"columns": list(chapter.table_headings),
                    "rows": [[row.label, *row.counts] for row in chapter.distribution]}
    return None


def _csv(columns: list[str], rows: list[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in [columns, *rows]:
        writer.writerow(["" if cell is None else spreadsheet_safe(str(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8")


def data_document(doc: Document, report: Any) -> dict[str, Any]:
    figures = [figure_data(figure) for figure in sorted(doc.figures.values(), key=lambda f: f.number)]
    national = national_aggregate(doc)
    names = file_names(doc.slug, [f["id"] for f in figures], national is not None)
    return {
        "format": FORMAT_ID,
        "version": FORMAT_VERSION,
        "report": {"framework": doc.framework_id, "title": doc.title, "force": doc.force, "slug": doc.slug,
                   "publication_date": doc.publication_date.isoformat()},
        "files": names,
        "grades": grades(doc),
        "metrics": metrics(report),
        "figures": figures,
        "national": national,
    }


def data_outputs(doc: Document, report: Any) -> dict[str, bytes]:
    """Every data file, by name, ready for :func:`peelgen.output.write_atomically`."""
    data = data_document(doc, report)
    names = data["files"]
    outputs = {
        names["json"]: (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        names["grades"]: _csv(["id", "heading", "grade", "grade_label"],
                              [[g["id"], g["heading"], g["grade"], g["grade_label"]] for g in data["grades"]]),
        names["metrics"]: _csv(list(METRIC_FIELDS), [[m[name] for name in METRIC_FIELDS] for m in data["metrics"]]),
    }
    for figure in data["figures"]:
        outputs[names[f"figure:{figure['id']}"]] = _csv(figure["columns"], figure["rows"])
    if data["national"] is not None:
        outputs[names["national"]] = _csv(data["national"]["columns"], data["national"]["rows"])
    return outputs


def links(doc: Document, report: Any) -> list[str]:
    """The data files' names, in the order the web page lists them."""
    return list(data_document(doc, report)["files"].values())
