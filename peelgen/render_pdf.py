"""Stage 5: lay out the print HTML as an A4 PDF with WeasyPrint.

WeasyPrint only ever sees files inside the report's folder and peelgen's own styles:
the URL fetcher refuses the network and every other local path.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from peelgen import pdf_tags
from peelgen.assets import builtin_dir


def _import_weasyprint_without_processes() -> None:
    """Import WeasyPrint's libraries without starting a process.

    cffi looks up a library name without a dot (WeasyPrint tries ``libpango-1.0-0``
    first) with ``ctypes.util.find_library``, which on Linux runs ``ldconfig``, ``gcc``
    and ``ld``: about 30 processes for every build, and gcc's temporary files. WeasyPrint
    tries the versioned file names (``libpango-1.0.so.0``) next, which the dynamic loader
    finds by itself, so while it imports, ``find_library`` answers "not found".
    tests/hostile checks that a PDF build starts no process."""
    import sys

    if "weasyprint.text.ffi" in sys.modules:
        return
    import ctypes.util

    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint.text.ffi  # noqa: F401 - loads the libraries, once per process
    finally:
        ctypes.util.find_library = original


_import_weasyprint_without_processes()


class RefusedURL(ValueError):
    pass


MAX_FETCH_BYTES = 20 * 1024 * 1024  # one file WeasyPrint asks for (a font, an image)


def safe_fetcher(allowed_roots: Sequence[Path]):
    """WeasyPrint's URL fetcher: data: URIs, and regular files whose real path (every
    symlink followed) is inside ``allowed_roots``, read through peelgen's path policy."""
    from peelgen.diagnostics import FileRefused
    from peelgen.folder import Folder

    folder = Folder.of(allowed_roots)

    def fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        parts = urlsplit(url)
        if parts.scheme == "data":
            from weasyprint.urls import URLFetcher

            response = URLFetcher(allowed_protocols=("data",)).fetch(url)
            return {"string": response.read(), "redirected_url": url}
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"peelgen does not fetch {parts.scheme or 'relative'} URLs: {url}")
        real = Path(os.path.realpath(unquote(parts.path)))
        try:
            data = folder.read_bytes(real, limit=MAX_FETCH_BYTES)
        except FileRefused as refused:
            raise RefusedURL(refused.message) from None
        return {"string": data, "filename": real.name, "redirected_url": real.as_uri()}

    return fetch


