"""How wide text is, from the bundled Noto Sans's own advance widths.

Charts lay out their labels before any renderer sees them, so they measure text
themselves: the advance width of each character in the font the SVG names first (and
the PNG writer draws with). Kerning is left out; it narrows a label by a few per cent at
most, and every margin here has more room than that. A character the font lacks counts
as the width of a capital M, so an unusual label gets more room, never less.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from peelgen.assets import builtin_dir

FACES = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic", (True, True): "BoldItalic"}


@dataclass(frozen=True, slots=True)
class FontMetrics:
    """Sizes as fractions of the font size (the em)."""

    advances: dict[int, float]  # by code point
    fallback: float  # for a character the font lacks
    ascent: float
    descent: float  # positive: how far below the baseline
    cap_height: float


def font_file(bold: bool = False, italic: bool = False) -> str:
    return str(builtin_dir("styles") / "fonts" / f"NotoSans-{FACES[bold, italic]}.ttf")


@functools.cache
def metrics(bold: bool = False, italic: bool = False) -> FontMetrics:
    from fontTools.ttLib import TTFont

    with TTFont(font_file(bold, italic), lazy=True) as font:
        em = font["head"].unitsPerEm
        widths = font["hmtx"].metrics
        advances = {code: widths[glyph][0] / em for code, glyph in font.getBestCmap().items()}
        return FontMetrics(advances, advances.get(ord("M"), 1.0), font["hhea"].ascent / em,
                           -font["hhea"].descent / em, font["OS/2"].sCapHeight / em)


def text_width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """The width of one line of ``text`` at ``size`` points, in points."""
    font = metrics(bold, italic)
    return size * sum(font.advances.get(ord(c), font.fallback) for c in text)


ELLIPSIS = "\u2026"


def wrap(text: str, width: float, size: float, *, bold: bool = False, max_lines: int = 3) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` points, at most
    ``max_lines`` of them. A word too wide for a line, or text left over after the last
    line, is cut short with an ellipsis: a chart has a fixed room for each label, and the
    full text is in the chart's description and its data table."""
    words = text.split()
    if not words:
        return [text] if text else []
    lines = [words[0]]
    for word in words[1:]:
        candidate = f"{lines[-1]} {word}"
        if text_width(candidate, size, bold=bold) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], " ".join(lines[max_lines - 1:])]
    return [shorten(line, width, size, bold=bold) for line in lines]


def shorten(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` if it fits in ``width`` points, else as much of it as fits with an ellipsis."""
    if text_width(text, size, bold=bold) <= width:
        return text
    font = metrics(bold)
    room = width / size - font.advances.get(ord(ELLIPSIS), font.fallback)
    used, cut = 0.0, 0
    for cut, character in enumerate(text):  # noqa: B007 - the loop's end is the answer
        used += font.advances.get(ord(character), font.fallback)
        if used > room:
            break
    return text[:cut].rstrip() + ELLIPSIS
