"""A Welsh build at page level: lang, the PDF's /Lang and metadata, and no hyphenation.

pyphen has no Welsh patterns, and English ones would split Welsh words in the wrong
places, so a Welsh page is never hyphenated automatically: not even where a stylesheet
(an author's custom.css here, asking for it in a narrow column) says ``hyphens: auto``.
The same text and stylesheet in an en-GB build are hyphenated, which shows the check
would see a hyphen break if one were made.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import MINIMAL

WELSH = (
    "Mae’r heddlu wedi gwneud cynnydd sylweddol wrth ddiogelu pobl agored i niwed, ac mae "
    "swyddogion yn deall eu cyfrifoldebau’n well nag yn ystod yr arolygiad blaenorol. Fodd "
    "bynnag, mae angen i’r heddlu wella’r ffordd y mae’n cofnodi troseddau, yn goruchwylio "
    "ymchwiliadau ac yn cydweithredu â phartneriaid llywodraeth leol a gwasanaethau iechyd. "
    "Mae trefniadau llywodraethu a rheoli perfformiad yn gadarn, ond nid yw’r wybodaeth "
    "ddadansoddol sydd ar gael i arweinwyr bob amser yn ddigonol i gynllunio’n effeithiol."
)
# A narrow, justified column that asks for hyphenation: the author's own stylesheet.
CUSTOM_CSS = ".summary-of-findings p { width: 32mm; text-align: justify; hyphens: auto; }\n"
HYPHENS = ("-", "\u2010", "\u00ad")

WELSH_INFO = {"tag": "cy", "name": "Cymraeg", "english_name": "Welsh", "babel_locale": "cy", "hyphenate": False,
              "date_format": "d MMMM y", "month_year_format": "MMMM y", "ordinals": {"other": "{n}fed"}}


@pytest.fixture(scope="module")
def welsh_language(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The Welsh catalogue (peelgen/languages/cy.yaml) completed from the English one
    where this branch has not translated a label yet, on PEELGEN_LANGUAGES_PATH."""
    from peelgen.language import BUILTIN_DIR

    english = yaml.safe_load((BUILTIN_DIR / "en-GB.yaml").read_text(encoding="utf-8"))
    welsh = yaml.safe_load((BUILTIN_DIR / "cy.yaml").read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("languages")
    catalogue = {"language": welsh.get("language") or WELSH_INFO, "labels": {**english["labels"], **welsh["labels"]}}
    (folder / "cy.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PEELGEN_LANGUAGES_PATH", str(folder))
        yield welsh["labels"]


def _build(folder: Path, language: str) -> tuple[str, bytes]:
    from peelgen.build import compile_report, render_outputs

    folder.mkdir()
    report = MINIMAL.replace("  force_short: Testshire\n", f"  force_short: Testshire\n  language: {language}\n")
    report = report.replace("summary: Prevention requires improvement.", f"summary: {WELSH}")
    (folder / "report.yaml").write_text(report, encoding="utf-8")
    styles = folder / "own-styles"
    styles.mkdir()
    (styles / "custom.css").write_text(CUSTOM_CSS, encoding="utf-8")
    outputs = render_outputs(compile_report(folder / "report.yaml"), ("html", "pdf"), style_dirs=(styles,))
    html = next(v for k, v in outputs.items() if k.endswith(".html")).decode("utf-8")
    pdf = next(v for k, v in outputs.items() if k.endswith(".pdf"))
    return html, pdf


@pytest.fixture(scope="module")
def welsh_build(welsh_language: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes]:
    return _build(tmp_path_factory.mktemp("welsh") / "report", "cy")


def hyphen_breaks(pdf: bytes) -> list[str]:
    """Lines of the Welsh paragraph that end in a hyphen the text does not have."""
    words = set(re.findall(r"\w+", WELSH))
    breaks = []
    for page in PdfReader(BytesIO(pdf)).pages:
        for line in (page.extract_text() or "").splitlines():
            line = line.rstrip()
            if line.endswith(HYPHENS):
                last = re.findall(r"\w+", line.rstrip("".join(HYPHENS)))
                if last and any(word.startswith(last[-1]) and word != last[-1] for word in words):
                    breaks.append(line)
    return breaks


def test_welsh_page_and_pdf_say_they_are_welsh(welsh_build: tuple[str, bytes], welsh_language: Any) -> None:
    html, pdf = welsh_build
    assert html.startswith('<!DOCTYPE html>\n<html lang="cy">')
    with pikepdf.open(BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "cy"
        info = {key: str(value) for key, value in document.docinfo.items()}
    # The PDF's metadata is the page's: its title, author, description and keywords, and
    # peelgen's and WeasyPrint's names; nothing else (no English) is added.
    head = dict(re.findall(r'<meta name="(author|description|keywords)" content="([^"]*)">', html))
    title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
    assert info["/Title"] == title
    assert info["/Author"] == head["author"]
    assert info["/Subject"] == head["description"]
    assert info["/Keywords"] == head["keywords"]
    assert info["/Creator"] == "peelgen"
    assert info["/Producer"].startswith("WeasyPrint")
    assert set(info) == {"/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer"}
    # The description and the footer are the Welsh catalogue's.
    assert head["description"].endswith(welsh_language["page_description"].format(title="", force="Testshire Police"))
    text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
    assert welsh_language["page_footer"].format(page=2, pages=len(PdfReader(BytesIO(pdf)).pages)) in text
    assert "Page 2 of" not in text


def test_no_hyphenation_in_welsh(welsh_build: tuple[str, bytes]) -> None:
    html, pdf = welsh_build
    assert "hyphens: manual !important" in html
    text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
    assert "cyfrifoldebau’n" in text and "llywodraethu" in text  # the paragraph is there, its words whole
    assert hyphen_breaks(pdf) == []


def test_english_patterns_would_split_these_words(tmp_path: Path) -> None:
    """The control: the same Welsh text and stylesheet in an en-GB build are hyphenated
    with the English patterns, so the test above would see a hyphen break."""
    html, pdf = _build(tmp_path / "report", "en-GB")
    assert "hyphens: manual !important" not in html
    assert hyphen_breaks(pdf) != []
