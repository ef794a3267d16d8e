"""Where the built-in templates and styles are, and the data files (frameworks, language
catalogues) found on a search path.

In a wheel they are installed inside the package (``peelgen/templates``); in a source
checkout or editable install they are the top-level ``templates/`` and ``styles/``.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def builtin_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"peelgen is installed without its {name}/ folder")


def search_path(variable: str, builtin: Path) -> list[Path]:
    """The folders named by the environment ``variable`` (os.pathsep between them), then
    the built-in one."""
    return [*(Path(p) for p in os.environ.get(variable, "").split(os.pathsep) if p), builtin]


def yaml_files(folders: list[Path]) -> dict[str, Path]:
    """Each ``*.yaml`` file by its stem, the first folder that has one winning."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found
