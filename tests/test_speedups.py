"""peelgen.speedups: upstream work-arounds that must apply, and must change nothing.

If a test here fails after upgrading pydyf or WeasyPrint, the patched code has changed
upstream: check whether the problem is fixed (docs/performance.md has the report), and
drop or update the patch.
"""

from __future__ import annotations

import pydyf

from peelgen import speedups


def test_page_references_patch_applies_to_the_installed_pydyf():
    # Fails when pydyf's page_references is no longer the code the patch was written for.
    assert speedups.remember_page_references()
    assert pydyf.PDF.page_references.fget.__doc__.endswith("(peelgen.speedups).")


def _page(pdf: pydyf.PDF) -> None:
    page = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference})
    pdf.add_page(page)


def test_page_references_are_the_same_and_follow_new_pages():
    speedups.remember_page_references()
    pdf = pydyf.PDF()
    _page(pdf)
    first = pdf.page_references
    assert first == (f"{pdf.pages['Kids'][0]} 0 R".encode(),)
    assert pdf.page_references is first  # remembered, not rebuilt
    _page(pdf)
    _page(pdf)
    expected = tuple(f"{number} 0 R".encode() for number in pdf.pages["Kids"][::3])
    assert pdf.page_references == expected and len(expected) == 3
    other = pydyf.PDF()
    _page(other)
    assert other.page_references == (f"{other.pages['Kids'][0]} 0 R".encode(),)  # its own, not pdf's


LEADERS = """<html lang="en"><style>
@page { size: 120mm 60mm; margin: 10mm }
a::after { content: leader(".") " " target-counter(attr(href url), page); }
</style><body><p><a href="#x">A short title</a></p><p><a href="#x">A title long enough for
two lines of text in this narrow page, so that the leader follows on the second</a></p>
<p id="x">Target</p></body></html>"""


def _dot_positions(pages) -> list[list[float]]:
    """Where each dot of each leader starts, in reading order."""
    from weasyprint.formatting_structure import boxes

    found = []

    def walk(box):
        if getattr(box, "is_leader", False):
            found.append(sorted(round(child.position_x + index * child.width / len(child.text), 3)
                                for child in box.children for index in range(len(child.text))))
        for child in getattr(box, "children", ()) or ():
            walk(child)

    for page in pages:
        walk(page._page_box)
    assert all(isinstance(page._page_box, boxes.PageBox) for page in pages)
    return found


def test_leader_dots_are_grouped_in_the_same_places():
    from weasyprint import HTML
    from weasyprint.layout import inline

    assert speedups.group_leader_dots()  # fails when WeasyPrint's handle_leader changes
    patched = inline.handle_leader
    grouped = HTML(string=LEADERS).render().pages
    inline.handle_leader = patched.__wrapped__
    try:
        single = HTML(string=LEADERS).render().pages
    finally:
        inline.handle_leader = patched
    assert _dot_positions(grouped) == _dot_positions(single)
    assert len(_dot_positions(single)) == 2 and all(len(dots) > 2 * speedups.LEADER_GROUP
                                                    for dots in _dot_positions(single))
    runs = [len(leader.children) for page in grouped for leader in _leaders(page._page_box)]
    assert all(run < speedups.LEADER_GROUP * 2 + 4 for run in runs)  # far fewer boxes than dots


def _leaders(box):
    if getattr(box, "is_leader", False):
        yield box
    for child in getattr(box, "children", ()) or ():
        yield from _leaders(child)


def test_page_stream_compaction_applies_and_writes_the_same_bytes():
    assert speedups.compact_page_streams()  # fails when WeasyPrint's Page.paint changes
    marked = pydyf.Dictionary({"MCID": 3})
    text = pydyf.String("kept as an object")
    items = [b"q", "/F1 9 Tf", 1.5, 2.0, 7, b"Tm", "/P", marked, b"BDC", b"BT", text, b"Tj", b"ET", b"EMC", b"Q"]
    compacted = speedups._compacted(items)
    stream, same = pydyf.Stream(items), pydyf.Stream(compacted)
    assert same.data == stream.data
    assert len(compacted) < len(items)
    position = compacted.index(marked)  # the marked-content sequence can still be rewritten
    assert compacted[position - 1] == "/P" and compacted[position + 1] == b"BDC"
    assert text in compacted
