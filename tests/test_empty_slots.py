"""No empty slots: a derived sentence never prints with a missing input.

Every framework's example is built again with each optional input left out, one at a
time (anywhere in the report, the first entry of each list standing for the rest);
whatever still validates must resolve to text without an empty slot. Then hypothesis
leaves out several at once. Money and scales print as they should.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from peelgen.diagnostics import BuildFailed
from peelgen.document import Document, Fragment
from peelgen.formatting import measure
from peelgen.load import LoadedFile, load_yaml
from peelgen.render_html import render_fragment
from peelgen.resolve import resolve
from peelgen.validate import validate
from tests.conftest import EXAMPLES, example_params

EMPTY_SLOTS = [
    (re.compile(r"\s[,.;:]"), "a space before punctuation (' because .')"),
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\bnan\b", re.I), "nan"),
    (re.compile(r"(?<![\d,.])0 of\b"), "a lone '0 of'"),
    (re.compile(r"\{[a-z_:.-]*\}"), "an unreplaced {placeholder}"),
    (re.compile(r"£0\.0+ (?:thousand|million|billion)"), "money printed as £0.0 million"),
    (re.compile(r"\(\s*\)"), "empty brackets"),
]


def _text(value: Any, seen: set[int], env: dict[str, Any]) -> Iterator[str]:
    """Every reader-visible string of a resolved document, fragments rendered as text."""
    if id(value) in seen or value is None or isinstance(value, bool | int | float | Token):
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif isinstance(value, Fragment):
        html = render_fragment(value, env)
        yield re.sub(r"<[^>]+>", "", str(html))
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            if field.name not in ("anchor", "id", "kind", "template", "slug", "logo_data_uri", "image"):
                yield from _text(getattr(value, field.name), seen, env)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _text(item, seen, env)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _text(item, seen, env)


def _env(doc: Document) -> dict[str, Any]:
    return {"doc": doc, "target": "web", "plain": True, "render_figure": lambda _id: ""}


def empty_slots(doc: Document) -> list[str]:
    found = []
    for text in _text(doc, set(), _env(doc)):
        flat = " ".join(text.split())
        found += [f"{what}: …{flat[max(m.start() - 40, 0):m.end() + 20]}…"
                  for pattern, what in EMPTY_SLOTS for m in pattern.finditer(flat)]
    return found


def _paths(data: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every key of every mapping, the first item of each list standing for all."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(data, list) and data:
        yield from _paths(data[0], (*path, 0))


def _without(data: Any, paths: list[tuple]) -> Any:
    data = copy.deepcopy(data)
    for path in sorted(paths, key=len, reverse=True):
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
    return data


@functools.cache
def _loaded(example: Path) -> LoadedFile:
    return load_yaml(example)


def _build(example: Path, data: Any, tmp_path: Path) -> Document | None:
    """The document for ``data`` in place of the example's own (its files found beside
    it; messages located by the original's lines), or None if it is not valid."""
    loaded = _loaded(example)
    try:
        return resolve(validate(LoadedFile(loaded.path, data, loaded.source)))
    except BuildFailed:
        return None


@pytest.mark.parametrize("example", example_params())
def test_every_example_has_no_empty_slot(example, tmp_path):
    doc = _build(example, _loaded(example).data, tmp_path)
    assert doc is not None
    assert empty_slots(doc) == []


@pytest.mark.parametrize("example", example_params())
def test_no_empty_slot_with_any_optional_input_left_out(example, tmp_path):
    data = _loaded(example).data
    built, problems = 0, []
    for path in _paths(data):
        doc = _build(example, _without(data, [path]), tmp_path)
        if doc is None:
            continue  # a required input: validation says so
        built += 1
        problems += [f"without {'.'.join(map(str, path))}: {p}" for p in empty_slots(doc)]
    assert built > 5, "too few optional inputs to mean anything"
    assert problems == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_empty_slot_with_several_inputs_left_out(data, tmp_path):
    example = data.draw(st.sampled_from(list(EXAMPLES)))
    report = _loaded(example).data
    paths = data.draw(st.lists(st.sampled_from(list(_paths(report))), max_size=6, unique=True))
    doc = _build(example, _without(report, paths), tmp_path)
    if doc is not None:
        assert empty_slots(doc) == []


def test_victim_service_without_closed_files_leaves_the_sentence_out(tmp_path):
    example = next(p for p in EXAMPLES if p.parent.name == "fictional-2023-25")
    data = _without(_loaded(example).data, [("victim_service", "closed_files"), ("victim_service", "closed_outcome")])
    doc = _build(example, data, tmp_path)
    assert doc is not None
    service = next(c for c in doc.chapters if c.kind == "victim-service")
    text = " ".join(_text(service.intro, set(), _env(doc)))
    assert "case files" in text and "closed" not in text


def test_the_checks_can_fail():
    """The patterns find the slots the issue names."""
    for broken in ("had been closed because .", "At least 0 of those files", "None", "nan percent",
                   "{closed_outcome}", "£0.0 million"):
        assert any(p.search(broken) for p, _ in EMPTY_SLOTS), broken


@pytest.mark.parametrize(("value", "scale", "decimals", "expected"), [
    (143_000_000, "million", 0, "£143 million"),
    (1_260_000, "million", 1, "£1.3 million"),
    (2_500_000_000, "billion", 1, "£2.5 billion"),
    (48_000, "thousand", 0, "£48 thousand"),
    (1234.5, None, 2, "£1,234.50"),
])
def test_money_prints_with_its_scale(value, scale, decimals, expected):
    assert measure(value, unit="gbp", decimals=decimals, scale=scale) == expected


def test_money_given_in_millions_by_mistake_is_an_error(cli, write):
    from tests.conftest import MINIMAL

    text = MINIMAL + ("metrics:\n  - {id: budget, label: Net revenue budget, value: 143, unit: gbp, "
                      "scale: million, decimals: 1}\n")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert any("metrics[0].value: 143 with scale 'million' would print as £0.0 million "
               "(give the value in pounds, e.g. 143,000,000) [metric.scale]" in line for line in result.err_lines)
