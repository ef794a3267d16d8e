"""``peelgen new``: scaffold a report for a framework.

The scaffold holds every section the framework requires, each with a comment saying
what goes there. Every value to be written is a placeholder starting with "TODO",
which ``peelgen validate`` reports ("placeholder not filled in") until it is replaced,
so an unfinished report can never be built by mistake.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from peelgen.chapters import component
from peelgen.commands.schema import report_schema
from peelgen.framework import Framework

SCHEMA_FILE = "report.schema.json"


class WouldOverwrite(Exception):
    """A file the scaffold would write exists already."""


def slugify(text: str) -> str:
    """'Avon & Somerset Constabulary' -> 'avon-somerset-constabulary'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "report"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str, indent: int) -> str:
    return " " * indent + "# " + " ".join(text.split())


def scaffold(fw: Framework, force: str) -> str:
    """The text of a new report.yaml for ``fw``: the common keys, then each chapter's
    part, as its chapter kind writes it (:meth:`peelgen.chapters.ChapterComponent.scaffold`)."""
    grades = ", ".join([*fw.grade_ids, fw.grades.ungraded.id])
    out = [
        f"# yaml-language-server: $schema=./{SCHEMA_FILE}",
        f"# A {fw.title} report. Replace every TODO; `peelgen validate report.yaml` lists those left.",
        f"# Grades: {grades}. Reference: docs/report-yaml.md.",
        f"framework: {fw.id}",
        "",
        "# Who and when.",
        "meta:",
        f"  force: {_q(force)}",
        _comment("The short name used in running text (default: the full name).", 2),
        "  # force_short: …",
        _comment("Publication date, YYYY-MM-DD.", 2),
        "  publication_date: TODO",
        "  inspection_period: \"TODO: when the fieldwork took place, e.g. September to December 2016\"",
    ]
    for spec in fw.chapters:
        out += component(spec.kind).scaffold(fw, spec)
    out += ["", "# Tables and charts, placed in the text with {figure:ID} (docs/report-yaml.md).", "figures: []",
            "", "# Footnote texts by id, cited in markdown as [^id].", "footnotes: {}", ""]
    return "\n".join(out)


def readme(fw: Framework, force: str) -> str:
    return (f"# {force}: {fw.title}\n\n"
            f"A report in the `{fw.id}` framework, written with peelgen.\n\n"
            "```sh\n"
            "peelgen validate report.yaml   # lists every TODO still to fill in\n"
            "peelgen build report.yaml -o out\n"
            "```\n\n"
            f"`{SCHEMA_FILE}` lets an editor with YAML language support check the report as you type;\n"
            f"regenerate it with `peelgen schema --framework {fw.id} > {SCHEMA_FILE}`.\n")


def write_scaffold(fw: Framework, force: str, folder: Path) -> list[Path]:
    """Write report.yaml, its schema and a README into ``folder``; never overwrite."""
    files = {
        folder / "report.yaml": scaffold(fw, force),
        folder / SCHEMA_FILE: json.dumps(report_schema(fw), indent=2, ensure_ascii=False) + "\n",
        folder / "README.md": readme(fw, force),
    }
    existing = [path for path in files if path.exists()]
    if existing:
        raise WouldOverwrite(f"{existing[0]} exists already; not overwriting")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        with path.open("x", encoding="utf-8") as stream:
            stream.write(text)
    return list(files)
