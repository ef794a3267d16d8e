"""Make WeasyPrint's tagged PDF meet PDF/UA-1 where WeasyPrint 70 falls short.

Two steps, both inside ``render_pdf.write_pdf``:

1. While WeasyPrint builds the structure tree (``weasyprint.pdf.tags``), ``tagging_fixes``
   wraps its two helpers to tag footnotes as ``Note`` (with their number as ``Lbl`` and
   the note's id as ``/ID``), give table headers a ``/Scope``, and describe every link
   annotation by its accessible name. It also records which marked content belongs to
   page furniture: margin boxes (running heads, page numbers, markings) and elements
   hidden from assistive technology (``aria-hidden="true"``, such as the draft watermark).
   The contents' dot leaders stay tagged, as they are part of each link (and carry its
   annotation), but read as a space (``/ActualText``).
2. ``mark_artifacts`` then edits what WeasyPrint is about to write (a ``finisher``, run
   on the pydyf objects before the file is written): furniture's marked content in the
   page content streams becomes ``/Artifact`` (PDF/UA-1 7.8, Matterhorn checkpoint 18)
   instead of tagged content that no structure element reaches, the structure elements
   WeasyPrint made for it are emptied and left out of the parent tree, and the remaining
   marked-content ids are renumbered. (peelgen used to read the written PDF back with
   pikepdf and write it again: a second copy of the PDF in memory and about 5 % of a
   build's time.)

WeasyPrint leaves margin boxes out of the tree on purpose (its ``tags.py`` says an
artifact there is only allowed in PDF 2.0): marked content is what PDF/UA-1 wants instead.
``tests/test_conformance.py`` checks the result on every example, and
``wrapped_helpers_present`` lets a test fail loudly when an upgrade renames the helpers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_HEADER_SCOPES = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}
_WRAPPED = ("_build_box_tree", "_get_pdf_tag")


@dataclass
class Furniture:
    """Marked-content ids (per page index) that are page furniture, with the artifact
    properties each should get."""

    by_page: dict[int, dict[int, dict[str, str]]] = field(default_factory=dict)

    def add(self, page: int, mcid: int, kind: dict[str, str]) -> None:
        self.by_page.setdefault(page, {})[mcid] = kind


def wrapped_helpers_present() -> bool:
    """Whether WeasyPrint still has the tagging helpers that ``tagging_fixes`` wraps."""
    from weasyprint.pdf import tags

    return all(callable(getattr(tags, name, None)) for name in _WRAPPED)


def _text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def accessible_name(element: Any) -> str:
    """A link's name as a screen reader announces it: its aria-label, else its text."""
    return " ".join((element.get("aria-label") or "").split()) or _text_of(element)


def _pdf_tag(original: Any, element_tag: str | None) -> str:
    if element_tag:
        if element_tag.endswith("::footnote-marker"):
            return "Lbl"
        if element_tag.endswith("::footnote-call"):
            return "Reference"
    return original(element_tag)


def _marked_ids(box: Any, tags: dict[Any, Any]) -> Iterator[int]:
    """Marked-content ids of ``box`` and its descendants on this page."""
    if box in tags:
        yield tags[box]["mcid"]
    for child in getattr(box, "children", None) or ():
        yield from _marked_ids(child, tags)


def _furniture_kind(box: Any, boxes_module: Any) -> dict[str, str] | None:
    if isinstance(box, boxes_module.MarginBox):
        subtype = "/Header" if box.at_keyword.startswith("@top") else "/Footer"
        return {"/Type": "/Pagination", "/Subtype": subtype}
    element = box.element
    if element is not None and element.get("aria-hidden") == "true" and not box.element_tag.count("::"):
        if box.style["position"] == "fixed":  # repeated on every page: a watermark
            return {"/Type": "/Pagination", "/Subtype": "/Watermark"}
        return {}
    return None


def _fix_element(box: Any, element: Any, note_ids: set[str]) -> None:
    import pydyf

    html = box.element
    if html is None:
        return
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:  # also on a link's ::before and ::after boxes
        name = accessible_name(html)
        if name:
            annotation["Contents"] = pydyf.String(name)
    if getattr(box, "is_leader", False):
        element["ActualText"] = pydyf.String(" ")
    if box.element_tag.count("::"):
        return
    classes = (html.get("class") or "").split()
    if "footnote" in classes and html.get("id"):
        element["S"] = "/Note"
        element["ID"] = pydyf.String(_unique(html.get("id"), note_ids))
    if element["S"] == "/TH":
        element["A"]["Scope"] = _HEADER_SCOPES.get(html.get("scope", "")) or _default_scope(html)


