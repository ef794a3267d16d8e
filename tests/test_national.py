"""National reports: every count is derived from per-force grades."""

from __future__ import annotations

from pathlib import Path

import pytest

from peelgen.build import compile_report
from peelgen.render_html import render_html
from tests.conftest import ROOT, line_of

HEADER = "force,short_name,question,grade_2015,grade_2016,grade_2017,inspected_2017\n"
QUESTIONS = ["prevention", "investigation", "vulnerability", "serious-organised-crime", "overall"]


def grades_csv(rows: dict[str, dict[str, tuple[str, str, str]]]) -> str:
    text = HEADER
    for force, questions in rows.items():
        short = force.split()[0]
        for question in QUESTIONS:
            g16, g17, inspected = questions.get(question, ("good", "good", "no"))
            text += f"{force},{short},{question},,{g16},{g17},{inspected}\n"
    return text


FORCES = {
    "Alphashire Police": {"prevention": ("good", "outstanding", "yes"),
                          "vulnerability": ("good", "requires-improvement", "yes")},
    "Betashire Constabulary": {"prevention": ("requires-improvement", "good", "yes")},
    "Gammashire Police": {"prevention": ("good", "good", "no"), "vulnerability": ("inadequate", "inadequate", "yes")},
}

REPORT = """\
framework: peel-2017-national
meta:
  force: England and Wales
  publication_date: 2018-03-22
force_grades: data/grades.csv
hmi: {name: Alex Example, title: HM Inspector of Constabulary}
foreword: Forces are improving.
summary: |
  {count:prevention.outstanding} force is outstanding at prevention and {count:prevention.good} are good;
  {count:prevention.improved} improved and {count:vulnerability.declined} declined on vulnerability.
  We inspected {count:prevention.inspected} forces on prevention.
recommendations:
  - number: 2
    topic: Second topic
    addressee: All forces
    deadline: 2018-09
    text: By {deadline}, all forces should act.
  - number: 1
    topic: First topic
    addressee: The College of Policing
    text: The College should lead.
questions:
  - id: prevention
    findings:
      - heading: Prevention – improving
        body: Better.
  - id: investigation
  - id: vulnerability
  - id: serious-organised-crime
  - id: specialist-capabilities
glossary:
  - term: MARAC
    definition: a multi-agency risk assessment conference
"""


@pytest.fixture
def national(write, tmp_path: Path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "grades.csv").write_text(grades_csv(FORCES))
    return write(REPORT)


def test_counts_and_tables_are_derived(national):
    doc = compile_report(national).document
    html = render_html(doc)
    # Alphashire (good to outstanding) and Betashire (requires improvement to good) improved
    # on prevention; Alphashire declined on vulnerability (good to requires improvement).
    assert "1 force is outstanding at prevention and 2 are good;" in html
    assert "2 improved and 1 declined on vulnerability." in html
    assert "We inspected 2 forces on prevention." in html
    distribution = next(c for c in doc.chapters if c.kind == "distribution")
    assert distribution.table_headings == ["Question", "Outstanding", "Good", "Requires improvement", "Inadequate",
                                           "Declined", "Improved"]
    rows = {row.label: row.counts for row in distribution.distribution}
    assert rows["Crime prevention"] == [1, 2, 0, 0, 0, 2]
    assert rows["Protecting vulnerable people"] == [0, 1, 1, 1, 1, 0]
    annex_b = next(c for c in doc.chapters if c.kind == "annex-b")
    assert [r.name for r in annex_b.force_rows] == ["Alphashire", "Betashire", "Gammashire"]  # alphabetical
    assert [g.label for g in annex_b.force_rows[0].grades] == ["Outstanding", "Good", "Requires improvement",
                                                               "Good", "Good"]


def test_recommendations_keep_the_authors_order_and_numbers(national):
    doc = compile_report(national).document
    recs = next(c for c in doc.chapters if c.kind == "recommendations").recommendations
    assert [r.number for r in recs] == [2, 1]
    assert recs[0].deadline == "September 2018"
    assert "By September 2018, all forces should act." in render_html(doc)


