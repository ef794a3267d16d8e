"""The pipeline, stage by stage: load → validate → resolve → render HTML → PDF.

Nothing is written until every requested output has been produced in memory; then
:mod:`peelgen.output` writes them all or none, so a failed or interrupted build leaves
the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from peelgen.diagnostics import BuildFailed, Diagnostic, display_name
from peelgen.output import write_atomically

if TYPE_CHECKING:  # imported where used: finding a report up to date needs none of them
    from peelgen.cache import BuildCache
    from peelgen.document import Document
    from peelgen.validate import ValidatedReport

FORMATS = ("html", "pdf")  # what `--format all` (the default) builds
WORD_FORMATS = ("docx", "odt")  # built only when asked for by name


def parse_formats(value: str) -> tuple[str, ...]:
    """``html,pdf,docx`` as a tuple, in the order given; ``all`` means html and pdf;
    ``data`` is the open data behind the report."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    known = (*FORMATS, *WORD_FORMATS, "data")
    unknown = [name for name in names if name not in (*known, "all")]
    if unknown or not names:
        raise ValueError(f"unknown format '{', '.join(unknown) or value}'; choose from all, {', '.join(known)} "
                         "(several with commas, e.g. html,pdf,docx)")
    out: list[str] = []
    for name in names:
        out += [n for n in (FORMATS if name == "all" else (name,)) if n not in out]
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Compiled:
    validated: ValidatedReport
    document: Document
    # Lint warnings (severity "warning"): reported, never a reason to fail a build.
    warnings: tuple[Diagnostic, ...] = ()


def compile_report(path: Path) -> Compiled:
    """Load, validate and resolve; raises :class:`BuildFailed` with every error found.

    Warnings from :mod:`peelgen.lint` are not errors: they come back on the result."""
    from peelgen.attachments import read_attachments
    from peelgen.lint import lint
    from peelgen.load import load_yaml
    from peelgen.resolve import resolve
    from peelgen.review_lint import review_lint
    from peelgen.validate import validate

    loaded = load_yaml(path)
    validated = validate(loaded)
    # The files the report names (CSV, images) are read before resolution, which reads none.
    document = resolve(validated, read_attachments(validated))
    warnings = sorted([*lint(validated), *review_lint(loaded)], key=Diagnostic.sort_key)
    return Compiled(validated, document, tuple(warnings))


def render_outputs(compiled: Compiled, formats: Iterable[str], *, template_dirs: Sequence[Path] = (),
                   style_dirs: Sequence[Path] = (), tagged: bool = True,
                   charts: dict[str, str] | None = None, chart_cache: Any = None) -> dict[str, bytes]:
    """``charts``: the SVG of each chart for the web page by figure id, when the caller
    has them already (``serve`` keeps those whose data did not change); drawn here
    otherwise. The PDF's charts are always drawn here, at print size. Drawn charts go
    through ``chart_cache`` if given (where they are kept between builds)."""
    from jinja2 import TemplateError

    from peelgen.render_html import render_html

    doc = compiled.document
    formats = tuple(formats)
    own = compiled.validated.template_dir
    if own is not None:  # the report's own templates: folder, after the command line's
        template_dirs = (*template_dirs, own)
        if (own / "styles").is_dir():
            style_dirs = (*style_dirs, _own_styles(own))
    outputs: dict[str, bytes] = {}
    name = compiled.validated.source.file
    if "data" in formats:  # open data, linked from the web page
        from peelgen.open_data import data_outputs

        outputs.update(data_outputs(doc, compiled.validated.report))
        doc.data_files = [file for file in outputs if not file.endswith(".json")] + [
            file for file in outputs if file.endswith(".json")]
    try:
        if "html" in formats:
            if charts is None:  # narrow, with large text: readable on a phone
                charts = _draw_charts(doc, "web", name, chart_cache)
            outputs[f"{doc.slug}.html"] = render_html(
                doc, target="web", template_dirs=template_dirs, style_dirs=style_dirs, charts=charts,
            ).encode("utf-8")
        if "pdf" in formats:
            from peelgen.render_pdf import render_pdf

            html = render_html(doc, target="print", template_dirs=template_dirs, style_dirs=style_dirs,
                               charts=_draw_charts(doc, "print", name, chart_cache))
            _save_print_html(doc.slug, html)
            epoch = int(dt.datetime.combine(doc.publication_date, dt.time(), dt.UTC).timestamp())
            outputs[f"{doc.slug}.pdf"] = render_pdf(
                html, report_dir=compiled.validated.base_dir, style_dirs=style_dirs, tagged=tagged, epoch=epoch)
        outputs.update(_render_word(compiled, formats, template_dirs, chart_cache))
    except TemplateError as error:
        where = f"{error.filename}:{error.lineno}" if getattr(error, "filename", None) else "template"
        raise BuildFailed([Diagnostic(name, f"template error in {where}: {error.message}")]) from None
    except FileNotFoundError as error:
        raise BuildFailed([Diagnostic(name, str(error))]) from None
    return outputs


