"""The 2018/19 and 2023–25 frameworks, and a framework that is only a data file."""

from __future__ import annotations

import re

import pytest

from peelgen.build import compile_report
from peelgen.framework import available
from peelgen.render_html import render_html
from peelgen.state import plain_text
from tests.conftest import ROOT, line_of

SELF_ASSESSMENT = """\
framework: test-self-assessment
meta:
  force: Testshire Police
  publication_date: 2026-05-01
questions:
  - id: answering-calls
    grade: strong
    findings:
      - heading: We answer most emergency calls within ten seconds
        body: Call handlers are well trained.
  - id: keeping-records
    grade: weak
    areas_for_improvement:
      - We should check records weekly.
"""


def test_a_framework_that_is_only_a_data_file_builds(write, monkeypatch, cli):
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(ROOT / "tests" / "frameworks"))
    assert "test-self-assessment" in available()
    write(SELF_ASSESSMENT)
    result = cli("build", "report.yaml", "-o", "out", "--format", "html")
    assert result.code == 0, result.err
    with open("out/testshire-police-2026.html", encoding="utf-8") as page:
        html = page.read()
    assert "How we rated ourselves" in html
    assert "Testshire Police is strong at answering calls." in html
    assert "Testshire Police is weak at keeping records." in html
    assert "These findings concern the quality of our records." in html
    # Judgments table: one column per grade, each area under its grade.
    columns = re.findall(r'<th scope="col" class="grade-(\w+)">', html)
    assert columns == ["strong", "fair", "weak"]
    assert '<li><a href="#answering-calls">Calls</a></li>' in html
    # A custom scale's grades wear the framework's colours, not a stylesheet's grey.
    assert ".grade-chip.grade-fair { background: #ffdd00; color: #0b0c0c; }" in html


def test_unknown_grade_in_a_data_framework(write, monkeypatch, cli):
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(ROOT / "tests" / "frameworks"))
    text = SELF_ASSESSMENT.replace("grade: weak", "grade: good")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'grade: good')}:12: questions[1].grade: 'good' is not a grade in "
        "test-self-assessment (use one of: strong, fair, weak, ungraded)"]


# --- 2018/19 -----------------------------------------------------------------------------

IPA = """\
framework: peel-2018-19-ipa
meta:
  force: Testshire Police
  publication_date: 2019-05-02
hmi: {name: Alex Example, title: HM Inspector of Constabulary}
observations: The force is doing well.
pillars:
  - id: effectiveness
    grade: good
    summary: Effective.
  - id: efficiency
    grade: outstanding
    summary: Efficient.
  - id: legitimacy
    grade: requires-improvement
    summary: Legitimate.
questions:
"""
COMPONENTS = {
    "preventing-crime": ("good", False, "2016"),
    "investigating-crime": ("good", False, "2016"),
    "protecting-vulnerable": ("requires-improvement", True, "2018/19"),
    "serious-organised-crime": ("good", False, "2017"),
    "armed-policing": ("ungraded", True, "2018/19"),
    "meeting-demand": ("requires-improvement", False, "2017"),
    "planning-future": ("outstanding", True, "2018/19"),
    "treating-public-fairly": ("good", True, "2018/19"),
    "ethical-behaviour": ("requires-improvement", True, "2018/19"),
    "treating-workforce-fairly": ("good", True, "2018/19"),
}


def ipa_report(**changes: tuple[str, bool, str]) -> str:
    components = {**COMPONENTS, **changes}
    text = IPA
    for component_id, (grade, inspected, last) in components.items():
        text += (f"  - id: {component_id}\n    grade: {grade}\n    inspected: {str(inspected).lower()}\n"
                 f"    last_inspected: \"{last}\"\n")
        if inspected:
            text += "    summary: Findings in brief.\n"
    return text


def test_ipa_framework_component_ids_match_the_test():
    from peelgen.framework import load_framework

    assert [q.id for q in load_framework("peel-2018-19-ipa").questions] == list(COMPONENTS)


