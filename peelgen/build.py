"""The pipeline, stage by stage: load → validate → resolve → render HTML → PDF.

Nothing is written until every requested output has been produced in memory, and
each file is written to a temporary name and renamed into place, so a failed build
leaves the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

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


def compile_report(path: Path) -> Compiled:
    """Load, validate and resolve; raises :class:`BuildFailed` with every error found."""
    validated = validate(load_yaml(path))
    return Compiled(validated, resolve(validated))


def render_outputs(compiled: Compiled, formats: Iterable[str], *, template_dirs: Sequence[Path] = (),
                   style_dirs: Sequence[Path] = (), tagged: bool = True) -> dict[str, bytes]:
    from jinja2 import TemplateError

    from peelgen.render_html import render_html

    doc = compiled.document
    outputs: dict[str, bytes] = {}
    name = compiled.validated.source.file
    try:
        if "html" in formats:
            outputs[f"{doc.slug}.html"] = render_html(
                doc, target="web", template_dirs=template_dirs, style_dirs=style_dirs).encode("utf-8")
        if "pdf" in formats:
            from peelgen.render_pdf import render_pdf

            html = render_html(doc, target="print", template_dirs=template_dirs, style_dirs=style_dirs)
            epoch = int(dt.datetime.combine(doc.publication_date, dt.time(), dt.UTC).timestamp())
            outputs[f"{doc.slug}.pdf"] = render_pdf(
                html, report_dir=compiled.validated.base_dir, style_dirs=style_dirs, tagged=tagged, epoch=epoch)
    except TemplateError as error:
        where = f"{error.filename}:{error.lineno}" if getattr(error, "filename", None) else "template"
        raise BuildFailed([Diagnostic(name, f"template error in {where}: {error.message}")]) from None
    except FileNotFoundError as error:
        raise BuildFailed([Diagnostic(name, str(error))]) from None
    return outputs


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
          template_dirs: Sequence[Path] = (), style_dirs: Sequence[Path] = (), tagged: bool = True) -> list[Path]:
    compiled = compile_report(path)
    outputs = render_outputs(compiled, tuple(formats), template_dirs=template_dirs,
                             style_dirs=style_dirs, tagged=tagged)
    return write_atomically(out_dir, outputs)
