"""The pipeline, stage by stage: load → validate → resolve → render HTML → PDF.

Nothing is written until every requested output has been produced in memory; then
:mod:`peelgen.output` writes them all or none, so a failed or interrupted build leaves
the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from peelgen.attachments import read_attachments
from peelgen.diagnostics import BuildFailed, Diagnostic
from peelgen.document import Document
from peelgen.load import load_yaml
from peelgen.output import write_atomically
from peelgen.resolve import resolve
from peelgen.validate import ValidatedReport, validate

FORMATS = ("html", "pdf")  # what `--format all` (the default) builds
WORD_FORMATS = ("docx", "odt")  # built only when asked for by name


def parse_formats(value: str) -> tuple[str, ...]:
    """``html,pdf,docx`` as a tuple, in the order given; ``all`` means html and pdf."""
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    known = (*FORMATS, *WORD_FORMATS)
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
    from peelgen.lint import lint

    validated = validate(load_yaml(path))
    # The files the report names (CSV, images) are read before resolution, which reads none.
    document = resolve(validated, read_attachments(validated))
    return Compiled(validated, document, tuple(lint(validated)))


def render_outputs(compiled: Compiled, formats: Iterable[str], *, template_dirs: Sequence[Path] = (),
                   style_dirs: Sequence[Path] = (), tagged: bool = True,
                   charts: dict[str, str] | None = None) -> dict[str, bytes]:
    """``charts``: the SVG of each chart by figure id, when the caller has them already
    (``serve`` keeps those whose data did not change); drawn here otherwise."""
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
    try:
        # Charts are drawn once and shared by the web page and the print HTML.
        if charts is None:
            charts = _draw_charts(doc) if {"html", "pdf"} & set(formats) else {}
        if "html" in formats:
            outputs[f"{doc.slug}.html"] = render_html(
                doc, target="web", template_dirs=template_dirs, style_dirs=style_dirs, charts=charts,
            ).encode("utf-8")
        if "pdf" in formats:
            from peelgen.render_pdf import render_pdf

            html = render_html(doc, target="print", template_dirs=template_dirs, style_dirs=style_dirs,
                               charts=charts)
            epoch = int(dt.datetime.combine(doc.publication_date, dt.time(), dt.UTC).timestamp())
            outputs[f"{doc.slug}.pdf"] = render_pdf(
                html, report_dir=compiled.validated.base_dir, style_dirs=style_dirs, tagged=tagged, epoch=epoch)
        outputs.update(_render_word(compiled, formats, template_dirs))
    except TemplateError as error:
        where = f"{error.filename}:{error.lineno}" if getattr(error, "filename", None) else "template"
        raise BuildFailed([Diagnostic(name, f"template error in {where}: {error.message}")]) from None
    except FileNotFoundError as error:
        raise BuildFailed([Diagnostic(name, str(error))]) from None
    return outputs


def _render_word(compiled: Compiled, formats: tuple[str, ...], template_dirs: Sequence[Path]) -> dict[str, bytes]:
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
    charts = chart_images(doc)
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


def _draw_charts(doc: Document) -> dict[str, str]:
    """SVG of every chart, by figure id; matplotlib is imported only if there are charts."""
    if not any(figure.chart is not None for figure in doc.figures.values()):
        return {}
    from peelgen.render_charts import render_charts

    return render_charts(doc)


def build(path: Path, out_dir: Path, formats: Iterable[str] = FORMATS, *,
          template_dirs: Sequence[Path] = (), style_dirs: Sequence[Path] = (), tagged: bool = True,
          draft: bool = False, warnings: list[Diagnostic] | None = None) -> list[Path]:
    """Build one report; its lint warnings, if any, are appended to ``warnings``.

    ``draft`` marks the outputs as a draft whatever the report's ``status``."""
    compiled = compile_report(path)
    if draft:
        compiled.document.draft = True  # read by render_html: watermark and banner
    outputs = render_outputs(compiled, tuple(formats), template_dirs=template_dirs,
                             style_dirs=style_dirs, tagged=tagged)
    written = write_atomically(out_dir, outputs)
    if warnings is not None:
        warnings.extend(compiled.warnings)
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


def build_one(path: Path, options: BuildOptions) -> BuildResult:
    """Build one report; every expected failure becomes diagnostics in the result."""
    warnings: list[Diagnostic] = []
    try:
        written = build(path, options.out_dir, options.formats, template_dirs=options.template_dirs,
                        style_dirs=options.style_dirs, tagged=options.tagged, draft=options.draft,
                        warnings=warnings)
    except BuildFailed as failure:
        return BuildResult(path, diagnostics=tuple(failure.diagnostics))
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

    yield from build_in_pool(paths, options, jobs)
