"""Every kind of input error gives exit 1 and one located line per problem."""

from __future__ import annotations

import pytest

from tests.conftest import MINIMAL, line_of


def test_minimal_report_is_valid(cli, write):
    write(MINIMAL)
    result = cli("validate", "report.yaml")
    assert result.code == 0, result.err
    assert result.out.strip() == "report.yaml: valid"


def test_yaml_syntax_error_is_located(cli, write):
    text = MINIMAL.replace("  force_short: Testshire", "  force_short: [Testshire")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    assert line.startswith("report.yaml:")
    assert "YAML syntax error" in line
    # The parser notices the unclosed flow sequence on or after the line that opens it.
    assert int(line.split(":")[1]) >= line_of(text, "force_short")


def test_tab_indentation_says_use_spaces(cli, write):
    write(MINIMAL.replace("  force_short: Testshire", "\tforce_short: Testshire"))
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert "YAML syntax error" in result.err
    assert "report.yaml:4:" in result.err


def test_unknown_key_suggests_the_right_one(cli, write):
    text = MINIMAL.replace("    grade: good\n  - id: vulnerability", "    grdae: good\n  - id: vulnerability")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    expected_line = line_of(text, "grdae")
    assert f"report.yaml:{expected_line}:5: questions[1].grdae: unknown key 'grdae' (did you mean 'grade'?)" \
        in result.err_lines
    # The same typo also leaves 'grade' missing: both are reported in one run.
    assert any("questions[1].grade: missing required key 'grade'" in line for line in result.err_lines)


def test_unknown_top_level_key(cli, write):
    text = MINIMAL + "footnote:\n  x: y\n"
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    assert line == f"report.yaml:{line_of(text, 'footnote:')}:1: footnote: unknown key 'footnote' " \
                   "(did you mean 'footnotes'?)"


def test_wrong_type_names_what_was_expected(cli, write):
    text = MINIMAL.replace("publication_date: 2017-03-02", "publication_date: [2017]")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'publication_date')}:21: meta.publication_date: "
        "expected a date (YYYY-MM-DD), got a list"
    ]


def test_impossible_date_is_a_located_error(cli, write):
    text = MINIMAL.replace("2017-03-02", "2017-02-30")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    where = f"report.yaml:{line_of(text, 'publication_date')}:21"
    assert line.startswith(f"{where}: meta.publication_date: expected a date")
    assert "day value is outside expected range" in line


def test_grade_outside_scale_suggests_nearest(cli, write):
    text = MINIMAL.replace("  - id: investigating\n    grade: good", "  - id: investigating\n    grade: gud")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'grade: gud')}:12: questions[1].grade: 'gud' is not a grade in "
        "peel-2016-effectiveness (did you mean 'good'?)"
    ]


def test_grade_labels_are_accepted(cli, write):
    write(MINIMAL.replace("previous_grade: requires-improvement", "previous_grade: Requires improvement"))
    assert cli("validate", "report.yaml").code == 0


def test_ungraded_question_cannot_have_a_grade(cli, write):
    text = MINIMAL.replace("grade: ungraded", "grade: good")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'grade: good', 5)}:12: questions[4].grade: question "
        "'specialist-capabilities' is not graded in peel-2016-effectiveness (write grade: ungraded) [grade.ungraded]"
    ]


def test_missing_required_question(cli, write):
    text = MINIMAL.replace("  - id: vulnerability\n    grade: good\n", "")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'questions:')}:1: questions: missing required question 'vulnerability' "
        "(add an entry with id: vulnerability) [question.missing]"
    ]


def test_duplicate_question_id(cli, write):
    text = MINIMAL.replace("  - id: vulnerability\n", "  - id: investigating\n")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert f"report.yaml:{line_of(text, 'id: investigating', 2)}:9: questions[2].id: duplicate question id " \
           "'investigating' (each question appears once) [question.duplicate]" in result.err_lines


def test_duplicate_figure_id(cli, write):
    text = MINIMAL + """\
  - id: rates
    title: Again
    table:
      columns: [{heading: A}]
      rows: [[x]]
"""
    text = text.replace("footnotes:\n  period: Fieldwork took place in autumn 2016.\n", "") \
        + "footnotes:\n  period: Fieldwork took place in autumn 2016.\n"
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    line = line_of(text, '- id: rates', 2)
    assert f"report.yaml:{line}:9: figures[1].id: duplicate figure id 'rates' [figure.duplicate]" in result.err_lines


def test_duplicate_yaml_key(cli, write):
    text = MINIMAL.replace("  force_short: Testshire\n", "  force_short: Testshire\n  force: Again\n")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    assert f"report.yaml:{line_of(text, 'force: Again')}:" in line
    assert "duplicate key" in line


