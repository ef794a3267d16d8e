"""Render stage, PDF: work-arounds for upstream performance problems.

Each patch is applied only if the upstream code is found exactly as it was when the
patch was written, and changes nothing a reader sees: the page references and stream
patches change no output byte; grouping leader dots draws every dot where it was, with
fewer text runs. tests/test_speedups.py fails when an upgrade changes the patched
code, so the patch is then looked at again (and dropped once upstream has fixed the
problem). The upstream reports are in docs/performance.md.
"""

from __future__ import annotations

import functools
import inspect
import textwrap
from typing import Any

# pydyf 0.13 (WeasyPrint 66 and 70): every read of PDF.page_references builds a tuple of
# the references of *all* pages. WeasyPrint's PDF/UA tagger reads it once per structure
# element, and the link writer once per link, so tagging a report costs
# elements x pages: a quadratic that made tagging grow 31 times for 7.6 times the pages.
PAGE_REFERENCES_SOURCE = '''\
@property
def page_references(self):
    return tuple(
        f'{object_number} 0 R'.encode('ascii')
        for object_number in self.pages['Kids'][::3])
'''


def _source(function: Any) -> str | None:
    try:
        return textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None


@functools.cache
def remember_page_references() -> bool:
    """Make ``pydyf.PDF.page_references`` compute its tuple once per page count.

    Pages are only ever appended to a PDF's ``Kids`` array (three items each), so a
    tuple made for the current length is still right; it is made again when a page is
    added, and never shared between documents. Returns whether the patch is in place."""
    import pydyf

    prop = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(prop, property) or _source(prop.fget) != PAGE_REFERENCES_SOURCE:
        return False
    build_references = prop.fget

    def page_references(self: Any) -> tuple[bytes, ...]:
        kids = self.pages["Kids"]
        remembered = self.__dict__.get("_peelgen_page_references")
        if remembered is not None and remembered[0] is kids and remembered[1] == len(kids):
            return remembered[2]
        references = build_references(self)
        self.__dict__["_peelgen_page_references"] = (kids, len(kids), references)
        return references

    page_references.__doc__ = "Page references, made once per page count (peelgen.speedups)."
    pydyf.PDF.page_references = property(page_references)
    return True


# WeasyPrint 66-70: a leader (`content: leader(".")`) is laid out as one text box per
# dot, each a copy of the whole box, drawn as its own text run and marked-content
# sequence. A contents line has about 150 dots, so the contents page of a long report
# held tens of thousands of boxes (15 MB in a report twice the 2016 example's size,
# ~10 % of its memory), and as many text runs and marked-content ids in the PDF.
LEADER_GROUP = 8  # dots drawn as one text run


def _leader_source_ok() -> bool:
    import hashlib

    from weasyprint.layout import leader

    source = _source(leader.handle_leader)
    return source is not None and hashlib.sha256(source.encode()).hexdigest() == HANDLE_LEADER_SHA256


HANDLE_LEADER_SHA256 = "e4bf5941eb946d0b2029b21c3613f384d6157edb01d98add8d3bfa120ac3e571"


def _grouped(context: Any, unit: Any, count: int) -> Any | None:
    """One text box showing ``count`` copies of the leader's text, or None when its
    width is not exactly ``count`` times the unit's (kerning): then dots stay single."""
    from weasyprint.text.line_break import split_first_line

    layout, length, _, width, _, _ = split_first_line(
        unit.text * count, unit.style, context, None, unit.justification_spacing)
    if length != len((unit.text * count).encode()) or abs(width - count * unit.width) > 1e-6:
        return None
    box = unit.copy_with_text(unit.text * count)
    box.pango_layout, box.width = layout, width
    return box


def _group_leader_boxes(context: Any, line: Any) -> None:
    from weasyprint.layout.leader import leader_index

    _, leader_box = leader_index(line)
    if leader_box is None or len(leader_box.children) < 2 * LEADER_GROUP:
        return
    dots = sorted(leader_box.children, key=lambda box: box.position_x)
    unit = dots[0]
    if any(box.text != unit.text for box in dots):
        return
    grouped = _grouped(context, unit, LEADER_GROUP)
    if grouped is None:
        return
    single = len(dots) % LEADER_GROUP  # the left-most dots stay single: every dot keeps its place
    children = dots[:single]
    for start in range(single, len(dots), LEADER_GROUP):
        box = grouped.copy()
        box.position_x, box.position_y = dots[start].position_x, dots[start].position_y
        children.append(box)
    leader_box.children = tuple(children)


@functools.cache
def group_leader_dots() -> bool:
    """Draw a leader's dots eight to a text box instead of one, in the same places.

    Wraps WeasyPrint's ``handle_leader`` (found by the hash of its source; returns
    False, leaving it alone, for any other version): after it has placed one box per
    dot, consecutive dots from the right are replaced by one box showing eight, at the
    position of the first of them, when eight dots measure exactly eight times one dot.
    The dots print where they did, with an eighth of the leaders' text runs."""
    from weasyprint.layout import inline

    if not _leader_source_ok() or getattr(inline.handle_leader, "__wrapped__", None) is not None:
        return False
    original = inline.handle_leader

    def handle_leader(context: Any, line: Any, containing_block: Any) -> None:
        original(context, line, containing_block)
        _group_leader_boxes(context, line)

    handle_leader.__wrapped__ = original  # type: ignore[attr-defined]
    inline.handle_leader = handle_leader
    return True


# WeasyPrint 70 keeps every page's content stream until the PDF is written, as a list
# with one Python object per operator and operand (about 1,800 a page in the 2016
# example): most of a long report's stream memory is those objects' overhead.
def _compacted(items: list[Any]) -> list[Any]:
    """``items`` with each run of plain operators and operands (bytes, text, numbers)
    joined into one bytes object, as pydyf would join them when writing (``b"\\n"``),
    so the written stream is the same. pydyf objects (dictionaries, arrays, strings),
    which may still change, and the items either side of a dictionary (a marked-content
    sequence's tag and ``BDC``, which peelgen's tagging fixes rewrite) stay as they are."""
    from pydyf import _to_bytes

    out: list[Any] = []
    run: list[bytes] = []
    last = len(items) - 1
    for index, item in enumerate(items):
        around_dictionary = (index < last and isinstance(items[index + 1], dict)) or (
            index > 0 and isinstance(items[index - 1], dict))
        plain = isinstance(item, bytes | str | int | float) and not around_dictionary
        if plain:
            run.append(_to_bytes(item))
            continue
        if run:
            out.append(b"\n".join(run))
            run = []
        out.append(item)
    if run:
        out.append(b"\n".join(run))
    return out


@functools.cache
def compact_page_streams() -> bool:
    """After WeasyPrint paints a page, join its content stream's operators into a few
    bytes objects (:func:`_compacted`); the written PDF is byte for byte the same.
    Applied only if ``Page.paint`` is the code it was written for."""
    import pydyf
    from weasyprint import document

    paint = document.Page.__dict__.get("paint")
    if _source(paint) != PAGE_PAINT_SOURCE or not callable(getattr(pydyf, "_to_bytes", None)):
        return False

    def compacting_paint(self: Any, stream: Any, scale: float = 1) -> None:
        paint(self, stream, scale)
        stream.stream = _compacted(stream.stream)

    compacting_paint.__wrapped__ = paint  # type: ignore[attr-defined]
    document.Page.paint = compacting_paint
    return True


PAGE_PAINT_SOURCE = '''\
def paint(self, stream, scale=1):
    """Paint the page into the PDF file."""
    with stream.stacked():
        stream.transform(a=scale, d=scale)
        draw_page(self._page_box, stream)
'''
