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
