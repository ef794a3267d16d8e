"""Finishing a Word or OpenDocument package after pandoc has written it.

Pandoc writes the body; what it cannot express in its document model is set here in
the package's XML: the protective marking and page numbers in every header and footer,
the draft header, the pictures' alt text in both places Word reads it, the link to the
other-language edition on the title page (pandoc puts its contents first), and the core
properties' dates. Finally the zip is rewritten with sorted entries and one fixed
timestamp, so two builds of the same report are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
# The paragraph style of the link to the other-language edition: how it is found, to be
# moved from the top of the body to the title block, before the contents.
EDITION_STYLE = "Edition Link"

# One line of a header or footer: literal text and page counters, as Document.footer.
Furniture = list[tuple[str, str]]


def reproducible_zip(data: bytes, *, edit: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The zip rewritten with sorted entries, one fixed timestamp and fixed permissions.

    ``mimetype`` stays first and stored (OpenDocument requires it); ``edit`` may change
    each entry's bytes on the way."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda name: (name != "mimetype", name))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            content = source.read(name)
            if edit is not None:
                content = edit(name, content)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, content, compresslevel=9 if name != "mimetype" else None)
    return out.getvalue()


def _xml(content: bytes) -> etree._Element:
    return etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))


def _dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _run(text: str, *, bold: bool = False, colour: str | None = None) -> etree._Element:
    run = etree.Element(_w("r"))
    props = etree.SubElement(run, _w("rPr"))
    if bold:
        etree.SubElement(props, _w("b"))
    if colour:
        etree.SubElement(props, _w("color")).set(_w("val"), colour)
    node = etree.SubElement(run, _w("t"))
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _field(instruction: str) -> list[etree._Element]:
    """A complex field (PAGE, NUMPAGES) that Word and LibreOffice update as they lay out."""
    runs = []
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = etree.Element(_w("r"))
        if kind == "instr":
            node = etree.SubElement(run, _w("instrText"))
            node.text = f" {instruction} "
            node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        elif kind == "text":
            etree.SubElement(run, _w("t")).text = "1"
        else:
            etree.SubElement(run, _w("fldChar")).set(_w("fldCharType"), "begin" if kind == "begin" else kind)
        runs.append(run)
    return runs


def _paragraph(style: str, align: str, runs: list[etree._Element]) -> etree._Element:
    para = etree.Element(_w("p"))
    props = etree.SubElement(para, _w("pPr"))
    etree.SubElement(props, _w("pStyle")).set(_w("val"), style)
    etree.SubElement(props, _w("jc")).set(_w("val"), align)
    para.extend(runs)
    return para


def furniture_runs(line: Furniture) -> list[etree._Element]:
    runs: list[etree._Element] = []
    for kind, text in line:
        if kind == "text":
            runs.append(_run(text))
        else:
            runs.extend(_field({"page": "PAGE", "pages": "NUMPAGES"}[kind]))
    return runs


def header_paragraphs(marking: str | None, draft_word: str | None, running: str) -> list[etree._Element]:
    paragraphs = []
    if marking:
        paragraphs.append(_paragraph("Header", "center", [_run(marking, bold=True)]))
    if draft_word:
        paragraphs.append(_paragraph("Header", "center", [_run(draft_word, bold=True, colour="B00020")]))
    if running:
        paragraphs.append(_paragraph("Header", "left", [_run(running)]))
    return paragraphs


def footer_paragraphs(marking: str | None, footer: Furniture) -> list[etree._Element]:
    paragraphs = []
    if footer:
        paragraphs.append(_paragraph("Footer", "right", furniture_runs(footer)))
    if marking:
        paragraphs.append(_paragraph("Footer", "center", [_run(marking, bold=True)]))
    return paragraphs


def _replace_body(content: bytes, paragraphs: list[etree._Element]) -> bytes:
    """A header or footer part with ``paragraphs`` as its whole content."""
    root = _xml(content)
    for child in list(root):
        root.remove(child)
    root.extend(paragraphs or [_paragraph("Normal", "left", [])])
    return _dump(root)


def _document(content: bytes) -> bytes:
    root = _xml(content)
    _alt_text(root)
    _edition_before_contents(root)
    return _dump(root)


def _alt_text(root: etree._Element) -> None:
    """Pandoc puts the image's source in pic:cNvPr/@descr; Word shows that as alt text
    too, so it gets the same description as wp:docPr."""
    for inline in root.iter(f"{{{NS['wp']}}}inline", f"{{{NS['wp']}}}anchor"):
        doc_pr = inline.find("wp:docPr", NS)
        for c_nv_pr in inline.iter(f"{{{NS['pic']}}}cNvPr"):
            c_nv_pr.set("descr", doc_pr.get("descr", "") if doc_pr is not None else "")


def _edition_before_contents(root: etree._Element) -> None:
    """The edition link's paragraph moved from the body to just before the contents (a
    w:sdt, which pandoc writes after the title block), as on the HTML and PDF cover."""
    style_id = EDITION_STYLE.replace(" ", "")  # pandoc's id for a custom style: its name without spaces
    body = root.find("w:body", NS)
    contents = _contents_field(body) if body is not None else None
    if body is None or contents is None:
        return
    for paragraph in body.findall("w:p", NS):
        if paragraph.find(f"w:pPr/w:pStyle[@w:val='{style_id}']", NS) is not None:
            contents.addprevious(paragraph)


def _contents_field(body: etree._Element) -> etree._Element | None:
    for sdt in body.findall("w:sdt", NS):
        gallery = sdt.find(".//w:docPartGallery", NS)
        if gallery is not None and gallery.get(_w("val")) == "Table of Contents":
            return sdt
    return None


def _core_dates(content: bytes, when: dt.date) -> bytes:
    stamp = f"{when.isoformat()}T00:00:00Z"
    root = _xml(content)
    for tag in ("created", "modified"):
        node = root.find(f"dcterms:{tag}", NS)
        if node is not None:
            node.text = stamp
    return _dump(root)


_HEADER = re.compile(r"word/header\d*\.xml")
_FOOTER = re.compile(r"word/footer\d*\.xml")


def finish_docx(data: bytes, *, header: list[etree._Element], footer: list[etree._Element],
                published: dt.date) -> bytes:
    import copy

    def edit(name: str, content: bytes) -> bytes:
        if _HEADER.fullmatch(name):
            return _replace_body(content, [copy.deepcopy(p) for p in header])
        if _FOOTER.fullmatch(name):
            return _replace_body(content, [copy.deepcopy(p) for p in footer])
        if name == "word/document.xml":
            return _document(content)
        if name == "docProps/core.xml":
            return _core_dates(content, published)
        if name == "word/settings.xml":
            return _settings(content)
        return content

    return reproducible_zip(data, edit=edit)


def _settings(content: bytes) -> bytes:
    """Ask Word to update fields on opening, so the contents field is filled in; British
    English for the theme's fonts too (pandoc leaves en-US there)."""
    root = _xml(content)
    for lang in root.findall("w:themeFontLang", NS):
        lang.set(_w("val"), "en-GB")
    if root.find("w:updateFields", NS) is not None:
        return _dump(root)
    update = etree.Element(_w("updateFields"))
    update.set(_w("val"), "true")
    # Word's schema fixes the order of settings: updateFields comes before these.
    later = next((child for child in root if etree.QName(child).localname in _AFTER_UPDATE_FIELDS), None)
    if later is not None:
        later.addprevious(update)
    else:
        root.append(update)
    return _dump(root)