def _save_print_html(slug: str, html: str) -> None:
    """For benchmarks and debugging (never needed to build): with PEELGEN_SAVE_PRINT_HTML
    set to a folder, the HTML handed to WeasyPrint is saved there as ``<slug>.print.html``,
    so plain WeasyPrint can be timed on exactly the same input (see bench/README.md)."""
    folder = os.environ.get("PEELGEN_SAVE_PRINT_HTML")
    if folder:
        write_atomically(Path(folder), {f"{slug}.print.html": html.encode("utf-8")})


def _render_word(compiled: Compiled, formats: tuple[str, ...], template_dirs: Sequence[Path],
                 chart_cache: Any = None) -> dict[str, bytes]:
    """DOCX and ODT, when asked for: the fourth renderer, beside HTML and PDF."""
    wanted = [fmt for fmt in WORD_FORMATS if fmt in formats]
    if not wanted:
        return {}
    from peelgen.diagnostics import FileRefused
    from peelgen.render_docx import chart_images, reference_docx, render_word

    doc = compiled.document
    try:
        reference = reference_docx(template_dirs)
    except FileRefused as refused:
        raise BuildFailed([Diagnostic(compiled.validated.source.file, refused.message, hint=refused.hint)]) from None
    charts = chart_images(doc, chart_cache)
    return {f"{doc.slug}.{fmt}": render_word(doc, fmt, reference=reference, charts=charts)  # type: ignore[arg-type]
            for fmt in wanted}


def _own_styles(templates: Path) -> Path:
    """The report's templates/styles folder, refused if it is a symlink out of the report's
    templates folder (the PDF may read files from it)."""
    styles = templates / "styles"
    if not Path(os.path.realpath(styles)).is_relative_to(os.path.realpath(templates)):
        from peelgen.sandbox import shown  # the link's own name, not its target's

        raise BuildFailed([Diagnostic(shown(styles), "the styles folder leads outside the report's "
                                      "folder (through a symlink)", hint="copy the folder instead of linking to it")])
    return styles


def _draw_charts(doc: Document, target: Literal["web", "print"] = "print", source: str = "report",
                 chart_cache: Any = None) -> dict[str, str]:
    """SVG of every chart for ``target``, by figure id; the chart code is imported only
    if there are charts. ``source`` names the report in messages about charts; drawn charts
    go through ``chart_cache`` if given. (The defaults keep bench/run.py's one-argument
    call working.)"""
    if not any(figure.chart is not None for figure in doc.figures.values()):
        return {}
    from peelgen.render_charts import render_charts

    return render_charts(doc, target=target, source=source, cache=chart_cache)


