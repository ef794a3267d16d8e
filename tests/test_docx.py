"""Word and OpenDocument output: each example's DOCX opened with python-docx and its
XML read, checked against the resolved document it was written from."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document as WordDocument
from lxml import etree

from peelgen.build import Compiled, compile_report, parse_formats, render_outputs
from peelgen.document import Document, Fragment, Heading
from peelgen.render_docx import pandoc_document, render_word
from peelgen.render_docx.parts import plain_text
from tests.conftest import ROOT, example_params

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
      "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0"}


@dataclass
class Built:
    compiled: Compiled
    docx: bytes
    odt: bytes

    @property
    def doc(self) -> Document:
        return self.compiled.document

    def part(self, name: str) -> etree._Element:
        return etree.fromstring(zipfile.ZipFile(io.BytesIO(self.docx)).read(name))

    def parts(self, prefix: str) -> list[etree._Element]:
        package = zipfile.ZipFile(io.BytesIO(self.docx))
        return [etree.fromstring(package.read(n)) for n in package.namelist()
                if n.startswith(prefix) and n.endswith(".xml")]


_CACHE: dict[Path, Built] = {}


@pytest.fixture(scope="session", params=example_params())
def built(request: pytest.FixtureRequest) -> Built:
    """Each example's DOCX and ODT, built once per session."""
    path = request.param
    if path not in _CACHE:
        compiled = compile_report(path)
        outputs = render_outputs(compiled, ("docx", "odt"))
        slug = compiled.document.slug
        _CACHE[path] = Built(compiled, outputs[f"{slug}.docx"], outputs[f"{slug}.odt"])
    return _CACHE[path]


def _words(heading: Heading, doc: Document) -> str:
    from peelgen.render_docx.parts import Parts

    return plain_text(Parts(doc, "docx", {}).inlines(heading.text))


def _all_headings(doc: Document) -> list[str]:
    """Every heading of the resolved document, in document order, as the DOCX has them."""
    ast = pandoc_document(doc, "docx", {f: "" for f in doc.figures})
    return [plain_text(block["c"][2]) for block in _walk(ast["blocks"]) if block["t"] == "Header"]


def _walk(blocks: list) -> list:
    out = []
    for block in blocks:
        out.append(block)
        if block["t"] == "Div":
            out += _walk(block["c"][1])
    return out


def _docx_headings(data: bytes) -> list[tuple[str, str]]:
    word = WordDocument(io.BytesIO(data))
    return [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]


# -- structure ------------------------------------------------------------------------


def test_chapter_headings_in_order_as_heading_1(built):
    chapters = [plain_text(_inlines(c.heading, built.doc)) for c in built.doc.chapters]
    in_word = [text for style, text in _docx_headings(built.docx) if style == "Heading 1"]
    assert [t for t in in_word if t in chapters] == chapters
    assert len(in_word) >= len(chapters)


def _inlines(heading: Heading, doc: Document) -> list:
    from peelgen.render_docx.parts import Parts

    return Parts(doc, "docx", {}).inlines(heading.text)


def test_every_heading_in_document_order(built):
    expected = _all_headings(built.doc)
    assert [text for _, text in _docx_headings(built.docx)] == expected
    contents = [h for chapter, children in built.doc.contents for h in (chapter, *children)]
    position = -1
    for heading in contents:  # each contents entry is found after the one before it (numbered or not)
        words = _words(heading, built.doc)
        position = next(i for i in range(position + 1, len(expected))
                        if expected[i] == words or expected[i].endswith(f" {words}"))


def test_headings_use_word_styles(built):
    styles = {style for style, _ in _docx_headings(built.docx)}
    assert "Heading 1" in styles
    assert styles <= {f"Heading {n}" for n in range(1, 7)}
    word = WordDocument(io.BytesIO(built.docx))
    assert word.paragraphs[0].style.name == "Title"
    assert word.paragraphs[0].text == built.doc.title


