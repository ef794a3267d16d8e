"""Stage 2: check loaded data against the report models and its framework.

Every problem becomes a located :class:`~peelgen.diagnostics.Diagnostic`; all of them
are collected before :class:`~peelgen.diagnostics.BuildFailed` is raised, so an author
sees every mistake in one run.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from peelgen import editions
from peelgen import framework as frameworks
from peelgen import language as languages
from peelgen.characters import check_characters
from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, FileRefused, suggest
from peelgen.document import EditionLink
from peelgen.folder import Folder
from peelgen.framework import Framework
from peelgen.language import DEFAULT_LANGUAGE
from peelgen.load import LoadedFile, SourceMap
from peelgen.load_tables import expand_csv_sources
from peelgen.report_model import ReportBase, ReportLoose, apply_wording, frameworks_using, report_model
from peelgen.rules import check_placeholders, check_raw_cells, check_rules


@dataclass(frozen=True, slots=True)
class ValidatedReport:
    report: Any  # an instance of the framework's report model (peelgen.report_model)
    framework: Framework  # with the report's own wording applied
    source: SourceMap
    base_dir: Path
    template_dir: Path | None = None  # the report's own templates: folder, checked
    edition: EditionLink | None = None  # the other-language edition (meta.translation), compared


def validate(loaded: LoadedFile) -> ValidatedReport:
    """The report, checked; with meta.translation, its other edition is read, validated
    and compared with it too (:mod:`peelgen.editions`): this edition's errors and every
    disagreement between the two, at once."""
    partner = editions.load_partner(loaded)  # load stage: the other edition's YAML
    try:
        validated = validate_alone(loaded)
    except BuildFailed as failure:
        _, problems = editions.compare(loaded, partner, validate_alone, None)
        raise BuildFailed([*failure.diagnostics, *problems]) from None
    link, problems = editions.compare(loaded, partner, validate_alone, validated)
    if problems:
        raise BuildFailed(problems)
    return dataclasses.replace(validated, edition=link)


def validate_alone(loaded: LoadedFile) -> ValidatedReport:
    """One edition, checked on its own."""
    # The load stage's last step: rows kept in CSV files ({from: FILE.csv}) are read in.
    loaded, diagnostics = expand_csv_sources(loaded)
    source = loaded.source
    characters, flagged = check_characters(loaded.data, source)

    def failed() -> BuildFailed:
        # A value with a control character is reported as such, and by no other check:
        # their messages would quote it (an unknown key, an unknown framework).
        return BuildFailed([*characters, *(d for d in diagnostics if not _under(d.path, flagged))])

    framework = _framework_for(loaded, diagnostics)
    data = loaded.data
    placeholders = check_placeholders(loaded.data, source)
    diagnostics.extend(placeholders)
    diagnostics.extend(check_raw_cells(loaded.data, source))
    model = report_model(framework) if framework is not None else ReportLoose
    try:
        report = model.model_validate(data, context={"framework": framework})
    except ValidationError as error:
        # A placeholder ("grade: TODO") is reported as such, not also as a bad value.
        unfilled = {d.path for d in placeholders}
        diagnostics.extend(d for d in _from_pydantic(error, source, data, model, framework)
                           if d.path not in unfilled)
        if framework is not None:
            diagnostics.extend(_rules_despite_missing_keys(data, framework, source))
        raise failed() from None
    if framework is None:
        raise failed()
    framework, problems = apply_wording(framework, report.wording, source)
    diagnostics.extend(problems)
    diagnostics.extend(check_rules(report, framework, source))
    base_dir = loaded.path.resolve().parent
    template_dir = _template_dir(report, base_dir, source, diagnostics)
    if diagnostics or characters:
        raise failed()
    return ValidatedReport(report, framework, source, base_dir, template_dir)


def _rules_despite_missing_keys(data: Any, framework: Framework, source: SourceMap) -> list[Diagnostic]:
    """The rules' findings on a report whose only typing errors are missing chapter
    keys: typed with those keys optional, so every error is reported in one run."""
    try:
        report = report_model(framework, lenient=True).model_validate(data, context={"framework": framework})
    except ValidationError:
        return []  # other errors first: the rules would only add noise
    framework, problems = apply_wording(framework, report.wording, source)
    return [*problems, *check_rules(report, framework, source)]


def _under(path: DocPath, prefixes: set[DocPath]) -> bool:
    return any(path[:len(prefix)] == prefix for prefix in prefixes)


def _template_dir(report: ReportBase, base_dir: Path, source: SourceMap,
                  diagnostics: list[Diagnostic]) -> Path | None:
    """The report's ``templates:`` folder, which must be a folder inside the report's."""
    if report.templates is None:
        return None
    try:
        return Folder.of([base_dir]).locate_dir(report.templates, what="templates folder")
    except FileRefused as refused:
        diagnostics.append(source.diagnostic(("templates",), refused.message, hint=refused.hint))
        return None


def _framework_for(loaded: LoadedFile, diagnostics: list[Diagnostic]) -> Framework | None:
    framework_id = loaded.data.get("framework")
    if not isinstance(framework_id, str):
        return None  # reported by the model as missing or of the wrong type
    meta = loaded.data.get("meta")
    language = meta.get("language", DEFAULT_LANGUAGE) if isinstance(meta, dict) else DEFAULT_LANGUAGE
    if not isinstance(language, str) or language not in languages.available():
        if isinstance(language, str):  # of the wrong type: the model says so
            known = list(languages.available())
            diagnostics.append(loaded.source.diagnostic(
                ("meta", "language"), f"no catalogue for language '{language}'",
                hint=suggest(language, known) or f"languages: {', '.join(known)} (docs/languages.md)"))
        language = DEFAULT_LANGUAGE
    try:
        return frameworks.load_framework(framework_id, language)
    except BuildFailed as failure:
        if framework_id in frameworks.available():
            diagnostics.extend(failure.diagnostics)  # a broken framework file: say so as is
        else:
            known = list(frameworks.available())
            diagnostics.append(loaded.source.diagnostic(
                ("framework",), f"unknown framework '{framework_id}'",
                hint=suggest(framework_id, known) or f"installed frameworks: {', '.join(known)}",
            ))
        return None


# ---------------------------------------------------------------------------------
# pydantic errors -> diagnostics


def _model_fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys allowed in the mapping at ``loc`` (for 'did you mean' on unknown keys)."""
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X, and Annotated[X, ...] -> X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            annotation = models[0] if models else options[0]
        else:
            return annotation


