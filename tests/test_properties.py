"""Property-based tests: whatever the input, compiling a report either succeeds or
raises BuildFailed with one-line located messages, and every valid report renders.

Valid documents are built from MINIMAL by varying grades, names and markdown text;
broken ones by random mutations of its data (deleted keys, changed types, new keys)
or of its text (random edits, random bytes). No PDF is rendered here: that is slow,
and the PDF stage only ever sees HTML that these tests already render.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from peelgen.build import compile_report
from peelgen.diagnostics import BuildFailed
from peelgen.load import dump_yaml, load_yaml
from peelgen.render_html import render_html
from tests.conftest import MINIMAL

# PEELGEN_HYPOTHESIS_EXAMPLES=5000 for a long hunt; the default keeps the suite quick.
SETTINGS = settings(max_examples=int(os.environ.get("PEELGEN_HYPOTHESIS_EXAMPLES", "100")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

GRADED = ["outstanding", "good", "requires-improvement", "inadequate"]
# Labels and odd spellings that validate must normalise to the ids above.
GRADE_SPELLINGS = {
    "outstanding": ["outstanding", "Outstanding", "OUTSTANDING"],
    "good": ["good", "Good", " good "],
    "requires-improvement": ["requires-improvement", "Requires improvement", "requires_improvement",
                             "REQUIRES  IMPROVEMENT"],
    "inadequate": ["inadequate", "Inadequate"],
}
QUESTIONS = ["preventing", "investigating", "vulnerability", "serious-organised-crime"]


def _load_minimal() -> dict[str, Any]:
    return load_yaml(Path("report.yaml"), text=MINIMAL).data


BASE = _load_minimal()


def dump(data: Any) -> str:
    return dump_yaml(data)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def check_compiles_or_fails_cleanly(path: Path, *, must_succeed: bool = False, expect_in_html: str = "") -> None:
    """The property: BuildFailed with well-formed diagnostics, or a document that renders."""
    try:
        compiled = compile_report(path)
    except BuildFailed as failure:
        assert not must_succeed, f"expected a valid report, got:\n{failure}"
        assert failure.diagnostics, "BuildFailed without a single diagnostic"
        for diagnostic in failure.diagnostics:
            line = diagnostic.format()
            assert "\n" not in line and line.strip() == line, repr(line)
            assert line.startswith(f"{diagnostic.file}:")
            assert "Traceback" not in line
        return
    html = render_html(compiled.document, target="web")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "<script" not in html.lower()  # nothing from the report can become markup
    assert expect_in_html in html


# -- valid documents ------------------------------------------------------------------

# Text with unicode and punctuation, but no control characters (YAML rejects most of them
# and the model is right to) and no surrogates.
NAME = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\ufeff"),
    min_size=1, max_size=60,
).filter(lambda s: s.strip() != "")

# Headings are inline markdown: keep out what would cite a footnote or fill a placeholder.
HEADING = NAME.filter(lambda s: not re.search(r"\[\^|\{[a-z]", s))

# Pieces of markdown that are always valid on their own and stay valid when joined by a
# space or a blank line: braces that cannot form a placeholder, citations of a defined
# footnote, allowed link schemes, raw HTML (printed as text), code spans, emphasis.
FRAGMENTS = [
    "word", "Testshire", "naïve café", "Ünïcödé", "日本語", "😀", "{area}", "{force}", "{force_short}",
    "{inspectorate}", "\\{force}", "{", "}", "{ }", "{}", "{1}", "}{", "{{", "}}", "[", "]", "[^", "[^ x]",
    "^", "[^period]", "<", ">", "<script>alert(1)</script>", "<b>bold</b>", "<img src=x onerror=alert(1)>",
    "&", "&amp;", "&lt;", "&#x3C;", "&nbsp;", "`code`", "`{force}`", "`[^nope]`", "``a ` b``", "*", "_",
    "**strong**", "*em*", "_em_", "[a link](https://example.com/?a=1&b=<2>)", "<https://example.com>",
    "[mail](mailto:a@example.com)", "[anchor](#top)", "--", "---", "'quoted'", '"double"', "...", "\\",
    "\\[", "\\*", "#", "|", "!", "(", ")", "%", "$", "~~", "€", "£", "—", "–",
]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "\n\n- ", "\n\n1. ", "\n\n> "]


@st.composite
def markdown(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=25))
    return "".join(f"{fragment}{sep}" for fragment, sep in pieces).strip() or "Text."


@st.composite
def valid_report(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    meta = data["meta"]
    meta["force"] = draw(NAME)
    if draw(st.booleans()):
        meta["force_short"] = draw(NAME)
    else:
        del meta["force_short"]
    if draw(st.booleans()):
        meta["area"] = draw(NAME)
    if draw(st.booleans()):
        meta["inspection_period"] = draw(NAME)
    meta["publication_date"] = draw(st.dates()).isoformat()
    overall = data["overall"]
    overall["grade"] = draw(st.sampled_from(GRADE_SPELLINGS[draw(st.sampled_from(GRADED))]))
    if draw(st.booleans()):
        overall["previous_grade"] = draw(st.sampled_from(GRADE_SPELLINGS[draw(st.sampled_from(GRADED))]))
    else:
        del overall["previous_grade"]
    overall["summary"] = draw(markdown()) + " [^period]"
    questions = data["questions"]
    for question in questions:
        if question["id"] in QUESTIONS:
            question["grade"] = draw(st.sampled_from(GRADE_SPELLINGS[draw(st.sampled_from(GRADED))]))
    preventing = questions[0]
    preventing["findings"][0]["body"] = draw(markdown()) + "\n\n{figure:rates}\n"
    # Raw HTML is printed as text, never passed through: the test checks for the escaped form.
    preventing["summary"] = draw(markdown()) + " <script>alert(1)</script>"
    preventing["areas_for_improvement"] = [draw(markdown()) for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        deadline = draw(st.dates()).isoformat()
        preventing["causes_of_concern"] = [{
            "statement": draw(markdown()),
            "recommendations": [{"text": "By {deadline}, " + draw(markdown()), "deadline": deadline}],
        }]
    if draw(st.booleans()):
        questions[1]["findings"] = [{"heading": draw(HEADING), "body": draw(markdown())}]
    figure = data["figures"][0]
    figure["title"] = draw(markdown()).replace("\n", " ")[:400] or "Title"
    figure["table"]["rows"] = [
        [draw(NAME), draw(st.one_of(st.none(), st.integers(-10**9, 10**9),
                                    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)))]
        for _ in range(draw(st.integers(1, 4)))
    ]
    data["footnotes"]["period"] = draw(markdown())
    if draw(st.booleans()):
        data["annex_a"] = {"body": draw(markdown()),
                           "sections": [{"heading": draw(HEADING), "body": draw(markdown())}]}
    if draw(st.booleans()):
        data["next_steps"] = draw(markdown())
    return data


@SETTINGS
@given(report=valid_report())
def test_valid_reports_compile_and_render(workdir: Path, report: dict[str, Any]):
    path = workdir / "valid.yaml"
    path.write_text(dump(report), encoding="utf-8")
    check_compiles_or_fails_cleanly(path, must_succeed=True, expect_in_html="&lt;script&gt;alert(1)&lt;/script&gt;")


# -- random markdown: may be invalid (an unknown placeholder), must never crash ----------------

MARKDOWN_TOKENS = [*"ab {}[]^<>&`*_#-!():\\/'\"|~\n", "\n\n", "{area}", "[^period]", "](", "{fig:", "{figure:",
                   "{deadline}", "[^x]", "![", "javascript:", "http://", "    ", "1. ", "> "]
MARKDOWN_CHARS = st.lists(st.sampled_from(MARKDOWN_TOKENS), max_size=40).map("".join)


@SETTINGS
@given(texts=st.lists(MARKDOWN_CHARS, min_size=4, max_size=4))
def test_random_markdown_never_crashes(workdir: Path, texts: list[str]):
    data = copy.deepcopy(BASE)
    data["questions"][0]["findings"][0]["body"] = texts[0] + "\n\n{figure:rates}\n"
    data["overall"]["summary"] = texts[1] + "[^period]"
    data["figures"][0]["title"] = texts[2].replace("\n", " ") or "x"
    data["footnotes"]["period"] = texts[3] or "x"
    path = workdir / "markdown.yaml"
    path.write_text(dump(data), encoding="utf-8")
    check_compiles_or_fails_cleanly(path)


# -- mutated data -----------------------------------------------------------------------

def paths_in(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(paths_in(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(paths_in(value, (*prefix, index)))
    return found


def get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["", "ungraded", "good", "2017-02-30", "{area}", "[^period]", "x" * 600]),
)
VALUES = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)), max_leaves=8)
KEYS = st.one_of(st.text(max_size=12), st.sampled_from(["id", "heading", "body", "grade", "cells", "kind",
                                                        "findings", "table", "sections", "deadline"]))


@st.composite
def mutated_report(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths_in(data)))
        if not path:
            continue
        parent, last = get(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["delete", "replace", "insert", "duplicate"]))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(VALUES)
        elif action == "insert":
            target = get(data, path)
            if isinstance(target, dict):
                target[draw(KEYS)] = draw(VALUES)
            elif isinstance(target, list):
                target.insert(draw(st.integers(0, len(target))), draw(VALUES))
            else:
                parent[last] = [target, draw(VALUES)]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return data


@SETTINGS
@given(report=mutated_report())
def test_mutated_reports_never_crash(workdir: Path, report: dict[str, Any]):
    path = workdir / "mutated.yaml"
    try:
        text = dump(report)
    except Exception:  # noqa: BLE001 - a value the dumper itself cannot write is not a case
        assume(False)
    path.write_text(text, encoding="utf-8")
    check_compiles_or_fails_cleanly(path)


# -- mutated text and bytes -----------------------------------------------------------------

EDIT_TEXT = st.sampled_from(["", " ", "  ", "\t", "\n", ":", "- ", "-", "{", "}", "[", "]", "'", '"', "&a", "*a",
                             "!!python/object:os.system", "!x", "<<: ", "? ", "|", ">", "#", "%", "@", "`", ",",
                             "\x07", "\ufeff", "é", "\r", "\\"])


@st.composite
def edited_text(draw: st.DrawFn) -> str:
    text = MINIMAL
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        text = text[:start] + draw(EDIT_TEXT) + text[end:]
    return text


@SETTINGS
@given(text=edited_text())
def test_edited_text_never_crashes(workdir: Path, text: str):
    path = workdir / "edited.yaml"
    path.write_bytes(text.encode("utf-8"))
    check_compiles_or_fails_cleanly(path)


@SETTINGS
@given(data=st.binary(max_size=300), where=st.integers(0, len(MINIMAL)), replace=st.booleans())
def test_random_bytes_never_crash(workdir: Path, data: bytes, where: int, replace: bool):
    minimal = MINIMAL.encode()
    content = data if replace else minimal[:where] + data + minimal[where:]
    path = workdir / "bytes.yaml"
    path.write_bytes(content)
    check_compiles_or_fails_cleanly(path)


def test_the_base_report_round_trips_through_the_dumper(workdir: Path):
    """The generators start from MINIMAL as data; check that dumping keeps it valid."""
    path = workdir / "base.yaml"
    path.write_text(dump(BASE), encoding="utf-8")
    compiled = compile_report(path)
    assert compiled.document.force == "Testshire Police"
    assert re.search(r"Crime in Testshire is low", render_html(compiled.document, target="web"))
