"""Derived values: sentences, numbering, titles and safe markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from peelgen.build import compile_report
from peelgen.render_html import render_html
from tests.conftest import MINIMAL, WEST_MERCIA


def document(write, text: str = MINIMAL):
    return compile_report(write(text)).document


def overview(doc):
    return next(c for c in doc.chapters if c.kind == "overview")


@pytest.mark.parametrize(
    ("grade", "previous", "expected"),
    [
        ("good", "requires-improvement",
         "This is an improvement on last year’s assessment, when we judged the force to require improvement."),
        ("good", "good", "This is the same grade as last year’s assessment."),
        ("requires-improvement", "outstanding",
         "This is a decline from last year’s assessment, when we judged the force to be outstanding."),
    ],
)
def test_grade_change_sentence_is_derived_from_two_grades(write, grade, previous, expected):
    text = MINIMAL.replace("  grade: good\n  previous_grade: requires-improvement",
                           f"  grade: {grade}\n  previous_grade: {previous}")
    chapter = overview(document(write, text))
    assert chapter.grade_change == expected


def test_no_previous_grade_means_no_comparison(write):
    chapter = overview(document(write, MINIMAL.replace("  previous_grade: requires-improvement\n", "")))
    assert chapter.grade_change is None
    assert chapter.lead == "Testshire Police is good at keeping people safe and reducing crime."


def test_summary_table_follows_question_grades(write):
    text = MINIMAL.replace("  - id: serious-organised-crime\n    grade: good",
                           "  - id: serious-organised-crime\n    grade: inadequate")
    rows = overview(document(write, text)).summary_rows
    assert [(r.grade.label) for r in rows] == [
        "Requires improvement", "Good", "Good", "Inadequate", "Ungraded"]
    assert rows[3].label == "How effective is the force at tackling serious and organised crime?"


def test_footnotes_numbered_by_first_use_across_report(write):
    text = MINIMAL.replace("Crime in {area} is low.", "Crime is low.[^b] Again.[^period] And.[^b]") + \
        "  b: Second note.\n"
    doc = document(write, text)
    # The framework's grade-scale note sits on the "Overall judgment" heading, before the
    # overview narrative, so it is note 1; then the narrative's, then the findings'.
    assert [(f.id, f.number) for f in doc.footnotes] == [("grade-scale", 1), ("period", 2), ("b", 3)]
    html = render_html(doc, target="web")
    assert html.count('href="#fn-3"') == 2  # two citations of [^b], one number
    assert html.count('id="ref-fn-3"') == 1  # one back-link target


def test_figures_numbered_in_order_of_placement(write):
    text = MINIMAL.replace(
        "    summary: Prevention requires improvement.",
        "      - id: understanding-risk\n"
        "        body: |\n"
        "          {figure:second}\n"
        "    summary: Prevention requires improvement. See {fig:second} and {fig:rates}.",
    ).replace("figures:\n", """\
figures:
  - id: second
    title: Defined first, placed second
    table:
      columns: [{heading: A}]
      rows: [[x]]
""")
    doc = document(write, text)
    assert {k: v.number for k, v in doc.figures.items()} == {"rates": 1, "second": 2}
    html = render_html(doc, target="web")
    assert 'See <a href="#figure-2">Figure 2</a> and <a href="#figure-1">Figure 1</a>.' in html


def test_box_titles_follow_the_count(write):
    one = document(write)
    box = next(c for c in one.chapters if c.id == "preventing").boxes[0]
    assert box.title == "Area for improvement"
    two = document(write, MINIMAL.replace("      - The force should improve.\n",
                                          "      - The force should improve.\n      - The force should also.\n"))
    assert next(c for c in two.chapters if c.id == "preventing").boxes[0].title == "Areas for improvement"


def test_deadline_is_quoted_in_en_gb(write):
    text = MINIMAL.replace(
        "      - The force should improve.\n",
        "      - text: By {deadline}, the force should improve.\n        deadline: 2017-05-01\n",
    )
    html = render_html(document(write, text), target="web")
    assert "By 1 May 2017, the force should improve." in html


def test_raw_html_in_markdown_is_escaped(write):
    text = MINIMAL.replace("Crime in {area} is low.", "<script>alert(1)</script> <b>bold</b>")
    html = render_html(document(write, text), target="web")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html


def test_placeholders_fill_headings_and_text(write):
    html = render_html(document(write), target="web")
    assert "How much crime and anti-social behaviour is there in Testshire?" in html
    assert "Crime in Testshire is low." in html


def test_typographic_quotes_and_dashes(write):
    text = MINIMAL.replace("Crime in {area} is low.", "The \"force's\" plan -- in short.")
    html = render_html(document(write, text), target="web")
    assert "The “force’s” plan – in short." in html


def test_print_target_puts_footnote_text_at_first_citation(write):
    html = render_html(document(write), target="print")
    assert '<span class="footnote" id="fn-2"><span class="fn-p">Fieldwork took place in autumn 2016.</span></span>' \
        in html


def test_numbers_are_formatted_with_fixed_decimals(write):
    text = MINIMAL.replace("- [Recorded crime, 58.8]", "- [Recorded crime, 12345]")
    html = render_html(document(write, text), target="web")
    assert '<td class="num">12,345.0</td>' in html


def test_slug_defaults_from_force_and_year(write):
    assert document(write).slug == "testshire-2016"


def test_example_report_uses_every_derivation(tmp_path: Path):

    doc = compile_report(WEST_MERCIA).document
    grades = {c.id: c.grade.label for c in doc.chapters if c.kind == "questions"}
    assert grades == {
        "preventing": "Requires improvement",
        "investigating": "Good",
        "vulnerability": "Good",
        "serious-organised-crime": "Requires improvement",
        "specialist-capabilities": "Ungraded",
    }
    assert len(doc.footnotes) >= 20
    assert [f.number for f in doc.footnotes] == list(range(1, len(doc.footnotes) + 1))
