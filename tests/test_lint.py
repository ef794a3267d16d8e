"""Lint warnings: printed by validate and build without failing them; --strict fails."""

from __future__ import annotations

import dataclasses

import pytest

from peelgen.build import compile_report
from peelgen.framework import load_framework
from peelgen.lint import lint
from tests.conftest import MINIMAL, example_params, line_of


def test_minimal_report_has_no_warnings(cli, write):
    write(MINIMAL)
    result = cli("validate", "--strict", "report.yaml")
    assert result.code == 0, result.err
    assert result.err == ""


@pytest.mark.parametrize("example", example_params())
def test_examples_have_no_warnings(example):
    assert compile_report(example).warnings == ()


def test_area_for_improvement_opening(cli, write):
    text = MINIMAL.replace("- The force should improve.", "- Improve things.")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 0
    assert result.out == "report.yaml: valid\n"
    line = line_of(text, "- Improve things.")
    assert result.err_lines == [
        f"report.yaml:{line}:9: questions[0].areas_for_improvement[0]: warning: area for improvement "
        "does not start with 'The force should' (peel-2016-effectiveness words each one as "
        "'The force should …')"]


def test_figure_without_source(cli, write):
    write(MINIMAL.replace("    source: Home Office data\n", ""))
    result = cli("validate", "report.yaml")
    assert result.code == 0
    assert len(result.err_lines) == 1
    assert "figures[0]: warning: figure 'rates' has no source" in result.err


def test_empty_section(cli, write):
    text = MINIMAL.replace("""  - id: investigating
    grade: good
""", """  - id: investigating
    grade: good
    findings:
      - heading: Nothing yet
      - heading: Parent
        findings:
          - heading: Child
            body: Some text.
""")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 0
    line = line_of(text, "Nothing yet")
    assert result.err_lines == [
        f"report.yaml:{line}:9: questions[1].findings[0]: warning: section 'Nothing yet' is empty "
        "(add a 'body' or sub-findings, or remove it)"]


CAUSE = """    causes_of_concern:
      - statement: The force is not doing enough.
        recommendations:
          - text: The force should do more by {deadline}.
            deadline: 2017-09-30
          - The force should also do this.
"""


def test_recommendation_deadline_only_where_framework_expects(write):
    path = write(MINIMAL.replace("    summary: Prevention requires improvement.\n",
                                 "    summary: Prevention requires improvement.\n" + CAUSE))
    compiled = compile_report(path)
    assert compiled.warnings == ()
    framework = load_framework("peel-2016-effectiveness")
    strict = framework.model_copy(update={"recommendation_deadlines": True})
    warnings = lint(dataclasses.replace(compiled.validated, framework=strict))
    assert [(w.path, w.message, w.severity) for w in warnings] == [
        (("questions", 0, "causes_of_concern", 0, "recommendations", 1), "recommendation has no deadline",
         "warning")]
    assert warnings[0].line is not None


def test_strict_fails_on_warnings(cli, write):
    write(MINIMAL.replace("    source: Home Office data\n", ""))
    result = cli("validate", "--strict", "report.yaml")
    assert result.code == 1
    assert result.out == ""
    assert result.err_lines[-1] == "report.yaml: 1 warning (--strict)"


def test_strict_still_fails_on_errors(cli, write):
    write(MINIMAL.replace("grade: good\n  previous", "grade: gud\n  previous"))
    assert cli("validate", "--strict", "report.yaml").code == 1


def test_build_prints_warnings_and_still_builds(cli, write, tmp_path):
    write(MINIMAL.replace("    source: Home Office data\n", ""))
    result = cli("build", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 0, result.err
    assert "warning: figure 'rates' has no source" in result.err
    assert [p.suffix for p in (tmp_path / "site").iterdir()] == [".html"]


def test_draft_build_prints_warnings(cli, write):
    write(MINIMAL.replace("    source: Home Office data\n", ""))
    result = cli("build", "--draft", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 0, result.err
    assert "warning: figure 'rates' has no source" in result.err


def test_summary_contradicting_the_grade_is_a_warning(cli, write):
    from tests.conftest import MINIMAL, line_of

    text = MINIMAL.replace("    summary: Prevention requires improvement.",
                           "    summary: Overall the force is good at preventing crime.")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 0
    assert (f"report.yaml:{line_of(text, 'the force is good at')}:14: questions[0].summary: warning: the summary "
            "says 'the force is good at' but the grade is requires improvement (make the text and the grade agree)"
            ) in result.err_lines
    assert cli("validate", "--strict", "report.yaml").code == 1
    # Agreeing text gives no warning.
    write(text.replace("is good at", "requires improvement at"))
    assert not any("summary says" in line for line in cli("validate", "report.yaml").err_lines)
