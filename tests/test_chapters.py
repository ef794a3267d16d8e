"""Chapter kinds as components, one report model per framework, and the JSON Schema
that must agree with the validator."""

from __future__ import annotations

import copy
import re
import typing
from pathlib import Path

import jsonschema
import pytest
from pydantic import BaseModel

from peelgen.chapters import REGISTRY
from peelgen.commands.frameworks import chapter_reference, rule_reference
from peelgen.commands.schema import report_schema
from peelgen.diagnostics import BuildFailed
from peelgen.framework import available, load_framework
from peelgen.load import load_yaml
from peelgen.load_yaml_events import dump_yaml
from peelgen.report_model import report_model
from peelgen.validate import validate
from tests.conftest import EXAMPLES, ROOT, example_id

CORPUS = ROOT / "tests" / "bad_inputs"
BAD_INPUTS = sorted(p for p in CORPUS.glob("*.yaml") if p.name != "expected.yaml")

# What JSON Schema cannot say, so only the validator rejects it. Kept exact: the test
# fails if a case is missing here or listed but no longer a disagreement.
BEYOND_SCHEMA = {
    "table-cell-not-a-number.yaml": "YAML's .nan is not a JSON value; a schema cannot refuse it",
    "table-cell-text-in-number-column.yaml": "a cell's type depends on its column, a sibling array",
    "table-row-too-few-cells.yaml": "a row's length depends on the table's columns, a sibling array",
    "table-row-too-many-cells.yaml": "a row's length depends on the table's columns, a sibling array",
}


def _region(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert match, f"docs have no {name} region"
    return match.group(1)


def test_docs_chapter_reference_matches_the_registry():
    docs = (ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8")
    assert _region(docs, "chapter-kinds") == chapter_reference()


def test_docs_rule_reference_matches_the_catalogue():
    docs = (ROOT / "docs" / "report-yaml.md").read_text(encoding="utf-8")
    assert _region(docs, "rules") == rule_reference()


def test_every_kind_has_its_template_and_every_template_a_kind():
    templates = {p.name.removesuffix(".html.j2") for p in (ROOT / "templates" / "chapters").glob("*.html.j2")}
    assert templates == set(REGISTRY)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_chapter_template_honours_new_page(kind):
    text = (ROOT / "templates" / "chapters" / f"{kind}.html.j2").read_text(encoding="utf-8")
    assert "{% if not chapter.new_page %} continues{% endif %}" in text


def test_every_framework_uses_registered_kinds_only():
    for framework_id in available():
        assert {c.kind for c in load_framework(framework_id).chapters} <= set(REGISTRY)


def _keys(framework_id: str) -> set[str]:
    return set(report_model(load_framework(framework_id)).model_fields)


@pytest.mark.parametrize("framework_id", sorted(available()))
def test_keys_of_other_frameworks_are_located_errors(framework_id, tmp_path):
    """Each top-level key another framework accepts but this one does not is refused,
    at its line, naming the frameworks that use it."""
    own = _keys(framework_id)
    others = {key: [f for f in available() if key in _keys(f)] for f in available() for key in _keys(f)}
    foreign = sorted(set(others) - own)
    assert foreign, "every framework shares every key?"
    lines = [f"framework: {framework_id}", "meta: {force: Testshire Police, publication_date: 2017-03-02}"]
    lines += [f"{key}: x" for key in foreign]
    path = tmp_path / "report.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        validate(load_yaml(path))
    messages = {d.path: d for d in failure.value.diagnostics}
    for line, key in enumerate(foreign, start=3):
        found = messages.get((key,))
        assert found is not None, f"{key} was not refused"
        assert found.line == line
        assert found.message == f"'{key}' is not used by {framework_id}; used by: {', '.join(others[key])}"


def _schema_accepts(data: dict, framework_id: str) -> bool:
    schema = report_schema(load_framework(framework_id))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return not list(validator.iter_errors(data))


def _validator_accepts(path: Path) -> bool:
    try:
        validate(load_yaml(path))
    except BuildFailed:
        return False
    return True


def _typed_inputs(paths: list[Path]) -> list[Path]:
    """Inputs that load as a mapping naming an installed framework: what both can judge."""
    out = []
    for path in paths:
        try:
            data = load_yaml(path).data
        except BuildFailed:
            continue  # not YAML, or not a mapping: the schema has nothing to say
        if isinstance(data, dict) and isinstance(data.get("framework"), str) and data["framework"] in available():
            out.append(path)
    return out


@pytest.mark.parametrize("path", _typed_inputs([*EXAMPLES, *BAD_INPUTS]), ids=lambda p: p.name
                         if p.parent == CORPUS else example_id(p))
def test_validator_and_schema_agree(path):
    data = load_yaml(path).data
    by_validator = _validator_accepts(path)
    by_schema = _schema_accepts(data, data["framework"])
    if path.name in BEYOND_SCHEMA:
        assert (by_validator, by_schema) == (False, True), "listed in BEYOND_SCHEMA but no longer a disagreement"
    else:
        assert by_validator == by_schema


def test_grade_labels_are_normalised_the_same_way_in_both(tmp_path):
    source = load_yaml(EXAMPLES[0]).data
    fw = load_framework(source["framework"])
    label = fw.grades.scale[-1].label
    for spelling in (label, label.upper(), f"  {label.lower().replace(' ', '_')} ", label.replace(" ", "-")):
        data = copy.deepcopy(source)
        graded = next(q for q in data["questions"] if q["grade"] != fw.grades.ungraded.id)
        graded["grade"] = spelling
        assert _schema_accepts(data, fw.id), spelling
        path = tmp_path / "report.yaml"
        path.write_text(dump_yaml(data), encoding="utf-8")
        assert _validator_accepts(path), spelling
    data = copy.deepcopy(source)
    next(q for q in data["questions"] if q["grade"] != fw.grades.ungraded.id)["grade"] = label + "x"
    assert not _schema_accepts(data, fw.id)


def _models(annotation, seen):
    """Every pydantic model reachable from ``annotation``."""
    origin = typing.get_origin(annotation)
    if origin is not None:
        for argument in typing.get_args(annotation):
            yield from _models(argument, seen)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        seen.add(annotation)
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation, seen)


def test_report_yaml_docs_name_every_key_of_every_framework():
    docs = (ROOT / "docs" / "report-yaml.md").read_text(encoding="utf-8")
    undocumented = sorted({f"{model.__name__}.{name}"
                           for framework_id in available()
                           for model in _models(report_model(load_framework(framework_id)), set())
                           for name in model.model_fields
                           if not re.search(rf"(`{name}`|\b{name}:)", docs)})
    assert undocumented == []


def test_every_label_is_used():
    """A label no template or resolver reads would be a word a framework sets in vain."""
    from peelgen.framework import Labels

    # Where the labels are declared (peelgen/labels.py) does not count as a use.
    sources = [*(path for path in (ROOT / "peelgen").rglob("*.py") if path.name != "labels.py"),
               *(ROOT / "templates").rglob("*.j2")]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    unused = [name for name in Labels.model_fields if not re.search(rf"\b{name}\b", text)]
    assert unused == []