_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _plural(count: int, one: str, other: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (other or one + 's')}"


_LIMIT_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "string_too_short": lambda c: ("must not be empty" if c["min_length"] == 1
                                   else f"must be at least {_plural(c['min_length'], 'character')}"),
    "string_too_long": lambda c: (f"is too long: at most {_plural(c['max_length'], 'character')}, "
                                  f"got {c['length']:,}"),
    "too_short": lambda c: ("must not be empty" if c["min_length"] == 1 and c["length"] == 0
                            else f"needs at least {_plural(c['min_length'], 'item')}, got {c['length']:,}"),
    "too_long": lambda c: f"has too many items: at most {c['max_length']:,}, got {c['length']:,}",
    "less_than_equal": lambda c: f"must be at most {c['le']}, got {c['input']}",
    "greater_than_equal": lambda c: f"must be at least {c['ge']}, got {c['input']}",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…'"


_UNION_TAGS = {"str", "int", "float", "none", "bool", "list", "dict", "[key]"}


def _clean_loc(loc: Sequence[str | int], data: Any) -> DocPath:
    """pydantic's error location as a path into the document.

    pydantic puts union-member tags ("str", "function-after[…]") and "[key]" into
    locations. They are told apart from real keys (which may well be "str" or contain
    "[") by walking the document alongside the location.
    """
    out: list[str | int] = []
    current, walking = data, True
    for part in loc:
        in_map = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if walking and (in_map or in_list):
            out.append(part)
            current = current[part]
        elif isinstance(part, str) and (part in _UNION_TAGS or "[" in part):
            continue
        else:  # a missing key, or a key added by a model's "before" validator
            out.append(part)
            walking = False
    return tuple(out)


def _join_expected(names: list[str]) -> str:
    """['text', 'a whole number', 'a number'] -> 'text or a number'."""
    unique = list(dict.fromkeys(names))
    if "a number" in unique and "a whole number" in unique:
        unique.remove("a whole number")
    return unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]


def _unknown_key(loc: DocPath, model: type[BaseModel], fw: Framework | None, source: SourceMap) -> Diagnostic:
    """An unknown key; at the top level, said to belong to other frameworks where it does."""
    key = str(loc[-1])
    allowed = _model_fields_at(model, loc[:-1])
    hint = suggest(key, allowed) or (f"allowed keys: {', '.join(allowed)}" if allowed else None)
    using = frameworks_using(key) if len(loc) == 1 and fw is not None else []
    if using:
        return source.diagnostic(loc, f"'{key}' is not used by {fw.id}; used by: {', '.join(using)}",
                                 hint="remove it, or change 'framework'", at_key=True)
    return source.diagnostic(loc, f"unknown key '{key}'", hint=hint, at_key=True)


