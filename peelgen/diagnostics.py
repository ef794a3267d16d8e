"""Located error messages shared by every pipeline stage.

Each stage reports problems as :class:`Diagnostic` values instead of raising, so a
build can report every error at once; :class:`BuildFailed` carries them out of the
pipeline when a stage cannot continue.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DocPath = tuple[str | int, ...]


def format_path(path: DocPath) -> str:
    """Render a document path as ``questions[2].grade``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in an input file, with where it is and what to do about it."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    path: DocPath = ()
    hint: str | None = None
    severity: str = "error"
    # A stable id: a validation rule's (peelgen.rules.RULES) or a review lint rule's, so that
    # machines can group findings and authors can silence one rule per report.
    rule: str | None = None

    def format(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: "
        if self.path:
            text += f"{format_path(self.path)}: "
        if self.severity != "error":
            text += f"{self.severity}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        if self.rule:
            text += f" [{self.rule}]"
        # One diagnostic, one line: never let a message spill over lines, and never
        # pass a report's control characters (ESC sequences) to the terminal.
        return " ".join(printable(text.replace("\r\n", "\n")).split())

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line or 0, self.column or 0)


# C0 and C1 control characters other than tab and newline (which stay, as layout), DEL,
# and the Unicode bidirectional overrides that can make text read other than it is.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (an ESC starting a colour
    or cursor sequence, a carriage return that would overwrite the line, a bell) are
    shown as escapes such as ``\\x1b`` instead of being obeyed."""
    return _CONTROLS.sub(_visible, text)


class BuildFailed(Exception):
    """Raised by a stage that found errors; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self) -> tuple[type[BuildFailed], tuple[list[Diagnostic]]]:
        # Pickled with its diagnostics (the default would pass the message string back to
        # __init__), so that it can cross from a worker process intact.
        return (type(self), (self.diagnostics,))


class MissingTranslation(BuildFailed):
    """A framework has no translation into the language a report asks for: the report's
    ``meta.language`` is where to say so."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where it arrives so that a build stops as on Ctrl-C: temporary
    files removed, worker processes stopped, earlier output intact."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        self.signum = signum
        super().__init__(signum)


class FileRefused(Exception):
    """A file a report names that peelgen will not read (see :mod:`peelgen.folder`).

    Carries the message and a hint; the caller, which knows where in the YAML the name
    was given, turns it into a located :class:`Diagnostic`."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


def suggest(word: str, candidates: Sequence[str]) -> str | None:
    """Return a ``did you mean`` hint for a near miss, or ``None``."""
    import difflib

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.5)
    return f"did you mean '{matches[0]}'?" if matches else None


def display_name(path: Path) -> str:
    """The file name shown in messages: relative to the working directory if possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
