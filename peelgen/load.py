"""Stage 1: read a YAML file safely, keeping the line and column of every value.

The result is plain Python data (dicts, lists, str, int, float, bool, None) plus a
:class:`SourceMap` from document paths to positions. Later stages never see YAML
objects, and nothing here can construct arbitrary Python objects: the file is parsed by
libyaml (through PyYAML) and the data built from its events by
:mod:`peelgen.load_yaml_events`, which checks every limit while parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from peelgen import load_yaml_events
from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused, display_name
from peelgen.folder import read_regular_file
from peelgen.load_yaml_events import MAX_DEPTH, MAX_NODES, EventBuilder, YamlStop, dump_yaml, new_parser
from peelgen.sourcemap import Position, SourceMap

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "LoadedFile", "Position", "SourceMap", "decode_text",
           "dump_yaml", "load_yaml", "read_text"]

# Checked before a byte is parsed (and before it is read: see peelgen.folder).
MAX_FILE_BYTES = 5 * 1024 * 1024
# When libyaml finds a syntax error, the pure-Python parser reads the text again for its
# message, which is worded as peelgen's messages always were (libyaml's are terser). Up
# to this size only: it reads about half a megabyte a second.
_REWORD_LIMIT = 512 * 1024
# libyaml's wording -> PyYAML's, for files too large to read twice.
_LIBYAML_WORDING = {
    "mapping values are not allowed in this context": "mapping values are not allowed here",
    "found a tab character that violates indentation": "found character '\\t' that cannot start any token",
    "found a tab character where an indentation space is expected":
        "found character '\\t' that cannot start any token",
}


@dataclass(slots=True)
class LoadedFile:
    path: Path
    data: Any
    source: SourceMap


def load_yaml(path: Path, *, text: str | None = None) -> LoadedFile:
    """Load ``path`` (or ``text`` attributed to it) into plain data with positions.

    Raises :class:`BuildFailed` with located diagnostics on any problem.
    """
    name = display_name(path)
    if text is None:
        text = read_text(path)
    source = SourceMap(name)
    data = _parse(text, source)
    if data is None:
        raise BuildFailed([Diagnostic(name, "the file is empty", 1, 1,
                                      hint="start from an example in examples/")])
    if not isinstance(data, dict):
        what = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true or false"}.get(
            type(data), type(data).__name__)
        raise BuildFailed([Diagnostic(
            name, f"the document must be a mapping of keys, not {what}", 1, 1,
            hint="start from an example in examples/",
        )])
    return LoadedFile(path, data, source)


def _parse(text: str, source: SourceMap) -> Any:
    """Parse YAML text into plain data, filling ``source``; every problem is one located line."""
    name = source.file
    try:
        data, builder = _build(text, source, pure=not load_yaml_events.HAS_LIBYAML)
    except yaml.MarkedYAMLError as error:
        raise BuildFailed([_syntax_error(_as_pyyaml_words_it(text, name, error), name)]) from None
    except (yaml.YAMLError, ValueError, TypeError) as error:
        raise BuildFailed([Diagnostic(name, f"YAML error: {error}", 1, 1)]) from None
    if "\t" in text and (tab := builder.check_tabs(text)) is not None:
        raise BuildFailed([tab])
    if builder.errors:
        raise BuildFailed(builder.errors)
    # The document itself starts at the top: errors about it (a missing top-level key)
    # are located there rather than nowhere.
    source.values[()] = Position(1, 1, 1)
    return data


def _build(text: str, source: SourceMap, *, pure: bool) -> tuple[Any, EventBuilder]:
    """The data and the builder (with its errors); syntax errors are raised as they are."""
    builder = EventBuilder(source, keep_spans="\t" in text)
    try:
        data = builder.run(new_parser(text, pure=pure))
    except YamlStop as stop:
        raise BuildFailed([stop.diagnostic]) from None
    except yaml.reader.ReaderError as error:
        raise BuildFailed([_character_error(text, error, source.file)]) from None
    return data, builder


def _character_error(text: str, error: yaml.reader.ReaderError, name: str) -> Diagnostic:
    character = error.character if isinstance(error.character, int) else ord(error.character)
    # libyaml reports a byte offset and PyYAML a character offset; the first occurrence
    # of the character is where both stopped.
    index = max(text.find(chr(character)), 0)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Diagnostic(name, f"the character U+{character:04X} is not allowed in YAML", line, column,
                      hint="remove it; control characters are often pasted in by accident")


def _as_pyyaml_words_it(text: str, name: str, error: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """libyaml's syntax error as PyYAML's pure-Python parser finds and words it.

    The pure-Python parser reads the (small) file again: its messages are the ones
    peelgen always gave, and it stops at the depth limit before libyaml's own nesting
    limit. A limit it reaches first is raised as :class:`BuildFailed`."""
    if load_yaml_events.HAS_LIBYAML and len(text) <= _REWORD_LIMIT:
        try:
            _build(text, SourceMap(name), pure=True)
        except yaml.MarkedYAMLError as pure_error:
            return pure_error
        except yaml.YAMLError:
            pass
    error.problem = _LIBYAML_WORDING.get(error.problem or "", error.problem)
    return error


def _syntax_error(error: yaml.MarkedYAMLError, name: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "invalid YAML"
    hint = None
    if ("end of stream" in problem or "<stream end>" in problem) and error.context and error.context_mark:
        # An unclosed quote or bracket: point at where it was opened, not at the end of the file.
        mark, problem = error.context_mark, f"{problem} {error.context}"
        hint = f"the {'quote' if 'quoted' in error.context else 'bracket'} that opens here is never closed"
    line, column = ((mark.line + 1), (mark.column + 1)) if mark else (1, 1)
    if "maximum" in problem and "depth" in problem:
        return Diagnostic(name, f"the document is nested more than {MAX_DEPTH} levels deep", line, column)
    return Diagnostic(name, f"YAML syntax error: {problem}", line, column, hint=hint or _syntax_hint(problem))


def _syntax_hint(problem: str) -> str | None:
    if "\\t" in problem or "tab" in problem.lower():
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put text that contains ': ' in quotes"
    if "<block end>" in problem or "block mapping" in problem or "expected key" in problem:
        return "check the indentation of this line and the lines above it"
    return None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a byte-order mark is allowed) with friendly errors."""
    name = display_name(path)
    try:
        data = read_regular_file(path, limit=MAX_FILE_BYTES)
    except FileRefused as refused:
        raise BuildFailed([Diagnostic(name, refused.message, hint=refused.hint)]) from None
    return decode_text(data, name, "YAML")


def decode_text(data: bytes, name: str, kind: str) -> str:
    """``data`` as UTF-8 text (a byte-order mark is dropped); :class:`BuildFailed`, located
    at the first bad byte, if it is binary or another encoding."""
    if b"\x00" in data:
        raise BuildFailed([Diagnostic(name, f"the file is binary, not {kind} text", 1, 1)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BuildFailed([Diagnostic(
            name, "the file is not valid UTF-8 text", line, column,
            hint="save it as UTF-8",
        )]) from None
