"""`peelgen schema --framework ID`: the JSON Schema must agree with the validator."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from peelgen.commands.schema import report_schema
from peelgen.framework import load_framework
from peelgen.load import load_yaml
from tests.conftest import WEST_MERCIA, example_params


def _schema_for(path):
    data = load_yaml(path).data
    return data, report_schema(load_framework(data["framework"]))


def _errors(schema, data):
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("path", example_params())
def test_every_example_is_valid_against_its_framework_schema(path):
    data, schema = _schema_for(path)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert _errors(schema, data) == []


def test_schema_rejects_what_the_validator_rejects():
    data, schema = _schema_for(WEST_MERCIA)
    bad_grade = copy.deepcopy(data)
    bad_grade["questions"][0]["grade"] = "gud"
    assert any(e.startswith("questions/0/grade:") for e in _errors(schema, bad_grade))
    bad_id = copy.deepcopy(data)
    bad_id["questions"][0]["id"] = "prevention"
    assert any(e.startswith("questions/0/id:") for e in _errors(schema, bad_id))
    unknown_key = copy.deepcopy(data)
    unknown_key["meta"]["forse"] = "x"
    assert any(e.startswith("meta:") for e in _errors(schema, unknown_key))
    other_framework = copy.deepcopy(data)
    other_framework["framework"] = "peel-2023-25"
    assert any(e.startswith("framework:") for e in _errors(schema, other_framework))


def test_schema_accepts_the_shorthands_and_grade_labels():
    data, schema = _schema_for(WEST_MERCIA)
    data = copy.deepcopy(data)
    data["questions"][0]["grade"] = "Requires improvement"  # a label: normalised by the validator
    data["questions"][0]["areas_for_improvement"] = ["The force should improve.",
                                                     {"text": "By {deadline} …", "deadline": "2017-05-01"}]
    assert _errors(schema, data) == []


def test_every_property_has_a_description():
    schema = report_schema(load_framework("peel-2016-effectiveness"))
    models = [("Report", schema), *schema["$defs"].items()]
    models += [(name, schema["$defs"][name]["anyOf"][1]) for name in ("Recommendation", "AreaForImprovement", "Row")]
    missing = [f"{name}.{key}" for name, model in models
               for key, prop in model.get("properties", {}).items() if not prop.get("description")]
    assert missing == []


def test_cli_prints_the_schema_with_the_framework_grades(cli):
    run = cli("schema", "--framework", "peel-2023-25")
    assert run.code == 0, run.err
    schema = json.loads(run.out)
    grade = schema["$defs"]["Question"]["properties"]["grade"]["anyOf"][0]
    assert "adequate" in grade["enum"] and "ungraded" in grade["enum"]
    assert schema["properties"]["framework"]["const"] == "peel-2023-25"


def test_cli_unknown_framework(cli):
    run = cli("schema", "--framework", "peel-2023")
    assert run.code == 2
    assert run.err_lines == ["peelgen: error: unknown framework 'peel-2023' (did you mean 'peel-2023-25'?)"]
