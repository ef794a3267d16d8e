"""The pipeline, stage by stage: load → validate → resolve → render HTML → PDF.

Nothing is written until every requested output has been produced in memory, and
each file is written to a temporary name and renamed into place, so a failed build
leaves the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from peelgen.diagnostics import BuildFailed, Diagnostic
from peelgen.document import Document
from peelgen.load import load_yaml
from peelgen.resolve import resolve
from peelgen.validate import ValidatedReport, validate

FORMATS = ("html", "pdf")


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
    document = resolve(validated)
    return Compiled(validated, document, tuple(lint(validated)))


def render_outputs(compiled: Compiled, formats: Iterable[str], *, template_dirs: Sequence[Path] = (),
                   style_dirs: Sequence[Path] = (), tagged: bool = True) -> dict[str, bytes]:
    from jinja2 import TemplateError

    from peelgen.render_html import render_html

    doc = compiled.document
    formats = tuple(formats)
    own = compiled.validated.template_dir
    if own is not None:  # the report's own templates: folder, after the command line's
        template_dirs = (*template_dirs, own)
        if (own / "styles").is_dir():
            style_dirs = (*style_dirs, own / "styles")
    outputs: dict[str, bytes] = {}
    name = compiled.validated.source.file
    try:
        if "html" in formats:
            charts = _draw_charts(doc, "web", name)  # narrow, with large text: readable on a phone
            outputs[f"{doc.slug}.html"] = render_html(
                doc, target="web", template_dirs=template_dirs, style_dirs=style_dirs, charts=charts,
            ).encode("utf-8")
        if "pdf" in formats:
            from peelgen.render_pdf import render_pdf

            html = render_html(doc, target="print", template_dirs=template_dirs, style_dirs=style_dirs,
                               charts=_draw_charts(doc, "print", name))
            epoch = int(dt.datetime.combine(doc.publication_date, dt.time(), dt.UTC).timestamp())
            outputs[f"{doc.slug}.pdf"] = render_pdf(
                html, report_dir=compiled.validated.base_dir, style_dirs=style_dirs, tagged=tagged, epoch=epoch)
    except TemplateError as error:
        where = f"{error.filename}:{error.lineno}" if getattr(error, "filename", None) else "template"
        raise BuildFailed([Diagnostic(name, f"template error in {where}: {error.message}")]) from None
    except FileNotFoundError as error:
        raise BuildFailed([Diagnostic(name, str(error))]) from None
    return outputs


def _draw_charts(doc: Document, target: Literal["web", "print"] = "print", source: str = "report") -> dict[str, str]:
    """SVG of every chart for ``target``, by figure id; matplotlib is imported only if
    there are charts. ``source`` names the report in messages about charts. (The
    defaults keep bench/run.py's one-argument call working.)"""
    if not any(figure.chart is not None for figure in doc.figures.values()):
        return {}
    from peelgen.render_charts import render_charts

    return render_charts(doc, target=target, source=source)


def write_atomically(out_dir: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write every output under a temporary name first, then rename them all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in outputs.items():
            handle, temp = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            # mkstemp creates files readable by the owner only; outputs are for sharing.
            Path(temp).chmod(0o644)
            staged.append((Path(temp), out_dir / name))
        written = []
        for temp, final in staged:
            temp.replace(final)
            written.append(final)
        return written
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


def build(path: Path, out_dir: Path, formats: Iterable[str] = FORMATS, *,
          template_dirs: Sequence[Path] = (), style_dirs: Sequence[Path] = (), tagged: bool = True,
          warnings: list[Diagnostic] | None = None) -> list[Path]:
    """Build one report; its lint warnings, if any, are appended to ``warnings``."""
    compiled = compile_report(path)
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


def build_one(path: Path, options: BuildOptions) -> BuildResult:
    """Build one report; every expected failure becomes diagnostics in the result."""
    warnings: list[Diagnostic] = []
    try:
        written = build(path, options.out_dir, options.formats, template_dirs=options.template_dirs,
                        style_dirs=options.style_dirs, tagged=options.tagged, warnings=warnings)
    except BuildFailed as failure:
        return BuildResult(path, diagnostics=tuple(failure.diagnostics))
    return BuildResult(path, written=tuple(written), warnings=tuple(warnings))


def _build_one_safely(path: Path, options: BuildOptions) -> BuildResult:
    try:
        return build_one(path, options)
    except Exception as error:  # noqa: BLE001 - reported for this report; the batch carries on
        return BuildResult(path, internal_error=f"{type(error).__name__}: {error}")


def _worker_start(formats: tuple[str, ...]) -> None:
    """Runs once in each worker process: Ctrl-C is the parent's to handle, and the PDF
    machinery (WeasyPrint, fonts) is loaded before the first report, not during it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if "pdf" in formats:
        from peelgen.render_pdf import warm_up

        warm_up()


def build_many(paths: Sequence[Path], options: BuildOptions, *, jobs: int = 1) -> Iterator[BuildResult]:
    """Build every report, yielding results as they finish (in any order when ``jobs`` > 1).

    With ``jobs`` 1 (or one report) everything runs in this process; otherwise in up to
    ``jobs`` worker processes. A failing report never stops the others: even an
    unexpected exception becomes that report's ``internal_error`` when there are several
    (with a single report it propagates, as from :func:`build`).
    """
    if jobs <= 1 or len(paths) <= 1:
        one = build_one if len(paths) == 1 else _build_one_safely
        for path in paths:
            yield one(path, options)
        return
    import multiprocessing
    import sys
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

    # fork is fastest and safe here (the parent has no threads and has not loaded
    # WeasyPrint); elsewhere use the platform's default.
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    executor = ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context,
                                   initializer=_worker_start, initargs=(options.formats,))
    try:
        pending: dict[Future[BuildResult], Path] = {
            executor.submit(_build_one_safely, path, options): path for path in paths}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path = pending.pop(future)
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - e.g. a worker killed by the system
                    yield BuildResult(path, internal_error=f"{type(error).__name__}: {error}")
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
