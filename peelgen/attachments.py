"""Load stage, second pass: the files a validated report names (CSV datasets, the
per-force grades of a national report, the logo), read once, before resolution.

Resolution never opens a file: it reads the :class:`Attachments` made here. Every
problem is a located :class:`~peelgen.diagnostics.Diagnostic`; the caller reports them
with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from peelgen.diagnostics import Diagnostic, DocPath, FileRefused
from peelgen.folder import Folder
from peelgen.load_csv import DatasetData, load_dataset
from peelgen.load_images import load_image
from peelgen.national import NationalData, load_force_grades
from peelgen.national import counts as national_counts

if TYPE_CHECKING:
    from peelgen.validate import ValidatedReport


@dataclass(slots=True)
class Attachments:
    datasets: dict[str, DatasetData] = field(default_factory=dict)
    national: NationalData | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    logo: str | None = None  # a data: URI
    images: dict[str, str] = field(default_factory=dict)  # figure id -> data: URI
    diagnostics: list[Diagnostic] = field(default_factory=list)


class _Reader:
    def __init__(self, validated: ValidatedReport) -> None:
        self.validated = validated
        self.out = Attachments()

    def locate(self, relative: str, path: DocPath, suffixes: Iterable[str]) -> Path | None:
        """The file ``relative`` names inside the report's folder, or None with an error."""
        try:
            return Folder.of([self.validated.base_dir]).locate(relative, suffixes=tuple(suffixes))
        except FileRefused as refused:
            self.out.diagnostics.append(self.validated.source.diagnostic(path, refused.message, hint=refused.hint))
            return None

    def image(self, relative: str, path: DocPath) -> str | None:
        """A data: URI for an image inside the report's folder (checked by
        :mod:`peelgen.load_images`), or None with an error."""
        try:
            return load_image(Folder.of([self.validated.base_dir]), relative).data_uri()
        except FileRefused as refused:
            self.out.diagnostics.append(self.validated.source.diagnostic(path, refused.message, hint=refused.hint))
            return None


def read_attachments(validated: ValidatedReport) -> Attachments:
    reader = _Reader(validated)
    report, out = validated.report, reader.out
    for i, dataset in enumerate(report.datasets):
        path = reader.locate(dataset.file, ("datasets", i, "file"), (".csv",))
        if path is not None:
            data, problems = load_dataset(path, unit=dataset.unit)
            out.diagnostics.extend(problems)
            if data is not None:
                out.datasets[dataset.id] = data
    force_grades = getattr(report, "force_grades", None)
    if force_grades:
        path = reader.locate(force_grades, ("force_grades",), (".csv",))
        if path is not None:
            out.national, problems = load_force_grades(path, validated.framework)
            out.diagnostics.extend(problems)
            if out.national is not None:
                out.counts = national_counts(out.national, validated.framework)
    if report.meta.logo:
        out.logo = reader.image(report.meta.logo, ("meta", "logo"))
    for i, figure in enumerate(report.figures):
        if figure.image is not None:
            uri = reader.image(figure.image.file, ("figures", i, "image", "file"))
            if uri is not None:
                out.images[figure.id] = uri
    return out
