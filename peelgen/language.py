"""Languages: a catalogue of every word peelgen writes, and the language's formats.

A catalogue is a YAML file, ``peelgen/languages/<tag>.yaml`` (or one in a folder on
``PEELGEN_LANGUAGES_PATH``), with a ``language:`` block (its tag, Babel locale, date
patterns, ordinals, whether to hyphenate) and a ``labels:`` block with every label
and sentence (the fields of :class:`peelgen.framework.Labels`). Dates, numbers and
plural categories come from Babel (CLDR), so a language needs no Python.

Why YAML catalogues rather than gettext: peelgen's words are keyed by meaning
(``areas_for_improvement``), not by their English text, and they are the same data a
framework's ``labels:`` and a report's ``wording.labels`` replace, so a report, a
framework and a language all override words the same way, with the same located
errors. Plural forms use CLDR's categories, which Babel evaluates for any locale
(Welsh has six: zero, one, two, few, many, other).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

from babel import Locale
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peelgen.assets import search_path, yaml_files
from peelgen.diagnostics import BuildFailed, Diagnostic, suggest
from peelgen.load import load_yaml

BUILTIN_DIR = Path(__file__).with_name("languages")
DEFAULT_LANGUAGE = "en-GB"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_DATE_FIELD = re.compile(r"'(?:[^']|'')*'|d+|M+|y+")


class LanguageInfo(BaseModel):
    """The ``language:`` block of a catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tag: str = Field(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$", description="BCP 47 tag: the page's lang, the PDF's /Lang.")
    name: str = Field(description="The language's name in itself, e.g. Cymraeg.")
    english_name: str = Field(description="Its name in English, for messages to authors.")
    babel_locale: str = Field(description="Babel (CLDR) locale for dates, numbers and plural rules, e.g. cy.")
    hyphenate: bool = Field(description="Hyphenate in print (needs a pyphen dictionary for the language).")
    date_format: str = Field(description="CLDR pattern of a full date, e.g. 'd MMMM y'.")
    month_year_format: str = Field(description="CLDR pattern of a month and year, e.g. 'MMMM y'.")
    ordinals: dict[str, str] = Field(description=(
        "By CLDR ordinal category: a pattern with {n}, e.g. '{n}st'; a key that is a number "
        "(e.g. '12') is an exception for that number, for languages whose suffixes CLDR's "
        "categories do not capture (Welsh 12fed, 13eg)."))
    review_note: str | None = Field(None, description="For translators: who should check this catalogue.")
    framework_language: str | None = Field(None, description=(
        "The language whose framework text this one reads, for a variant of a language that has it "
        "(an en-US catalogue reading the English frameworks); by default, frameworks' translations "
        "into this language."))


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitWords(_Words):
    """How values and their axes are written: patterns with {value} (or {per})."""

    percent: str = Field(description="report style 'percent': '{value} percent'.")
    per_cent: str = Field(description="report style 'per cent': '{value} per cent'.")
    percent_sign: str = Field(description="report style '%': '{value}%'.")
    money: str = Field(description="Pounds sterling: '£{value}'.")
    thousand: str = Field(description="A scaled value: '{value} thousand'.")
    million: str
    billion: str
    axis_percent: str = Field(description="Axis and table label of percentages written as words.")
    axis_percent_sign: str = Field(description="The same where the report writes '%'.")
    axis_rate: str = Field(description="A rate with no 'per'.")
    axis_rate_per: str = Field(description="A rate: 'Rate per {per}'.")
    axis_money: str
    axis_count: str

    def scaled(self, scale: str, value: str) -> str:
        return {"thousand": self.thousand, "million": self.million, "billion": self.billion}[scale].format(value=value)


class ListWords(_Words):
    """How a list of names is joined: 'A, B and C' (CLDR's list patterns, with {0} and {1})."""

    middle: str = Field(description="Between all but the last two names: '{0}, {1}'.")
    end: str = Field(description="Between the last two: '{0} and {1}'.")
    end_before_vowel: str = Field(description="Between the last two when the last begins with a vowel "
                                               "(Welsh 'a' becomes 'ac'): '{0} ac {1}'.")
    vowels: str = Field(description="The letters end_before_vowel looks for (empty: never).")

    def join(self, names: list[str]) -> str:
        """'A, B and C'; Welsh 'A, B a C', 'A ac Ynys Môn'."""
        if len(names) <= 1:
            return "".join(names)
        last = names[-1]
        vowel = bool(self.vowels) and last[:1].lower() in self.vowels
        return (self.end_before_vowel if vowel else self.end).format(self.series(names[:-1]), last)

    def series(self, names: list[str]) -> str:
        """Names with the middle pattern only, as a list after a colon: 'A, B, C'."""
        text = names[0] if names else ""
        for name in names[1:]:
            text = self.middle.format(text, name)
        return text


class Language:
    """A loaded catalogue: its formats and its labels (raw data, merged under a framework's)."""

    def __init__(self, info: LanguageInfo, labels: dict[str, Any], path: Path) -> None:
        self.info = info
        self.labels = labels
        self.path = path
        self.locale = Locale.parse(info.babel_locale)

    @property
    def tag(self) -> str:
        return self.info.tag

    def plural_category(self, count: int) -> str:
        """CLDR plural category of a count: 'one', 'other', and in Welsh also 'zero', 'two', 'few', 'many'."""
        return self.locale.plural_form(abs(count))

    def ordinal(self, n: int) -> str:
        """1 -> '1st' (en-GB), '1af' (cy); a number the catalogue lists itself comes first."""
        forms = self.info.ordinals
        return (forms.get(str(n)) or forms.get(self.locale.ordinal_form(n)) or forms["other"]).format(n=n)

    @functools.cached_property
    def number_symbols(self) -> tuple[str, str]:
        """The locale's (group, decimal) symbols from CLDR: (',', '.') in en-GB and cy."""
        symbols = self.locale.number_symbols
        latin = symbols.get("latn", symbols)  # Babel 2.14+ keys symbols by numbering system
        return latin["group"], latin["decimal"]

    def number(self, value: float | int, decimals: int = 0) -> str:
        """1234.5 -> '1,234.5' with the locale's symbols; fixed decimals."""
        from peelgen.formatting import number

        group, decimal = self.number_symbols
        return number(value, decimals, group=group, decimal=decimal)

    def long_date(self, value: dt.date) -> str:
        """2017-03-02 -> '2 March 2017' (en-GB), '2 Mawrth 2017' (cy)."""
        return self.format_date(value, self.info.date_format)

    def month_year(self, value: dt.date) -> str:
        return self.format_date(value, self.info.month_year_format)

    def format_date(self, value: dt.date, pattern: str) -> str:
        """A date by a CLDR pattern of day (d, dd), month (M, MM, MMM, MMMM) and year (y, yyyy)
        fields, with the locale's month names. (babel.dates would do it, but importing it
        reads the machine's time zone file, a read outside the places a build may touch.)"""
        months = self.locale.months["format"]

        def field(match: re.Match[str]) -> str:
            token = match.group(0)
            if token.startswith("'"):
                return token[1:-1].replace("''", "'") or "'"
            width = len(token)
            if token[0] == "d":
                return f"{value.day:0{width}d}"
            if token[0] == "y":
                return f"{value.year:0{width}d}" if width > 2 else str(value.year)
            if width >= 3:
                return months["wide" if width == 4 else "abbreviated"][value.month]
            return f"{value.month:0{width}d}"

        return _DATE_FIELD.sub(field, pattern)

    def __repr__(self) -> str:  # in cache keys and error messages
        return f"Language({self.tag!r})"


def search_dirs() -> list[Path]:
    return search_path("PEELGEN_LANGUAGES_PATH", BUILTIN_DIR)


def available() -> dict[str, Path]:
    """Language tag -> catalogue file, the first folder on the search path winning."""
    return yaml_files(search_dirs())


@functools.lru_cache(maxsize=16)
def _load_file(path: Path, mtime_ns: int) -> Language:
    loaded = load_yaml(path)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    try:
        info = LanguageInfo.model_validate(data.get("language"))
    except ValidationError as error:
        raise BuildFailed([loaded.source.diagnostic(("language", *e["loc"]), f"language catalogue: {e['msg']}")
                           for e in error.errors()]) from None
    if info.tag != path.stem:
        raise BuildFailed([loaded.source.diagnostic(
            ("language", "tag"), f"catalogue tag '{info.tag}' must match its file name '{path.stem}'")])
    labels = data.get("labels")
    if not isinstance(labels, dict):
        raise BuildFailed([loaded.source.diagnostic(("labels",), "a catalogue needs a 'labels:' mapping")])
    return Language(info, labels, path)


def load_language(tag: str = DEFAULT_LANGUAGE) -> Language:
    """The catalogue for ``tag``; raises :class:`BuildFailed` if there is none or it is broken."""
    files = available()
    path = files.get(tag)
    if path is None:
        raise BuildFailed([Diagnostic(
            "<language>", f"no catalogue for language '{tag}'",
            hint=suggest(tag, list(files)) or f"languages: {', '.join(files)} (docs/languages.md)")])
    return _load_file(path, path.stat().st_mtime_ns)


def report_language(data: Any) -> str:
    """The language a report's loaded YAML is built in, as validate reads it: its
    ``meta.language`` if there is a catalogue for it, else the default (validate says why)."""
    meta = data.get("meta") if isinstance(data, dict) else None
    tag = meta.get("language") if isinstance(meta, dict) else None
    return tag if isinstance(tag, str) and tag in available() else DEFAULT_LANGUAGE
