"""Stage 1: read a YAML file safely, keeping the line and column of every value.

The result is plain Python data (dicts, lists, str, int, float, bool, None) plus a
:class:`SourceMap` from document paths to positions. Later stages never see YAML
objects, and nothing here can construct arbitrary Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, display_name

# Limits that keep hostile input (alias bombs, huge files) from exhausting memory.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

_STANDARD_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass(frozen=True, slots=True)
class Position:
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

    def locate(self, path: DocPath, *, prefer_key: bool = False) -> Position | None:
        """The position of ``path``, or of its nearest ancestor that has one."""
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


@dataclass(slots=True)
class LoadedFile:
    path: Path
    data: Any
    source: SourceMap


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    # Keep dates as strings so an impossible date ("2017-02-30") becomes a located
    # validation error rather than a crash inside the parser.
    yaml.constructor.add_constructor(
        "tag:yaml.org,2002:timestamp",
        lambda loader, node: loader.construct_scalar(node),
    )
    return yaml


class _Converter:
    """Turns ruamel's round-trip nodes into plain data, recording positions."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.nodes = 0
        self.errors: list[Diagnostic] = []

    def convert(self, value: Any, path: DocPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge("the document has too many values (is it an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _TooLarge(f"the document is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, TaggedScalar) or (
            hasattr(value, "tag") and getattr(value.tag, "value", None) not in (None, *_STANDARD_TAGS)
        ):
            tag = getattr(getattr(value, "tag", None), "value", "?")
            self.errors.append(self.source.diagnostic(
                path, f"YAML tag '{tag}' is not allowed", hint="remove the tag; plain values only",
            ))
            return None
        if isinstance(value, CommentedMap):
            result: dict[str, Any] = {}
            for key in value:
                if not isinstance(key, str):
                    self.errors.append(self.source.diagnostic(
                        path, f"keys must be text, not {type(key).__name__} {key!r}",
                    ))
                    continue
                child = (*path, key)
                kline, kcol = value.lc.key(key)
                vline, vcol = value.lc.value(key)
                self.source.keys[child] = Position(kline + 1, kcol + 1, kline + 1)
                item = value[key]
                block = isinstance(item, LiteralScalarString | FoldedScalarString)
                self.source.values[child] = Position(vline + 1, vcol + 1, vline + 1 + block)
                result[key] = self.convert(item, child, depth + 1)
            return result
        if isinstance(value, CommentedSeq):
            items = []
            for index, item in enumerate(value):
                child = (*path, index)
                line, col = value.lc.item(index)
                block = isinstance(item, LiteralScalarString | FoldedScalarString)
                self.source.values[child] = Position(line + 1, col + 1, line + 1 + block)
                items.append(self.convert(item, child, depth + 1))
            return items
        if isinstance(value, str):
            return str(value)
        if isinstance(value, bool) or value is None:
            return value
        # ruamel returns int/float subclasses; plain types keep later stages simple.
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        self.errors.append(self.source.diagnostic(
            path, f"unsupported YAML value of type {type(value).__name__}",
        ))
        return None


class _TooLarge(Exception):
    pass


def load_yaml(path: Path, *, text: str | None = None) -> LoadedFile:
    """Load ``path`` (or ``text`` attributed to it) into plain data with positions.

    Raises :class:`BuildFailed` with located diagnostics on any problem.
    """
    name = display_name(path)
    if text is None:
        text = read_text(path)
    source = SourceMap(name)
    try:
        raw = _yaml().load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        hint = None
        if "\\t" in problem or "tab" in problem.lower():
            hint = "indent with spaces, not tabs"
        elif "duplicate key" in str(error).lower():
            problem = f"duplicate key {error.problem.split('found duplicate key')[-1].strip()}".strip()
            hint = "each key may appear once in a mapping"
        message = f"YAML syntax error: {problem}"
        raise BuildFailed([Diagnostic(
            name, message, (mark.line + 1) if mark else None, (mark.column + 1) if mark else None,
            hint=hint,
        )]) from None
    except YAMLError as error:
        raise BuildFailed([Diagnostic(name, f"YAML error: {error}")]) from None
    except (ValueError, TypeError, RecursionError) as error:
        raise BuildFailed([Diagnostic(name, f"YAML error: {error}")]) from None
    if raw is None:
        raise BuildFailed([Diagnostic(name, "the file is empty", 1, 1,
                                      hint="start from an example in examples/")])
    converter = _Converter(source)
    try:
        data = converter.convert(raw, ())
    except (_TooLarge, RecursionError) as error:
        raise BuildFailed([Diagnostic(name, str(error), 1, 1)]) from None
    if converter.errors:
        raise BuildFailed(converter.errors)
    if not isinstance(data, dict):
        raise BuildFailed([Diagnostic(
            name, f"the document must be a mapping of keys, not a {type(data).__name__}", 1, 1,
        )])
    return LoadedFile(path, data, source)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a byte-order mark is allowed) with friendly errors."""
    name = display_name(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BuildFailed([Diagnostic(name, f"the file is too large ({size:,} bytes; "
                                                f"the limit is {MAX_FILE_BYTES:,})")])
        data = path.read_bytes()
    except OSError as error:
        raise BuildFailed([Diagnostic(name, f"cannot read the file: {error.strerror}")]) from None
    if b"\x00" in data:
        raise BuildFailed([Diagnostic(name, "the file is binary, not YAML text", 1, 1)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise BuildFailed([Diagnostic(
            name, "the file is not valid UTF-8 text", line, column,
            hint="save it as UTF-8",
        )]) from None
