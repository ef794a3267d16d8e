"""How wide text is, from the bundled Noto Sans's own advance widths.

Charts lay out their labels before any renderer sees them, so they measure text
themselves: the advance width of each character in the font the SVG names first (and
the PNG writer draws with). Kerning is left out; it narrows a label by a few per cent at
most, and every margin here has more room than that. A character the font lacks counts
as the width of a capital M, so an unusual label gets more room, never less.
"""

from __future__ import annotations

import functools
import textwrap
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


def wrap(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` points where it can
    be: a single word wider than that keeps a line of its own."""
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
    return lines


def wrap_chars(text: str, characters: int) -> list[str]:
    """``text`` in lines of at most ``characters`` characters (for sizes chosen by count)."""
    return textwrap.wrap(text, characters) or [text]
