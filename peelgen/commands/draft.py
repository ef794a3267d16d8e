"""``peelgen build --draft``: build reports marked as drafts, whatever their ``status``.

Kept out of :mod:`peelgen.build`, whose batch machinery has no draft option yet; a draft
build therefore builds its reports one after another, in this process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from peelgen.build import BuildOptions, BuildResult, compile_report, render_outputs, write_atomically
from peelgen.diagnostics import BuildFailed


def build_draft(path: Path, options: BuildOptions) -> BuildResult:
    try:
        compiled = compile_report(path)
        compiled.document.draft = True  # read by render_html: watermark and banner
        outputs = render_outputs(compiled, options.formats, template_dirs=options.template_dirs,
                                 style_dirs=options.style_dirs, tagged=options.tagged)
        written = write_atomically(options.out_dir, outputs)
    except BuildFailed as failure:
        return BuildResult(path, diagnostics=tuple(failure.diagnostics))
    return BuildResult(path, written=tuple(written), warnings=compiled.warnings)


def build_many_drafts(paths: Sequence[Path], options: BuildOptions) -> Iterator[BuildResult]:
    for path in paths:
        if len(paths) == 1:
            yield build_draft(path, options)
            continue
        try:
            yield build_draft(path, options)
        except Exception as error:  # noqa: BLE001 - reported for this report; the batch carries on
            yield BuildResult(path, internal_error=f"{type(error).__name__}: {error}")
