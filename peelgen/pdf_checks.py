"""PDF/UA-1 checks on a finished PDF, after the Matterhorn Protocol's machine-checkable
failure conditions (the checkpoint number leads each message).

No free PDF/UA validator can be installed from Debian, npm or PyPI, so peelgen reads the
structure itself with pikepdf. This covers what can be decided
from the file alone; whether alternative text or a reading order makes sense still needs
a person. Used by ``tests/test_conformance.py`` and ``scripts/check-standards``.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

# Standard structure types of ISO 32000-1, 14.8.4 (anything else needs a RoleMap entry).
_STANDARD_TYPES_TEXT = """
    Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6
    L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot
    Ruby RB RT RP Warichu WT WP Figure Formula Form"""
STANDARD_TYPES = frozenset(_STANDARD_TYPES_TEXT.split())
_PAINTING = frozenset({"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "BI"})
_GLUED_NUMBER = re.compile(r"[^\W\d]\d{1,3}$")  # "Overall judgment2": a footnote call in a title


@dataclass
class Structure:
    """The structure tree of a PDF, walked once."""

    elements: list[pikepdf.Dictionary] = field(default_factory=list)
    reachable: set[tuple[int, int]] = field(default_factory=set)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _structure(pdf: pikepdf.Pdf) -> Structure:
    found = Structure()
    stack = list(reversed(_kids(pdf.Root.StructTreeRoot)))
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element or element.objgen in found.reachable:
            continue
        found.reachable.add(element.objgen)
        found.elements.append(element)  # depth-first, in reading order
        stack.extend(reversed(_kids(element)))
    return found


def _catalog(pdf: pikepdf.Pdf) -> Iterator[str]:
    root = pdf.Root
    if "/StructTreeRoot" not in root:
        yield "01-006: the document is not tagged (no structure tree)"
    marked = root.get("/MarkInfo", {})
    if not bool(marked.get("/Marked", False)):
        yield "01-002: MarkInfo /Marked is not true"
    if bool(marked.get("/Suspects", False)):
        yield "01-003: MarkInfo /Suspects is true"
    if not str(root.get("/Lang", "")).strip():
        yield "11-001: the document has no /Lang"
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        yield "07-002: ViewerPreferences /DisplayDocTitle is not true"
    if "/Metadata" not in root:
        yield "06-001: no XMP metadata stream"
        return
    meta = pdf.open_metadata()
    if meta.get("pdfuaid:part") != "1":
        yield f"06-002: XMP pdfuaid:part is {meta.get('pdfuaid:part')!r}, not '1'"
    if not meta.get("dc:title"):
        yield "06-003: XMP has no dc:title"


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, pikepdf.Object]:
    nums = pdf.Root.StructTreeRoot.ParentTree.get("/Nums", pikepdf.Array())
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _hyphen_codes(page: pikepdf.Page) -> dict[str, set[bytes]]:
    """For each font of the page, the character codes its ToUnicode map gives as an
    automatic hyphen (U+2010 or a soft hyphen)."""
    codes: dict[str, set[bytes]] = {}
    for name, font in page.obj.get("/Resources", {}).get("/Font", {}).items():
        to_unicode = font.get("/ToUnicode")
        if to_unicode is None:
            continue
        cmap = to_unicode.read_bytes().decode("latin-1")
        found = {bytes.fromhex(code) for code, text in _BFCHAR.findall(cmap) if text.upper() in ("2010", "00AD")}
        if found:
            codes[str(name)] = found
    return codes


_BFCHAR = re.compile(r"^\s*<([0-9A-Fa-f]+)>[ \t]*<([0-9A-Fa-f]{4})>\s*$", re.MULTILINE)  # one bfchar entry a line


def _ends_with_hyphen(operands: list[pikepdf.Object], codes: set[bytes]) -> bool:
    if not codes:
        return False
    shown = operands[0] if operands else b""
    pieces = [bytes(item) for item in shown if isinstance(item, pikepdf.String)] \
        if isinstance(shown, pikepdf.Array) else [bytes(shown)]
    text = b"".join(pieces)
    return any(text.endswith(code) for code in codes)


def _opens(operands: list[pikepdf.Object], parents: pikepdf.Object | None,
           reachable: set[tuple[int, int]]) -> tuple[bool, str | None]:
    """For a BDC: whether /ActualText covers it, and a problem if its MCID is unreached."""
    properties = operands[1] if len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) else {}
    covered = "/ActualText" in properties
    if "/MCID" not in properties:
        return covered, None
    mcid = int(properties.MCID)
    if parents is None or mcid >= len(parents) or parents[mcid].objgen not in reachable:
        return covered, f"marked content {mcid} is tagged, but no structure element has it"
    return covered or "/ActualText" in parents[mcid], None


@dataclass
class _PageScan:
    """State while reading one page's content stream."""

    parents: pikepdf.Object | None
    reachable: set[tuple[int, int]]
    hyphen_codes: dict[str, set[bytes]]
    covered: list[bool] = field(default_factory=list)  # per open marked content: under /ActualText?
    outside: Counter[str] = field(default_factory=Counter)
    unreached: list[str] = field(default_factory=list)
    font: str = ""
    hyphenated: int = 0

    def step(self, operands: list[pikepdf.Object], op: str) -> None:
        if op in ("BDC", "BMC"):
            actual, problem = _opens(operands, self.parents, self.reachable) if op == "BDC" else (False, None)
            self.covered.append(actual or bool(self.covered and self.covered[-1]))
            if problem:
                self.unreached.append(problem)
        elif op == "EMC" and self.covered:
            self.covered.pop()
        elif op == "Tf":
            self.font = str(operands[0])
        if op in _PAINTING and not self.covered:
            self.outside[op] += 1
        if op in ("TJ", "Tj") and not (self.covered and self.covered[-1]) \
                and _ends_with_hyphen(operands, self.hyphen_codes.get(self.font, set())):
            self.hyphenated += 1