def test_ipa_tables_are_derived(write):
    doc = compile_report(write(ipa_report())).document
    approach = next(c for c in doc.chapters if c.kind == "inspection-approach")
    assert [(r.label, r.inspected) for r in approach.inspected_rows][:5] == [
        (approach.inspected_rows[0].label, False), (approach.inspected_rows[1].label, False),
        (approach.inspected_rows[2].label, True), (approach.inspected_rows[3].label, False),
        (approach.inspected_rows[4].label, True)]
    assert approach.inspected_heading == "Inspected in 2018/19?"
    tables = next(c for c in doc.chapters if c.kind == "summary-tables").pillar_tables
    assert [(t.grade.label, len(t.rows)) for t in tables] == [("Good", 5), ("Outstanding", 2),
                                                              ("Requires improvement", 3)]
    assert [(r.grade.label, r.last_inspected) for r in tables[0].rows] == [
        ("Good", "2016"), ("Good", "2016"), ("Requires improvement", "2018/19"), ("Good", "2017"),
        ("Ungraded", "2018/19")]
    # Labels differ by place: the armed policing component.
    assert approach.inspected_rows[4].label != tables[0].rows[4].label
    pillar = next(c for c in doc.chapters if c.kind == "pillars")
    carried = pillar.components[0]
    text = render_html(doc)
    assert carried.carried_over is not None and "2016" in _words(carried.carried_over)
    assert "2018/19" in _words(carried.carried_over)
    assert "Alex Example" in text and "HM Inspector of Constabulary" in text


def _words(fragment) -> str:
    return " ".join(t.content for tok in fragment.tokens for t in (tok.children or []))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"planning-future": ("outstanding", True, "2017")},
         "questions[6].last_inspected: 'planning-future' was inspected in 2018/19, so last_inspected must be "
         "\"2018/19\""),
        ({"planning-future": ("outstanding", False, "2017")},
         "questions[6].inspected: 'planning-future' is a mandatory area: it must be inspected in 2018/19"),
        ({"preventing-crime": ("good", False, "2018/19")},
         "questions[0].last_inspected: 'preventing-crime' was not inspected in 2018/19, so its judgment comes "
         "from an earlier year"),
        ({"armed-policing": ("good", True, "2018/19")},
         "questions[4].grade: question 'armed-policing' is not graded in peel-2018-19-ipa"),
    ],
    ids=["inspected-wrong-year", "mandatory-not-inspected", "carried-over-this-year", "ungraded-with-grade"],
)
def test_ipa_rules(cli, write, changes, message):
    write(ipa_report(**changes))
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(message in line for line in result.err_lines), result.err_lines


def test_carried_over_component_needs_no_findings(cli, write):
    write(ipa_report())
    result = cli("validate", "report.yaml")
    assert result.code == 0, result.err


def test_missing_pillar_and_signature(cli, write):
    text = ipa_report().replace("  - id: legitimacy\n    grade: requires-improvement\n    summary: Legitimate.\n", "")
    text = text.replace("hmi: {name: Alex Example, title: HM Inspector of Constabulary}\n", "")
    write(text)
    result = cli("validate", "report.yaml")
    messages = "\n".join(result.err_lines)
    assert "pillars: missing pillar 'legitimacy' (add an entry with id: legitimacy)" in messages
    assert "missing required key 'hmi'" in messages


# --- 2023–25 -----------------------------------------------------------------------------

AREAS = ["recording-data", "police-powers", "prevention", "responding", "investigating", "vulnerable",
         "offenders", "workforce", "leadership"]
GRADES = ["outstanding", "good", "adequate", "requires-improvement", "inadequate", "good", "good", "adequate",
          "good"]

PEEL_2023 = """\
framework: peel-2023-25
meta:
  force: Testshire Police
  force_short: Testshire
  publication_date: 2025-03-04
hmi: {name: Alex Example, title: HM Inspector of Constabulary}
tone: mixed
observations: The force has strengths and weaknesses.
leadership: Leaders are visible.
victim_service:
  case_files: 100
  closed_files: 20
  closed_outcome: the victim did not support further action
  findings:
    - stage: outcome
      heading: The force explains outcomes to victims
      body: Victims are told.
    - stage: contact
      heading: The force answers calls quickly
      body: Calls are answered.
questions:
  - id: victims
    grade: ungraded
"""


def peel_2023_report() -> str:
    text = PEEL_2023
    for area, grade in zip(AREAS, GRADES, strict=True):
        text += f"  - id: {area}\n    grade: {grade}\n"
        if area == "investigating":
            text += ("    causes_of_concern:\n      - statement: Investigations are slow.\n        recommendations:\n"
                     "          - Within three months, the force should act.\n"
                     "          - Within six months, the force should review.\n"
                     "    areas_for_improvement:\n      - The force should improve A.\n"
                     "      - The force should improve B.\n"
                     "    practice:\n      - kind: promising\n        title: A helpful scheme\n"
                     "        body: It helps.\n")
        if area == "recording-data":
            text += "    crime_recording: {percent: 94.3, interval: 2.3, of: reported crime}\n"
        text += "    findings:\n      - heading: The force does something well\n        body: Details.\n"
    return text


