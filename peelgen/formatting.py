"""Numbers and measures in a language's formats, and slugs. (Dates: :class:`peelgen.language.Language`.)"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peelgen.framework import UnitWords
    from peelgen.language import Language


def number(value: float | int, decimals: int, *, group: str = ",", decimal: str = ".") -> str:
    """Grouped, with fixed decimals; hyphen-minus for negatives (the bundled font has no
    U+2212). A report's numbers use its language's symbols (:meth:`Language.number`);
    these defaults are for messages to authors."""
    # Decimal formats any whole number exactly; a float of a huge int would overflow.
    text = f"{Decimal(abs(value)) if isinstance(value, int) else abs(value):,.{decimals}f}"
    negative = value < 0 and float(text.replace(",", "")) != 0
    if (group, decimal) != (",", "."):
        text = text.translate({ord(","): "\0", ord("."): decimal}).replace("\0", group)
    return f"-{text}" if negative else text


def slugify(text: str, *, max_length: int = 80) -> str:
    """Safe ASCII slug for anchors and file names: lower-case letters, digits, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "section"


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


class Formats:
    """Numbers and measures in a report's language: CLDR's symbols (via the language)
    and the catalogue's unit words (``labels.units``)."""

    def __init__(self, language: Language, units: UnitWords) -> None:
        self.language, self.units = language, units

    def number(self, value: float | int, decimals: int = 0) -> str:
        return self.language.number(value, decimals)

    def measure(self, value: float, *, unit: str, decimals: int, percent_style: str = "percent",
                scale: str | None = None) -> str:
        """A value in the report's house style: '20.2 percent', '£143 million', '1,234'."""
        words = self.units
        if unit == "gbp":
            divisor = SCALES.get(scale or "", 1)
            text = words.money.format(value=self.number(value / divisor, decimals))
            return words.scaled(scale, text) if scale else text
        text = self.number(value, decimals)
        if unit == "percent":
            style = {"%": words.percent_sign, "per cent": words.per_cent}.get(percent_style, words.percent)
            return style.format(value=text)
        return text

    def unit_label(self, unit: str, per: str | None, percent_style: str = "percent") -> str:
        """Axis and table label for a unit: 'Percentage', 'Rate per 1,000 population', '£'."""
        words = self.units
        if unit == "percent":
            return words.axis_percent if percent_style != "%" else words.axis_percent_sign
        if unit == "rate":
            return words.axis_rate_per.format(per=per) if per else words.axis_rate
        if unit == "gbp":
            return words.axis_money
        return words.axis_count


@functools.cache
def default_formats() -> Formats:
    """Formats in the default language (en-GB), for callers with no report."""
    from peelgen.framework import UnitWords
    from peelgen.language import load_language

    language = load_language()
    return Formats(language, UnitWords.model_validate(language.labels["units"]))


def measure(value: float, *, unit: str, decimals: int, percent_style: str = "percent",
            scale: str | None = None, formats: Formats | None = None) -> str:
    """:meth:`Formats.measure` in ``formats`` (default: the default language's)."""
    return (formats or default_formats()).measure(value, unit=unit, decimals=decimals,
                                                  percent_style=percent_style, scale=scale)