@contextlib.contextmanager
def _source_date_epoch(default: int) -> Iterator[None]:
    """fontTools stamps subset fonts with the current time unless SOURCE_DATE_EPOCH is
    set; pin it so two builds of one report give the same bytes."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(default)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


_REPORT_TO_FIT_LINE = "report = not context.in_column and can_break_now and not could_break_before"


@functools.cache
def keep_footnotes_with_calls() -> bool:
    """Stop WeasyPrint moving a page's footnotes to the next page to fit one more line.

    WeasyPrint 66 (and 70) will defer every footnote on a page when that lets a line
    that would break the widows/orphans rules fit; the footnotes then land on later
    pages, and every following footnote cascades after them (upstream issues #1564,
    #2502). A published report must print each footnote on its citing page, so peelgen
    disables that trade-off: the line breaks normally instead. The patch is applied to
    the one assignment concerned, only if it is found verbatim; tests/test_print_layout
    checks footnote placement, so an upgrade that changes this code is caught.
    Returns whether the patch is in place.
    """
    import inspect

    from weasyprint.layout import block

    source = inspect.getsource(block._linebox_layout)
    if _REPORT_TO_FIT_LINE not in source:
        return False
    namespace: dict[str, Any] = {}
    patched = source.replace(_REPORT_TO_FIT_LINE, "report = False")
    exec(compile(patched, block.__file__, "exec"), block.__dict__, namespace)  # noqa: S102
    block._linebox_layout = namespace["_linebox_layout"]
    return True


_FONT_CONFIGS: dict[tuple[Path, ...], Any] = {}
_MAX_FONT_CONFIGS = 8


def _font_config(style_dirs: tuple[Path, ...]) -> Any:
    """One WeasyPrint font configuration per process and set of style folders.

    Creating one loads Fontconfig's configuration, and each document then copies the
    bundled @font-face fonts into a temporary folder and registers them: about 0.2 s a
    report that a batch pays only once. WeasyPrint skips a font face it has already
    registered (same descriptors, same URL), so reuse does not change the output.
    """
    config = _FONT_CONFIGS.get(style_dirs)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        if not _FONT_CONFIGS:
            atexit.register(release_fonts)
        while len(_FONT_CONFIGS) >= _MAX_FONT_CONFIGS:
            _release(_FONT_CONFIGS.pop(next(iter(_FONT_CONFIGS))))
        config = _FONT_CONFIGS[style_dirs] = FontConfiguration()
    return config


def _release(config: Any) -> None:
    # WeasyPrint deletes its temporary copies of @font-face fonts only when the object is
    # garbage-collected, which may never happen in a worker process: delete them now.
    folder = getattr(config, "_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def release_fonts() -> None:
    """Forget the cached font configurations and delete their temporary font files."""
    configs = list(_FONT_CONFIGS.values())
    _FONT_CONFIGS.clear()
    for config in configs:
        _release(config)


def _disown_fonts() -> None:
    """In a forked child: the cached configurations and their font files belong to the
    parent, which goes on using them. Forget them without deleting anything (WeasyPrint
    would delete the folder when the object is collected, so unhook it first)."""
    for config in _FONT_CONFIGS.values():
        config._folder = None
    _FONT_CONFIGS.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_disown_fonts)


def warm_up() -> None:
    """Load WeasyPrint and the fonts now, so the first report does not pay for them.

    Called once in each worker process of a parallel build. A worker ends without
    running ``atexit`` handlers, so the fonts' temporary folders are also released by
    a multiprocessing finaliser.
    """
    from multiprocessing import util

    import weasyprint  # noqa: F401 - importing it is most of the work

    keep_footnotes_with_calls()
    _font_config(())
    util.Finalize(None, release_fonts, exitpriority=10)


@functools.cache
def _folder_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class FolderFetcher(URLFetcher):
        """WeasyPrint 70 takes a ``URLFetcher`` object: this one decodes ``data:`` URLs
        with WeasyPrint's own handler and sends every other URL to ``safe_fetcher``."""

        def __init__(self, fetch: Any) -> None:
            super().__init__(allowed_protocols=("data",))
            self._safe_fetch = fetch

        def fetch(self, url: str, headers: Any = None) -> Any:
            if urlsplit(url).scheme == "data":
                return super().fetch(url, headers)
            found = self._safe_fetch(url)
            return URLFetcherResponse(found.get("redirected_url", url), found["string"])

    return FolderFetcher


def layout(html: str, *, report_dir: Path, style_dirs: Sequence[Path] = ()) -> Any:
    """Lay out the print HTML into pages (a ``weasyprint.Document``)."""
    import logging

    from weasyprint import HTML

    from peelgen.speedups import group_leader_dots

    keep_footnotes_with_calls()
    group_leader_dots()  # a leader's dots eight to a text run: far fewer boxes (memory)
    # WeasyPrint logs refused URLs and unsupported CSS as warnings; peelgen's own checks
    # report what matters to authors, so keep its log quiet.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    styles = builtin_dir("styles")
    fetcher = _folder_fetcher_class()(safe_fetcher([report_dir, styles, *style_dirs]))
    document = HTML(string=html, base_url=styles.as_uri() + "/", url_fetcher=fetcher)
    pages = document.render(font_config=_font_config(tuple(style_dirs)))
    pdf_tags.clean_bookmark_labels(pages)
    _relative_links(pages, styles.as_uri() + "/")
    return pages


def _relative_links(pages: Any, base: str) -> None:
    """WeasyPrint resolves a link against the document's base (peelgen's styles folder);
    a link to a file beside the PDF (the other-language edition's) is made relative again,
    so that it opens the file next to the PDF and keeps no path of the machine that built it."""
    for page in pages.pages:
        page.links[:] = [(kind, target[len(base):] if kind == "external" and target.startswith(base) else target,
                          rectangle, box) for kind, target, rectangle, box in page.links]


def write_pdf(pages: Any, *, tagged: bool = True, epoch: int = 0) -> bytes:
    """PDF bytes for laid-out pages; ``epoch`` (seconds) dates embedded fonts when
    SOURCE_DATE_EPOCH is not set."""
    from peelgen.speedups import compact_page_streams, remember_page_references

    remember_page_references()  # tagging grows with the square of the pages otherwise
    compact_page_streams()  # less memory held until the PDF is written
    if not tagged:
        with _source_date_epoch(epoch):
            return pages.write_pdf()
    furniture = pdf_tags.Furniture()
    with _source_date_epoch(epoch), pdf_tags.tagging_fixes(furniture):
        return pages.write_pdf(pdf_variant="pdf/ua-1", finisher=pdf_tags.mark_artifacts(furniture))


def render_pdf(html: str, *, report_dir: Path, style_dirs: Sequence[Path] = (), tagged: bool = True,
               epoch: int = 0) -> bytes:
    """Lay out ``html`` and return the PDF's bytes."""
    pages = layout(html, report_dir=report_dir, style_dirs=style_dirs)
    return write_pdf(pages, tagged=tagged, epoch=epoch)