@dataclass(slots=True)
class _Translation:
    """What turning one pydantic error into a diagnostic needs to know."""

    source: SourceMap
    model: type[BaseModel]
    fw: Framework | None
    accepted_types: dict[DocPath, list[str]]


def _from_pydantic(error: ValidationError, source: SourceMap, data: Any, model: type[BaseModel],
                   fw: Framework | None) -> list[Diagnostic]:
    results: list[Diagnostic] = []
    seen: set[tuple[DocPath, str]] = set()
    items = error.errors(include_url=False)
    # A value that fits none of a union's types ("str | int | float") gives one error per
    # type; they become one message naming every type accepted.
    accepted_types: dict[DocPath, list[str]] = {}
    for item in items:
        if item["type"] in _TYPE_NAMES:
            accepted_types.setdefault(_clean_loc(item["loc"], data), []).append(_TYPE_NAMES[item["type"]])
    context = _Translation(source, model, fw, accepted_types)
    for item in items:
        diag = _translate(context, item, _clean_loc(item["loc"], data))
        marker = (diag.path, diag.message)
        if marker not in seen:
            seen.add(marker)
            results.append(diag)
    return results


def _translate(context: _Translation, item: Any, loc: DocPath) -> Diagnostic:
    kind = item["type"]
    if kind in _TYPE_NAMES:
        kind = "type"
    elif kind in _LIMIT_MESSAGES:
        kind = "limit"
    handler = _HANDLERS.get(kind)
    diag = handler(context, item, loc) if handler is not None else None
    if diag is not None:
        return diag
    return context.source.diagnostic(loc, item["msg"][0].lower() + item["msg"][1:])


def _extra(context: _Translation, item: Any, loc: DocPath) -> Diagnostic | None:
    return _unknown_key(loc, context.model, context.fw, context.source) if loc else None


def _missing(context: _Translation, item: Any, loc: DocPath) -> Diagnostic | None:
    if not loc:
        return None
    diag = context.source.diagnostic(loc[:-1], f"missing required key '{loc[-1]}'")
    return Diagnostic(diag.file, diag.message, diag.line, diag.column, loc, diag.hint)


def _wrong_type(context: _Translation, item: Any, loc: DocPath) -> Diagnostic:
    message = f"expected {_join_expected(context.accepted_types[loc])}, got {_describe(item.get('input'))}"
    detail = item.get("ctx", {}).get("error")
    if item["type"].startswith("date") and isinstance(item.get("input"), str) and detail:
        message += f" ({detail})"
    return context.source.diagnostic(loc, message)


def _pattern(context: _Translation, item: Any, loc: DocPath) -> Diagnostic | None:
    if loc and loc[-1] in ("id", "slug"):
        allowed = "letters, digits and hyphens" if loc[-1] == "slug" else "letters, digits, '-' and '_'"
        message = f"{_describe(item.get('input'))} is not a valid {loc[-1]}: use lower-case {allowed}"
        return context.source.diagnostic(loc, message)
    if len(loc) == 2 and loc[0] == "footnotes":
        message = f"footnote id {_describe(loc[1])} must be letters, digits, '-' and '_'"
        return context.source.diagnostic(loc, message, at_key=True)
    return None


def _literal(context: _Translation, item: Any, loc: DocPath) -> Diagnostic:
    choices = item.get("ctx", {}).get("expected", "")
    return context.source.diagnostic(loc, f"expected one of {choices}, got {_describe(item.get('input'))}")


def _limit(context: _Translation, item: Any, loc: DocPath) -> Diagnostic:
    ctx = {**item.get("ctx", {}), "input": _describe(item.get("input"))}
    value = item.get("input")
    ctx["length"] = len(value) if isinstance(value, str | list | dict) else 0
    return context.source.diagnostic(loc, _LIMIT_MESSAGES[item["type"]](ctx))


def _grade(context: _Translation, item: Any, loc: DocPath) -> Diagnostic:
    return context.source.diagnostic(loc, item["msg"], hint=item["ctx"]["hint"])


def _value(context: _Translation, item: Any, loc: DocPath) -> Diagnostic:
    return context.source.diagnostic(loc, str(item.get("ctx", {}).get("error", item["msg"])))


_HANDLERS: dict[str, Callable[[_Translation, Any, DocPath], Diagnostic | None]] = {
    "extra_forbidden": _extra,
    "missing": _missing,
    "type": _wrong_type,
    "string_pattern_mismatch": _pattern,
    "literal_error": _literal,
    "limit": _limit,
    "unknown_grade": _grade,
    "value_error": _value,
}
