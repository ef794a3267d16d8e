"""en-GB formatting of dates and numbers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """2017-03-02 -> '2 March 2017'."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def number(value: float | int, decimals: int) -> str:
    """en-GB grouping and fixed decimals; hyphen-minus for negatives (the bundled font has no U+2212)."""
    # Decimal formats any whole number exactly; a float of a huge int would overflow.
    text = f"{Decimal(abs(value)) if isinstance(value, int) else abs(value):,.{decimals}f}"
    return f"-{text}" if value < 0 and float(text.replace(",", "")) != 0 else text


def slugify(text: str, *, max_length: int = 80) -> str:
    """Safe ASCII slug for anchors and file names: lower-case letters, digits, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "section"


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def ordinal(n: int) -> str:
    """1 -> '1st', 12 -> '12th', 23 -> '23rd' (English)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def measure(value: float, *, unit: str, decimals: int, percent_style: str = "percent",
            scale: str | None = None) -> str:
    """A value in the report's house style: '20.2 percent', '£143 million', '1,234'."""
    if unit == "gbp":
        divisor = SCALES.get(scale or "", 1)
        text = f"£{number(value / divisor, decimals)}"
        return f"{text} {scale}" if scale else text
    text = number(value, decimals)
    if unit == "percent":
        return f"{text}%" if percent_style == "%" else f"{text} {percent_style}"
    return text


def unit_label(unit: str, per: str | None, percent_style: str = "percent") -> str:
    """Axis and table label for a unit: 'Percent', 'Rate per 1,000 population', '£'."""
    if unit == "percent":
        return "Percentage" if percent_style != "%" else "%"
    if unit == "rate":
        return f"Rate per {per}" if per else "Rate"
    if unit == "gbp":
        return "£"
    return "Number"
