"""``peelgen schema``: a JSON Schema of one framework's report, from the pydantic models.

The models know nothing of frameworks (grades and question ids are plain strings), so
the generic schema is specialised here: grade fields become enums of the framework's
grades, question ids an enum of its questions. The shorthands the models accept before
validation (a plain string for an area for improvement or a recommendation, a list for a
table row) are added as alternatives, so that a schema-aware editor agrees with
``peelgen validate`` about every valid report.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from peelgen.framework import Framework
from peelgen.models import Report

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Grade fields that also accept the grade's label ("Requires improvement"), because
# validate.py normalises labels to ids there before typing.
_LABELLED_GRADES = {("Overall", "grade"), ("Overall", "previous_grade"), ("Question", "grade")}
_GRADE_FIELDS = {*_LABELLED_GRADES, ("PillarEntry", "grade"), ("InspectionReference", "grade")}


@functools.cache
def _base() -> dict[str, Any]:
    return Report.model_json_schema()


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


def _set_enum(prop: dict[str, Any], values: list[str], description: str) -> None:
    """Restrict a string property (or the string branch of ``str | None``) to ``values``."""
    target = prop
    if "anyOf" in prop:
        target = next(o for o in prop["anyOf"] if o.get("type") == "string")
    target["enum"] = values
    target["description"] = description


def report_schema(fw: Framework) -> dict[str, Any]:
    """The JSON Schema of a report written for framework ``fw``."""
    schema = copy.deepcopy(_base())
    defs = schema["$defs"]
    grade_ids = [*fw.grade_ids, fw.grades.ungraded.id]
    labels = [g.label for g in fw.grades.scale] + [fw.grades.ungraded.label]
    for model, field in _GRADE_FIELDS:
        values = list(dict.fromkeys(grade_ids + (labels if (model, field) in _LABELLED_GRADES else [])))
        scale = ", ".join(f"{g.id} ({g.label})" for g in fw.grades.scale)
        _set_enum(defs[model]["properties"][field], values,
                  f"A grade in {fw.id}, best first: {scale}; or {fw.grades.ungraded.id}.")
    _set_enum(defs["Question"]["properties"]["id"], [q.id for q in fw.questions],
              f"The {fw.id} question: " + "; ".join(f"{q.id}: {' '.join(q.heading.split())}" for q in fw.questions))
    defs["Question"]["properties"]["id"].pop("pattern", None)
    schema["properties"]["framework"] = {**schema["properties"]["framework"], "const": fw.id}

    # Shorthands accepted by the models' "before" validators.
    for name in ("Recommendation", "AreaForImprovement"):
        full = defs[name]
        defs[name] = {"anyOf": [{"type": "string", "description": "The text alone (markdown)."}, full],
                      "description": full.get("description", "Markdown text, or a mapping with a deadline."),
                      "title": full.get("title", name)}
    row = defs["Row"]
    defs["Row"] = {"anyOf": [{**row["properties"]["cells"], "description": "The cells alone, as a list."}, row],
                   "title": "Row", "description": "A table row: its cells as a list, or a mapping with a kind."}
    footnotes = schema["properties"]["footnotes"]
    schema["properties"]["footnotes"] = {"anyOf": [{k: v for k, v in footnotes.items() if k != "default"},
                                                   {"type": "null"}],
                                         "description": footnotes.get("description", "")}
    _lift_descriptions(schema)
    return {"$schema": DIALECT, "$id": f"https://peelgen.invalid/schema/{fw.id}.json",
            "title": f"{fw.title} report", **{k: v for k, v in schema.items() if k != "title"}}
