"""Stage 1: read a YAML file safely, keeping the line and column of every value.

The result is plain Python data (dicts, lists, str, int, float, bool, None) plus a
:class:`SourceMap` from document paths to positions. Later stages never see YAML
objects, and nothing here can construct arbitrary Python objects.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, CommentedSet, TaggedScalar, merge_attrib
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, FileRefused, display_name
from peelgen.folder import read_regular_file

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


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, with every scalar error located.

    A subclass, because ``add_constructor`` changes the class it is called on, and
    peelgen should not change ruamel's own classes for other users in the process.
    """

    def construct_yaml_int(self, node: Any) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError as error:  # "!!int abc", or more digits than Python converts
            raise ConstructorError(None, None, _number_problem(node, error, "whole number"),
                                   node.start_mark) from None

    def construct_yaml_float(self, node: Any) -> Any:
        try:
            return super().construct_yaml_float(node)
        except ValueError as error:
            raise ConstructorError(None, None, _number_problem(node, error, "number"), node.start_mark) from None

    def construct_yaml_bool(self, node: Any) -> Any:
        try:
            return super().construct_yaml_sbool(node)
        except KeyError:  # "!!bool good": ruamel looks the text up in its table of booleans
            text = str(node.value)
            shown = text if len(text) <= 40 else text[:37] + "…"
            raise ConstructorError(None, None, f"'{shown}' is not true or false (remove the !!bool tag)",
                                   node.start_mark) from None

    def construct_timestamp_as_text(self, node: Any) -> Any:
        # Keep dates as strings so an impossible date ("2017-02-30") becomes a located
        # validation error rather than a crash inside the parser.
        return self.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:bool", _Constructor.construct_yaml_bool)
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_timestamp_as_text)


def _number_problem(node: Any, error: ValueError, what: str) -> str:
    text = str(getattr(node, "value", ""))
    if "digits" in str(error):
        return f"the number is too long ({len(text):,} digits)"
    shown = text if len(text) <= 40 else text[:37] + "…"
    return f"'{shown}' is not a {what}"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    # ruamel 0.19 stops (with a located error) before nesting deep enough to exhaust
    # Python's stack; the converter below checks the same limit on older versions.
    yaml.max_depth = MAX_DEPTH + 2
    return yaml


_SECOND_ANCHOR = re.compile(r"second occurrence\s+in \"[^\"]*\", line (\d+), column (\d+)")
_ANCHOR_NAME = re.compile(r"found duplicate anchor '([^']*)'")


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
            if getattr(value, merge_attrib, None):
                self.errors.append(self.source.diagnostic(
                    path, "YAML merge keys ('<<') are not supported", hint="write each key out in full",
                ))
                return None
            result: dict[str, Any] = {}
            for key in value:
                if not isinstance(key, str):
                    self.errors.append(self._key_error(value, key, path))
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
        kind = {bytes: "binary data (!!binary)", CommentedSet: "a set (!!set)"}.get(type(value), type(value).__name__)
        self.errors.append(self.source.diagnostic(
            path, f"YAML values of this kind are not supported: {kind}", hint="write text, a number or a list",
        ))
        return None

    def _key_error(self, mapping: CommentedMap, key: Any, path: DocPath) -> Diagnostic:
        what = {bool: "true or false", int: "a number", float: "a number", type(None): "nothing (null)"}.get(
            type(key), "a list or mapping" if isinstance(key, tuple | frozenset) else type(key).__name__)
        shown = "" if key is None or isinstance(key, tuple | frozenset) else f" {key!r}"
        diagnostic = self.source.diagnostic(path, f"keys must be text, not {what}{shown}",
                                            hint="quote the key to make it text")
        try:
            line, column = mapping.lc.key(key)
        except (KeyError, TypeError):
            return diagnostic
        return Diagnostic(diagnostic.file, diagnostic.message, line + 1, column + 1, path, diagnostic.hint)


class _TooLarge(Exception):
    pass


