"""Framework translations: a framework's text in another language, as an overlay file.

A framework is written in one language (its ``source_language``, English for every
framework peelgen ships). Its text in another language lives in
``frameworks/<tag>/<id>.yaml``: the same structure as the framework, holding only the
text. Lists of things with ids (questions, chapters, grades, pillars, parts,
sub-questions) are matched by id; lists without ids (a chapter's text sections) by
position. The overlay may change text and nothing else: an id, a colour, a number, a
flag, a template or a kind that differs from the framework, or a key the framework does
not have, is an error in the overlay, and so is a text the overlay leaves out, so a
translated edition can never carry a heading in the framework's language unnoticed.

The framework's own ``labels:`` are in its language too; the overlay's ``labels:``
(if any) replace them, and the language's catalogue fills in the rest.
"""

from __future__ import annotations

import re
from typing import Any, get_args

from pydantic import BaseModel

from peelgen.diagnostics import BuildFailed, Diagnostic, DocPath, format_path, suggest
from peelgen.load import LoadedFile

# Keys whose values are data, not text: a translation may repeat them but never change them.
DATA_KEYS = frozenset({
    "id", "extends", "source_language", "language", "template", "document_kind", "kind",
    "colour", "text_colour", "pillar", "graded", "required", "mandatory", "chapter", "aliases",
    "new_page", "generated", "previous_grade", "report_field", "cover", "question_grades",
    "recommendation_deadlines", "programme_year", "cycle",
})
# Replaced whole by the overlay's (or dropped, the catalogue filling in): never compared.
REPLACED_KEYS = frozenset({"labels"})
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Names peelgen fills into framework sentences besides those the file's own text uses
# (peelgen/state.py, the chapters): a translation may word a sentence round another one.
_FILLED_EVERYWHERE = frozenset({
    "force", "force_short", "area", "inspectorate", "inspectorate_short", "programme_year", "cycle",
    "grade_phrase", "grade_verb", "grade_label", "previous_infinitive", "previous_label",
})
_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\]")


class _Merge:
    """One overlay laid over one framework file's data, collecting located errors."""

    def __init__(self, overlay: LoadedFile, placeholders: set[str], labels: type[BaseModel] | None) -> None:
        self.overlay = overlay
        self.labels = labels  # the model of a `labels:` block, to check the overlay's own
        self.placeholders = placeholders  # every {name} the framework file's text uses
        self.errors: list[Diagnostic] = []

    def error(self, at: DocPath, message: str, hint: str | None = None) -> None:
        self.errors.append(self.overlay.source.diagnostic(at, message, hint=hint))

    def value(self, base: Any, own: Any, at: DocPath, shown: DocPath) -> Any:
        """The translated value at ``shown`` (the framework's path; ``at`` is the overlay's)."""
        if isinstance(base, dict):
            return self.mapping(base, own, at, shown)
        if isinstance(base, list):
            return self.sequence(base, own, at, shown)
        key = shown[-1] if shown else ""
        if isinstance(base, str) and key not in DATA_KEYS:
            return self.text(base, own, at, shown)
        if own != base:
            self.error(at, f"a translation cannot change {format_path(shown)} "
                           f"(the framework has {base!r}, the translation {own!r})",
                       hint="a translation holds only text; leave this key out or copy it as it is")
        return base

    def text(self, base: str, own: Any, at: DocPath, shown: DocPath) -> Any:
        if not isinstance(own, str) or (base.strip() and not own.strip()):
            self.error(at, f"{format_path(shown)} must be text (the translation of {base!r})")
            return base
        # A translation may word a sentence differently (a lead on {grade_label} rather
        # than {grade_verb}), but only with names the framework fills in somewhere.
        unknown = set(_PLACEHOLDER.findall(own)) - self.placeholders
        if unknown:
            self.error(at, f"{format_path(shown)}: the translation uses {_names(unknown, '{}')}, "
                           "which the framework never fills in",
                       hint=f"this text's own: {_names(set(_PLACEHOLDER.findall(base)), '{}')}")
        notes, given = set(_FOOTNOTE_REF.findall(base)), set(_FOOTNOTE_REF.findall(own))
        if notes != given:
            self.error(at, f"{format_path(shown)}: the translation's footnote references "
                           f"{_names(given, '[^]')} differ from the framework's {_names(notes, '[^]')}",
                       hint="keep every [^note] of the original, where the language needs it")
        return own

    def mapping(self, base: dict[str, Any], own: Any, at: DocPath, shown: DocPath) -> Any:
        if not isinstance(own, dict):
            self.error(at, f"{format_path(shown) or 'the file'} must be a mapping, as in the framework")
            return base
        for key in own:
            if key not in base and not (key in REPLACED_KEYS and not at):
                self.error((*at, key), f"a translation cannot add '{format_path((*shown, key))}': "
                                       "the framework has no such key",
                           hint="a translation holds the framework's text keys only")
        merged = {}
        for key, value in base.items():
            if key in REPLACED_KEYS and not at:
                continue
            if key in own:
                merged[key] = self.value(value, own[key], (*at, key), (*shown, key))
            else:
                self.missing(value, at, (*shown, key))
                merged[key] = value
        if "labels" in own and not at:
            merged["labels"] = self.own_labels(own["labels"])
        return merged

    def own_labels(self, labels: Any) -> Any:
        """The overlay's labels, which replace the framework's: known keys only."""
        if not isinstance(labels, dict):
            self.error(("labels",), "labels must be a mapping of label names to text")
            return {}
        known = list(self.labels.model_fields) if self.labels is not None else list(labels)
        for key in labels:
            if key not in known:
                self.error(("labels", key), f"unknown label '{key}'",
                           hint=suggest(str(key), known) or "labels are listed in peelgen/languages/en-GB.yaml")
        return labels

    def sequence(self, base: list[Any], own: Any, at: DocPath, shown: DocPath) -> Any:
        if not base or not all(isinstance(item, dict) for item in base):
            if own != base:  # lists of plain values (aliases) are data
                self.error(at, f"a translation cannot change {format_path(shown)}")
            return base
        if not isinstance(own, list):
            self.error(at, f"{format_path(shown)} must be a list, as in the framework")
            return base
        if all("id" in item for item in base):
            return self.by_id(base, own, at, shown)
        if len(own) != len(base):
            self.error(at, f"{format_path(shown)} has {len(own)} entries in the translation but "
                           f"{len(base)} in the framework",
                       hint="entries without ids are matched by position: translate each one, in order")
            return base
        return [self.value(item, given, (*at, index), (*shown, index))
                for index, (item, given) in enumerate(zip(base, own, strict=True))]

    def by_id(self, base: list[dict[str, Any]], own: list[Any], at: DocPath, shown: DocPath) -> list[Any]:
        ids = [item["id"] for item in base]
        given: dict[Any, tuple[int, Any]] = {}
        for index, item in enumerate(own):
            item_id = item.get("id") if isinstance(item, dict) else None
            if item_id is None:
                self.error((*at, index), f"{format_path((*shown, index))} needs the id of the entry it translates",
                           hint=f"ids here: {', '.join(map(str, ids))}")
            elif item_id not in ids:
                self.error((*at, index, "id"), f"a translation cannot add '{item_id}' to {format_path(shown)}: "
                                               "the framework has no entry with that id",
                           hint=f"ids here: {', '.join(map(str, ids))}")
            else:
                given[item_id] = (index, item)
        merged = []
        for item in base:
            if item["id"] in given:
                index, translated = given[item["id"]]
                merged.append(self.value(item, translated, (*at, index), (*shown, item["id"])))
            else:
                self.missing(item, at, (*shown, item["id"]))
                merged.append(item)
        return merged

    def missing(self, base: Any, at: DocPath, shown: DocPath) -> None:
        """An error for each text under ``base`` that the overlay leaves untranslated."""
        texts = _texts(base, shown)
        if not texts:
            return
        what = "" if texts == [shown] else f" ({len(texts)} texts, the first {format_path(texts[0])})"
        self.error(at, f"{format_path(shown)} is not translated{what}",
                   hint="every text of the framework needs a translation (docs/languages.md)")