def _default_scope(cell: Any) -> str:
    """A header cell without ``scope``: a row header in the table body, else a column's."""
    row = cell.getparent()
    group = row.getparent() if row is not None else None
    return "/Row" if group is not None and group.tag == "tbody" else "/Column"


def _unique(wanted: str, used: set[str]) -> str:
    """A footnote split over two pages is two Note elements; IDs must stay unique."""
    candidate, part = wanted, 1
    while candidate in used:
        part += 1
        candidate = f"{wanted}-part-{part}"
    used.add(candidate)
    return candidate


@contextlib.contextmanager
def tagging_fixes(furniture: Furniture) -> Iterator[None]:
    """Patch WeasyPrint's tagger for one ``write_pdf`` call (see the module docstring).

    The patch is process-wide while it lasts; peelgen builds in parallel with processes,
    never with threads, so one PDF is tagged at a time in each process."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags as tags_module

    original_build = tags_module._build_box_tree
    original_tag = tags_module._get_pdf_tag
    note_ids: set[str] = set()

    def build(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any, annotations: Any,
              tags: Any) -> Iterator[Any]:
        inner = box._box if isinstance(box, AbsolutePlaceholder) else box
        kind = _furniture_kind(inner, boxes)
        if kind is not None:
            for mcid in _marked_ids(inner, tags):
                furniture.add(page_number, mcid, kind)
        elements = list(original_build(box, parent, pdf, page_number, nums, annotations, tags))
        if kind is not None and not isinstance(inner, boxes.MarginBox):
            return  # left out of the tree, as WeasyPrint does with margin boxes
        for element in elements:
            _fix_element(inner, element, note_ids)
            yield element

    tags_module._build_box_tree = build
    tags_module._get_pdf_tag = lambda tag: _pdf_tag(original_tag, tag)
    try:
        yield
    finally:
        tags_module._build_box_tree = original_build
        tags_module._get_pdf_tag = original_tag


def _object(pdf: Any, reference: Any) -> Any:
    """The pydyf object a reference (``b"12 0 R"``) names."""
    return pdf.objects[int(reference.split()[0])]


def _is_reference(item: Any) -> bool:
    return isinstance(item, bytes | str) and item.endswith(b" R" if isinstance(item, bytes) else " R")


def _reachable(pdf: Any, root: Any) -> dict[int, Any]:
    """Structure elements reachable from the structure tree's root, by object number."""
    found: dict[int, Any] = {}
    stack = [kid for kid in root["K"] if _is_reference(kid)]
    while stack:
        element = _object(pdf, stack.pop())
        if not isinstance(element, dict) or "S" not in element or element.number in found:
            continue
        found[element.number] = element
        stack.extend(kid for kid in element.get("K", ()) if _is_reference(kid))
    return found


def _artifact_properties(kind: dict[str, str]) -> Any:
    import pydyf

    return pydyf.Dictionary({key.lstrip("/"): value for key, value in kind.items()})


def _rewrite_stream(stream: Any, furniture: dict[int, dict[str, str]], renumber: dict[int, int]) -> None:
    """Furniture's marked content becomes an artifact; the rest is renumbered. WeasyPrint
    writes each ``/Tag <</MCID n>> BDC`` as three items of the stream's list."""
    items = stream.stream
    out: list[Any] = []
    index = 0
    while index < len(items):
        item = items[index]
        if isinstance(item, dict) and "MCID" in item and index + 1 < len(items) and items[index + 1] == b"BDC" \
                and out and isinstance(out[-1], str) and out[-1].startswith("/"):
            mcid = int(item["MCID"])
            if mcid not in furniture:
                item["MCID"] = renumber[mcid]
            elif furniture[mcid]:
                out[-1] = "/Artifact"
                item = _artifact_properties(furniture[mcid])
            else:
                out[-1] = "/Artifact"
                out.append(b"BMC")
                index += 2
                continue
        out.append(item)
        index += 1
    stream.stream = out


