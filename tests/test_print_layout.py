"""The PDF reads like a published report: outline, metadata, tags, fonts, furniture,
footnotes on the page that cites them. Also the HTML's structure and the grade colours."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from peelgen.build import compile_report
from peelgen.render_html import render_html
from peelgen.render_pdf import keep_footnotes_with_calls, layout, write_pdf
from tests.conftest import MINIMAL, ROOT, WEST_MERCIA

A4_HEIGHT_PT = 841.89
MARGIN_PT = 20 * 72 / 25.4  # text closer than 20 mm to the page edge is in the margin


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _walk(child)


def footnote_pages(pages) -> tuple[dict[str, int], dict[str, int]]:
    """Page numbers of each footnote's call and of its text, from the laid-out boxes."""
    calls: dict[str, int] = {}
    bodies: dict[str, int] = {}
    for number, page in enumerate(pages.pages, start=1):
        for box in _walk(page._page_box):
            tag = getattr(box, "element_tag", None) or ""
            if tag.endswith("::footnote-call"):
                calls.setdefault(box.element.get("id"), number)
            elif tag.endswith("::footnote-marker"):
                bodies.setdefault(box.element.get("id"), number)
    return calls, bodies


@pytest.fixture(scope="module")
def example():
    compiled = compile_report(WEST_MERCIA)
    html = render_html(compiled.document, target="print")
    pages = layout(html, report_dir=compiled.validated.base_dir)
    reader = PdfReader(BytesIO(write_pdf(pages)))
    return compiled.document, pages, reader


def test_every_footnote_prints_on_the_page_that_cites_it(example):
    doc, pages, _ = example
    calls, bodies = footnote_pages(pages)
    assert len(calls) == len(doc.footnotes) >= 20
    misplaced = {k: (calls.get(k), bodies.get(k)) for k in calls if calls.get(k) != bodies.get(k)}
    assert misplaced == {}


def test_footnote_workaround_is_active():
    # If a WeasyPrint upgrade changes the patched code, say so here rather than let
    # footnotes drift silently.
    assert keep_footnotes_with_calls() is True


def test_footnote_numbers_in_pdf_match_the_report(example):
    doc, _, reader = example
    text = "\n".join(page.extract_text() for page in reader.pages)
    for note in doc.footnotes[:5]:
        first_words = " ".join(re.sub(r"[^\w\s]", " ", note.body.tokens[1].content).split()[:3])
        assert re.search(rf"\b{note.number}\. {re.escape(first_words.split()[0])}", text), note.id


def test_outline_has_every_chapter(example):
    doc, _, reader = example
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[0] == "Contents"
    chapters = [re.sub(r"\s+", " ", c.heading.text.tokens[0].content) for c in doc.chapters]
    assert titles[1:] == chapters
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert any("Summary of findings" in [i.title for i in group if not isinstance(i, list)] for group in nested)


def test_metadata_language_tags_and_fonts(example):
    _, _, reader = example
    assert reader.metadata.title == "PEEL: Police effectiveness 2016: West Mercia Police"
    assert reader.metadata.author == "Her Majesty’s Inspectorate of Constabulary"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    # Only the bundled font: no fallback to whatever the machine has.
    assert fonts and all(name.replace("-", "").startswith("NotoSans") for name in fonts), fonts


def _text_positions(page) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def test_running_heads_and_page_numbers(example):
    doc, _, reader = example
    total = len(reader.pages)
    second = reader.pages[1].extract_text()
    assert f"Page 2 of {total}" in second
    assert doc.short_title in second and doc.force in second
    assert f"Page {total} of {total}" in reader.pages[-1].extract_text()


def test_cover_has_nothing_in_its_margins(example):
    _, _, reader = example
    cover = reader.pages[0]
    assert "Page 1 of" not in cover.extract_text()
    in_margins = [text for y, text in _text_positions(cover) if y < MARGIN_PT or y > A4_HEIGHT_PT - MARGIN_PT]
    assert in_margins == []


