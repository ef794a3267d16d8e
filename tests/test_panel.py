"""Police and Crime Panel reports: numbering, directions, summary table, control charts."""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path

import pytest

from peelgen.build import compile_report
from peelgen.render_charts import render_charts
from peelgen.render_html import render_html
from tests.conftest import line_of

PANEL = """\
framework: pcp-performance
meta:
  force: Testshire Police
  force_short: Testshire
  publication_date: 2016-02-02
masthead:
  body: Testshire Police and Crime Panel
  report_of: Chief Executive Officer
  title: Police and Crime Plan activity and performance monitoring report
covering:
  purpose: To update the Panel.
  format: The report has three parts, and a grant scheme update.
  performance: There are no targets; see the appendix.
  recommendation: The Panel is asked to consider the report.
objectives:
  - number: 2
    title: To reduce violent crime
    body: The Panel heard about this in December.
  - number: 1
    title: To provide neighbourhood policing
    body: Teams are in place.
inspections:
  - title: "PEEL: police efficiency 2015"
    graded: true
    question: How efficient is the force?
    grade: good
  - title: Witness for the prosecution
    graded: false
appendix:
  introduction: Quarterly performance.
  aims:
    - title: Community
      aim: To protect communities from harm
      signs: {kind: improvement, items: [Stable volumes of crime]}
      topics:
        - title: Hate crime
          data: No significant change
          activity: Working group established
          measures: [robbery, missing, satisfaction]
          chart: monthly
    - title: Victims
      topics:
        - title: Victim satisfaction
          data: Stable
measures:
  - id: robbery
    label: Robbery
    current: 139
    previous: 117
    better: lower
    peer: above
  - id: missing
    label: Missing person reports
    current: 883
    previous: 920
    better: lower
  - id: satisfaction
    label: Victim satisfaction
    current: 83
    previous: 82
    better: higher
    unit: percent
datasets:
  - id: monthly
    file: data/monthly.csv
    decimals: 0
"""
MONTHLY = [700, 712, 695, 720, 705, 730, 698, 808, 715, 702]


@pytest.fixture
def panel(write, tmp_path: Path):
    (tmp_path / "data").mkdir()
    rows = "".join(f"M{i + 1},{v}\n" for i, v in enumerate(MONTHLY))
    (tmp_path / "data" / "monthly.csv").write_text("month,Offences\n" + rows)
    return write(PANEL)


def test_sections_are_numbered_by_what_is_present(panel):
    doc = compile_report(panel).document
    covering = next(c for c in doc.chapters if c.kind == "covering")
    # background and activity text are absent, but activity still appears because it
    # lists inspections; numbering has no gaps.
    assert [(s.number, s.kind) for s in covering.sections] == [
        ("1.", "text"), ("2.", "text"), ("3.", "objectives"), ("4.", "text"), ("5.", "inspections"), ("6.", "text")]
    objectives = covering.sections[2].sections
    assert [o.heading.text.tokens[0].content for o in objectives] == [
        "Objective 1 – To provide neighbourhood policing", "Objective 2 – To reduce violent crime"]


def test_measure_direction_and_change_are_derived(panel):
    doc = compile_report(panel).document
    appendix = next(c for c in doc.chapters if c.kind == "appendix")
    measures = {m.label: m for m in appendix.aims[0].topics[0].measures}
    assert (measures["Robbery"].direction, measures["Robbery"].change) == ("Deteriorating", "+22 (+18.8%)")
    assert (measures["Missing person reports"].direction, measures["Missing person reports"].change) == (
        "No change", "-37 (-4.0%)")  # within the default 5 percent tolerance
    assert measures["Victim satisfaction"].direction == "No change"
    assert measures["Robbery"].peer == "Above group average"
    html = render_html(doc)
    assert '<span class="direction direction-deteriorating">' in html and "Deteriorating</span>" in html


def test_direction_follows_which_way_is_better(write, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "monthly.csv").write_text("month,Offences\nA,1\nB,2\nC,3\n")
    text = PANEL.replace("    current: 83\n    previous: 82\n", "    current: 90\n    previous: 80\n")
    doc = compile_report(write(text)).document
    appendix = next(c for c in doc.chapters if c.kind == "appendix")
    measures = {m.label: m for m in appendix.aims[0].topics[0].measures}
    assert measures["Victim satisfaction"].direction == "Improving"
    assert measures["Victim satisfaction"].current == "90 percent"


def test_summary_table_grouped_by_aim(panel):
    appendix = next(c for c in compile_report(panel).document.chapters if c.kind == "appendix")
    assert appendix.summary_groups == [
        ("To protect communities from harm", [("Hate crime", "No significant change", "Working group established")]),
        ("Victims", [("Victim satisfaction", "Stable", "")]),
    ]
    assert [t.number for a in appendix.aims for t in a.topics] == ["2.1.1", "2.2.1"]


def test_control_chart_mean_and_limits(panel):
    doc = compile_report(panel).document
    figure = doc.figures["control-monthly"]
    mean = statistics.fmean(MONTHLY)
    moving = statistics.fmean(abs(b - a) for a, b in itertools.pairwise(MONTHLY))
    assert figure.chart.limits == pytest.approx((mean, mean - 2.66 * moving, mean + 2.66 * moving))
    svg = render_charts(doc)["control-monthly"]
    assert "Mean (" in svg and "Control limits (" in svg
    assert "<desc" in svg


def test_unknown_covering_section_and_measure(cli, panel):
    text = panel.read_text().replace("  purpose: To update", "  purpos: To update").replace(
        "measures: [robbery,", "measures: [robery,")
    panel.write_text(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert f"report.yaml:{line_of(text, 'purpos:')}:3: covering.purpos: unknown section 'purpos' " \
           "(did you mean 'purpose'?) [covering.unknown]" in result.err_lines
    assert any("unknown measure 'robery' (did you mean 'robbery'?)" in line for line in result.err_lines)


def test_panel_has_masthead_and_no_cover(panel):
    from peelgen.render_html import page_css

    doc = compile_report(panel).document
    html = render_html(doc, target="print")
    assert '<header class="masthead">' in html and "Testshire Police and Crime Panel" in html
    assert '<header class="cover">' not in html
    assert "@page :first" not in page_css(doc)  # page 1 carries its page number