def produce(path: Path, formats: Iterable[str] = FORMATS, *, template_dirs: Sequence[Path] = (),
            style_dirs: Sequence[Path] = (), tagged: bool = True, draft: bool = False,
            chart_cache: Any = None) -> tuple[dict[str, bytes], tuple[Diagnostic, ...]]:
    """One report's outputs (file name -> bytes) and lint warnings, nothing written."""
    compiled = compile_report(path)
    if draft:
        compiled.document.draft = True  # read by render_html: watermark and banner
    outputs = render_outputs(compiled, tuple(formats), template_dirs=template_dirs,
                             style_dirs=style_dirs, tagged=tagged, chart_cache=chart_cache)
    return outputs, compiled.warnings


def build(path: Path, out_dir: Path, formats: Iterable[str] = FORMATS, *,
          template_dirs: Sequence[Path] = (), style_dirs: Sequence[Path] = (), tagged: bool = True,
          draft: bool = False, warnings: list[Diagnostic] | None = None, chart_cache: Any = None,
          produced: dict[str, bytes] | None = None) -> list[Path]:
    """Build one report; its lint warnings, if any, are appended to ``warnings``.

    ``draft`` marks the outputs as a draft whatever the report's ``status``.
    ``produced``, if given, receives each output's bytes by file name (for the build cache)."""
    outputs, found = produce(path, formats, template_dirs=template_dirs, style_dirs=style_dirs, tagged=tagged,
                             draft=draft, chart_cache=chart_cache)
    written = write_atomically(out_dir, outputs)
    if warnings is not None:
        warnings.extend(found)
    if produced is not None:
        produced.update(outputs)
    return written


