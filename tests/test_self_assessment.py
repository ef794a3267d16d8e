"""A self-assessment is written by the force: no inspectorate wording anywhere a
reader (or a screen reader, or a PDF viewer's document properties) can see it."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from peelgen.build import compile_report, render_outputs
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "self-assessment-2023-25" / "report.yaml"
INSPECTORATE = re.compile(r"inspect|HMICFRS|HMIC\b|HM Inspector|His Majesty|Majesty’s", re.I)


@pytest.fixture(scope="module")
def outputs() -> dict[str, bytes]:
    return render_outputs(compile_report(EXAMPLE), ("html", "pdf"))


def _visible(html: str) -> str:
    """The page's text and the attributes a reader meets: alt, aria-label, title, meta content."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    attributes = re.findall(r'\b(?:alt|aria-label|title|content)="([^"]*)"', html)
    return " ".join([re.sub(r"<[^>]+>", " ", html), *attributes])


def test_html_has_no_inspectorate_wording(outputs):
    [html] = [v.decode("utf-8") for k, v in outputs.items() if k.endswith(".html")]
    text = _visible(html)
    assert "Harrowdale Police" in text and "self-assessment" in text  # the check reads the page
    assert INSPECTORATE.findall(text) == []
    assert '<meta name="author" content="Harrowdale Police">' in html


def test_pdf_text_and_metadata_have_no_inspectorate_wording(outputs):
    [pdf] = [v for k, v in outputs.items() if k.endswith(".pdf")]
    reader = PdfReader(BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Chief constable’s summary" in text
    assert INSPECTORATE.findall(text) == []
    metadata = {key: str(value) for key, value in (reader.metadata or {}).items()}
    assert metadata["/Author"] == "Harrowdale Police"
    assert "self-assessment" in metadata["/Subject"]
    assert [value for value in metadata.values() if INSPECTORATE.search(value)] == []


def test_the_inspection_framework_does_say_inspection():
    """The pattern finds what the self-assessment must not say: the same report under
    the inspectorate's framework is full of it."""
    from peelgen.framework import load_framework

    fw = load_framework("peel-2023-25")
    assert INSPECTORATE.search(fw.cover_subtitle) and INSPECTORATE.search(fw.inspectorate.name)