def test_contents_field(built):
    instructions = [node.text for node in built.part("word/document.xml").iter(f"{{{W}}}instrText")]
    assert any(text.strip().startswith("TOC ") for text in instructions)
    update = built.part("word/settings.xml").find("w:updateFields", NS)
    assert update is not None and update.get(f"{{{W}}}val") == "true"  # Word fills it in on opening


def test_footnotes_native_and_numbered_as_the_report(built):
    notes = [n for n in built.part("word/footnotes.xml").findall("w:footnote", NS)
             if n.get(f"{{{W}}}type") is None]  # not the separators
    references = [r.get(f"{{{W}}}id") for r in built.part("word/document.xml").iter(f"{{{W}}}footnoteReference")]
    assert len(notes) == len(built.doc.footnotes) == len(references)
    # Word numbers notes in the order they are referenced: the nth reference is note n.
    texts = {n.get(f"{{{W}}}id"): "".join(n.itertext()).strip() for n in notes}
    for number, ref in enumerate(references, start=1):
        expected = plain_text(_note_words(built.doc, number))
        assert texts[ref].startswith(expected[:40]), f"note {number}"


def _note_words(doc: Document, number: int) -> list:
    from peelgen.render_docx.parts import Parts

    note = doc.footnotes[number - 1]
    return Parts(doc, "docx", {}).inlines(Fragment(note.body.tokens[:3]))


def test_tables_repeat_their_header_row(built):
    tables = list(built.part("word/document.xml").iter(f"{{{W}}}tbl"))
    data_tables = sum(1 for f in built.doc.figures.values() if f.table is not None)
    assert len(tables) >= data_tables
    for table in tables:
        first = table.find("w:tr", NS)
        assert first.find("w:trPr/w:tblHeader", NS) is not None
        assert table.find("w:tblPr/w:tblStyle", NS).get(f"{{{W}}}val") == "Table"


def test_numeric_columns_right_aligned(built):
    tables = [f.table for f in built.doc.figures.values() if f.table is not None]
    if not tables:
        pytest.skip("no data tables in this example")
    word = WordDocument(io.BytesIO(built.docx))
    for view in tables:
        header = [h for h, _ in view.columns]
        table = next(t for t in word.tables if [c.text for c in t.rows[0].cells] == header)
        for index, (_, numeric) in enumerate(view.columns):
            alignment = table.rows[-1].cells[index].paragraphs[0].alignment
            assert (str(alignment) .startswith("RIGHT")) == numeric, (header, index)


def test_charts_are_pngs_with_their_description_as_alt_text(built):
    charts = [f for f in built.doc.figures.values() if f.chart is not None or f.image]
    pictures = list(built.part("word/document.xml").iter(f"{{{NS['wp']}}}docPr"))
    assert len(pictures) == len(charts)
    expected = sorted(f.chart.description if f.chart else f.image_alt for f in charts)
    assert sorted(p.get("descr") for p in pictures) == expected
    for picture in built.part("word/document.xml").iter(f"{{{NS['pic']}}}cNvPr"):
        assert not picture.get("descr", "").startswith("data:")
    package = zipfile.ZipFile(io.BytesIO(built.docx))
    media = [n for n in package.namelist() if n.startswith("word/media/")]
    assert len(media) == len(charts)


def test_captions_number_figures(built):
    word = WordDocument(io.BytesIO(built.docx))
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    label = built.doc.labels.figure
    numbers = sorted(f.number for f in built.doc.figures.values())
    assert [int(c.split(":")[0].removeprefix(label).strip()) for c in captions] == numbers


