"""``peelgen schema``: the JSON Schema of one framework's report model.

The schema is the framework's own model (:func:`peelgen.report_model.report_model`),
composed from its chapters, so it offers exactly the keys the validator accepts.
What the model checks in code is added here as schema: grade fields accept the
framework's grade ids and, as the validator does, its labels in any case with spaces,
underscores or hyphens between words; question ids are an enum of the framework's
questions; the shorthands the models accept before validation (a plain string for an
area for improvement or a recommendation, a list for a table row) are alternatives.
"""

from __future__ import annotations

import re
from typing import Any

from peelgen.framework import Framework
from peelgen.models import normalise_grade
from peelgen.report_model import report_model

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_GRADE_MARK = "x-peelgen-grade"


def _lift_descriptions(node: Any) -> None:
    """``x: Markdown | None`` carries its description on the string branch of anyOf;
    copy it to the property itself, where editors look for it."""
    if isinstance(node, dict):
        options = node.get("anyOf")
        if "description" not in node and isinstance(options, list):
            described = [o for o in options if isinstance(o, dict) and "description" in o]
            if len(described) == 1:
                node["description"] = described[0]["description"]
        for value in node.values():
            _lift_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _lift_descriptions(value)


def label_pattern(label: str) -> str:
    """A regular expression for every spelling of ``label`` that normalises to it
    (:func:`peelgen.models.normalise_grade`): any case, words apart by spaces,
    underscores or a hyphen, spaces around."""
    parts = []
    for char in normalise_grade(label):
        if char == "-":
            parts.append(r"(?:-|[\s_]+)")
        elif char.isalpha():
            parts.append(f"[{re.escape(char.lower())}{re.escape(char.upper())}]")
        else:
            parts.append(re.escape(char))
    return r"^[\s_]*" + "".join(parts) + r"[\s_]*$"


def _grade_schema(fw: Framework, description: str) -> dict[str, Any]:
    grades = [*fw.grades.scale, fw.grades.ungraded]
    return {"anyOf": [{"type": "string", "enum": [g.id for g in grades]},
                      *[{"type": "string", "pattern": label_pattern(g.label)} for g in grades]],
            "description": description}


def _mark_grades(node: Any, fw: Framework, description: str) -> Any:
    """Replace every grade field (marked by the model) with the framework's grades."""
    if isinstance(node, dict):
        if node.get(_GRADE_MARK):
            return _grade_schema(fw, description)
        return {k: _mark_grades(v, fw, description) for k, v in node.items()}
    if isinstance(node, list):
        return [_mark_grades(v, fw, description) for v in node]
    return node


def _shorthands(defs: dict[str, Any]) -> None:
    """The shorthands the models' "before" validators accept."""
    for name in ("Recommendation", "AreaForImprovement"):
        if name in defs:
            full = defs[name]
            defs[name] = {"anyOf": [{"type": "string", "description": "The text alone (markdown)."}, full],
                          "description": full.get("description", "Markdown text, or a mapping with a deadline."),
                          "title": full.get("title", name)}
    if "Row" in defs:
        row = defs["Row"]
        defs["Row"] = {"anyOf": [{**row["properties"]["cells"], "description": "The cells alone, as a list."}, row],
                       "title": "Row", "description": "A table row: its cells as a list, or a mapping with a kind."}


def report_schema(fw: Framework) -> dict[str, Any]:
    """The JSON Schema of a report written for framework ``fw``."""
    scale = ", ".join(f"{g.id} ({g.label})" for g in fw.grades.scale)
    schema = report_model(fw).model_json_schema()
    schema = _mark_grades(schema, fw, f"A grade in {fw.id}, best first: {scale}; or {fw.grades.ungraded.id}. "
                                      "The grade's label is accepted too.")
    defs = schema.get("$defs", {})
    question = defs.get("Question")
    if question is not None:
        question["properties"]["id"] = {
            "type": "string", "enum": [q.id for q in fw.questions],
            "description": f"The {fw.id} question: "
                           + "; ".join(f"{q.id}: {' '.join(q.heading.split())}" for q in fw.questions)}
    schema["properties"]["framework"] = {**schema["properties"]["framework"], "const": fw.id}
    _shorthands(defs)
    footnotes = schema["properties"]["footnotes"]
    schema["properties"]["footnotes"] = {"anyOf": [{k: v for k, v in footnotes.items() if k != "default"},
                                                   {"type": "null"}],
                                         "description": footnotes.get("description", "")}
    _lift_descriptions(schema)
    return {"$schema": DIALECT, "$id": f"https://peelgen.invalid/schema/{fw.id}.json",
            "title": f"{fw.title} report", **{k: v for k, v in schema.items() if k != "title"}}