def test_2023_25_judgments_leads_and_boxes(write):
    doc = compile_report(write(peel_2023_report())).document
    judgments = next(c for c in doc.chapters if c.kind == "judgments")
    by_grade = {column.grade.id: [label for label, _ in column.entries] for column in judgments.columns}
    assert list(by_grade) == ["outstanding", "good", "adequate", "requires-improvement", "inadequate"]
    assert sum(len(v) for v in by_grade.values()) == 9  # the victims area is not graded
    areas = {c.id: c for c in doc.chapters if c.kind == "areas"}
    assert list(areas) == AREAS
    assert plain_text(areas["recording-data"].lead).startswith("Testshire Police is outstanding at")
    assert plain_text(areas["investigating"].lead).startswith("Testshire Police is inadequate at")
    assert plain_text(areas["leadership"].lead).startswith("Testshire Police’s leadership")
    kinds = [b.kind for b in areas["investigating"].boxes]
    assert kinds == ["causes-of-concern", "areas-for-improvement", "promising-practice"]
    assert areas["investigating"].boxes[1].item_labels == ["Area for improvement 1", "Area for improvement 2"]
    assert areas["investigating"].boxes[0].concerns[0].recommendations_title == "Recommendations"
    html = render_html(doc)
    assert "94.3" in html and "2.3" in html
    # Main findings repeats per area, with unique anchors.
    anchors = re.findall(r'id="([^"]+-main-findings[^"]*)"', html)
    assert len(anchors) == 9 == len(set(anchors))
    # Victim service findings are printed in journey order.
    service = next(c for c in doc.chapters if c.kind == "victim-service")
    assert [s.heading.text.tokens[0].content for s in service.sections] == [
        "The force answers calls quickly", "The force explains outcomes to victims"]
    assert "100" in _block_words(service.intro)
    # Finding headings are sentences kept out of the contents list.
    assert all(not s.heading.in_contents for s in areas["prevention"].sections)


def _block_words(fragment) -> str:
    return " ".join(t.content for tok in fragment.tokens for t in (tok.children or []))


def test_2023_25_has_no_overall_grade(cli, write):
    write(peel_2023_report().replace("tone: mixed\n", "tone: mixed\noverall:\n  grade: good\n"))
    result = cli("validate", "report.yaml")
    assert any("overall: 'overall' is not used by peel-2023-25; used by: peel-2016-effectiveness" in line
               for line in result.err_lines), result.err_lines


def test_force_in_context_tiles_per_pillar(cli, write):
    text = ipa_report().replace(
        "  - id: efficiency\n    grade: outstanding\n",
        "  - id: efficiency\n    grade: outstanding\n    force_in_context: [spend]\n") + (
        "metrics:\n  - id: spend\n    label: Spend per head\n    value: 182.5\n    unit: gbp\n    decimals: 2\n")
    doc = compile_report(write(text)).document
    pillars = {c.id: c for c in doc.chapters if c.kind == "pillars"}
    assert [t.label for t in pillars["efficiency"].tiles] == ["Spend per head"]
    assert pillars["effectiveness"].tiles == []
    assert "£182.50" in render_html(doc)
    write(text.replace("force_in_context: [spend]", "force_in_context: [spned]"))
    result = cli("validate", "report.yaml")
    assert any("pillars[1].force_in_context[0]: unknown metric 'spned' (did you mean 'spend'?)" in line
               for line in result.err_lines), result.err_lines


def test_a_grade_colour_without_enough_contrast_is_refused_when_the_framework_loads(tmp_path, monkeypatch, cli, write):
    text = (ROOT / "tests" / "frameworks" / "test-self-assessment.yaml").read_text(encoding="utf-8")
    (tmp_path / "fw").mkdir()
    (tmp_path / "fw" / "test-self-assessment.yaml").write_text(
        text.replace('colour: "#ffdd00", text_colour: "#0b0c0c"', 'colour: "#ffdd00"'), encoding="utf-8")
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(tmp_path / "fw"))
    write(SELF_ASSESSMENT)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == ["fw/test-self-assessment.yaml:13:3: grades: framework file: grade 'fair': text "
                                "#ffffff on #ffdd00 has a contrast of 1.35:1; at least 4.5:1 is needed"]
