"""Validate stage: characters that no text in a report may hold.

A report's text reaches web pages, PDFs and terminals (quoted in messages). NUL and the
other control characters (C0, DEL and C1) are invisible in print, and an escape sequence
in a force name would drive the terminal of whoever builds the report. YAML escapes
("\\0", "\\e", "\\x1b") let them into any quoted value or key, so every string of the loaded
document is checked before typing, and each finding is a located error. Tab and line
feed are allowed: block text is made of them.
"""

from __future__ import annotations

import re
from typing import Any

from peelgen.diagnostics import Diagnostic, DocPath
from peelgen.load import SourceMap

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "backspace", 0x0D: "carriage return", 0x1B: "ESC", 0x7F: "DEL"}
_HINT = "remove it; control characters are invisible and often pasted in by accident"


def _describe(char: str) -> str:
    code = ord(char)
    name = _NAMES.get(code)
    return f"the control character U+{code:04X}" + (f" ({name})" if name else "")


def check_characters(data: Any, source: SourceMap) -> tuple[list[Diagnostic], set[DocPath]]:
    """A located error for every key and value holding a control character, and the
    paths of those keys and values (so that no other check reports them again).

    A key's error is reported at the key but under its parent's path, so that the
    message does not print the very characters it warns about."""
    out: list[Diagnostic] = []
    flagged: set[DocPath] = set()

    def walk(value: Any, path: DocPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                child = (*path, key)
                found = _CONTROL.search(key) if isinstance(key, str) else None
                if found:
                    where = source.keys.get(child) or source.locate(path)
                    out.append(Diagnostic(source.file, f"a key holds {_describe(found.group())}",
                                          where.line if where else None, where.column if where else None,
                                          path, _HINT))
                    flagged.add(child)
                    continue
                walk(item, child)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))
        elif isinstance(value, str) and (found := _CONTROL.search(value)):
            out.append(source.diagnostic(path, f"the text holds {_describe(found.group())}", hint=_HINT))
            flagged.add(path)

    walk(data, ())
    return out, flagged

