"""`wording:`: every framework text is a default the report can replace or remove."""

from __future__ import annotations

import re
import shutil

from peelgen.build import compile_report
from peelgen.render_html import render_html
from tests.conftest import ROOT, line_of

FICTIONAL = (ROOT / "examples" / "fictional-2023-25" / "report.yaml").read_text(encoding="utf-8")
DATA = ROOT / "examples" / "fictional-2023-25" / "data"


def _html(write, tmp_path, wording: str) -> str:
    shutil.copytree(DATA, tmp_path / "data")
    path = write(FICTIONAL.replace("\nhmi:\n", f"\n{wording}\nhmi:\n", 1))
    html = render_html(compile_report(path).document)
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)  # the page's words, not the stylesheet's comments


def test_framework_text_replaced_and_removed(write, tmp_path):
    html = _html(write, tmp_path, """wording:
  cover_subtitle: A review of {force_short}
  page_description: "{force}: our review"
  author: Ravensmoor Review Board
  hmi_closing: null
  labels:
    judgments: Grades at a glance
  chapters:
    terminology: null
    leadership: {heading: How the force is led, closing: null}
""")
    assert "A review of Ravensmoor" in html and "An inspection of" not in html
    assert '<meta name="description" content="Ravensmoor Constabulary: our review">' in html
    assert '<meta name="author" content="Ravensmoor Review Board">' in html
    assert "We will keep watching the force’s progress" not in html  # the stock closing, removed
    assert "Grades at a glance" in html and "Our judgments" not in html
    assert "Terminology in this report" not in html
    assert "How the force is led" in html
    assert "describe the force’s leadership in more detail" not in html  # the leadership closing, removed


def test_own_free_text_slots_of_2023_25(write, tmp_path):
    text = FICTIONAL.replace("  case_files: 100\n", "  introduction: We read a hundred files ourselves.\n"
                                                       "  case_files: 100\n", 1)
    text = text.replace("  - id: recording-data\n", "  - id: recording-data\n    lead: Our own lead sentence.\n"
                        "    main_findings_intro: null\n", 1)
    text = text.replace("\nhmi:\n", "\noverall_summary: An overall narrative of our own.\nhmi:\n", 1)
    shutil.copytree(DATA, tmp_path / "data")
    html = render_html(compile_report(write(text)).document)
    assert "We read a hundred files ourselves." in html and "For this assessment we reviewed" not in html
    assert '<p class="lead">Our own lead sentence.</p>' in html
    assert "main findings on crime data integrity" not in html
    assert "An overall narrative of our own." in html


def test_wording_names_only_the_framework_chapters_and_labels(cli, write, tmp_path):
    shutil.copytree(DATA, tmp_path / "data")
    wording = "\nwording:\n  labels: {judgements: X}\n  chapters: {terminolgy: null}\nhmi:\n"
    text = FICTIONAL.replace("\nhmi:\n", wording, 1)
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any(f"report.yaml:{line_of(text, 'judgements')}:" in line and "unknown label 'judgements'" in line
               for line in result.err_lines), result.err_lines
    assert any("peel-2023-25 has no chapter 'terminolgy'" in line and line.endswith("[wording.chapter]")
               for line in result.err_lines), result.err_lines