def _position_in(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` of ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def load_yaml(path: Path, *, text: str | None = None) -> LoadedFile:
    """Load ``path`` (or ``text`` attributed to it) into plain data with positions.

    Raises :class:`BuildFailed` with located diagnostics on any problem.
    """
    name = display_name(path)
    if text is None:
        text = read_text(path)
    source = SourceMap(name)
    raw = _parse(text, name)
    if raw is None:
        raise BuildFailed([Diagnostic(name, "the file is empty", 1, 1,
                                      hint="start from an example in examples/")])
    # The document itself starts at the top: errors about it (a missing top-level key)
    # are located there rather than nowhere.
    source.values[()] = Position(1, 1, 1)
    converter = _Converter(source)
    try:
        data = converter.convert(raw, ())
    except _TooLarge as error:
        raise BuildFailed([Diagnostic(name, str(error), 1, 1)]) from None
    except RecursionError:
        raise BuildFailed([Diagnostic(name, "the document is nested too deeply", 1, 1)]) from None
    if converter.errors:
        raise BuildFailed(converter.errors)
    if not isinstance(data, dict):
        what = {list: "a list", str: "text", int: "a number", float: "a number", bool: "true or false"}.get(
            type(data), type(data).__name__)
        raise BuildFailed([Diagnostic(
            name, f"the document must be a mapping of keys, not {what}", 1, 1,
            hint="start from an example in examples/",
        )])
    return LoadedFile(path, data, source)


def _parse(text: str, name: str) -> Any:
    """Parse YAML text into ruamel's round-trip objects; every problem is one located line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            raw = _yaml().load(text)
        except MarkedYAMLError as error:
            raise BuildFailed([_syntax_error(error, name)]) from None
        except ReaderError as error:
            line, column = _position_in(text, error.position)
            character = error.character if isinstance(error.character, int) else ord(error.character)
            raise BuildFailed([Diagnostic(
                name, f"the character U+{character:04X} is not allowed in YAML", line, column,
                hint="remove it; control characters are often pasted in by accident",
            )]) from None
        except RecursionError:
            raise BuildFailed([Diagnostic(name, "the document is nested too deeply", 1, 1)]) from None
        except (YAMLError, ValueError, TypeError) as error:
            raise BuildFailed([Diagnostic(name, f"YAML error: {error}", 1, 1)]) from None
    # Warnings (a reused anchor, YAML 1.1 float spellings) must not reach the terminal as
    # multi-line text. A reused anchor makes later aliases mean something unexpected, so
    # it is an error; anything else is harmless and dropped.
    for warning in caught:
        if issubclass(warning.category, ReusedAnchorWarning):
            message = str(warning.message)
            where = _SECOND_ANCHOR.search(message)
            anchor = _ANCHOR_NAME.search(message)
            line, column = (int(where.group(1)), int(where.group(2))) if where else (1, 1)
            label = f"'&{anchor.group(1)}' " if anchor else ""
            raise BuildFailed([Diagnostic(name, f"the anchor {label}is defined more than once", line, column,
                                          hint="give each anchor a different name")])
    return raw


def _syntax_error(error: MarkedYAMLError, name: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "invalid YAML"
    hint = None
    if ("end of stream" in problem or "<stream end>" in problem) and error.context and error.context_mark:
        # An unclosed quote or bracket: point at where it was opened, not at the end of the file.
        mark, problem = error.context_mark, f"{problem} {error.context}"
        hint = f"the {'quote' if 'quoted' in error.context else 'bracket'} that opens here is never closed"
    elif problem.startswith("but ") and error.context:  # "expected a single document …, but found another"
        problem = f"{error.context}, {problem}"
    line, column = ((mark.line + 1), (mark.column + 1)) if mark else (1, 1)
    if "maximum depth" in problem:
        return Diagnostic(name, f"the document is nested more than {MAX_DEPTH} levels deep", line, column)
    if isinstance(error, ConstructorError) and problem.startswith(("'", "the number")):
        return Diagnostic(name, problem, line, column)  # from _Constructor: already a full sentence
    if "duplicate key" in str(error).lower():
        problem = f"duplicate key {problem.split('found duplicate key')[-1].strip()}".strip()
        hint = "each key may appear once in a mapping"
    return Diagnostic(name, f"YAML syntax error: {problem}", line, column, hint=hint or _syntax_hint(problem))


def _syntax_hint(problem: str) -> str | None:
    if "\\t" in problem or "tab" in problem.lower():
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "put text that contains ': ' in quotes"
    if "<block end>" in problem or "block mapping" in problem:
        return "check the indentation of this line and the lines above it"
    return None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a byte-order mark is allowed) with friendly errors."""
    name = display_name(path)
    try:
        data = read_regular_file(path, limit=MAX_FILE_BYTES)
    except FileRefused as refused:
        raise BuildFailed([Diagnostic(name, refused.message, hint=refused.hint)]) from None
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
