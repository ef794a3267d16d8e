"""Render stage, Word and OpenDocument: the resolved document as a DOCX or ODT file.

Built beside the HTML renderer, not from its output: the document is written as
pandoc's own document model (JSON) in Python, and pandoc, from the ``pypandoc-binary``
wheel, writes the file: native footnotes, Word's built-in styles from a reference
document, a contents field and ODT from one model. Pandoc runs as a child process with
a fixed argument list, ``--sandbox`` (it can read no file but the reference document,
which we pass, and fetches nothing), and our own JSON on its standard input; images
reach it as data URIs inside that JSON, never as paths. :mod:`.package` then sets what
pandoc cannot (the marking and page numbers in headers and footers, fixed dates) and
rewrites the zip so two builds are byte-identical.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from peelgen.assets import builtin_dir
from peelgen.document import ChartView, Document
from peelgen.render_docx import pandoc as pd
from peelgen.render_docx.chapters import ChapterWriter
from peelgen.render_docx.package import EDITION_STYLE, finish_docx, finish_odt, footer_paragraphs, header_paragraphs
from peelgen.render_docx.parts import Parts

if TYPE_CHECKING:
    from peelgen.charts.cache import ChartCache

WordFormat = Literal["docx", "odt"]
REFERENCE_NAME = "reference.docx"
MAX_REFERENCE_BYTES = 10 * 1024 * 1024  # a styles document with a logo or two, no more
MAX_REFERENCE_UNPACKED = 50 * 1024 * 1024  # what it may unpack to: a zip bomb is refused first
PANDOC_TIMEOUT_SECONDS = 300


def reference_docx(template_dirs: Sequence[Path]) -> bytes:
    """The first ``reference.docx`` in the override folders, read under the path policy
    (inside those folders, a regular file, size-checked first); else peelgen's own."""
    from peelgen.folder import Folder

    folder = Folder.of(template_dirs)
    for root in folder.roots:
        if (root / REFERENCE_NAME).exists() or (root / REFERENCE_NAME).is_symlink():
            real = folder.locate(REFERENCE_NAME, root=root, what="Word reference document")
            data = folder.read_bytes(real, limit=MAX_REFERENCE_BYTES, what="Word reference document")
            check_reference(data)
            return data
    return (builtin_dir("styles") / REFERENCE_NAME).read_bytes()


def check_reference(data: bytes) -> None:
    """Refuse a reference.docx that is not a Word document, or that would unpack to more
    than :data:`MAX_REFERENCE_UNPACKED` bytes, before pandoc opens it."""
    import io
    import zipfile

    from peelgen.diagnostics import FileRefused

    hint = "save it from Word as a Word document (.docx), starting from peelgen's styles/reference.docx"
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        entries = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused(f"{REFERENCE_NAME} is not a Word document (not a .docx package)", hint) from None
    if "word/styles.xml" not in {entry.filename for entry in entries}:
        raise FileRefused(f"{REFERENCE_NAME} is not a Word document (it has no styles)", hint)
    if sum(entry.file_size for entry in entries) > MAX_REFERENCE_UNPACKED:
        raise FileRefused(f"{REFERENCE_NAME} unpacks to more than {MAX_REFERENCE_UNPACKED:,} bytes",
                          "remove large pictures from it; only its styles are used")


def chart_images(doc: Document, cache: ChartCache | None = None) -> dict[str, str]:
    """Each chart as a PNG data URI at print resolution, by figure id; through the build's
    chart ``cache`` if given, so an unchanged chart is not drawn again."""
    return {figure.id: _chart_image(figure.id, figure.chart, cache)
            for figure in doc.figures.values() if figure.chart is not None}


def _chart_image(ident: str, chart: ChartView, cache: ChartCache | None) -> str:
    from peelgen.charts.cache import chart_key

    key = chart_key(chart, title="", ident=ident, target=PNG_TARGET) if cache is not None else ""
    image = cache.get(key) if cache is not None else None
    if image is None or not image.startswith(PNG_DATA):
        from peelgen.render_charts import draw_png

        image = PNG_DATA + base64.b64encode(draw_png(chart)).decode("ascii")
        if cache is not None:
            cache.put(key, image)
    return image