def test_marking_in_every_header_and_footer(built):
    headers, footers = built.parts("word/header"), built.parts("word/footer")
    assert headers and footers
    body = built.part("word/document.xml")
    section = body.find("w:body/w:sectPr", NS)
    assert section.find("w:headerReference", NS) is not None
    assert section.find("w:footerReference", NS) is not None
    assert section.find("w:pgSz", NS).get(f"{{{W}}}w") == "11906"  # A4
    for part in headers + footers:
        text = "".join(part.itertext())
        if built.doc.marking:
            assert built.doc.marking in text
        else:
            assert "OFFICIAL" not in text
    footer_fields = [n.text.strip() for f in footers for n in f.iter(f"{{{W}}}instrText")]
    if any(kind == "page" for kind, _ in built.doc.footer):
        assert "PAGE" in footer_fields


def test_core_properties(built):
    props = WordDocument(io.BytesIO(built.docx)).core_properties
    doc = built.doc
    assert props.title == doc.title
    assert props.author == (doc.author or doc.inspectorate)
    assert props.subject == doc.description
    assert props.language == doc.lang
    assert props.created.date() == props.modified.date() == doc.publication_date


def test_grades_in_words_with_the_grade_colour(built):
    graded = {g.label: g.colour.lstrip("#").upper() for g in built.doc.grades if g.graded}
    found = {}
    for run in built.part("word/document.xml").iter(f"{{{W}}}r"):
        shading = run.find("w:rPr/w:shd", NS)
        text = "".join(run.itertext()).strip()
        if shading is not None and text in graded:
            found[text] = shading.get(f"{{{W}}}fill").upper()
    assert found, "no grade written"
    assert all(graded[label] == fill for label, fill in found.items())


def test_boxes_in_named_styles_kept_together(built):
    word = WordDocument(io.BytesIO(built.docx))
    boxes = [b for c in built.doc.chapters for b in _boxes(c)]
    styled = [p for p in word.paragraphs if p.style.name in ("Area for Improvement", "Cause of Concern", "Practice")]
    if not boxes:
        pytest.skip("no boxes in this example")
    titles = {p.text for p in styled}
    assert {b.title for b in boxes} <= titles
    for name in ("Area for Improvement", "Cause of Concern"):
        assert word.styles[name].paragraph_format.keep_together
        assert word.styles[name].paragraph_format.keep_with_next


def _boxes(view) -> list:
    out = list(getattr(view, "boxes", []))
    for child in getattr(view, "components", []):
        out += _boxes(child)
    return out