_AFTER_UPDATE_FIELDS = frozenset({
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
    "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
    "decimalSymbol", "listSeparator",
})


def finish_odt(data: bytes, *, marking: str | None, draft_word: str | None, footer: Furniture,
               published: dt.date, alt_texts: list[str]) -> bytes:
    """ODT: the marking and page numbers on the standard master page, fixed dates, and
    each picture's alt text (``alt_texts``, in document order), which pandoc leaves out."""

    def edit(name: str, content: bytes) -> bytes:
        if name == "content.xml":
            return _odt_content(content, alt_texts)
        if name == "styles.xml":
            return _odt_master_page(content, marking, draft_word, footer)
        if name == "meta.xml":
            return _odt_dates(content, published)
        return content

    return reproducible_zip(data, edit=edit)


def _odt(tag: str) -> str:
    prefix, _, local = tag.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def _odt_paragraph(parent: etree._Element, style: str, line: Furniture) -> None:
    para = etree.SubElement(parent, _odt("text:p"))
    para.set(_odt("text:style-name"), style)
    last: etree._Element | None = None
    for kind, value in line:
        if kind == "text":
            if last is None:
                para.text = (para.text or "") + value
            else:
                last.tail = (last.tail or "") + value
        else:
            last = etree.SubElement(para, _odt("text:page-number" if kind == "page" else "text:page-count"))
            last.set(_odt("text:select-page"), "current") if kind == "page" else None
            last.text = "1"