# ---------------------------------------------------------------------------------
# Several reports at once


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What became of one report in a batch. Plain data, so it can cross processes."""

    path: Path
    written: tuple[Path, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    internal_error: str | None = None  # an unexpected exception, as one line
    warnings: tuple[Diagnostic, ...] = ()  # lint warnings; printed, never a failure
    up_to_date: bool = False  # unchanged since it was built: nothing written

    @property
    def ok(self) -> bool:
        return not self.diagnostics and self.internal_error is None


@dataclass(frozen=True, slots=True)
class BuildOptions:
    out_dir: Path
    formats: tuple[str, ...] = FORMATS
    template_dirs: tuple[Path, ...] = ()
    style_dirs: tuple[Path, ...] = ()
    tagged: bool = True
    draft: bool = False  # build --draft
    cache_dir: Path | None = None  # the build cache (peelgen.cache); None: no cache


def _open_cache(options: BuildOptions) -> BuildCache | None:
    from peelgen.cache import BuildCache, bypassed

    if options.cache_dir is None or bypassed():
        return None
    return BuildCache(options.cache_dir)


def _key(path: Path, options: BuildOptions, cache: BuildCache) -> str | None:
    from peelgen.cache import BuildInputs, build_key

    inputs = BuildInputs(tuple(options.formats), options.tagged, options.draft, tuple(options.template_dirs))
    return build_key(path, inputs, skip=(options.out_dir, cache.root))


def from_cache(path: Path, options: BuildOptions) -> BuildResult | None:
    """The result of building ``path`` if the cache can stand in for it: the outputs are
    up to date, or written again from the cache. None: it must be built."""
    cache = _open_cache(options)
    key = _key(path, options, cache) if cache is not None else None
    return _cached(path, options, cache, key) if cache is not None and key is not None else None


def _cached(path: Path, options: BuildOptions, cache: BuildCache, key: str) -> BuildResult | None:
    name = display_name(path)
    entry = cache.lookup(key, name)
    restored = cache.restore(entry, options.out_dir, name) if entry is not None else None
    if restored is None:
        return None
    return BuildResult(path, written=restored.written, warnings=restored.warnings, up_to_date=restored.up_to_date)


_gc_tuned = False


def tune_gc() -> None:
    """For a process that builds (the command line, and its workers): fewer full garbage
    collections. Building makes many objects that live until the end, and each full
    collection walks all of them (and all of WeasyPrint's and pydantic's): with the
    defaults these passes grow with the report. Here the third threshold is raised, and
    everything loaded before the first build is frozen (:func:`gc.freeze`: never
    collected, never walked again). Outputs do not change; only when memory is reclaimed."""
    import gc

    global _gc_tuned
    _gc_tuned = True
    first, second, _ = gc.get_threshold()
    gc.set_threshold(first, second, _GC_THIRD_THRESHOLD)


_GC_THIRD_THRESHOLD = 100  # CPython's default is 10


@functools.cache
def _freeze_imports(pdf: bool) -> None:
    """Load what building needs, then freeze it: once per process, if tune_gc() was called."""
    import gc
    import importlib

    for module in ("peelgen.lint", "peelgen.render_html", "peelgen.resolve", "peelgen.validate",
                   *(("peelgen.render_pdf", "weasyprint") if pdf else ())):
        importlib.import_module(module)

    gc.collect()
    gc.freeze()


def build_one(path: Path, options: BuildOptions) -> BuildResult:
    """Build one report (unless the cache has it); every expected failure becomes
    diagnostics in the result."""
    cache = _open_cache(options)
    key = _key(path, options, cache) if cache is not None else None
    try:
        if cache is not None and key is not None and (cached := _cached(path, options, cache, key)) is not None:
            return cached
        if _gc_tuned:
            _freeze_imports("pdf" in options.formats)
        warnings: list[Diagnostic] = []
        outputs: dict[str, bytes] = {}
        written = build(path, options.out_dir, options.formats, template_dirs=options.template_dirs,
                        style_dirs=options.style_dirs, tagged=options.tagged, draft=options.draft,
                        warnings=warnings, chart_cache=cache.charts() if cache is not None else None,
                        produced=outputs)
    except BuildFailed as failure:
        return BuildResult(path, diagnostics=tuple(failure.diagnostics))
    # Kept only if no input changed while it was being built (the outputs may be of either).
    if cache is not None and key is not None and _key(path, options, cache) == key:
        cache.store(key, outputs, warnings, display_name(path))
    return BuildResult(path, written=tuple(written), warnings=tuple(warnings))


def build_one_safely(path: Path, options: BuildOptions) -> BuildResult:
    try:
        return build_one(path, options)
    except Exception as error:  # noqa: BLE001 - reported for this report; the batch carries on
        return BuildResult(path, internal_error=f"{type(error).__name__}: {error}")


def build_many(paths: Sequence[Path], options: BuildOptions, *, jobs: int = 1) -> Iterator[BuildResult]:
    """Build every report, yielding results as they finish (in any order when ``jobs`` > 1).

    With ``jobs`` 1 (or one report) everything runs in this process, in the order given;
    otherwise in up to ``jobs`` worker processes (:mod:`peelgen.workers`), largest
    reports first. A failing report never stops the others: even an unexpected
    exception, or a worker process killed, becomes that report's failure when there are
    several (with a single report an unexpected exception propagates, as from
    :func:`build`). Close the iterator (``contextlib.closing``) to stop a batch early.
    """
    if jobs <= 1 or len(paths) <= 1:
        one = build_one if len(paths) == 1 else build_one_safely
        for path in paths:
            yield one(path, options)
        return
    from peelgen.workers import build_in_pool

    # Reports the cache has are settled here, before any worker is started (and pays for
    # importing WeasyPrint): a batch of unchanged reports costs next to nothing.
    to_build = []
    for path in paths:
        cached = _from_cache_safely(path, options)
        if cached is None:
            to_build.append(path)
        else:
            yield cached
    if len(to_build) == 1:
        yield build_one_safely(to_build[0], options)
    elif to_build:
        yield from build_in_pool(to_build, options, jobs)


def _from_cache_safely(path: Path, options: BuildOptions) -> BuildResult | None:
    try:
        return from_cache(path, options)
    except BuildFailed:  # the outputs could not be written: let the build report it
        return None