def test_lists_use_list_bullet(built):
    word = WordDocument(io.BytesIO(built.docx))
    listed = [p for p in word.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    if not listed:
        pytest.skip("no lists")
    allowed = {"List Bullet", "List Number", "Area for Improvement", "Cause of Concern", "Practice",
               "Recommendation Box"}  # in a box, a list takes the box's style
    assert {p.style.name for p in listed} <= allowed


# -- ODT --------------------------------------------------------------------------------


def test_odt_has_headings_notes_and_marking(built):
    package = zipfile.ZipFile(io.BytesIO(built.odt))
    assert package.namelist()[0] == "mimetype"
    assert package.read("mimetype") == b"application/vnd.oasis.opendocument.text"
    content = etree.fromstring(package.read("content.xml"))
    headings = ["".join(h.itertext()) for h in content.iter(f"{{{NS['text']}}}h")]
    for chapter in built.doc.chapters:
        assert _words(chapter.heading, built.doc) in headings
    notes = list(content.iter(f"{{{NS['text']}}}note"))
    assert len(notes) == len(built.doc.footnotes)
    svg = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
    alts = sorted(d.text for d in content.iter(f"{{{svg}}}desc"))
    pictures = [f for f in built.doc.figures.values() if f.chart is not None or f.image]
    assert alts == sorted(f.chart.description if f.chart else f.image_alt for f in pictures)
    styles = package.read("styles.xml").decode("utf-8")
    if built.doc.marking:
        assert styles.count(built.doc.marking) >= 2  # header and footer
    assert 'fo:page-width="21cm"' in styles and 'fo:page-height="29.7cm"' in styles
    assert "<text:page-number" in styles


# -- reproducible -------------------------------------------------------------------------


def test_two_builds_are_byte_identical():
    compiled = compile_report(ROOT / "examples" / "fictional-2023-25" / "report.yaml")
    first = render_outputs(compiled, ("docx", "odt"))
    again = render_outputs(compile_report(ROOT / "examples" / "fictional-2023-25" / "report.yaml"), ("docx", "odt"))
    assert first == again
    for data in first.values():
        for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_draft_header():
    compiled = compile_report(ROOT / "examples" / "west-midlands-2018-19" / "report.yaml")
    compiled.document.draft = True
    data = render_word(compiled.document, "docx")
    package = zipfile.ZipFile(io.BytesIO(data))
    headers = [package.read(n).decode() for n in package.namelist() if n.startswith("word/header")]
    assert headers and all("DRAFT" in h for h in headers)


# -- the reference document ----------------------------------------------------------------


def test_reference_docx_from_a_templates_folder(tmp_path):
    word = WordDocument(str(ROOT / "styles" / "reference.docx"))
    word.styles["Heading 1"].font.name = "Comic Neue"
    word.save(str(tmp_path / "reference.docx"))
    compiled = compile_report(ROOT / "examples" / "west-midlands-2018-19" / "report.yaml")
    out = render_outputs(compiled, ("docx",), template_dirs=(tmp_path,))
    styles = zipfile.ZipFile(io.BytesIO(next(iter(out.values())))).read("word/styles.xml").decode()
    assert "Comic Neue" in styles


def test_reference_docx_symlinked_outside_is_refused(tmp_path):
    from peelgen.diagnostics import BuildFailed

    outside = tmp_path / "outside.docx"
    shutil.copy(ROOT / "styles" / "reference.docx", outside)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "reference.docx").symlink_to(outside)
    compiled = compile_report(ROOT / "examples" / "west-midlands-2018-19" / "report.yaml")
    with pytest.raises(BuildFailed) as failure:
        render_outputs(compiled, ("docx",), template_dirs=(folder,))
    assert "outside" in failure.value.diagnostics[0].message


def test_bundled_reference_is_what_the_script_makes(tmp_path):
    """styles/reference.docx is generated, never edited by hand."""
    script = ROOT / "scripts" / "make-reference-docx"
    bundled = (ROOT / "styles" / "reference.docx").read_bytes()
    env = {**os.environ, "PEELGEN_REFERENCE_OUT": str(tmp_path / "reference.docx")}
    subprocess.run([os.sys.executable, str(script)], check=True, env=env, capture_output=True)
    assert (tmp_path / "reference.docx").read_bytes() == bundled


# -- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("all", ("html", "pdf")),
    ("html,pdf,docx", ("html", "pdf", "docx")),
    ("docx", ("docx",)),
    (" odt , all ", ("odt", "html", "pdf")),
    ("DOCX", ("docx",)),
])
def test_parse_formats(value, expected):
    assert parse_formats(value) == expected


@pytest.mark.parametrize("value", ["rtf", "", "html,,epub", ","])
def test_parse_formats_refuses(value):
    with pytest.raises(ValueError, match="unknown format"):
        parse_formats(value)


# -- LibreOffice ------------------------------------------------------------------------------


