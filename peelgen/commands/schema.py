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

from peelgen.framework import Framework, SubQuestion
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
    _framework_rules(schema, fw)
    _shorthands(defs)
    footnotes = schema["properties"]["footnotes"]
    schema["properties"]["footnotes"] = {"anyOf": [{k: v for k, v in footnotes.items() if k != "default"},
                                                   {"type": "null"}],
                                         "description": footnotes.get("description", "")}
    _lift_descriptions(schema)
    return {"$schema": DIALECT, "$id": f"https://peelgen.invalid/schema/{fw.id}.json",
            "title": f"{fw.title} report", **{k: v for k, v in schema.items() if k != "title"}}


# -- the framework's rules, as schema ---------------------------------------------------


def _either(a: str, b: str) -> dict[str, Any]:
    """Exactly one of two optional keys is given (not null)."""
    given = [{"required": [key], "properties": {key: {"not": {"type": "null"}}}} for key in (a, b)]
    return {"allOf": [{"anyOf": given}, {"not": {"allOf": given}}]}


def _ungraded(fw: Framework) -> dict[str, Any]:
    ungraded = fw.grades.ungraded
    return {"anyOf": [{"const": ungraded.id}, {"type": "string", "pattern": label_pattern(ungraded.label)}]}


def _findings(sections: list[SubQuestion]) -> dict[str, Any]:
    """The findings array under a question or sub-question: ids from the framework's
    sub-questions at that level, each id at most once, nested to any depth."""
    if not sections:
        return {"items": {"properties": {"id": {"type": "null"}}}}
    rules: list[dict[str, Any]] = [
        {"if": {"properties": {"id": {"const": s.id}}, "required": ["id"]},
         "then": {"properties": {"findings": _findings(s.sections)}}} for s in sections]
    once = [{"contains": {"properties": {"id": {"const": s.id}}, "required": ["id"]}, "minContains": 0,
             "maxContains": 1} for s in sections]
    item = {"properties": {"id": {"anyOf": [{"enum": [s.id for s in sections]}, {"type": "null"}]}},
            "allOf": rules}
    return {"items": item, "allOf": once}


def _question_rules(fw: Framework) -> list[dict[str, Any]]:
    """Per question id: its grade (graded or not) and its findings' section ids."""
    rules = []
    for q in fw.questions:
        then: dict[str, Any] = {"findings": _findings(q.sections)}
        if fw.question_grades:
            then["grade"] = {"not": _ungraded(fw)} if q.graded else _ungraded(fw)
        rules.append({"if": {"properties": {"id": {"const": q.id}}, "required": ["id"]},
                      "then": {"properties": then}})
    return rules


def _questions_array(fw: Framework) -> list[dict[str, Any]]:
    """Each question once; every required question present."""
    out: list[dict[str, Any]] = []
    for q in fw.questions:
        match = {"properties": {"id": {"const": q.id}}, "required": ["id"]}
        out.append({"contains": match, "minContains": 1 if q.required else 0, "maxContains": 1})
    return out


def _pillar_rules(fw: Framework) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    for p in fw.pillars:
        match = {"properties": {"id": {"const": p.id}}, "required": ["id"]}
        rules.append({"contains": match, "minContains": 1, "maxContains": 1})
    graded = [{"if": {"properties": {"id": {"const": p.id}}, "required": ["id"]},
               "then": {"properties": {"grade": {"not": _ungraded(fw)}}}} for p in fw.pillars if p.graded]
    return {"allOf": rules, "items": {"properties": {"id": {"enum": [p.id for p in fw.pillars]}},
                                      "allOf": graded}}


def _key_patterns(node: Any) -> None:
    """pydantic puts a mapping's key pattern in ``patternProperties`` alone, which lets
    other keys through: make it the rule for every key (``propertyNames``)."""
    if isinstance(node, dict):
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict) and len(patterns) == 1 and "propertyNames" in node:
            node["propertyNames"]["pattern"] = next(iter(patterns))
        for value in node.values():
            _key_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _key_patterns(value)


def _cell_limits(defs: dict[str, Any]) -> None:
    """Table cells: numbers of at most 15 digits, as the validator checks."""
    from peelgen.rules import MAX_CELL_NUMBER

    cells = defs.get("Row", {}).get("properties", {}).get("cells", {}).get("items", {})
    for option in cells.get("anyOf", []):
        if option.get("type") in ("integer", "number"):
            option.update(exclusiveMaximum=MAX_CELL_NUMBER, exclusiveMinimum=-MAX_CELL_NUMBER)


_FROM_CSV = {"type": "object", "properties": {"from": {"type": "string", "pattern": r"\.csv$",
                                                        "description": "A CSV file in the report's folder."}},
             "required": ["from"], "additionalProperties": False,
             "description": "The rows of a CSV file beside the report (docs/report-yaml.md)."}


def _csv_sources(defs: dict[str, Any], props: dict[str, Any]) -> None:
    """Metrics and table rows may be {from: FILE.csv}, read in by the load stage."""
    props["metrics"] = {"anyOf": [props["metrics"], _FROM_CSV], "description": props["metrics"].get("description")}
    rows = defs["Table"]["properties"]["rows"]
    defs["Table"]["properties"]["rows"] = {"anyOf": [rows, _FROM_CSV], "description": rows.get("description")}


def _framework_rules(schema: dict[str, Any], fw: Framework) -> None:
    defs, props = schema["$defs"], schema["properties"]
    _key_patterns(schema)
    _csv_sources(defs, props)
    _cell_limits(defs)
    if "ChapterWording" in defs:  # a heading may be replaced, not removed (the model says so)
        defs["ChapterWording"]["properties"]["heading"] = {
            "type": "string", "minLength": 1, "maxLength": 300, "description": "The chapter's heading."}
    if "Finding" in defs:
        defs["Finding"]["allOf"] = [_either("id", "heading")]
    figure = defs["Figure"]
    figure["oneOf"] = [{"required": [key], "properties": {key: {"not": {"type": "null"}}}}
                       for key in ("table", "chart", "image")]
    figure["dependentRequired"] = {"image": ["source"]}
    if "Question" in defs:
        defs["Question"]["allOf"] = _question_rules(fw)
        props["questions"]["allOf"] = _questions_array(fw)
        if any(q.required for q in fw.questions):
            schema.setdefault("required", []).append("questions")
    if "Overall" in defs:
        grade = defs["Overall"]["properties"]["grade"]
        defs["Overall"]["properties"]["grade"] = {"allOf": [grade, {"not": _ungraded(fw)}],
                                                  "description": grade.get("description", "The overall grade.")}
    if "pillars" in props and fw.pillars:
        props["pillars"].update(_pillar_rules(fw))
    covering = next((c for c in fw.chapters if c.kind == "covering"), None)
    if covering is not None and "covering" in props:
        props["covering"]["propertyNames"] = {"enum": [p.id for p in covering.parts]}