PNG_DATA = "data:image/png;base64,"
PNG_TARGET = "png-200dpi"  # the cache key's target: print geometry, drawn as a 200 dpi PNG


def pandoc_document(doc: Document, fmt: WordFormat, charts: dict[str, str]) -> dict:
    """The whole report in pandoc's document model."""
    parts = Parts(doc, fmt, charts)
    writer = ChapterWriter(parts)
    blocks = [block for chapter in doc.chapters for block in writer.chapter(chapter)]
    if doc.logo_data_uri:  # the force's logo, under the title block as on the cover
        blocks.insert(0, pd.styled("Figure", [pd.para([pd.image(doc.logo_data_uri, doc.logo_alt or "")])]))
    if doc.edition:  # the other-language edition, beside this file; moved to the title block by .package
        other = pd.link(pd.text(doc.edition.text), f"{doc.edition.slug}.{fmt}")
        blocks.insert(0, pd.styled(EDITION_STYLE, [pd.para([other])]))
    if doc.masthead:  # a panel report's masthead: who it is for, from whom, and when
        body, report_of, _ = doc.masthead
        lines = [body, f"{doc.labels.report_of} {report_of}", doc.publication_date_text]
        blocks[:0] = [pd.styled("Masthead", [pd.para(pd.text(line)) for line in lines])]
    meta = {
        "title": pd.meta_text(doc.title),
        "subtitle": pd.meta_text(doc.cover_subtitle),
        "author": {"t": "MetaList", "c": [pd.meta_text(doc.author or doc.inspectorate)]},
        "date": pd.meta_text(f"{doc.labels.published} {doc.publication_date_text}"),
        "lang": pd.meta_string(doc.lang),
        "subject": pd.meta_string(doc.description),
        "description": pd.meta_string(doc.description),
        "keywords": {"t": "MetaList", "c": [pd.meta_string(k.strip()) for k in doc.keywords.split(",") if k.strip()]},
        "toc-title": pd.meta_text(doc.labels.contents),
    }
    return pd.document(meta, blocks)


def run_pandoc(ast: dict, fmt: WordFormat, reference: bytes | None) -> bytes:
    """Pandoc on our own JSON: fixed arguments, sandboxed, no network, a time limit."""
    import pypandoc

    with tempfile.TemporaryDirectory(prefix="peelgen-docx-") as work:
        out = Path(work) / f"out.{fmt}"
        args = [pypandoc.get_pandoc_path(), "--sandbox", "--from=json", f"--to={fmt}", "--toc", "--toc-depth=2",
                f"--output={out}"]
        if reference is not None:
            ref = Path(work) / f"reference.{fmt}"
            ref.write_bytes(reference)
            args.append(f"--reference-doc={ref}")
        env = {"PATH": os.environ.get("PATH", ""), "SOURCE_DATE_EPOCH": "315532800", "LANG": "C.UTF-8"}
        result = subprocess.run(args, input=json.dumps(ast).encode("utf-8"), capture_output=True, env=env,
                                timeout=PANDOC_TIMEOUT_SECONDS, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"pandoc failed writing {fmt}: {result.stderr.decode('utf-8', 'replace').strip()}")
        return out.read_bytes()


def render_word(doc: Document, fmt: WordFormat = "docx", *, reference: bytes | None = None,
                charts: dict[str, str] | None = None, draft: bool = False) -> bytes:
    """The report as DOCX or ODT bytes. ``reference`` is a reference.docx (DOCX only);
    ``charts`` PNG data URIs by figure id (drawn here when not given)."""
    charts = chart_images(doc) if charts is None else charts
    ast = pandoc_document(doc, fmt, charts)
    draft = draft or doc.draft
    draft_word = doc.labels.draft_watermark if draft else None  # in every page's header
    if fmt == "docx":
        data = run_pandoc(ast, "docx", reference if reference is not None else reference_docx(()))
        return finish_docx(data, header=header_paragraphs(doc.marking, draft_word, doc.short_title),
                           footer=footer_paragraphs(doc.marking, doc.footer), published=doc.publication_date)
    data = run_pandoc(ast, "odt", None)
    return finish_odt(data, marking=doc.marking, draft_word=draft_word, footer=doc.footer,
                      published=doc.publication_date, alt_texts=pd.image_alts(ast["blocks"]))
