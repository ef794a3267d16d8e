"""Load stage, YAML: libyaml's event stream turned into plain data with positions.

PyYAML's C parser (libyaml; the pure-Python parser when libyaml is missing) reports
each node as an event carrying its start mark. This module builds plain Python data
(dict, list, str, int, float, bool, None) from those events itself, so no YAML
constructor ever runs and no object is created from a tag. Working on the event stream
rather than a composed tree means every limit is checked while parsing, before the next
event is read: a document of more than :data:`MAX_NODES` values (an alias bomb, or
200,000 keys) or nested more than :data:`MAX_DEPTH` levels stops at once, and an alias
costs the number of values it repeats without being expanded first.

Plain scalars are resolved the YAML 1.2 way (as ruamel.yaml did before): ``yes``, ``no``,
``on`` and ``off`` stay text, only ``true``/``false`` are booleans, and dates stay text
so that an impossible date becomes a located validation error.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from peelgen.diagnostics import Diagnostic, DocPath
from peelgen.sourcemap import Position, SourceMap

# Limits that keep hostile input (alias bombs, huge or deep files) from exhausting memory.
# The largest example has about 1,500 values; 100,000 leaves room for big tables.
MAX_NODES = 100_000
MAX_DEPTH = 64

HAS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))

_YAML = "tag:yaml.org,2002:"
_TRUE_FALSE = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = {"", "~", "null", "Null", "NULL"}
_FLOAT = re.compile(r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN)""", re.X)
_INT = re.compile(r"[-+]?(?:0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)")
# Control characters that an escape in a quoted scalar ("\e", "\x1b") can put in text;
# the reader already refuses them written literally. Tabs and line breaks are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOT_SUPPORTED = {f"{_YAML}binary": "binary data (!!binary)", f"{_YAML}set": "a set (!!set)"}
_TEXT_TAGS = {None, "!", f"{_YAML}str", f"{_YAML}timestamp"}


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe writer, quoting every string that YAML 1.2 reads as a number too.

    PyYAML writes for YAML 1.1, which has no ``1e5`` or ``0o17``; without these resolvers
    such a string would be written bare and read back here as a number."""


_Dumper.add_implicit_resolver(f"{_YAML}float", _FLOAT, list("-+0123456789."))
_Dumper.add_implicit_resolver(f"{_YAML}int", _INT, list("-+0123456789"))


def dump_yaml(data: Any, *, width: int = 4096) -> str:
    """``data`` (plain dicts, lists and scalars) as block-style YAML that
    :func:`peelgen.load.load_yaml` reads back as the same data; for tests and benchmarks."""
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, allow_unicode=True, width=width,
                     sort_keys=False)


def new_parser(text: str, *, pure: bool = False) -> Any:
    """libyaml's parser for ``text`` (PyYAML's own when libyaml is missing or ``pure``).

    Creating the pure-Python one already checks the text for control characters."""
    if HAS_LIBYAML and not pure:
        return yaml.CSafeLoader(text)
    return yaml.SafeLoader(text)


class YamlStop(Exception):
    """A problem that ends parsing at once (a limit, an undefined alias, a second document)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(diagnostic.message)


def _position(event: Event, block: bool = False) -> Position:
    mark = event.start_mark
    line = mark.line + 1
    return Position(line, mark.column + 1, line + 1 if block else line)


def _number_problem(text: str, error: ValueError, what: str) -> str:
    if "digits" in str(error):
        return f"the number is too long ({len(text):,} digits)"
    shown = text if len(text) <= 40 else text[:37] + "…"
    return f"'{shown}' is not a {what}"


def _int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits)  # YAML 1.2: a leading zero is not octal


def _float(text: str) -> float:
    digits = text.replace("_", "").lower()
    specials = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
    return specials[digits] if digits in specials else float(digits)


def _plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar as YAML 1.2's core schema reads it."""
    if text in _NULLS:
        return None
    if text in _TRUE_FALSE:
        return _TRUE_FALSE[text]
    if text.isdigit() and text.isascii():
        return int(text)  # the common case first; YAML 1.2: a leading zero is not octal
    if text[0] in "-+0123456789.":
        if _FLOAT.fullmatch(text):
            return _float(text)
        if _INT.fullmatch(text):
            return _int(text)
    return text