def test_contents_page_lists_chapters_with_page_numbers(example):
    _, _, reader = example
    contents = reader.pages[1].extract_text()
    assert contents.startswith("Contents") or "\nContents" in contents
    match = re.search(r"Next steps\s*\.*\s*(\d+)", contents)
    assert match, contents
    next_steps_page = int(match.group(1))
    assert reader.pages[next_steps_page - 1].extract_text().startswith("Next steps")


def test_each_question_starts_a_page(example):
    doc, _, reader = example
    starts = ["".join(page.extract_text().split()) for page in reader.pages]
    for chapter in doc.chapters:
        if chapter.kind != "question":
            continue
        heading = "".join(chapter.heading.text.tokens[0].content.split())
        # The chapter heading opens exactly one page.
        opening = [i for i, text in enumerate(starts) if text.startswith(heading)]
        assert len(opening) == 1, chapter.id


def test_marking_logo_and_custom_footer(tmp_path: Path, write):
    import base64

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAcCBlCwAAAABJRU5ErkJggg==")
    (tmp_path / "logo.png").write_bytes(png)
    text = MINIMAL.replace(
        "  publication_date: 2017-03-02\n",
        "  publication_date: 2017-03-02\n  marking: OFFICIAL-SENSITIVE\n"
        "  logo: logo.png\n  logo_alt: Testshire crest\n",
    ) + 'print:\n  footer: "{page} / {pages}"\n'
    compiled = compile_report(write(text))
    web = render_html(compiled.document, target="web")
    assert '<img class="cover-logo" src="data:image/png;base64,' in web
    assert 'alt="Testshire crest"' in web
    pages = layout(render_html(compiled.document, target="print"), report_dir=tmp_path)
    reader = PdfReader(BytesIO(write_pdf(pages)))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") == (1 if number == 1 else 2), number
        if number > 1:
            assert f"{number} / {total}" in text


@pytest.mark.parametrize("logo", ["../outside.png", "/etc/passwd.png", "file:logo.png", "http://x/logo.png",
                                  "missing.png", "logo.gif"])
def test_logo_must_be_an_image_inside_the_report_folder(cli, write, logo):
    text = MINIMAL.replace("  publication_date: 2017-03-02\n",
                           f"  publication_date: 2017-03-02\n  logo: {logo}\n")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    assert line.startswith("report.yaml:6:9: meta.logo: ")


def test_unknown_footer_placeholder(cli, write):
    write(MINIMAL + 'print:\n  footer: "Page {page} of {total}"\n')
    result = cli("validate", "report.yaml")
    assert result.err_lines[0].endswith("print.footer: unknown placeholder {total} in the footer "
                                        "(the footer may use {page} and {pages}) [print.footer]")


# --- HTML ----------------------------------------------------------------------------


def test_html_landmarks_skip_link_and_notes(example):
    doc, _, _ = example
    html = render_html(doc, target="web")
    assert html.index('<a class="skip-link" href="#main">') < html.index("<main")
    for landmark in ('<header class="cover">', '<nav class="contents"', '<main id="main">',
                     '<footer class="colophon">'):
        assert html.count(landmark) == 1, landmark
    assert '<html lang="en-GB">' in html
    # Every footnote reference has a note, and every note links back.
    refs = set(re.findall(r'href="#(fn-\d+)"', html))
    notes = set(re.findall(r'<li id="(fn-\d+)"', html))
    assert refs == notes and len(notes) == len(doc.footnotes)
    assert html.count('role="doc-backlink"') == len(doc.footnotes)


# --- grade colours -----------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_grade_colours_have_enough_contrast_with_white_text():
    css = (ROOT / "styles" / "report.css").read_text()
    colours = dict(re.findall(r"--grade-([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    assert set(colours) >= {"outstanding", "good", "adequate", "requires-improvement", "inadequate", "ungraded"}
    for grade, colour in colours.items():
        contrast = (1.0 + 0.05) / (_luminance(colour) + 0.05)
        assert contrast >= 4.5, (grade, colour, round(contrast, 2))
