"""Drafts: `status: draft` or `build --draft` watermark every PDF page and put a banner on the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import MINIMAL


def _with_status(status: str) -> str:
    first = "framework: peel-2016-effectiveness\n"
    return MINIMAL.replace(first, f"{first}status: {status}\n")


DRAFT = _with_status("draft")


def _outputs(tmp_path: Path) -> tuple[str, PdfReader]:
    html = (tmp_path / "site" / "testshire-2016.html").read_text(encoding="utf-8")
    return html, PdfReader(tmp_path / "site" / "testshire-2016.pdf")


@pytest.mark.parametrize(("text", "args"), [(DRAFT, ()), (MINIMAL, ("--draft",))], ids=["status", "option"])
def test_draft_marks_every_pdf_page_and_the_web_page(cli, write, tmp_path: Path, text, args):
    write(text)
    run = cli("build", "report.yaml", "-o", "site", *args)
    assert run.code == 0, run.err
    html, pdf = _outputs(tmp_path)
    assert 'class="draft-banner"' in html
    assert len(pdf.pages) > 1
    for number, page in enumerate(pdf.pages, start=1):
        assert "DRAFT" in page.extract_text(), f"page {number} has no DRAFT mark"


def test_final_report_has_no_draft_mark(cli, write, tmp_path: Path):
    write(_with_status("final"))
    assert cli("build", "report.yaml", "-o", "site").code == 0
    html, pdf = _outputs(tmp_path)
    assert "draft-banner" not in html and "draft-watermark" not in html  # neither element nor its CSS
    assert all("DRAFT" not in page.extract_text() for page in pdf.pages)


def test_bad_status_is_reported(cli, write):
    write(_with_status("drat"))
    run = cli("validate", "report.yaml")
    assert run.code == 1
    assert "report.yaml:2:9: status: expected one of 'draft' or 'final', got 'drat'" in run.err_lines
