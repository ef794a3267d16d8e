"""``peelgen diff OLD.yaml NEW.yaml``: what changed between two drafts, by meaning.

Works on the loaded plain data of each file (not on models), named with the framework's
own headings, so a reader sees "Preventing crime: grade Requires improvement → Good"
rather than a line diff. Items in lists are matched by ``id`` where they have one, else by
how alike their text is, so moving a section or an area for improvement is no change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused, display_name
from peelgen.labels import DiffPageWords
from peelgen.language import DEFAULT_LANGUAGE, Language, report_language

# Lists whose items are statements an author adds, removes or rewords.
ITEM_LISTS = ("areas_for_improvement", "causes_of_concern", "recommendations")
# Lists of graded units, named from the framework.
UNIT_LISTS = ("questions", "pillars")
METRIC_LISTS = ("metrics", "measures")
SIMILAR_ENOUGH = 0.5  # difflib ratio above which two unmatched items are one item reworded
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # grade, added, removed, reworded, text, metric, figure, footnote-added, …
    where: str  # the place in the document, e.g. questions[preventing].areas_for_improvement[2]
    what: str  # what it is, for a reader: the question's heading, the metric's label
    old: Any = None
    new: Any = None
    # Word-level diff of text: (operation, words) with operation equal, delete or insert.
    words: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "where": self.where, "what": self.what,
                                "old": self.old, "new": self.new}
        if self.words:
            data["words"] = [list(pair) for pair in self.words]
        return data


@dataclass(slots=True)
class Names:
    """Reader-facing names from the framework in the report's language: headings of graded
    units, grade labels, what one item of each item list is called, and the redline page's
    words (:class:`peelgen.labels.DiffPageWords`)."""

    language: Language
    words: DiffPageWords
    units: dict[str, str] = field(default_factory=dict)
    grades: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, framework_id: str, language: str = DEFAULT_LANGUAGE) -> Names:
        from peelgen.commands.frameworks import UnknownFramework, get

        try:
            fw = get(framework_id, language)
        except UnknownFramework:
            if language == DEFAULT_LANGUAGE:
                raise
            fw = get(framework_id)  # no translation into the drafts' language: compared in the default one
        units = {q.id: q.heading for q in fw.questions}
        units.update({alias: q.heading for q in fw.questions for alias in getattr(q, "aliases", [])})
        units.update({p.id: p.heading for p in getattr(fw, "pillars", [])})
        if getattr(fw, "overall", None) is not None:
            units["overall"] = fw.overall.heading
        grades = {g.id: g.label for g in fw.grades.scale}
        grades[fw.grades.ungraded.id] = fw.grades.ungraded.label
        items = {key: getattr(fw.labels, key).one for key in ITEM_LISTS}
        return cls(fw.words, fw.labels.diff_page, units, grades, items)


def word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """Word-level differences: runs of equal, deleted and inserted words (with spacing)."""
    before, after = re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=[w.strip() for w in before], b=[w.strip() for w in after],
                                      autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(after[b1:b2])))
            continue
        if a2 > a1:
            runs.append(("delete", "".join(before[a1:a2])))
        if b2 > b1:
            runs.append(("insert", "".join(after[b1:b2])))
    return tuple(runs)


def _text_of(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        for key in ("text", "statement", "body", "title", "heading"):
            if isinstance(item.get(key), str):
                return item[key]
        return str(item)
    return str(item)


def _key_of(item: Any) -> str | None:
    if isinstance(item, dict):
        for name in ("id", "term", "number"):
            if isinstance(item.get(name), str | int) and not isinstance(item.get(name), bool):
                return str(item[name])
    return None


def _ratio(a: Any, b: Any) -> float:
    return difflib.SequenceMatcher(a=_text_of(a).split(), b=_text_of(b).split(), autojunk=False).ratio()


def match_items(old: list[Any], new: list[Any]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pairs (old index, new index) of the same item, then old items removed and new ones
    added. Same key first, then equal values, then the most alike pairs by difflib ratio."""
    pairs: list[tuple[int, int]] = []
    left, right = set(range(len(old))), set(range(len(new)))
    old_keys, new_keys = [_key_of(item) for item in old], [_key_of(item) for item in new]
    new_by_key = {key: j for j, key in enumerate(new_keys) if key is not None}
    _pair(((i, new_by_key[key]) for i, key in enumerate(old_keys) if key in new_by_key), pairs, left, right)
    _pair(((i, j) for i in sorted(left) for j in sorted(right) if new[j] == old[i]), pairs, left, right)
    _pair(_alike(old, new, [i for i in left if old_keys[i] is None], [j for j in right if new_keys[j] is None]),
          pairs, left, right)
    return sorted(pairs, key=lambda pair: pair[1]), sorted(left), sorted(right)