def _renumber_kids(element: Any, renumbers: dict[bytes, dict[int, int]]) -> None:
    numbers = renumbers.get(element.get("Pg"))
    kids = element.get("K")
    if numbers is None or kids is None:
        return
    for index, kid in enumerate(kids):
        if isinstance(kid, int):
            kids[index] = numbers[kid]


def mark_artifacts(furniture: Furniture) -> Any:
    """Step 2, as a WeasyPrint ``finisher``: called with the document and the pydyf PDF
    after tagging and before anything is written, so the PDF is written once, by
    WeasyPrint, instead of being read back and written again. Turns page furniture
    into artifacts, takes it out of the parent tree, renumbers the remaining marked
    content and empties the structure elements no longer in the tree."""

    def finish(document: Any, pdf: Any) -> None:
        root = _object(pdf, pdf.catalog["StructTreeRoot"])
        reachable = _reachable(pdf, root)
        nums = _object(pdf, root["ParentTree"])["Nums"]
        renumbers: dict[bytes, dict[int, int]] = {}
        for index, number in enumerate(pdf.pages["Kids"][::3]):
            page = pdf.objects[number]
            key = page.get("StructParents")
            if key is None:
                continue
            assert nums[2 * key] == key, "ParentTree is not in page order"
            parents = nums[2 * key + 1]
            page_furniture = dict(furniture.by_page.get(index, {}))
            for mcid, parent in enumerate(parents):
                if int(parent.split()[0]) not in reachable:
                    page_furniture.setdefault(mcid, {})
            kept = [mcid for mcid in range(len(parents)) if mcid not in page_furniture]
            renumber = {old: new for new, old in enumerate(kept)}
            parents[:] = [parents[old] for old in kept]
            renumbers[page.reference] = renumber
            _rewrite_stream(_object(pdf, page["Contents"]), page_furniture, renumber)
        for element in reachable.values():
            _renumber_kids(element, renumbers)
        _empty_unreachable(pdf, reachable, nums)

    return finish


def _empty_unreachable(pdf: Any, reachable: dict[int, Any], nums: Any) -> None:
    """Structure elements outside the tree (page furniture's) are written as empty
    dictionaries: nothing refers to them any more, except the parent tree's entry for
    a link annotation, which is left whole."""
    annotation_parents = {int(item.split()[0]) for item in nums if _is_reference(item)}
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.number not in reachable \
                and obj.number not in annotation_parents:
            obj.clear()


def _texts(box: Any, in_call: bool = False) -> Iterator[tuple[str, bool]]:
    """Text of a laid-out box in order, each piece flagged when it is a footnote call."""
    in_call = in_call or (box.element_tag or "").endswith("::footnote-call")
    text = getattr(box, "text", None)
    if isinstance(text, str):
        yield text, in_call
    for child in getattr(box, "children", None) or ():
        yield from _texts(child, in_call)


def _without_calls(label: str, box: Any) -> str:
    position = 0
    for text, is_call in _texts(box):
        found = label.find(text, position) if text else -1
        if found < 0:
            continue
        if is_call:
            label = label[:found] + label[found + len(text):]
            position = found
        else:
            position = found + len(text)
    return label.strip()


def _bookmarked(box: Any) -> Iterator[Any]:
    if getattr(box, "bookmark_label", None) and box.style["bookmark_level"] != "none":
        yield box
    for child in getattr(box, "children", None) or ():
        yield from _bookmarked(child)


def clean_bookmark_labels(document: Any) -> None:
    """Drop footnote calls from bookmark titles ("Overall judgment2").

    WeasyPrint labels a bookmark with all the text of its heading, the generated number
    of a footnote call included. ``page.bookmarks`` lists the bookmarked boxes in tree
    order; each label is rebuilt without the calls' text (left alone if the lists do
    not line up, so a WeasyPrint change cannot scramble the outline)."""
    for page in document.pages:
        boxes = list(_bookmarked(page._page_box))
        if len(boxes) != len(page.bookmarks):
            continue
        cleaned = []
        for (level, label, position, state), box in zip(page.bookmarks, boxes, strict=True):
            cleaned.append((level, _without_calls(label, box) if label == box.bookmark_label else label,
                            position, state))
        page.bookmarks = cleaned