def test_changing_one_force_grade_changes_every_count(write, tmp_path):
    (tmp_path / "data").mkdir()
    changed = {**FORCES, "Gammashire Police": {**FORCES["Gammashire Police"],
                                               "prevention": ("good", "requires-improvement", "yes")}}
    (tmp_path / "data" / "grades.csv").write_text(grades_csv(changed))
    doc = compile_report(write(REPORT)).document
    rows = {r.label: r.counts for r in next(c for c in doc.chapters if c.kind == "distribution").distribution}
    assert rows["Crime prevention"] == [1, 1, 1, 0, 1, 2]  # Gammashire now declined
    assert "1 force is outstanding at prevention and 1 are good;" in render_html(doc)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("Alphashire,prevention,,good,outstanding,yes", "Alphashire,prevention,,good,outstandng,yes"),
         "data/grades.csv:2:47: 'outstandng' is not a grade (did you mean 'outstanding'?)"),
        (("Alphashire,prevention,,good,outstanding,yes", "Alphashire,prevnetion,,good,outstanding,yes"),
         "data/grades.csv:2:30: unknown question 'prevnetion' (did you mean 'prevention'?)"),
        (("Alphashire,prevention,,good,outstanding,yes", "Alphashire,prevention,,good,outstanding,maybe"),
         "data/grades.csv:2:59: inspected_2017 must be yes or no, got 'maybe'"),
    ],
)
def test_bad_force_grades_are_located(cli, write, tmp_path, change, expected):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "grades.csv").write_text(grades_csv(FORCES).replace(*change))
    write(REPORT)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(line.startswith(expected) for line in result.err_lines), result.err_lines


def test_unknown_count_reference(cli, write, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "grades.csv").write_text(grades_csv(FORCES))
    text = REPORT.replace("{count:prevention.good}", "{count:prevention.goood}")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'goood')}:1: summary: unknown count 'goood' in {{count:prevention.goood}} "
        "(did you mean 'good'?) [text.count]"]


def test_national_questions_take_no_grades(cli, national):
    text = national.read_text().replace("  - id: prevention\n", "  - id: prevention\n    grade: good\n")
    national.write_text(text)
    result = cli("validate", "report.yaml")
    # The national report's model has no question grades: they come from force_grades.
    assert any("questions[0].grade: unknown key 'grade'" in line for line in result.err_lines)


NATIONAL_EXAMPLE = ROOT / "examples" / "national-2017" / "report.yaml"


@pytest.mark.skipif(not NATIONAL_EXAMPLE.exists(), reason="the national example is not in this checkout")
def test_national_example_fixes_the_published_miscount():
    """The published summary table gave prevention 34 good / 7 requires improvement;
    the force-by-force grades in its own Annex B give 35 / 6."""
    doc = compile_report(NATIONAL_EXAMPLE).document
    rows = {r.label: r.counts for r in next(c for c in doc.chapters if c.kind == "distribution").distribution}
    assert rows["Crime prevention"][:4] == [2, 35, 6, 0]
    annex_b = next(c for c in doc.chapters if c.kind == "annex-b")
    assert len(annex_b.force_rows) == 43


def test_national_command_aggregates_force_reports(cli, write, tmp_path):
    from tests.conftest import MINIMAL

    for name, force, grade in (("a.yaml", "Alphashire Police", "good"), ("b.yaml", "Betashire Police", "inadequate")):
        text = MINIMAL.replace("Testshire Police", force).replace("force_short: Testshire",
                                                                   f"force_short: {force.split()[0]}")
        old = "  - id: investigating\n    grade: good"
        write(text.replace(old, f"  - id: investigating\n    grade: {grade}"), name)
    result = cli("national", "a.yaml", "b.yaml", "-o", "data/grades.csv")
    assert result.code == 0, result.err
    rows = (tmp_path / "data" / "grades.csv").read_text().splitlines()
    assert rows[0] == HEADER.strip()
    assert "Alphashire Police,Alphashire,investigation,,,good,yes" in rows
    assert "Betashire Police,Betashire,investigation,,,inadequate,yes" in rows
    assert "Alphashire Police,Alphashire,overall,,requires-improvement,good,yes" in rows
    assert len(rows) == 1 + 2 * 5
    # The CSV feeds a national report directly.
    write(REPORT)
    doc = compile_report(tmp_path / "report.yaml").document
    rows_by_label = {r.label: r.counts for r in next(c for c in doc.chapters if c.kind == "distribution").distribution}
    assert rows_by_label["Crime investigation"][:4] == [0, 1, 0, 1]


def test_national_command_reports_invalid_force_reports(cli, write):
    write("framework: nope\n", "bad.yaml")
    result = cli("national", "bad.yaml", "-o", "grades.csv")
    assert result.code == 1
    assert any(line.startswith("bad.yaml:1:12: framework: unknown framework 'nope'") for line in result.err_lines)
