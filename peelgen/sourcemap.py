"""Positions of keys and values in a loaded file, looked up by document path.

Its own module so that the YAML reader (:mod:`peelgen.load_yaml_events`) and the public
load stage (:mod:`peelgen.load`, which re-exports both classes) can share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from peelgen.diagnostics import Diagnostic, DocPath


class Position(NamedTuple):
    """Where a key or value starts (a tuple: one is made for every value in a file)."""

    line: int  # 1-based
    column: int  # 1-based
    # For block scalars (| and >) the text starts on the line after the indicator.
    content_line: int


@dataclass(slots=True)
class SourceMap:
    """Positions of keys and values in one file, looked up by document path."""

    file: str
    values: dict[DocPath, Position] = field(default_factory=dict)
    keys: dict[DocPath, Position] = field(default_factory=dict)
    # Where a YAML alias (``*name``) is used -> where the value it repeats is defined.
    # The alias itself has a position of its own; what is inside it is found at the
    # definition, so an alias costs one entry however large the value it repeats.
    aliases: dict[DocPath, DocPath] = field(default_factory=dict)

    def _defined_at(self, path: DocPath) -> DocPath:
        """``path`` with every alias on the way replaced by the path it repeats."""
        changed = bool(self.aliases)
        while changed:
            changed = False
            for end in range(len(path) - 1, 0, -1):
                target = self.aliases.get(path[:end])
                if target is not None:
                    # Anchors are defined before they are used, so this always ends.
                    path, changed = (*target, *path[end:]), True
                    break
        return path

    def locate(self, path: DocPath, *, prefer_key: bool = False) -> Position | None:
        """The position of ``path``, or of its nearest ancestor that has one."""
        path = self._defined_at(path)
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
            if prefix in first:
                return first[prefix]
            if prefix in second:
                return second[prefix]
        return None

    def diagnostic(
        self, path: DocPath, message: str, *, hint: str | None = None, at_key: bool = False,
        line_offset: int | None = None, severity: str = "error",
    ) -> Diagnostic:
        pos = self.locate(path, prefer_key=at_key)
        line = column = None
        if pos is not None:
            line, column = pos.line, pos.column
            if line_offset is not None:
                line, column = pos.content_line + line_offset, 1
        return Diagnostic(self.file, message, line, column, path, hint, severity)
