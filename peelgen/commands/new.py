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

from peelgen.commands.schema import report_schema
from peelgen.framework import Framework, SubQuestion

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


def _findings(sections: list[SubQuestion], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for section in sections:
        lines.append(_comment(section.heading, indent))
        lines.append(f"{pad}- id: {section.id}")
        lines.append(f"{pad}  body: {_q('TODO: findings under this heading (markdown)')}")
    return lines


def scaffold(fw: Framework, force: str) -> str:
    """The text of a new report.yaml for ``fw``."""
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
    if fw.overall is not None:
        out += ["", _comment(f"The overall judgment: {fw.overall.heading}", 0), "overall:",
                "  grade: TODO"]
        if fw.overall.previous_grade == "required":
            out += ["  previous_grade: TODO  # last assessment's grade"]
        elif fw.overall.previous_grade == "optional":
            out += ["  # previous_grade: …  # last assessment's grade; the comparison sentence is derived"]
        out += [f"  summary: {_q('TODO: the overview narrative (markdown)')}"]
    if fw.pillars:
        out += ["", "# One entry per pillar: its grade and summary.", "pillars:"]
        for pillar in fw.pillars:
            out += [_comment(pillar.question, 2), f"  - id: {pillar.id}",
                    f"    grade: {'TODO' if pillar.graded else fw.grades.ungraded.id}",
                    f"    summary: {_q('TODO: the pillar summary (markdown)')}"]
    out += _other_sections(fw)
    required = [spec for spec in fw.questions if spec.required]
    out += ["", "# One entry per question of the framework, in any order.",
            "questions:" if required else "questions: []"]
    for spec in required:
        out += ["", _comment(spec.heading, 2), f"  - id: {spec.id}"]
        if fw.question_grades:
            out.append(f"    grade: {'TODO' if spec.graded else fw.grades.ungraded.id}")
        if fw.cycle is not None:
            out += ["    inspected: true  # false to carry over an earlier judgment",
                    f"    last_inspected: {_q(fw.cycle)}"]
        if spec.sections:
            out += ["    # Findings under the framework's sub-questions (headings come from the framework).",
                    "    findings:"]
            out += _findings(spec.sections, 6)
        else:
            out += ["    findings:", "      - heading: \"TODO: a heading\"",
                    f"        body: {_q('TODO: findings (markdown)')}"]
        out += [f"    summary: {_q('TODO: the summary of findings (markdown)')}",
                "    # Each a markdown string, or {text, deadline} for a dated one.",
                "    areas_for_improvement: []"]
    out += ["", "# Tables and charts, placed in the text with {figure:ID} (docs/report-yaml.md).", "figures: []",
            "", "# Footnote texts by id, cited in markdown as [^id].", "footnotes: {}", ""]
    return "\n".join(out)


def _other_sections(fw: Framework) -> list[str]:
    """The report-level sections some frameworks require (validate.py's list)."""
    out: list[str] = []
    fields = {c.report_field or "observations" for c in fw.chapters if c.kind == "observations"}
    if fw.has_chapter("observations"):
        out += ["", "# HM Inspector's signature block.", "hmi:", f"  name: {_q('TODO: the inspector')}",
                f"  title: {_q('TODO: e.g. HM Inspector of Constabulary')}"]
    for key in ("observations", "foreword"):
        if key in fields:
            out += ["", f"# HM Inspector's {key} (markdown).", f"{key}: {_q(f'TODO: the {key}')}"]
    if fw.hmi_openings:
        out += ["", f"# Chooses HM Inspector's opening sentence: {', '.join(fw.hmi_openings)}.", "tone: TODO"]
    if fw.has_chapter("leadership"):
        out += ["", "# The ungraded leadership summary (markdown).",
                f"leadership: {_q('TODO: the leadership summary')}"]
    if fw.has_chapter("victim-service"):
        out += ["", "# The victim service assessment.", "victim_service:",
                "  case_files: TODO  # how many case files were reviewed", "  findings:",
                "    - stage: contact  # contact, response, recording, investigation or outcome",
                f"      heading: {_q('TODO: a full-sentence heading')}",
                f"      body: {_q('TODO: the finding (markdown)')}"]
    if fw.has_chapter("distribution") or fw.has_chapter("annex-b"):
        out += ["", "# The per-force grades CSV (see `peelgen national`).", "force_grades: TODO.csv"]
    if fw.has_chapter("covering"):
        out += ["", "# The covering report's masthead.", "masthead:", f"  body: {_q('TODO: e.g. a panel')}",
                f"  report_of: {_q('TODO: whose report it is')}", f"  title: {_q('TODO: the title')}"]
    return out


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