def _names(names: set[str], brackets: str) -> str:
    opening, closing = brackets[:-1], brackets[-1]
    return ", ".join(f"{opening}{name}{closing}" for name in sorted(names)) or "none"


def _children(value: Any) -> list[tuple[str | int, Any]]:
    """A mapping's or a list's entries, each named as paths name it (a list entry by its id)."""
    if isinstance(value, dict):
        return [(key, item) for key, item in value.items() if key not in REPLACED_KEYS]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        keyed = all("id" in item for item in value)
        return [(item["id"] if keyed else index, item) for index, item in enumerate(value)]
    return []  # a plain value, or a list of plain values (data such as aliases)


def _texts(value: Any, shown: DocPath) -> list[DocPath]:
    """The paths of every text in ``value`` (ids, colours and other data left out)."""
    if isinstance(value, str):
        return [shown] if not shown or shown[-1] not in DATA_KEYS else []
    return [path for name, item in _children(value) for path in _texts(item, (*shown, name))]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model in a field's type: ``X``, ``X | None`` or ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((model for arg in get_args(annotation) if (model := _model_in(arg)) is not None), None)


def with_text_defaults(data: Any, model: type[BaseModel] | None) -> Any:
    """``data`` with the text its model fills in when a key is left out (a cover subtitle,
    the judgment heading), so that a translation has to give those words too."""
    if not isinstance(data, dict) or model is None:
        return data
    filled = dict(data)
    for key, info in model.model_fields.items():
        if key in REPLACED_KEYS or key in DATA_KEYS:
            continue
        if key not in filled:
            if isinstance(info.default, str):
                filled[key] = info.default
        elif (inner := _model_in(info.annotation)) is not None:
            value = filled[key]
            filled[key] = ([with_text_defaults(item, inner) for item in value] if isinstance(value, list)
                           else with_text_defaults(value, inner))
    return filled


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return [value] if isinstance(value, str) else []


def translate(base: dict[str, Any], overlay: LoadedFile, labels: type[BaseModel] | None = None) -> dict[str, Any]:
    """``base`` (one framework file's data) with the overlay's text in place of its own.

    Raises :class:`BuildFailed` with every problem in the overlay, located in it.
    """
    placeholders = {name for text in _strings(base) for name in _PLACEHOLDER.findall(text)}
    merge = _Merge(overlay, placeholders | _FILLED_EVERYWHERE, labels)
    merged = merge.value(base, overlay.data, (), ())
    if merge.errors:
        raise BuildFailed(merge.errors)
    return merged
