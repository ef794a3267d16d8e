"""`peelgen frameworks` and `peelgen frameworks show ID`."""

from __future__ import annotations

from peelgen import framework as frameworks


def test_lists_every_installed_framework(cli):
    run = cli("frameworks")
    assert run.code == 0, run.err
    for framework_id in frameworks.available():
        assert f"\n{framework_id}\n" in f"\n{run.out}"
    assert "title:       PEEL: Police effectiveness 2016" in run.out
    assert "grades:      Outstanding, Good, Requires improvement, Inadequate (or Ungraded)" in run.out
    assert "document:    national-report" in run.out
    assert "description: Force-level effectiveness report" in run.out


def test_show_prints_questions_sections_and_chapters(cli):
    run = cli("frameworks", "show", "peel-2016-effectiveness")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert "  - requires-improvement: Requires improvement" in lines
    assert any(line.startswith("  - preventing: How effective is the force at preventing crime") for line in lines)
    assert any(line.startswith("    - crime-and-asb: ") for line in lines)
    assert any(line.startswith("      - understands-risk: ") for line in lines)  # nested sub-question
    assert any(line.startswith("  - specialist-capabilities: ") and line.endswith("(ungraded)") for line in lines)
    # Each chapter with the report keys its kind reads (from the chapter registry).
    assert "  - overview (overview) [reads: overall]" in lines
    assert "  - annex-a (annex): Annex A – About the data [reads: annex_a]" in lines


def test_show_prints_pillars(cli):
    run = cli("frameworks", "show", "peel-2018-19-ipa")
    assert run.code == 0, run.err
    assert "pillars:" in run.out
    assert "  - effectiveness: Effectiveness" in run.out


def test_show_unknown_id_is_one_line_with_a_suggestion(cli):
    run = cli("frameworks", "show", "peel-2016-efectiveness")
    assert run.code == 2
    assert run.out == ""
    assert run.err_lines == ["peelgen: error: unknown framework 'peel-2016-efectiveness' "
                             "(did you mean 'peel-2016-effectiveness'?)"]
