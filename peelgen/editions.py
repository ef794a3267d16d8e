"""Paired editions: a report and its other-language edition, in one folder.

A report names its other edition with ``meta.translation`` (``report.yaml`` names
``report.cy.yaml`` and the other way round). Both live in one folder and share its data
files and images.

- Load stage (:func:`load_partner`): the partner's YAML is found and read through the
  folder policy (:mod:`peelgen.folder`: nothing outside the report's folder, symlinks
  resolved, sizes checked before reading), and its ``{from: FILE.csv}`` rows read in.
- Validate stage (:func:`compare`): the partner is validated on its own, must name this
  file back, use the same framework and another language; then the two are compared
  value by value. A translation changes words, never a judgment: every grade, number,
  id, date and the marking must be the same, and so must the number of items in every
  list (recommendations, areas for improvement, findings, rows). Problems are located in
  the edition being validated.

Text (markdown, headings, titles, labels, names) may differ freely, and so may the
keys that only say how an edition is written: ``wording``, ``print``, ``templates``,
``lint`` and ``status``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, FileRefused, format_path
from peelgen.document import EditionLink
from peelgen.folder import Folder
from peelgen.formatting import slugify
from peelgen.language import DEFAULT_LANGUAGE
from peelgen.load import LoadedFile, load_yaml
from peelgen.load_csv import CellProblem, CsvText, read_csv, read_number
from peelgen.load_tables import expand_csv_sources
from peelgen.rules import RULES

if TYPE_CHECKING:
    from peelgen.validate import ValidatedReport

# Top-level keys that say how an edition is written, not what it finds.
_FREE_TOP = {"wording", "print", "templates", "lint", "status"}
_GRADE_KEYS = {"grade", "previous_grade"}
_DATE_KEYS = {"publication_date", "deadline", "last_inspected"}
# Keys whose text values (or lists of text values) are ids and choices, not words.
_ID_KEYS = {"id", "framework", "dataset", "data_source", "stage", "type", "tone", "kind", "unit", "scale",
            "metrics", "measures", "force_in_context", "force_in_numbers", "chart"}
# Mappings keyed by ids (a footnote's id, a covering part's).
_ID_KEYED = {"footnotes", "covering"}
_CSV_KEYS = {"file", "force_grades"}
_JUDGMENT = "a translation cannot change a judgment"


def default_slug(force_short: str, programme_year: str, language: str, edition: EditionLink | None = None) -> str:
    """The output file name when meta.slug is not given: the force and the programme's
    year, and for an edition in another language than English its tag, e.g.
    ``north-wales-20232025-cy``, so that the two editions of a report never overwrite each
    other's outputs. A paired edition's comes with its ``edition`` link: the English
    edition's name with the tag, even where the force's name is translated."""
    if edition is not None:
        return edition.default_slug
    base = slugify(f"{force_short} {programme_year}")
    return base if language == DEFAULT_LANGUAGE else f"{base}-{language.lower()}"


# ---------------------------------------------------------------------------------
# Load stage


@dataclass(frozen=True, slots=True)
class Partner:
    """The other edition as the load stage found it: loaded, or why it could not be."""

    name: str  # as meta.translation gives it
    loaded: LoadedFile | None = None
    problem: Diagnostic | None = None
    folder: Folder | None = None


def _error(loaded: LoadedFile, rule: str, path: DocPath, message: str, *, hint: str | None = None) -> Diagnostic:
    assert rule in RULES, f"rule '{rule}' is not in the catalogue"
    return dataclasses.replace(loaded.source.diagnostic(path, message, hint=hint), rule=rule)


def translation_name(data: Any) -> str | None:
    meta = data.get("meta") if isinstance(data, dict) else None
    name = meta.get("translation") if isinstance(meta, dict) else None
    return name if isinstance(name, str) and name.strip() else None


def load_partner(loaded: LoadedFile) -> Partner | None:
    """The edition ``loaded`` names in meta.translation, read from its folder; None if it
    names none. A file that cannot be read is a :class:`Partner` with its problem."""
    name = translation_name(loaded.data)
    if name is None:
        return None
    here = Path(os.path.realpath(loaded.path))
    folder = Folder.of([here.parent])
    where = ("meta", "translation")
    try:
        real = folder.locate(name, suffixes=(".yaml", ".yml"), what="translation")
    except FileRefused as refused:
        return Partner(name, problem=_error(loaded, "edition.partner", where, refused.message, hint=refused.hint))
    if real == here:
        return Partner(name, problem=_error(loaded, "edition.partner", where, f"'{name}' is this file itself",
                                            hint="name the other language's edition, e.g. report.cy.yaml"))
    try:
        partner, _ = expand_csv_sources(load_yaml(real))
    except BuildFailed:
        return Partner(name, problem=_broken(loaded, name))
    return Partner(name, partner, folder=folder)


def _broken(loaded: LoadedFile, name: str, count: int | None = None) -> Diagnostic:
    errors = "errors" if count is None else f"{count} error{'s' if count != 1 else ''}"
    return _error(loaded, "edition.invalid", ("meta", "translation"),
                  f"the other edition, {name}, has {errors} of its own", hint=f"run: peelgen validate {name}")


def _csv_reader(folder: Folder) -> Callable[[str], CsvText | None]:
    """Reads a CSV file of the folder for comparison; None if it cannot be (its own
    validation says why)."""
    def read(name: str) -> CsvText | None:
        try:
            parsed, problems = read_csv(folder.locate(name, suffixes=(".csv",)))
        except FileRefused:
            return None
        return parsed if parsed is not None and not problems and parsed.rows else None
    return read


# ---------------------------------------------------------------------------------
# Validate stage


@dataclass(slots=True)
class _Comparison:
    here: LoadedFile
    there: LoadedFile
    partner_name: str  # "report.yaml (the English edition)"
    read_csv: Callable[[str], CsvText | None]
    grade_ids: frozenset[str]
    problems: list[Diagnostic] = dataclasses.field(default_factory=list)

    def error(self, rule: str, path: DocPath, message: str, hint: str | None = None) -> None:
        self.problems.append(_error(self.here, rule, path, message, hint=hint))


def compare(loaded: LoadedFile, partner: Partner | None, validate_alone: Callable[[LoadedFile], ValidatedReport],
            validated: ValidatedReport | None) -> tuple[EditionLink | None, list[Diagnostic]]:
    """The link to the partner and every way the two editions disagree (located in
    ``loaded``). ``validated``: this edition, when it is valid on its own (for the link)."""
    framework = validated.framework if validated is not None else None
    if partner is None:
        return None, []
    if partner.problem is not None or partner.loaded is None:
        return None, [partner.problem] if partner.problem else []
    problems: list[Diagnostic] = []
    try:
        other = validate_alone(partner.loaded)
    except BuildFailed as failure:
        other = None
        problems.append(_broken(loaded, partner.name, len(failure.diagnostics)))
    there = partner.loaded
    here_language, there_language = _language(loaded.data), _language(there.data)
    label = f"{partner.name} (the {_english_name(there_language)} edition)"
    grade_ids = frozenset(framework.grade_ids) if framework is not None else frozenset()
    assert partner.folder is not None
    comparison = _Comparison(loaded, there, label, _csv_reader(partner.folder), grade_ids, problems)
    _pairing(comparison, here_language, there_language)
    _walk(comparison, loaded.data, there.data, ())
    if other is None or validated is None or here_language == there_language:
        return None, comparison.problems
    link = _link(comparison, validated, other)
    return link, comparison.problems


def _language(data: Any) -> str:
    meta = data.get("meta") if isinstance(data, dict) else None
    language = meta.get("language", DEFAULT_LANGUAGE) if isinstance(meta, dict) else DEFAULT_LANGUAGE
    return language if isinstance(language, str) else DEFAULT_LANGUAGE


def _english_name(tag: str) -> str:
    from peelgen.language import load_language

    try:
        return load_language(tag).info.english_name
    except BuildFailed:
        return tag


def _pairing(comparison: _Comparison, here_language: str, there_language: str) -> None:
    """The partner names this file back, uses the same framework and another language."""
    here, there, label = comparison.here, comparison.there, comparison.partner_name
    own_name = Path(here.path).name
    back = translation_name(there.data)
    if back is None:
        comparison.error("edition.mutual", ("meta", "translation"), f"{label} does not name this file back",
                         hint=f"add 'translation: {own_name}' to its meta")
    elif not _same_file(there, back, here):
        comparison.error("edition.mutual", ("meta", "translation"),
                         f"{label} names '{back}' as its other edition, not this file",
                         hint=f"set its meta.translation to {own_name}")
    if isinstance(there.data, dict) and there.data.get("framework") != here.data.get("framework"):
        comparison.error("edition.framework", ("framework",),
                         f"framework is '{here.data.get('framework')}' here but '{there.data.get('framework')}' "
                         f"in {label}", hint="both editions of a report use the same framework")
    if here_language == there_language:
        comparison.error("edition.language", ("meta", "language"),
                         f"both editions are in '{here_language}'; a translation is in another language",
                         hint="set meta.language in one of them, e.g. cy for the Welsh edition")


def _same_file(there: LoadedFile, name: str, here: LoadedFile) -> bool:
    try:
        real = Folder.of([Path(os.path.realpath(there.path)).parent]).locate(name)
    except FileRefused:
        return False
    return real == Path(os.path.realpath(here.path))


def _link(comparison: _Comparison, own: ValidatedReport, other: ValidatedReport) -> EditionLink | None:
    framework, language = own.framework, other.framework.language
    words = framework.labels.edition_link.get(language)
    if words is None:
        comparison.error("edition.language", ("meta", "translation"),
                         f"the {framework.language} catalogue has no words for a link to a '{language}' edition",
                         hint=f"add labels.edition_link.{language} to the catalogue, or to wording.labels")
        return None
    # Default file names start from the English edition's force name (or this one's).
    english = other if language == DEFAULT_LANGUAGE else own
    base = english.report.meta.force_short or english.report.meta.force
    slug = other.report.meta.slug or default_slug(base, other.framework.programme_year, language)
    return EditionLink(slug=slug, lang=language, text=words,
                       default_slug=default_slug(base, framework.programme_year, framework.language))


# -- the values, side by side -------------------------------------------------------


def _walk(comparison: _Comparison, here: Any, there: Any, path: DocPath) -> None:
    if len(path) == 1 and path[0] in _FREE_TOP:
        return
    if isinstance(here, dict) and isinstance(there, dict):
        _mappings(comparison, here, there, path)
    elif isinstance(here, list) and isinstance(there, list):
        _lists(comparison, here, there, path)
    elif isinstance(here, dict | list) or isinstance(there, dict | list):
        if _weighs(here, path) or _weighs(there, path):
            comparison.error("edition.count", path, f"{_name(comparison.here.data, path)} is shaped differently "
                             f"here and in {comparison.partner_name}", hint="translate the words only")
    else:
        _leaf(comparison, here, there, path)


def _mappings(comparison: _Comparison, here: dict[str, Any], there: dict[str, Any], path: DocPath) -> None:
    id_keyed = bool(path) and path[-1] in _ID_KEYED
    for key, value in here.items():
        if key in there:
            _walk(comparison, value, there[key], (*path, key))
        else:
            _one_sided(comparison, (*path, key), value, here_only=True, id_keyed=id_keyed)
    for key, value in there.items():
        if key not in here:
            _one_sided(comparison, (*path, key), value, here_only=False, id_keyed=id_keyed)


def _one_sided(comparison: _Comparison, path: DocPath, value: Any, *, here_only: bool, id_keyed: bool) -> None:
    """A key one edition has and the other has not."""
    if not id_keyed and not isinstance(value, dict | list):
        # "… is 'OFFICIAL' here but missing in …"
        _leaf(comparison, *((value, None) if here_only else (None, value)), path)
    elif id_keyed or _weighs(value, path):
        rule = "edition.id" if id_keyed else "edition.count"
        if here_only:
            message = f"{_name(comparison.here.data, path)} is here but not in {comparison.partner_name}"
        else:  # located at the mapping that lacks it
            message, path = f"'{path[-1]}' is in {comparison.partner_name} but not here", path[:-1]
        comparison.error(rule, path, message, hint="both editions have the same items")


def _ids(items: list[Any]) -> list[Any] | None:
    ids = [item.get("id") if isinstance(item, dict) else None for item in items]
    return ids if all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids) else None


def _lists(comparison: _Comparison, here: list[Any], there: list[Any], path: DocPath) -> None:
    here_ids, there_ids = _ids(here), _ids(there)
    if here_ids is not None and there_ids is not None and here_ids != there_ids:
        _by_id(comparison, here, there, path)
        return
    if len(here) != len(there):
        comparison.error("edition.count", path, f"{_name(comparison.here.data, path)} has {len(here)} "
                         f"item{'s' if len(here) != 1 else ''} here but {len(there)} in {comparison.partner_name}",
                         hint="both editions have the same items, in the same order")
        return
    for index, (mine, theirs) in enumerate(zip(here, there, strict=True)):
        _walk(comparison, mine, theirs, (*path, index))


def _by_id(comparison: _Comparison, here: list[dict[str, Any]], there: list[dict[str, Any]], path: DocPath) -> None:
    theirs = {item["id"]: item for item in there}
    mine = {item["id"] for item in here}
    for index, item in enumerate(here):
        if item["id"] in theirs:
            _walk(comparison, item, theirs[item["id"]], (*path, index))
        else:
            comparison.error("edition.id", (*path, index, "id"),
                             f"'{item['id']}' is here but not in {comparison.partner_name}",
                             hint="both editions have the same items, with the same ids")
    for item_id in (item["id"] for item in there if item["id"] not in mine):
        comparison.error("edition.id", path, f"'{item_id}' is in {comparison.partner_name} but not here",
                         hint="both editions have the same items, with the same ids")


def _kind(value: Any, path: DocPath) -> str | None:
    """What a value at ``path`` is to a reader: a judgment, a value, an id, … or words (None)."""
    key = next((part for part in reversed(path) if isinstance(part, str)), "")
    if isinstance(value, bool | int | float):
        return "value"
    if not isinstance(value, str):
        return None
    if key in _GRADE_KEYS:
        return "grade"
    if key in _DATE_KEYS:
        return "date"
    if key == "marking":
        return "marking"
    if key in _ID_KEYS:
        return "id"
    if key in ("cells", "rows") and _number(value) is not None:
        return "value"
    return None


def _number(text: str) -> float | None:
    try:
        return read_number(text, percent=True)
    except CellProblem:
        return None


def _weighs(value: Any, path: DocPath) -> bool:
    """Whether ``value`` holds anything two editions must agree on."""
    if isinstance(value, dict):
        return any(_weighs(v, (*path, k)) for k, v in value.items())
    if isinstance(value, list):
        return bool(value) and (path[-1:] != ("notes",))
    return _kind(value, path) is not None or (bool(path) and path[-1] in _CSV_KEYS)


def _leaf(comparison: _Comparison, here: Any, there: Any, path: DocPath) -> None:
    kind = _kind(here, path) or _kind(there, path)
    if kind is None:
        key = path[-1] if path else ""
        if key in _CSV_KEYS and isinstance(here, str) and isinstance(there, str) and here != there:
            _csv_files(comparison, here, there, path)
        return
    if _same(kind, here, there):
        return
    what = "value" if kind == "value" else kind
    comparison.error(f"edition.{what}", path,
                     f"{_name(comparison.here.data, path)} is {_shown(here)} here but {_shown(there)} in "
                     f"{comparison.partner_name}: {_JUDGMENT}",
                     hint="correct whichever edition is wrong, then validate both")


def _same(kind: str, here: Any, there: Any) -> bool:
    if here == there:
        return True
    if kind == "value" and isinstance(here, str | int | float) and isinstance(there, str | int | float):
        mine = _number(here) if isinstance(here, str) else here
        theirs = _number(there) if isinstance(there, str) else there
        return mine is not None and theirs is not None and not isinstance(here, bool) and \
            not isinstance(there, bool) and float(mine) == float(theirs)
    return False


def _shown(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return str(value).lower()
    return f"'{value}'" if isinstance(value, str) else str(value)


def _name(data: Any, path: DocPath) -> str:
    """``path`` in words: 'grade of 'investigating-crime'' where an item with an id holds it."""
    owner, owner_at, current = None, 0, data
    for depth, part in enumerate(path):
        if isinstance(current, dict) and isinstance(current.get("id"), str) and depth:
            owner, owner_at = current["id"], depth
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            break
    if owner is None or owner_at >= len(path):  # the path itself starts the message
        return next((str(part) for part in reversed(path) if isinstance(part, str)), "the report")
    return f"{format_path(path[owner_at:])} of '{owner}'"


def _csv_files(comparison: _Comparison, here: str, there: str, path: DocPath) -> None:
    """Two editions naming different CSV files for the same data: the numbers and grades
    in them must be the same; the words (headings, names of rows) may differ."""
    mine, theirs = comparison.read_csv(here), comparison.read_csv(there)
    if mine is None or theirs is None:
        return  # unreadable: its own validation says why
    for index, column, problem, rule in _csv_differences(mine.rows, theirs.rows, comparison.grade_ids):
        line = mine.lines[min(index, len(mine.lines) - 1)]
        comparison.error(rule, path, f"{here} differs from {there} in {comparison.partner_name}: "
                         f"{problem} (line {line}, column {column} of {here}): {_JUDGMENT}",
                         hint="both editions' data files hold the same values")
        return  # one message per pair of files: the first difference


def _csv_differences(mine: list[list[str]], theirs: list[list[str]],
                     grade_ids: frozenset[str]) -> Iterator[tuple[int, int, str, str]]:
    """(row index, column, what differs, rule) for each difference; headings are free."""
    if len(mine) != len(theirs):
        yield min(len(mine), len(theirs)), 1, f"{len(mine) - 1} rows against {len(theirs) - 1}", "edition.count"
        return
    for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        if not index:
            continue  # the headings
        if len(a) != len(b):
            yield index, 1, f"{len(a)} cells against {len(b)}", "edition.count"
        for column, (x, y) in enumerate(zip(a, b, strict=False), start=1):
            if (x.strip() in grade_ids or y.strip() in grade_ids) and x.strip() != y.strip():
                yield index, column, f"'{x}' against '{y}'", "edition.grade"
            elif column > 1 and (_number(x) is not None or _number(y) is not None) and not _same("value", x, y):
                yield index, column, f"{x or 'empty'} against {y or 'empty'}", "edition.value"
