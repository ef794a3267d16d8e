"""Snapshots of every example: the HTML page and the PDF's text, page by page.

The HTML snapshot leaves out the inline stylesheet, so a CSS change does not churn the
content snapshot; PDF text shows layout changes (page breaks) that matter to readers.
"""

from __future__ import annotations

import itertools
import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from tests.conftest import EXAMPLES, example_params

_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
_SVG = re.compile(r"(<svg[^>]*>)(<title[^>]*>.*?</title><desc[^>]*>.*?</desc>).*?</svg>", re.DOTALL)


class HTMLSnapshot(SingleFileSnapshotExtension):
    file_extension = "html"
    _write_mode = WriteMode.TEXT


class TextSnapshot(SingleFileSnapshotExtension):
    file_extension = "txt"
    _write_mode = WriteMode.TEXT


def normalise_html(html: str) -> str:
    """Leave out the stylesheet and each chart's drawing (charts have SVG snapshots of
    their own in test_metrics); keep each chart's title and description, which readers get."""
    html = _STYLE.sub("<style>/* stylesheet: see styles/ */</style>", html)
    return _SVG.sub(r"\1\2<!-- chart drawing left out of this snapshot --></svg>", html)


def pdf_pages(data: bytes) -> list[str]:
    reader = PdfReader(BytesIO(data))
    pages = []
    for page in reader.pages:
        lines = [line.rstrip() for line in (page.extract_text() or "").splitlines()]
        pages.append("\n".join(lines).strip())
    return pages


@pytest.fixture(params=example_params())
def built(request: pytest.FixtureRequest, example_outputs) -> tuple[Path, dict[str, bytes]]:
    return request.param, example_outputs[request.param]


def test_examples_exist():
    assert EXAMPLES, "no examples found"


def test_html_snapshot(built, snapshot):
    _, outputs = built
    [html] = [v for k, v in outputs.items() if k.endswith(".html")]
    assert normalise_html(html.decode("utf-8")) == snapshot(extension_class=HTMLSnapshot)


def test_pdf_text_snapshot(built, snapshot):
    _, outputs = built
    [pdf] = [v for k, v in outputs.items() if k.endswith(".pdf")]
    pages = pdf_pages(pdf)
    text = "".join(f"\n===== page {n} =====\n{page}\n" for n, page in enumerate(pages, start=1))
    assert text == snapshot(extension_class=TextSnapshot)


def test_html_has_one_h1_and_no_skipped_levels(built):
    _, outputs = built
    [html] = [v.decode() for k, v in outputs.items() if k.endswith(".html")]
    levels = [int(m) for m in re.findall(r"<h([1-6])[ >]", html)]
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