def _page_problems(number: int, page: pikepdf.Page, parents: pikepdf.Object | None,
                   reachable: set[tuple[int, int]]) -> Iterator[str]:
    scan = _PageScan(parents, reachable, _hyphen_codes(page))
    for operands, operator in pikepdf.parse_content_stream(page):
        scan.step(list(operands), str(operator))
    yield from (f"01-004: page {number}: {problem}" for problem in scan.unreached)
    if scan.outside:
        yield f"01-005: page {number}: content neither tagged nor an artifact ({dict(scan.outside)})"
    if scan.hyphenated:
        yield f"hyphenation: page {number}: {scan.hyphenated} line(s) end in an automatic hyphen without /ActualText"
    if "/Annots" in page.obj and str(page.obj.get("/Tabs", "")) != "/S":
        yield f"28-001?: page {number} has annotations but /Tabs is not /S"


def _page_content(pdf: pikepdf.Pdf, structure: Structure) -> Iterator[str]:
    parent_tree = _parent_tree(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        parents = parent_tree.get(int(key)) if key is not None else None
        yield from _page_problems(number, page, parents, structure.reachable)


def _has_kid(element: pikepdf.Object, kind: str) -> bool:
    return any(isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == pikepdf.Name(f"/{kind}")
               for kid in _kids(element))


def _element_problems(element: pikepdf.Dictionary, kind: str, role_map: pikepdf.Object) -> Iterator[str]:
    if kind not in STANDARD_TYPES and f"/{kind}" not in role_map:
        yield f"02-001: structure type {kind} is neither standard nor role-mapped"
    if kind == "Figure" and not str(element.get("/Alt", "")).strip() and "/ActualText" not in element:
        yield "13-004: a Figure has no alternative text"
    if kind == "TH":
        attributes = element.get("/A")
        attribute_list = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
        if not any(isinstance(a, pikepdf.Dictionary) and "/Scope" in a for a in attribute_list):
            yield "15-003: a table header (TH) has no /Scope"
    if kind == "Note":
        if "/ID" not in element:
            yield "19-003: a Note has no /ID"
        elif not _has_kid(element, "Lbl") and not str(element.ID).rpartition("-part-")[2].isdigit():
            yield f"19: Note {element.ID} does not start with its number as a label (Lbl)"


def _elements(structure: Structure, role_map: pikepdf.Object) -> Iterator[str]:
    ids: Counter[str] = Counter()
    previous = 0
    for element in structure.elements:
        kind = str(element.S)[1:]
        yield from _element_problems(element, kind, role_map)
        if kind == "Note" and "/ID" in element:
            ids[str(element.ID)] += 1
        if re.fullmatch(r"H[1-6]", kind):
            if int(kind[1]) > previous + 1:
                yield f"14-003: heading level {kind} follows H{previous or '(none)'}"
            previous = int(kind[1])
    yield from (f"19-004: Note ID {note_id} is used {count} times" for note_id, count in ids.items() if count > 1)


def _annotations(pdf: pikepdf.Pdf, structure: Structure) -> Iterator[str]:
    parent_tree = _parent_tree(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            parent = parent_tree.get(int(annotation.get("/StructParent", -1)))
            if not isinstance(parent, pikepdf.Dictionary) or parent.get("/S") != "/Link" \
                    or parent.objgen not in structure.reachable:
                yield f"28-011: page {number}: a link annotation is not inside a Link structure element"
            contents = str(annotation.get("/Contents", "")).strip()
            target = str(annotation.get("/A", {}).get("/URI", "") or annotation.get("/Dest", ""))
            if not contents:
                yield f"28-008?: page {number}: a link annotation has no /Contents description"
            elif contents in (target, target.lstrip("/")):
                yield f"28-008?: page {number}: link description is its raw target {contents!r}"


def _outline(pdf: pikepdf.Pdf) -> Iterator[str]:
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            stack.extend(item.children)
            if _GLUED_NUMBER.search(item.title or ""):
                yield f"outline: bookmark {item.title!r} ends in a number glued to a word (a footnote call?)"


def _fonts(pdf: pikepdf.Pdf) -> Iterator[str]:
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for font in _all_fonts(page.obj.get("/Resources", {}), set()):
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor", {})
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                yield f"31-009: font {font.get('/BaseFont')} is not embedded"


def _all_fonts(resources: pikepdf.Object, visited: set[tuple[int, int]]) -> Iterator[pikepdf.Object]:
    yield from resources.get("/Font", {}).values()
    for xobject in resources.get("/XObject", {}).values():
        if xobject.objgen in visited or xobject.get("/Subtype") != "/Form":
            continue
        visited.add(xobject.objgen)
        yield from _all_fonts(xobject.get("/Resources", {}), visited)


def check_pdf(source: bytes | Path) -> list[str]:
    """Every problem found, one message each; an empty list when the PDF passes."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        problems += _catalog(pdf)
        if "/StructTreeRoot" in pdf.Root:
            structure = _structure(pdf)
            problems += _page_content(pdf, structure)
            problems += _elements(structure, pdf.Root.StructTreeRoot.get("/RoleMap", pikepdf.Dictionary()))
            problems += _annotations(pdf, structure)
        problems += _outline(pdf)
        problems += _fonts(pdf)
    return problems