def _alike(old: list[Any], new: list[Any], old_indices: list[int], new_indices: list[int]) -> list[tuple[int, int]]:
    """Unkeyed pairs alike enough to be one item reworded, the most alike first."""
    scored = sorted(((_ratio(old[i], new[j]), i, j) for i in old_indices for j in new_indices), reverse=True)
    return [(i, j) for score, i, j in scored if score >= SIMILAR_ENOUGH]


def _pair(candidates: Iterable[tuple[int, int]], pairs: list[tuple[int, int]], left: set[int],
          right: set[int]) -> None:
    """Take each candidate pair whose two items are both still unmatched, best first."""
    for i, j in candidates:
        if i in left and j in right:
            pairs.append((i, j))
            left.discard(i)
            right.discard(j)


def _join(where: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{where}[{part}]"
    return f"{where}.{part}" if where else part


def _item_where(where: str, item: Any, index: int) -> str:
    key = _key_of(item)
    return f"{where}[{key}]" if key is not None else f"{where}[{index}]"


class Differ:
    """Walks two loaded documents side by side, collecting :class:`Change` values."""

    def __init__(self, names: Names, datasets: tuple[dict[str, Any], dict[str, Any]] = ({}, {})) -> None:
        self.names = names
        self.datasets = datasets  # loaded dataset rows by id: old, new
        self.changes: list[Change] = []

    def add(self, kind: str, where: str, what: str, old: Any = None, new: Any = None,
            words: tuple[tuple[str, str], ...] = ()) -> None:
        self.changes.append(Change(kind, where, what, old, new, words))

    def document(self, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
        self.mapping(old, new, "", "")
        self._datasets()
        return self.changes

    def mapping(self, old: dict[str, Any], new: dict[str, Any], where: str, what: str) -> None:
        for key in [*old, *(k for k in new if k not in old)]:
            before, after = old.get(key, _MISSING), new.get(key, _MISSING)
            if before == after:
                continue
            self.key(str(key), before, after, _join(where, str(key)), what)

    def key(self, key: str, old: Any, new: Any, where: str, what: str) -> None:
        if key == "overall" and isinstance(old, dict) and isinstance(new, dict):
            self.mapping(old, new, where, self.names.units.get("overall", "overall"))
        elif key in ("grade", "previous_grade"):
            self.add("grade" if key == "grade" else "previous-grade", where, what or where,
                     self._grade(old), self._grade(new))
        elif key in ITEM_LISTS:
            self.items(key, _list(old), _list(new), where, what)
        elif key in UNIT_LISTS or key == "inspections":
            self.units(_list(old), _list(new), where)
        elif key == "footnotes":
            self.footnotes(_dict(old), _dict(new), where)
        elif key in METRIC_LISTS:
            self.metrics(_list(old), _list(new), where)
        elif key == "figures":
            self.figures(_list(old), _list(new), where)
        elif key == "datasets":
            return  # compared by content in _datasets, whatever the file is called
        else:
            self.value(old, new, where, what)

    def value(self, old: Any, new: Any, where: str, what: str, kind: str = "text") -> None:
        if old is _MISSING:
            self.add("added", where, what or where, None, new)
        elif new is _MISSING:
            self.add("removed", where, what or where, old)
        elif isinstance(old, dict) and isinstance(new, dict):
            self.mapping(old, new, where, what)
        elif isinstance(old, list) and isinstance(new, list):
            self.sequence(old, new, where, what, kind)
        elif kind == "text" and isinstance(old, str) and isinstance(new, str):
            self.add("text", where, what or where, old, new, word_diff(old, new))
        else:
            self.add("changed" if kind == "text" else kind, where, what or where, old, new)

    def sequence(self, old: list[Any], new: list[Any], where: str, what: str, kind: str) -> None:
        pairs, removed, added = match_items(old, new)
        for i, j in pairs:
            if old[i] != new[j]:
                self.value(old[i], new[j], _item_where(where, new[j], j), what, kind)
        for i in removed:
            self.add("removed", _item_where(where, old[i], i), what or where, old[i])
        for j in added:
            self.add("added", _item_where(where, new[j], j), what or where, None, new[j])

    def _grade(self, grade: Any) -> Any:
        return self.names.grades.get(grade, grade) if isinstance(grade, str) else (
            None if grade is _MISSING else grade)

    def units(self, old: list[Any], new: list[Any], where: str) -> None:
        pairs, removed, added = match_items(old, new)
        for i, j in pairs:
            if old[i] != new[j]:
                self.mapping(_dict(old[i]), _dict(new[j]), _item_where(where, new[j], j), self._unit_name(new[j]))
        for i in removed:
            self.add("removed", _item_where(where, old[i], i), self._unit_name(old[i]), old[i])
        for j in added:
            self.add("added", _item_where(where, new[j], j), self._unit_name(new[j]), None, new[j])

    def _unit_name(self, unit: Any) -> str:
        unit = _dict(unit)
        key = _key_of(unit)
        named = self.names.units.get(key or "")
        return named or str(unit.get("question") or unit.get("title") or key or "")

    def items(self, key: str, old: list[Any], new: list[Any], where: str, what: str) -> None:
        label = self.names.items.get(key, key)
        about = f"{label} ({what})" if what else label
        pairs, removed, added = match_items(old, new)
        for i, j in pairs:
            here = _item_where(where, new[j], j)
            before, after = _text_of(old[i]), _text_of(new[j])
            if before != after:
                self.add("reworded", here, about, before, after, word_diff(before, after))
            if isinstance(old[i], dict) and isinstance(new[j], dict):
                rest_old = {k: v for k, v in old[i].items() if k not in ("text", "statement")}
                rest_new = {k: v for k, v in new[j].items() if k not in ("text", "statement")}
                self.mapping(rest_old, rest_new, here, what)
        for i in removed:
            self.add("removed", _item_where(where, old[i], i), about, _text_of(old[i]))
        for j in added:
            self.add("added", _item_where(where, new[j], j), about, None, _text_of(new[j]))

    def footnotes(self, old: dict[str, Any], new: dict[str, Any], where: str) -> None:
        for note in [*old, *(k for k in new if k not in old)]:
            here, what = f"{where}[{note}]", self.names.words.footnote.format(note=note)
            if note not in new:
                self.add("footnote-removed", here, what, old[note])
            elif note not in old:
                self.add("footnote-added", here, what, None, new[note])
            elif old[note] != new[note]:
                before, after = _text_of(old[note]), _text_of(new[note])
                self.add("footnote-changed", here, what, before, after, word_diff(before, after))

    def metrics(self, old: list[Any], new: list[Any], where: str) -> None:
        pairs, removed, added = match_items(old, new)
        for i, j in pairs:
            before, after = _dict(old[i]), _dict(new[j])
            fields = [k for k in [*before, *(k for k in after if k not in before)] if before.get(k) != after.get(k)]
            if fields:
                self.add("metric", _item_where(where, after, j), str(after.get("label") or _key_of(after)),
                         {k: before.get(k) for k in fields}, {k: after.get(k) for k in fields})
        for i in removed:
            self.add("metric-removed", _item_where(where, old[i], i), str(_dict(old[i]).get("label", "")), old[i])
        for j in added:
            self.add("metric-added", _item_where(where, new[j], j), str(_dict(new[j]).get("label", "")), None, new[j])

    def figures(self, old: list[Any], new: list[Any], where: str) -> None:
        pairs, removed, added = match_items(old, new)
        for i, j in pairs:
            title = str(_dict(new[j]).get("title") or _key_of(new[j]))
            self.value(old[i], new[j], _item_where(where, new[j], j), self.names.words.figure.format(title=title),
                       kind="figure")
        for i in removed:
            self.add("figure-removed", _item_where(where, old[i], i), str(_dict(old[i]).get("title", "")), old[i])
        for j in added:
            self.add("figure-added", _item_where(where, new[j], j), str(_dict(new[j]).get("title", "")), None, new[j])

    def _datasets(self) -> None:
        """Figure values that live in CSV files: compared cell by cell, by row and column name."""
        old, new = self.datasets
        for dataset_id in [d for d in new if d in old]:
            before, after = old[dataset_id], new[dataset_id]
            for row in [*before, *(r for r in after if r not in before)]:
                for column in sorted(set(before.get(row, {})) | set(after.get(row, {}))):
                    a, b = before.get(row, {}).get(column), after.get(row, {}).get(column)
                    if a != b:
                        self.add("figure", f"datasets[{dataset_id}][{row}][{column}]",
                                 self.names.words.figure_data.format(dataset=dataset_id), a, b)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# ---------------------------------------------------------------------------------
# Loading both drafts


@dataclass(frozen=True, slots=True)
class Draft:
    path: Path
    data: dict[str, Any]
    datasets: dict[str, dict[str, dict[str, float | None]]]


def load_draft(path: Path) -> Draft:
    """A draft's plain data and its CSV datasets; :class:`BuildFailed` if it is not a report."""
    from peelgen.load import load_yaml

    loaded = load_yaml(path)
    if not isinstance(loaded.data, dict) or not isinstance(loaded.data.get("framework"), str):
        raise BuildFailed([Diagnostic(display_name(path), "not a report: it has no 'framework:'", 1, 1,
                                      hint="give two drafts of one report.yaml")])
    return Draft(path, loaded.data, _load_datasets(path, loaded.data))


def _load_datasets(path: Path, data: dict[str, Any]) -> dict[str, dict[str, dict[str, float | None]]]:
    from peelgen.folder import Folder
    from peelgen.load_csv import load_dataset

    found: dict[str, dict[str, dict[str, float | None]]] = {}
    folder = Folder.of([path.parent])
    for entry in _list(data.get("datasets")):
        entry = _dict(entry)
        if not isinstance(entry.get("id"), str) or not isinstance(entry.get("file"), str):
            continue
        try:
            real = folder.locate(entry["file"], suffixes=(".csv",), what="dataset")
        except FileRefused:
            continue  # a draft may name a file not written yet: nothing to compare
        try:
            dataset, _problems = load_dataset(real)
        except BuildFailed:
            continue
        if dataset is not None:
            found[entry["id"]] = {key: dict(zip(dataset.columns, values, strict=False))
                                  for key, values in dataset.rows}
    return found


@dataclass(frozen=True, slots=True)
class Comparison:
    """Every change between two drafts, and the language and words to show them in (the
    newer draft's ``meta.language``)."""

    changes: list[Change]
    language: Language
    words: DiffPageWords


def diff_files(old_path: Path, new_path: Path) -> Comparison:
    """Every change from OLD to NEW; :class:`BuildFailed` if either cannot be read as a
    report, :class:`ValueError` if they are for different frameworks."""
    drafts, problems = [], []
    for path in (old_path, new_path):
        try:
            drafts.append(load_draft(path))
        except BuildFailed as failure:
            problems.extend(failure.diagnostics)
    if problems:
        raise BuildFailed(problems)
    old, new = drafts
    if old.data["framework"] != new.data["framework"]:
        raise ValueError(f"the drafts are for different frameworks ({old.data['framework']}, "
                         f"{new.data['framework']}): compare two drafts of one report")
    names = Names.of(new.data["framework"], report_language(new.data))
    changes = Differ(names, (old.datasets, new.datasets)).document(old.data, new.data)
    return Comparison(changes, names.language, names.words)


def counts(changes: Iterable[Change]) -> dict[str, int]:
    tally: dict[str, int] = {}
    for change in changes:
        tally[change.kind] = tally.get(change.kind, 0) + 1
    return tally