def _copy(value: Any) -> Any:
    """A fresh copy of an aliased value, so that later stages never see shared objects."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _shown(value: Any) -> str:
    """A scalar as it is written in YAML, shortened for a message."""
    if value is None or isinstance(value, bool):
        text = {None: "null", True: "true", False: "false"}[value]
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


_EXPECT_KEY = object()  # a mapping waiting for its next key
_BAD_KEY = object()  # a key that is not used (not text, a merge key, a duplicate): its value is dropped


@dataclass(slots=True)
class _Frame:
    """A mapping or sequence being built."""

    data: dict[str, Any] | list[Any]
    path: DocPath | None  # None: positions are not recorded (inside a key that is not text)
    role: str  # where the finished value goes in its parent: root, item, key or value
    position: Position
    anchor: str | None
    nodes_before: int
    height: int = 0  # collection levels below this one
    key: Any = _EXPECT_KEY
    duplicate: tuple[str, Position, Any] | None = None  # mapping: a repeated key waiting for its value
    refused: bool = False  # a tag that is not allowed: the value is dropped


@dataclass(slots=True)
class _Anchor:
    value: Any
    path: DocPath | None
    nodes: int = 1
    height: int = -1  # -1: a scalar
    open: bool = False


class EventBuilder:
    """Builds plain data and a :class:`SourceMap` from a YAML event stream."""

    def __init__(self, source: SourceMap, *, keep_spans: bool = False) -> None:
        self.source = source
        self.errors: list[Diagnostic] = []
        self.root: Any = None
        self.nodes = 0
        self.documents = 0
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchor] = {}
        # Character spans of quoted and block scalars, kept only to check where tabs are.
        self.spans: list[tuple[int, int, bool]] | None = [] if keep_spans else None

    # -- the event loop ------------------------------------------------------------------

    def run(self, parser: Any) -> Any:
        handlers = {
            ScalarEvent: self._scalar, AliasEvent: self._alias, DocumentStartEvent: self._document,
            MappingStartEvent: self._start, SequenceStartEvent: self._start,
            MappingEndEvent: self._end, SequenceEndEvent: self._end,
        }
        try:
            while parser.check_event():
                event = parser.get_event()
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
        finally:
            parser.dispose()
        return self.root

    def _document(self, event: Event) -> None:
        self.documents += 1
        if self.documents > 1:
            position = _position(event)
            raise YamlStop(Diagnostic(
                self.source.file, "YAML syntax error: expected a single document in the stream, but found another "
                "document", position.line, position.column, hint="remove the '---' line and what follows it"))

    # -- nodes ---------------------------------------------------------------------------

    def _count(self, nodes: int, *, alias: bool = False) -> None:
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            why = "is it an alias bomb?" if alias else f"the limit is {MAX_NODES:,}"
            raise YamlStop(Diagnostic(self.source.file, f"the document has too many values ({why})", 1, 1))

    def _check_depth(self, depth: int, position: Position) -> None:
        # The top-level mapping and the collection under a top-level key do not count, so
        # that a report may use every one of MAX_DEPTH levels below its own keys.
        if depth > MAX_DEPTH + 1:
            raise YamlStop(Diagnostic(self.source.file, f"the document is nested more than {MAX_DEPTH} levels deep",
                                      position.line, position.column))

    def _slot(self) -> tuple[DocPath | None, str]:
        """The path and role of the node that starts now."""
        if not self.stack:
            return (), "root"
        top = self.stack[-1]
        if isinstance(top.data, list):
            return (None if top.path is None else (*top.path, len(top.data))), "item"
        if top.key is _EXPECT_KEY:
            return None, "key"
        usable = top.path is not None and top.key is not _BAD_KEY
        return ((*top.path, top.key) if usable else None), "value"

    def _record(self, path: DocPath | None, position: Position, *, is_key: bool = False) -> None:
        if path is None:
            return
        (self.source.keys if is_key else self.source.values)[path] = position

    def _error(self, path: DocPath | None, position: Position, message: str, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(self.source.file, message, position.line, position.column, path or (), hint))

    def _define(self, event: NodeEvent, position: Position) -> None:
        if event.anchor is not None and event.anchor in self.anchors:
            self.errors.append(Diagnostic(self.source.file, f"the anchor '&{event.anchor}' is defined more than once",
                                          position.line, position.column, hint="give each anchor a different name"))

    def _scalar(self, event: ScalarEvent) -> None:
        self.nodes += 1  # self._count(1) written out: most events are scalars
        if self.nodes > MAX_NODES:
            self._count(0)
        path, role = self._slot()
        position = _position(event, event.style == "|" or event.style == ">")
        if self.spans is not None and event.style:  # quoted or block text may hold tabs (plain: None or "")
            self.spans.append((event.start_mark.index, event.end_mark.index, event.style in ("|", ">")))
        if event.anchor is not None:
            self._define(event, position)
        if role != "key" and path is not None:
            self.source.values[path] = position
        errors_before = len(self.errors)
        value = self._scalar_value(event, path if role != "key" else self.stack[-1].path, position)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(value, path)
        plain = event.tag is None and event.implicit[0]
        self._place(value, role, position, plain_text=event.value if plain else None,
                    reported=len(self.errors) > errors_before)

    def _scalar_value(self, event: ScalarEvent, path: DocPath | None, position: Position) -> Any:
        tag, text = event.tag, event.value
        # First, so that no message ever echoes a control sequence to the terminal.
        if control := _CONTROL.search(text):
            self._error(path, position, f"the text contains the control character U+{ord(control.group()):04X}",
                        "remove it; only tabs and line breaks are allowed in text")
            return None
        try:
            if tag is None and event.implicit[0]:
                return _plain(text)
            if tag in _TEXT_TAGS:
                return text
            if tag == f"{_YAML}int":
                return _int(text)
            if tag == f"{_YAML}float":
                return _float(text)
        except ValueError as error:
            what = "whole number" if tag == f"{_YAML}int" else "number"
            self._error(None, position, _number_problem(text, error, what))
            return None
        return self._tagged(tag, text, path, position)

    def _tagged(self, tag: str, text: str, path: DocPath | None, position: Position) -> Any:
        """A scalar with an explicit tag other than text and numbers."""
        if tag == f"{_YAML}bool" and text in _TRUE_FALSE:
            return _TRUE_FALSE[text]
        if tag == f"{_YAML}null" and text in _NULLS:
            return None
        if tag == f"{_YAML}bool":
            self._error(path, position, f"'{_shown(text)}' is not true or false",
                        "remove the '!!bool' tag; YAML tags are not needed in a report")
        else:
            self._refuse_tag(tag, path, position)
        return None

    def _refuse_tag(self, tag: str, path: DocPath | None, position: Position) -> None:
        if tag in _NOT_SUPPORTED:
            self._error(path, position, f"YAML values of this kind are not supported: {_NOT_SUPPORTED[tag]}",
                        "write text, a number or a list")
        else:
            # A tag may spell control characters as %-escapes (!a%1B): show them escaped.
            shown = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", tag)
            self._error(path, position, f"YAML tag '{shown}' is not allowed", "remove the tag; plain values only")

    def _start(self, event: MappingStartEvent | SequenceStartEvent) -> None:
        self._count(1)
        path, role = self._slot()
        position = _position(event)
        self._check_depth(len(self.stack), position)
        self._define(event, position)
        is_mapping = isinstance(event, MappingStartEvent)
        frame = _Frame({} if is_mapping else [], path if role != "key" else None, role, position, event.anchor,
                       self.nodes - 1)
        if role != "key":
            self._record(path, position)
        if event.tag not in (None, "!", f"{_YAML}{'map' if is_mapping else 'seq'}"):
            frame.refused = True
            self._refuse_tag(event.tag, path if role != "key" else self.stack[-1].path, position)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(frame.data, path, open=True)
        self.stack.append(frame)

    def _end(self, event: Event) -> None:
        frame = self.stack.pop()
        value = None if frame.refused else frame.data
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchor(value, frame.path, self.nodes - frame.nodes_before, frame.height)
        if self.stack:
            self.stack[-1].height = max(self.stack[-1].height, frame.height + 1)
        self._place(value, frame.role, frame.position)

    def _alias(self, event: AliasEvent) -> None:
        position = _position(event)
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise YamlStop(Diagnostic(self.source.file, f"YAML syntax error: found undefined alias '{event.anchor}'",
                                      position.line, position.column, hint="define the anchor (&name) before its use"))
        path, role = self._slot()
        if anchor.open:
            self._count(1)
            self._error(path or (self.stack[-1].path if self.stack else ()), position,
                        f"the alias '*{event.anchor}' is used inside the value it names (a recursive alias)",
                        "an alias may only repeat a value that is complete")
            self._place(None, role, position)
            return
        self._count(anchor.nodes, alias=True)
        if anchor.height >= 0:
            self._check_depth(len(self.stack) + anchor.height, position)
            if self.stack:
                self.stack[-1].height = max(self.stack[-1].height, anchor.height + 1)
        if role != "key":
            self._record(path, position)
            if path is not None and anchor.path is not None and anchor.height >= 0:
                self.source.aliases[path] = anchor.path
        self._place(_copy(anchor.value), role, position)

    # -- putting finished values in place ---------------------------------------------------

    def _place(self, value: Any, role: str, position: Position, *, plain_text: str | None = None,
               reported: bool = False) -> None:
        if role == "root":
            self.root = value
            return
        top = self.stack[-1]
        if role == "item":
            assert isinstance(top.data, list)
            top.data.append(value)
        elif role == "key":
            self._take_key(top, value, position, plain_text, reported=reported)
        else:
            assert isinstance(top.data, dict)
            if top.duplicate is not None:
                self._duplicate(top, value)
            elif top.key is not _BAD_KEY:
                top.data[top.key] = value
            top.key, top.duplicate = _EXPECT_KEY, None

    def _take_key(self, top: _Frame, key: Any, position: Position, plain_text: str | None, *,
                  reported: bool = False) -> None:
        assert isinstance(top.data, dict)
        top.key = _BAD_KEY
        if reported:
            return  # the key's own problem has been reported; its value is dropped
        if not isinstance(key, str):
            what = {bool: "true or false", int: "a number", float: "a number", type(None): "nothing (null)"}.get(
                type(key), "a list or mapping")
            shown = "" if key is None or isinstance(key, list | dict) else f" {key!r}"
            self._error(top.path, position, f"keys must be text, not {what}{shown}", "quote the key to make it text")
        elif key == "<<" and plain_text == "<<":
            self._error(top.path, top.position, "YAML merge keys ('<<') are not supported",
                        "write each key out in full")
        elif key in top.data:
            top.duplicate = (key, position, top.data[key])
        else:
            top.key = key
            if top.path is not None:
                self._record((*top.path, key), position, is_key=True)

    def _duplicate(self, top: _Frame, value: Any) -> None:
        assert top.duplicate is not None
        key, position, original = top.duplicate
        message = f'YAML syntax error: duplicate key "{key}"'
        if not isinstance(value, dict | list) and not isinstance(original, dict | list):
            message += f' with value "{_shown(value)}" (original value: "{_shown(original)}")'
        self._error(None, position, message, "each key may appear once in a mapping")

    # -- tabs ------------------------------------------------------------------------------

    def check_tabs(self, text: str) -> Diagnostic | None:
        """A tab outside quoted or block text and comments. libyaml allows tabs after a key
        and inside plain text, PyYAML's pure-Python parser (and ruamel, before) never did;
        refused, so that both parsers accept the same files."""
        # A block scalar's text starts on the line after its indicator; its header line
        # (| or >, indicators, a comment) may hold no tab outside the comment.
        spans = [(text.find("\n", start) + 1 or end, end) if block else (start, end)
                 for start, end, block in self.spans or []]
        starts = [start for start, _ in spans]
        for match in re.finditer("\t", text):
            index = match.start()
            before = bisect.bisect_right(starts, index) - 1
            if before >= 0 and spans[before][0] <= index < spans[before][1]:
                continue  # inside quoted or block text
            line_start = text.rfind("\n", 0, index) + 1
            after_scalar = spans[before][1] if before >= 0 else 0
            if "#" in text[max(line_start, after_scalar):index]:
                continue  # inside a comment
            line = text.count("\n", 0, index) + 1
            return Diagnostic(self.source.file, "YAML syntax error: found character '\\t' that cannot start any token",
                              line, index - line_start + 1, hint="indent with spaces, not tabs")
        return None