def test_footnote_cited_but_not_defined(cli, write):
    text = MINIMAL.replace("Crime in {area} is low.", "Crime in {area} is low.[^missing]")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, '[^missing]')}:1: questions[0].findings[0].body: footnote [^missing] "
        "is cited but not defined (define it under 'footnotes:') [footnote.undefined]"
    ]


def test_footnote_defined_but_never_cited(cli, write):
    text = MINIMAL + "  spare: Never cited.\n"
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'spare:')}:3: footnotes.spare: footnote 'spare' is defined but never "
        "cited (cite it with [^spare] or remove it) [footnote.unused]"
    ]


def test_unknown_framework_suggests(cli, write):
    text = MINIMAL.replace("framework: peel-2016-effectiveness", "framework: peel-2016-efectiveness")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        "report.yaml:1:12: framework: unknown framework 'peel-2016-efectiveness' "
        "(did you mean 'peel-2016-effectiveness'?)"
    ]


def test_unknown_section_id(cli, write):
    text = MINIMAL.replace("- id: crime-and-asb", "- id: crime-and-abs")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'crime-and-abs')}:13: questions[0].findings[0].id: unknown section "
        "'crime-and-abs' (did you mean 'crime-and-asb'?) [section.unknown]"
    ]


def test_unknown_placeholder_and_figure(cli, write):
    text = MINIMAL.replace("Crime in {area} is low.", "Crime in {aera} is low. See {fig:rate}.")
    write(text)
    result = cli("validate", "report.yaml")
    line = line_of(text, "{aera}")
    assert result.err_lines == [
        f"report.yaml:{line}:1: questions[0].findings[0].body: unknown placeholder {{aera}} (did you mean 'area'?) "
        "[text.placeholder]",
        f"report.yaml:{line}:1: questions[0].findings[0].body: {{fig:rate}} refers to no placed figure "
        "(did you mean 'rates'?) [figure.reference]",
    ]


def test_figure_never_placed(cli, write):
    text = MINIMAL.replace("{figure:rates}", "No figure here.")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.err_lines == [
        f"report.yaml:{line_of(text, '- id: rates')}:9: figures[0].id: figure 'rates' is never placed "
        "(put {figure:rates} on its own line where it belongs) [figure.unplaced]"
    ]


def test_table_row_width_must_match_columns(cli, write):
    text = MINIMAL.replace("- [Recorded crime, 58.8]", "- [Recorded crime, 58.8, 1]")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.err_lines == [
        f"report.yaml:{line_of(text, '[Recorded crime')}:11: figures[0].table.rows[0]: row has 3 cells but the "
        "table has 2 columns [table.row-length]"
    ]


def test_disallowed_link_scheme(cli, write):
    text = MINIMAL.replace("Crime in {area} is low.", "[Click](javascript:alert(1))")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.err_lines == [
        f"report.yaml:{line_of(text, 'javascript')}:1: questions[0].findings[0].body: link target "
        "'javascript:alert(1)' is not allowed (links may use http, https, mailto or #anchor) [text.link]"
    ]


def test_all_errors_reported_at_once_in_line_order(cli, write):
    text = MINIMAL.replace("grade: good\n  previous", "grade: goood\n  previous").replace(
        "force_short: Testshire", "force_shrot: Testshire")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    lines = [int(line.split(":")[1]) for line in result.err_lines]
    assert len(lines) == 2
    assert lines == sorted(lines)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "the file is binary, not YAML text"),
        (b"framework: caf\xe9\n", "the file is not valid UTF-8 text"),
        (b"- just\n- a list\n", "the document must be a mapping of keys, not a list"),
        (b"a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
         b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
         b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
         "the document has too many values (is it an alias bomb?)"),
        (b"framework: !!python/object/apply:os.system [echo hi]\n", "YAML tag"),
    ],
    ids=["empty", "binary", "bad-utf8", "not-a-mapping", "alias-bomb", "python-tag"],
)
def test_hostile_files_give_one_located_line(cli, tmp_path, content, message):
    (tmp_path / "report.yaml").write_bytes(content)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    assert line.startswith("report.yaml:")
    assert message in line
    assert "Traceback" not in result.err


def test_byte_order_mark_is_fine(cli, tmp_path):
    (tmp_path / "report.yaml").write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert cli("validate", "report.yaml").code == 0


def test_missing_file_exits_2_with_one_line(cli):
    result = cli("validate", "nowhere.yaml")
    assert result.code == 2
    assert result.err_lines == ["peelgen: error: nowhere.yaml does not exist"]


def test_bad_option_exits_2_with_one_line(cli, write):
    write(MINIMAL)
    result = cli("build", "report.yaml", "--format", "rtf")  # docx and odt are formats now
    assert result.code == 2
    [line] = result.err_lines
    assert line.startswith("peelgen: error: ")
    assert "rtf" in line
