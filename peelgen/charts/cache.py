"""A cache of drawn charts, keyed by a hash of everything that decides the SVG.

The key covers the chart's resolved data and words (:class:`ChartView`, title, anchor),
the target, the versions of peelgen and Pillow, and a fingerprint of the chart code
and fonts, so an entry is never trusted across versions or after a code change. An entry
is the SVG exactly as drawn: output is byte-identical with and without a cache.

:class:`DiskChartCache` lives under ``$XDG_CACHE_HOME/peelgen/charts`` (by default
``~/.cache/peelgen/charts``). Entries are written to a temporary file and renamed into
place, so concurrent builds only ever see whole entries; the folder is kept under a
size cap by removing the least recently used entries. Any error reading or writing the
cache is ignored: a cache can make a build faster, never make it fail.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

from peelgen.document import ChartView

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_SUFFIX = ".svg"


class ChartCache(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, svg: str) -> None: ...


class MemoryChartCache:
    """Charts kept for the life of the process (e.g. ``serve``, or the tests)."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.entries.get(key)

    def put(self, key: str, svg: str) -> None:
        self.entries[key] = svg


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/peelgen/charts``, or ``~/.cache/peelgen/charts``."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "peelgen" / "charts"


class DiskChartCache:
    """Charts kept between builds in a folder, capped at ``max_bytes``."""

    def __init__(self, folder: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = folder if folder is not None else default_cache_dir()
        self.max_bytes = max_bytes

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{_SUFFIX}"

    def get(self, key: str) -> str | None:
        path = self._path(key)
        try:
            svg = path.read_text(encoding="utf-8")
            os.utime(path)  # recently used: kept longest when the folder is trimmed
        except (OSError, UnicodeDecodeError):
            return None
        whole = (svg.startswith("<svg") and svg.endswith("</svg>")) or svg.startswith("data:image/png;base64,")
        return svg if whole else None

    def put(self, key: str, svg: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(svg)
                Path(temp).replace(path)
            finally:
                Path(temp).unlink(missing_ok=True)
        except OSError:
            return

    def trim(self) -> None:
        """Remove least recently used entries until the folder is under its cap."""
        try:
            entries = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.glob(f"*/*{_SUFFIX}")]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size


def chart_key(chart: ChartView, *, title: str, ident: str, target: str) -> str:
    """The hash of everything that determines a chart's SVG."""
    content = json.dumps({"chart": dataclasses.asdict(chart), "title": title, "ident": ident, "target": target,
                          "versions": _versions()}, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    from importlib import metadata

    import peelgen
    from peelgen.charts.measure import FACES, font_file

    code = hashlib.sha256()
    # The drawing code, and the fonts whose widths lay the labels out.
    fonts = [Path(font_file(bold, italic)) for bold, italic in FACES]
    for source in [*sorted(Path(__file__).parent.glob("*.py")), Path(__file__).parents[1] / "render_charts.py", *fonts]:
        code.update(source.read_bytes())
    return {"peelgen": peelgen.__version__, "pillow": metadata.version("pillow"), "code": code.hexdigest()}
