"""Reviewers' lint rules (issue 15): each with a rule id, a located message, and a way to
silence it per report."""

from __future__ import annotations

import pytest

from peelgen.load import load_yaml
from peelgen.review_lint import RULES, review_lint
from tests.conftest import MINIMAL, ROOT, line_of

NO_AFI = MINIMAL.replace("    areas_for_improvement:\n      - The force should improve.\n", "")

LONG_FINDINGS = " ".join(["The force has worked hard on this and it shows in the files we read."] * 10)
SHORT_SUMMARY = MINIMAL.replace("          Crime in {area} is low.\n", f"          {LONG_FINDINGS}\n").replace(
    "    summary: Prevention requires improvement.", "    summary: Weak.")

HEADINGS = MINIMAL.replace("""          {figure:rates}
""", """          {figure:rates}
      - heading: Neighbourhood policing
        body: Teams know their areas.
      - heading: Neighbourhood policing
        body: Teams know their people.
      - heading: Untitled
        body: To be written.
""")

NUMBERS = MINIMAL.replace("Crime in {area} is low.", "Crime in {area} is 58.8 per 1,000 people, or 58.80.") + """\
metrics:
  - id: crime-rate
    label: Recorded crime
    value: 58.8
    unit: rate
    per: 1,000 population
    decimals: 1
"""


def _warnings(tmp_path, text: str) -> list:
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    return review_lint(load_yaml(path))


def test_minimal_report_is_clean(tmp_path):
    assert _warnings(tmp_path, MINIMAL) == []


def test_requires_improvement_without_area_for_improvement(cli, write):
    write(NO_AFI)
    result = cli("validate", "--strict", "report.yaml")
    assert result.code == 1
    line = line_of(NO_AFI, "grade: requires-improvement", 2)
    assert f"report.yaml:{line}:12: questions[0].grade: warning: the grade is requires improvement but" in result.err
    assert result.err.count("[grade-without-improvement]") == 1


def test_duplicate_and_placeholder_headings(tmp_path):
    found = _warnings(tmp_path, HEADINGS)
    assert [(d.rule, d.line, d.path) for d in found] == [
        ("duplicate-heading", line_of(HEADINGS, "heading: Neighbourhood policing", 2),
         ("questions", 0, "findings", 2, "heading")),
        ("placeholder-heading", line_of(HEADINGS, "heading: Untitled"), ("questions", 0, "findings", 3, "heading")),
    ]
    assert "used before (at questions[0].findings[1].heading)" in found[0].message


def test_summary_far_shorter_than_findings(tmp_path):
    [warning] = _warnings(tmp_path, SHORT_SUMMARY)
    assert warning.rule == "short-summary"
    assert warning.line == line_of(SHORT_SUMMARY, "summary: Weak.")
    findings = len(LONG_FINDINGS.split()) + 1  # and the {figure:rates} line
    assert f"the summary has 1 word for {findings} words of findings" == warning.message


def test_number_written_by_hand_where_a_metric_has_it(tmp_path):
    [warning] = _warnings(tmp_path, NUMBERS)  # 58.80 and 1,000 are not the metric as printed
    assert warning.rule == "hand-written-number"
    assert warning.line == line_of(NUMBERS, "is 58.8 per")
    assert "{metric:crime-rate}" in warning.message


def test_placeholder_use_is_not_flagged(tmp_path):
    text = NUMBERS.replace("is 58.8 per", "is {metric:crime-rate} per")
    assert _warnings(tmp_path, text) == []


@pytest.mark.parametrize(("text", "rule"), [(NO_AFI, "grade-without-improvement"), (SHORT_SUMMARY, "short-summary"),
                                            (NUMBERS, "hand-written-number"), (HEADINGS, "placeholder-heading")])
def test_each_rule_can_be_silenced_per_report(cli, write, text, rule):
    write(text + f"lint:\n  ignore: [{rule}]\n")
    result = cli("validate", "report.yaml")
    assert result.code == 0, result.err
    assert f"[{rule}]" not in result.err


def test_unknown_rule_in_ignore_is_a_warning_with_a_suggestion(tmp_path):
    [warning] = _warnings(tmp_path, MINIMAL + "lint:\n  ignore: [short-sumary]\n")
    assert warning.message == "unknown lint rule 'short-sumary'"
    assert warning.hint == "did you mean 'short-summary'?"


def test_rules_have_stable_ids():
    assert set(RULES) == {"grade-without-improvement", "duplicate-heading", "placeholder-heading",
                          "short-summary", "hand-written-number"}


def test_a_pillar_is_not_asked_for_areas_for_improvement(tmp_path):
    example = (ROOT / "examples" / "west-midlands-2018-19" / "report.yaml").read_text(encoding="utf-8")
    text = example.replace("  - id: effectiveness\n    grade: good", "  - id: effectiveness\n    grade: inadequate")
    assert text != example
    assert [d.rule for d in _warnings(tmp_path, text)] == []
