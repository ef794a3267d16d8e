"""Render stage, PDF: work-arounds for upstream performance problems.

Each patch is applied only if the upstream code is found exactly as it was when the
patch was written, and changes no output byte; tests/test_speedups.py fails when an
upgrade changes the patched code, so the patch is then looked at again (and dropped
once upstream has fixed the problem). The upstream report is in docs/performance.md.
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
