"""Where the built-in templates and styles are.

In a wheel they are installed inside the package (``peelgen/templates``); in a source
checkout or editable install they are the top-level ``templates/`` and ``styles/``.
"""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def builtin_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"peelgen is installed without its {name}/ folder")
