"""en-GB formatting of dates and numbers."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def long_date(value: dt.date) -> str:
    """2017-03-02 -> '2 March 2017'."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def number(value: float | int, decimals: int) -> str:
    """en-GB grouping and fixed decimals; hyphen-minus for negatives (the bundled font has no U+2212)."""
    text = f"{abs(value):,.{decimals}f}"
    return f"-{text}" if value < 0 and float(text.replace(",", "")) != 0 else text


def slugify(text: str, *, max_length: int = 80) -> str:
    """Safe ASCII slug for anchors and file names: lower-case letters, digits, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "section"