@pytest.mark.slow
def test_libreoffice_opens_the_docx(built, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("soffice (libreoffice-writer-nogui) is needed in CI")
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "report.docx"
    source.write_bytes(built.docx)
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    first_text = reader.pages[1].extract_text() if len(reader.pages) > 1 else ""
    if built.doc.marking:
        assert built.doc.marking in first_text


def test_a_note_first_cited_in_a_note_follows_it_natively(write):
    """Word has no notes inside notes: the inner note becomes the next native note, and
    the outer note's text shows its number, so Word's numbering is the report's."""
    from tests.conftest import MINIMAL

    text = MINIMAL.replace("  period: Fieldwork took place in autumn 2016.",
                           "  period: Fieldwork took place in autumn 2016.[^inner]\n  inner: The inner note.")
    text = text.replace("The force is good.[^period]", "The force is good.[^period] Again.[^period] Last.[^last]")
    text += "  last: The last note.\n"
    compiled = compile_report(write(text))
    ids = [n.id for n in compiled.document.footnotes]
    assert ids[-3:] == ["period", "inner", "last"]  # after the framework's own notes, if any
    period = len(ids) - 2
    data = render_word(compiled.document, "docx", charts={f: _PIXEL for f in compiled.document.figures})
    notes = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml"))
    bodies = ["".join(n.itertext()).strip() for n in notes.findall("w:footnote", NS) if n.get(f"{{{W}}}type") is None]
    assert len(bodies) == len(ids)
    assert bodies[-3:] == [f"Fieldwork took place in autumn 2016.{period + 1}", "The inner note.", "The last note."]
    body = WordDocument(io.BytesIO(data))
    assert any(f"Again.{period}" in p.text for p in body.paragraphs)  # the repeat citation prints its number


_PIXEL = ("data:image/png;base64,"  # one pixel, standing in for a chart
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


def test_cli_builds_docx_and_odt_only_when_asked(cli):
    report = ROOT / "examples" / "west-midlands-2018-19" / "report.yaml"
    assert cli("build", report, "-o", "site", "--format", "html,docx,odt").code == 0
    names = sorted(p.suffix for p in Path("site").iterdir())
    assert names == [".docx", ".html", ".odt"]
    assert cli("build", report, "-o", "default", "--format", "all").code == 0
    assert sorted(p.suffix for p in Path("default").iterdir()) == [".html", ".pdf"]
    refused = cli("build", report, "-o", "site", "--format", "html,rtf")
    assert refused.code == 2 and "unknown format 'rtf'" in refused.err


@pytest.mark.parametrize(("content", "message"), [
    (b"not a zip at all", "not a Word document"),
    ("zip-without-styles", "has no styles"),
    ("bomb", "unpacks to more than"),
])
def test_bad_reference_docx_is_a_clear_error(tmp_path, content, message):
    from peelgen.diagnostics import BuildFailed

    target = tmp_path / "reference.docx"
    if content == "zip-without-styles":
        with zipfile.ZipFile(target, "w") as package:
            package.writestr("word/document.xml", "<w:document/>")
    elif content == "bomb":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("word/styles.xml", "<w:styles/>")
            package.writestr("word/media/big.bin", b"\0" * (60 * 1024 * 1024))
    else:
        target.write_bytes(content)
    compiled = compile_report(ROOT / "examples" / "west-midlands-2018-19" / "report.yaml")
    with pytest.raises(BuildFailed) as failure:
        render_outputs(compiled, ("docx",), template_dirs=(tmp_path,))
    assert message in failure.value.diagnostics[0].message
    assert failure.value.diagnostics[0].hint


def test_markdown_in_pandoc_nodes():
    from peelgen.markdown import parse_block
    from peelgen.render_docx.pandoc import Converter

    blocks = Converter({}, {}).blocks(parse_block(
        "Some **bold** and *slanted* [text](https://example.org).\n\n"
        "3. third\n4. fourth\n\n> quoted\n\n## Own heading\n\n- a\n- b\n"))
    assert [b["t"] for b in blocks] == ["Para", "OrderedList", "BlockQuote", "Header", "BulletList"]
    words = blocks[0]["c"]
    assert {"t": "Strong", "c": [{"t": "Str", "c": "bold"}]} in words
    assert {"t": "Emph", "c": [{"t": "Str", "c": "slanted"}]} in words
    link = next(n for n in words if n["t"] == "Link")
    assert link["c"][2] == ["https://example.org", ""]
    assert blocks[1]["c"][0][0] == 3  # the list starts where the author's does
    assert blocks[3]["c"][0] == 4  # a heading in text sits below the section's own (## + 2)
    item = blocks[4]["c"][0][0]
    assert item["t"] == "Div" and item["c"][0][2] == [["custom-style", "List Bullet"]]


def test_masthead_where_the_report_has_one(built):
    word = WordDocument(io.BytesIO(built.docx))
    lines = [p.text for p in word.paragraphs if p.style.name == "Masthead"]
    if built.doc.masthead is None:
        assert lines == []
    else:
        body, report_of, _ = built.doc.masthead
        assert lines == [body, f"{built.doc.labels.report_of} {report_of}", built.doc.publication_date_text]


def test_logo_under_the_title_with_its_alt_text(write, tmp_path):
    import base64

    from tests.conftest import MINIMAL

    (tmp_path / "logo.png").write_bytes(base64.b64decode(_PIXEL.split(",", 1)[1]))
    text = MINIMAL.replace("  publication_date: 2017-03-02",
                           "  publication_date: 2017-03-02\n  logo: logo.png\n  logo_alt: Testshire crest")
    compiled = compile_report(write(text))
    data = render_word(compiled.document, "docx", charts={})
    pictures = list(etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
                    .iter(f"{{{NS['wp']}}}docPr"))
    assert [p.get("descr") for p in pictures] == ["Testshire crest"]


def test_an_edition_links_to_its_other_language_edition(built):
    """Word and OpenDocument link to the other edition's file of the same format, as the
    cover of the web page and the PDF do."""
    doc = built.doc
    targets = {rel.target_ref for rel in WordDocument(io.BytesIO(built.docx)).part.rels.values()
               if rel.reltype.endswith("/hyperlink")}
    with zipfile.ZipFile(io.BytesIO(built.odt)) as odt:
        content = odt.read("content.xml").decode("utf-8")
    if doc.edition is None:
        assert not any(target.endswith((".docx", ".odt")) for target in targets)
        return
    assert f"{doc.edition.slug}.docx" in targets
    assert f'xlink:href="../{doc.edition.slug}.odt"' in content  # ODF: relative to the package, as a folder
    assert doc.edition.text in [paragraph.text for paragraph in WordDocument(io.BytesIO(built.docx)).paragraphs]


def _text(element: etree._Element) -> str:
    return "".join(element.itertext())


def test_the_edition_link_is_on_the_title_page_before_the_contents(built):
    """Pandoc writes its contents straight after the title block; the link to the other
    edition is moved up to the title block, under the date, as on the HTML and PDF cover."""
    doc = built.doc
    if doc.edition is None:
        pytest.skip("not an edition with a translation")
    body = built.part("word/document.xml").find("w:body", NS)
    order = [(etree.QName(child).localname, _text(child).strip()) for child in body]
    contents = next(i for i, (tag, _) in enumerate(order) if tag == "sdt")
    link = order.index(("p", doc.edition.text))
    assert order[link - 1] == ("p", f"{doc.labels.published} {doc.publication_date_text}")  # the date
    assert link + 1 == contents
    assert order.count(("p", doc.edition.text)) == 1  # moved, not copied
    style = body[link].find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val")
    styles = built.part("word/styles.xml")
    defined = styles.find(f"w:style[@w:styleId='{style}']", NS)
    assert defined.find("w:basedOn", NS).get(f"{{{W}}}val") == "Date"  # centred, as the title block

    with zipfile.ZipFile(io.BytesIO(built.odt)) as odt:
        text = etree.fromstring(odt.read("content.xml")).find("office:body/office:text", NS)
        odt_styles = etree.fromstring(odt.read("styles.xml"))
    children = list(text)
    toc = next(i for i, child in enumerate(children) if etree.QName(child).localname == "table-of-content")
    paragraph = children[toc - 1]
    assert _text(paragraph) == doc.edition.text
    assert _text(children[toc - 2]) == f"{doc.labels.published} {doc.publication_date_text}"
    name = paragraph.get(f"{{{NS['text']}}}style-name")
    odt_style = odt_styles.find(f".//style:style[@style:name='{name}']", NS)
    assert odt_style.get(f"{{{NS['style']}}}parent-style-name") == "Date"