def _odt_master_page(content: bytes, marking: str | None, draft_word: str | None, footer: Furniture) -> bytes:
    root = _xml(content)
    for master in root.iter(_odt("style:master-page")):
        for old in master.findall("style:header", NS) + master.findall("style:footer", NS):
            master.remove(old)
        head = etree.SubElement(master, _odt("style:header"))
        for line in ([[("text", marking)]] if marking else []) + ([[("text", draft_word)]] if draft_word else []):
            _odt_paragraph(head, "Header", line)
        foot = etree.SubElement(master, _odt("style:footer"))
        if footer:
            _odt_paragraph(foot, "Footer", footer)
        if marking:
            _odt_paragraph(foot, "Footer", [("text", marking)])
    styles = root.find("office:styles", NS)
    if styles is not None:
        # The page break before a chapter that starts a new page; the edition link, centred
        # in the title block under the date (as the Word reference document has it).
        _odt_style(styles, "Page Break", None, {"fo:break-before": "page"})
        _odt_style(styles, EDITION_STYLE, "Date", {"fo:margin-top": "0.21cm"})
    for layout in root.iter(_odt("style:page-layout-properties")):
        layout.set(_odt("fo:page-width"), "21cm")
        layout.set(_odt("fo:page-height"), "29.7cm")
    return _dump(root)


def _odt_style_name(name: str) -> str:
    """A style's name as OpenDocument stores it (spaces as _20_), beside its display name."""
    return name.replace(" ", "_20_")


def _odt_style(styles: etree._Element, name: str, parent: str | None, paragraph: dict[str, str]) -> None:
    style = etree.SubElement(styles, _odt("style:style"))
    style.set(_odt("style:name"), _odt_style_name(name))
    style.set(_odt("style:display-name"), name)
    style.set(_odt("style:family"), "paragraph")
    if parent is not None:
        style.set(_odt("style:parent-style-name"), parent)
    properties = etree.SubElement(style, _odt("style:paragraph-properties"))
    for key, value in paragraph.items():
        properties.set(_odt(key), value)


def _odt_dates(content: bytes, published: dt.date) -> bytes:
    root = _xml(content)
    stamp = f"{published.isoformat()}T00:00:00"
    for tag in ("meta:creation-date", "dc:date"):
        for node in root.iter(_odt(tag)):
            node.text = stamp
    return _dump(root)


def _odt_content(content: bytes, alt_texts: list[str]) -> bytes:
    root = _xml(content)
    frames = [frame for frame in root.iter(_odt("draw:frame")) if frame.find("draw:image", _ODT_DRAW) is not None]
    for frame, alt in zip(frames, alt_texts, strict=False):
        etree.SubElement(frame, _odt("svg:desc")).text = alt
    _odt_edition_before_contents(root)
    return _dump(root)


def _odt_edition_before_contents(root: etree._Element) -> None:
    """As :func:`_edition_before_contents`, in OpenDocument: before text:table-of-content."""
    body = root.find("office:body/office:text", NS)
    contents = body.find("text:table-of-content", NS) if body is not None else None
    if contents is None:
        return
    for paragraph in body.findall("text:p", NS):
        if paragraph.get(_odt("text:style-name")) == EDITION_STYLE:  # as pandoc writes it, with a space
            paragraph.set(_odt("text:style-name"), _odt_style_name(EDITION_STYLE))  # the style styles.xml defines
            contents.addprevious(paragraph)


_ODT_DRAW = {"draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"}
NS.update(_ODT_DRAW, svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0")
