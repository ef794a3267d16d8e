"""Load stage: check an SVG image before anything draws it (see :mod:`peelgen.load_images`).

The file is parsed once with expat, streaming, with handlers that stop at the first
thing that is not a plain drawing: a DOCTYPE (so no entity can be declared, let alone
expanded), a processing instruction (``<?xml-stylesheet …?>`` loads a stylesheet),
scripts and embedded documents, event-handler attributes, and any reference (``href``,
``url(…)``, ``@import``) to something outside the file other than an embedded raster
picture. Size is bounded three ways: nesting depth, element count, and the element count
once every ``<use>`` has been replaced by a copy of what it refers to, which is how a
2 KB file can make a drawing of millions of elements.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from peelgen.diagnostics import FileRefused

MAX_SVG_DEPTH = 50
MAX_SVG_ELEMENTS = 20_000
# <use> of an element that itself holds a <use>, and so on: more than this is refused.
MAX_USE_DEPTH = 10

_FORBIDDEN = {
    "script": "a script", "foreignObject": "embedded HTML (foreignObject)", "iframe": "an embedded page",
    "object": "an embedded object", "embed": "an embedded object", "audio": "sound", "video": "video",
    "handler": "a script (handler)", "listener": "an event listener",
}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)
_EMBEDDED_PICTURE = re.compile(r"data:image/(?:png|jpeg|gif|webp)[;,]", re.I)
_HINT = "save the drawing as plain SVG, without scripts, links or embedded content"


def _local(name: str) -> str:
    """An expat name ``namespace local`` without its namespace."""
    return name.rsplit(" ", 1)[-1]


def _inside(reference: str) -> bool:
    reference = reference.strip()
    return reference.startswith("#") or bool(_EMBEDDED_PICTURE.match(reference))


@dataclass(slots=True)
class _Element:
    local: str  # the element's name without its namespace
    id: str | None
    uses: str | None  # a <use>: the id it refers to
    last: int = -1  # the index of its last descendant (itself if it has none)


@dataclass(slots=True)
class _SvgChecker:
    name: str
    parser: expat.XMLParserType
    elements: list[_Element] = field(default_factory=list)
    open: list[int] = field(default_factory=list)

    def refuse(self, problem: str, hint: str | None = _HINT) -> None:
        line = self.parser.CurrentLineNumber
        raise FileRefused(f"SVG image '{self.name}' {problem} (line {line})", hint)

    def doctype(self, *args: object) -> None:
        self.refuse("has a DOCTYPE, which could declare entities", "remove the <!DOCTYPE …> declaration")

    def instruction(self, target: str, data: str) -> None:
        self.refuse(f"has a processing instruction <?{target} …?>", "remove it")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if not self.elements and local != "svg":
            self.refuse(f"starts with <{local}>, not <svg>", None)
        if len(self.elements) >= MAX_SVG_ELEMENTS:
            self.refuse(f"has more than {MAX_SVG_ELEMENTS:,} elements", "simplify the drawing")
        if len(self.open) >= MAX_SVG_DEPTH:
            self.refuse(f"is nested more than {MAX_SVG_DEPTH} levels deep", "simplify the drawing")
        if local in _FORBIDDEN:
            self.refuse(f"contains {_FORBIDDEN[local]} (<{local}>), which is not allowed")
        uses = None
        for key, value in attributes.items():
            self._check_attribute(local, _local(key), value)
            if local == "use" and _local(key) == "href":
                uses = value.strip()[1:]
        element_id = attributes.get("id")
        self.open.append(len(self.elements))
        self.elements.append(_Element(local, element_id, uses))

    def _check_attribute(self, element: str, attribute: str, value: str) -> None:
        if attribute.lower().startswith("on"):
            self.refuse(f"has an event handler ({attribute} on <{element}>), which is not allowed")
        if attribute == "href" and not _inside(value):
            self.refuse(f"refers to '{value[:60]}', outside the drawing")
        if element == "use" and attribute == "href" and not value.strip().startswith("#"):
            self.refuse("has a <use> that does not refer to an element of the drawing itself")
        for target in _URL.findall(value):
            if not _inside(target):
                self.refuse(f"refers to 'url({target[:60]})', outside the drawing")
        if "javascript:" in value.lower():
            self.refuse("contains a javascript: link, which is not allowed")

    def end(self, name: str) -> None:
        index = self.open.pop()
        self.elements[index].last = len(self.elements) - 1

    def text(self, data: str) -> None:
        # Text inside <style> is CSS: it may not load anything either.
        if not self.open or self.elements[self.open[-1]].local != "style":
            return
        if "@import" in data.lower():
            self.refuse("has a stylesheet with @import, which is not allowed")
        for target in _URL.findall(data):
            if not _inside(target):
                self.refuse(f"refers to 'url({target[:60]})', outside the drawing")


def check_svg(data: bytes, name: str) -> None:
    """:class:`FileRefused` unless ``data`` is a plain SVG drawing within the limits."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    checker = _SvgChecker(name, parser)
    parser.StartDoctypeDeclHandler = checker.doctype
    parser.EntityDeclHandler = checker.doctype
    parser.ProcessingInstructionHandler = checker.instruction
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise FileRefused(f"SVG image '{name}' is not well-formed XML: {expat.ErrorString(error.code)} "
                          f"(line {error.lineno}, column {error.offset + 1})", "save it again from a drawing program"
                          ) from None
    _check_copies(checker.elements, name)


def _check_copies(elements: list[_Element], name: str) -> None:
    """Refuse a drawing that its ``<use>`` copies would make too large or too deep."""
    ids: dict[str, int] = {}
    for index, element in enumerate(elements):
        if element.id is not None:
            ids.setdefault(element.id, index)
    uses = [index for index, element in enumerate(elements) if element.uses is not None]
    # index -> (elements drawn with every <use> copied out, depth of <use> in <use>)
    sizes: dict[int, tuple[int, int]] = {}

    def size(index: int, chain: tuple[int, ...]) -> tuple[int, int]:
        if index in sizes:
            return sizes[index]
        if index in chain:
            raise FileRefused(f"SVG image '{name}' has a <use> that copies itself", _HINT)
        if len(chain) > MAX_USE_DEPTH:  # each step of the chain is one <use> inside another
            raise FileRefused(f"SVG image '{name}' has <use> copies nested more than {MAX_USE_DEPTH} deep", _HINT)
        element = elements[index]
        total, depth = element.last - index + 1, 0
        # Only the <use> elements inside this one (uses is in document order).
        for use in uses[bisect.bisect_left(uses, index):bisect.bisect_right(uses, element.last)]:
            target = ids.get(elements[use].uses or "")
            if target is None:  # a <use> of nothing draws nothing
                continue
            copied, nested = size(target, (*chain, index))
            total, depth = total + copied, max(depth, nested + 1)
            if total > MAX_SVG_ELEMENTS:
                raise FileRefused(f"SVG image '{name}' would have more than {MAX_SVG_ELEMENTS:,} elements once "
                                  "its <use> copies are made", "simplify the drawing")
            if depth > MAX_USE_DEPTH:
                raise FileRefused(f"SVG image '{name}' has <use> copies nested more than {MAX_USE_DEPTH} deep",
                                  _HINT)
        sizes[index] = total, depth
        return sizes[index]

    if elements:
        size(0, ())
