"""Limits of the load stage: hostile YAML and images stop early, cheaply and with a
located message. Every hostile file is generated here, in tmp_path.

No test here is timed (timings live in bench/); the memory a hostile file may cost is
measured with tracemalloc, which counts allocations, not seconds.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml

from peelgen import load_yaml_events
from peelgen.diagnostics import BuildFailed
from peelgen.load import MAX_DEPTH, MAX_NODES, dump_yaml, load_yaml
from tests.conftest import EXAMPLES, MINIMAL, line_of


def messages(text: str) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load_yaml(Path("report.yaml"), text=text)
    return [d.format() for d in failure.value.diagnostics]


def peak_megabytes(text: str) -> float:
    tracemalloc.start()
    try:
        with pytest.raises(BuildFailed):
            load_yaml(Path("report.yaml"), text=text)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml, and again with PyYAML's pure-Python parser (the fallback)."""
    if request.param == "libyaml" and not load_yaml_events.HAS_LIBYAML:
        pytest.skip("PyYAML was built without libyaml here")
    if request.param == "pure-python":
        monkeypatch.setattr(load_yaml_events, "HAS_LIBYAML", False)
    return request.param


# -- the parser ---------------------------------------------------------------------------


def test_libyaml_parses_when_pyyaml_has_it(monkeypatch):
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML was built without libyaml here")
    used = []
    original = load_yaml_events.new_parser

    def spy(text: str, *, pure: bool = False):
        parser = original(text, pure=pure)
        used.append(type(parser).__name__)
        return parser

    monkeypatch.setattr("peelgen.load.new_parser", spy)
    load_yaml(Path("report.yaml"), text=MINIMAL)
    assert used == ["CSafeLoader"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_both_parsers_give_the_same_data_and_positions(example: Path, monkeypatch):
    if not load_yaml_events.HAS_LIBYAML:
        pytest.skip("PyYAML was built without libyaml here")
    fast = load_yaml(example)
    monkeypatch.setattr(load_yaml_events, "HAS_LIBYAML", False)
    slow = load_yaml(example)
    assert fast.data == slow.data
    assert fast.source.values == slow.source.values
    assert fast.source.keys == slow.source.keys
    assert len(fast.source.values) > 200  # every value has a position, not only the top


# -- scalars: YAML 1.2, as before ----------------------------------------------------------


@pytest.mark.parametrize(("written", "read"), [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),  # YAML 1.1 booleans stay text
    ("true", True), ("False", False), ("null", None), ("~", None), ("", None),
    ("12", 12), ("007", 7), ("0o17", 15), ("0x1F", 31), ("1_000", 1000), ("-3", -3),
    ("1.5", 1.5), ("1e5", 100000.0), (".5", 0.5), ("1:30", "1:30"),  # no sexagesimal numbers
    ("2017-02-30", "2017-02-30"), ("2017-03-02", "2017-03-02"),  # dates stay text
    ("'12'", "12"), ('"true"', "true"), ("!!str 12", "12"), ("!!int 0x10", 16), ("!!float 2", 2.0),
    ("!!bool true", True), ("=", "="),
])
def test_scalars_are_read_as_yaml_1_2(parser, written: str, read):
    assert load_yaml(Path("r.yaml"), text=f"key: {written}\n").data == {"key": read}


def test_a_grade_of_no_stays_text_and_gets_the_grade_message(cli, write):
    text = MINIMAL.replace("    grade: good\n  - id: vulnerability", "    grade: no\n  - id: vulnerability")
    write(text)
    result = cli("validate", "report.yaml")
    assert result.code == 1
    [line] = result.err_lines
    assert line.startswith(f"report.yaml:{line_of(text, 'grade: no')}:12: questions[1].grade: 'no' is not a grade")


def test_a_bool_tag_on_a_grade_is_a_located_error(cli, write):
    text = MINIMAL.replace("  grade: good\n  previous", "  grade: !!bool good\n  previous")
    write(text)
    result = cli("build", "report.yaml", "-o", "out")
    assert result.code == 1
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.err_lines[0] == (f"report.yaml:{line_of(text, '!!bool')}:10: overall.grade: 'good' is not true "
                                   "or false (remove the '!!bool' tag; YAML tags are not needed in a report)")


@pytest.mark.parametrize("escape", ["\\e", "\\x1b", "\\0", "\\a", "\\x7f", "\\u009b", "\\r"])
def test_control_characters_from_escapes_are_located_errors(parser, escape: str):
    [message] = messages(f'framework: peel-2016-effectiveness\nmeta:\n  force: "Red{escape}[31m"\n')
    code = message.split("U+")[1][:4]
    assert message.startswith(f"report.yaml:3:10: meta.force: the text contains the control character U+{code}")


def test_tabs_and_line_breaks_from_escapes_are_text(parser):
    assert load_yaml(Path("r.yaml"), text='key: "a\\tb\\nc"\n').data == {"key": "a\tb\nc"}


def test_a_tab_after_a_key_is_refused_by_both_parsers(parser):
    [message] = messages("framework: peel-2016-effectiveness\nmeta:\n  force:\tTestshire\n")
    assert message == ("report.yaml:3:9: YAML syntax error: found character '\\t' that cannot start any token "
                       "(indent with spaces, not tabs)")


@pytest.mark.parametrize("text", ["key: 'a\tb'\n", 'key: "a\tb"\n', "key: a b  # a\tcomment\n",
                                  "key: |\n  a\tb\n", "# \t\nkey: a b\n"])
def test_tabs_inside_quoted_or_block_text_and_comments_are_fine(parser, text: str):
    assert load_yaml(Path("r.yaml"), text=text).data["key"].strip() in ("a\tb", "a b")


@pytest.mark.parametrize(("text", "column"), [("key: a\tb\n", 7), ("key: a b\t# comment\n", 9),
                                              ("key: [a,\tb]\n", 9)])
def test_tabs_in_plain_text_are_refused_by_both_parsers(parser, text: str, column: int):
    [message] = messages(text)
    assert message.startswith(f"report.yaml:1:{column}: YAML syntax error: found character '\\t'")


def test_duplicate_keys_are_all_reported(parser):
    found = messages("a: 1\nb: 2\na: 3\nc:\n  d: x\n  d: y\n")
    assert found == [
        'report.yaml:3:1: YAML syntax error: duplicate key "a" with value "3" (original value: "1") '
        "(each key may appear once in a mapping)",
        'report.yaml:6:3: YAML syntax error: duplicate key "d" with value "y" (original value: "x") '
        "(each key may appear once in a mapping)",
    ]


def test_a_syntax_error_in_a_large_file_is_located_in_libyamls_words(parser):
    # Over the size that is read twice for PyYAML's wording, under the limit on values.
    padding = "".join(f"k{i}: {'value ' * 5}\n" for i in range(20_000))
    assert len(padding) > 600_000
    [message] = messages(padding + "bad: a: b\n")
    assert message.startswith("report.yaml:20001:7: YAML syntax error: mapping values are not allowed")


# -- aliases ------------------------------------------------------------------------------


def test_values_inside_an_alias_are_located_at_their_definition(parser):
    loaded = load_yaml(Path("r.yaml"), text="a: &x\n  b: [1, 2]\nc: *x\nd: [*x]\n")
    assert loaded.data == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}, "d": [{"b": [1, 2]}]}
    assert loaded.data["c"] is not loaded.data["a"]  # later stages never see shared objects
    source = loaded.source
    assert source.locate(("c",))[:2] == (3, 4)  # the alias itself
    assert source.locate(("c", "b", 1))[:2] == (2, 10)  # inside it: the definition
    assert source.locate(("d", 0, "b"), prefer_key=True)[:2] == (2, 3)


def alias_bomb(megabytes: float) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 50) + "]"]
    while sum(map(len, lines)) < megabytes * 1_000_000:
        n = len(lines)
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 50) + "]")
    return "\n".join(lines) + "\n"


def test_a_one_megabyte_alias_bomb_stops_early_and_small(parser):
    text = alias_bomb(1)
    assert len(text) > 1_000_000
    assert messages(text) == ["report.yaml:1:1: the document has too many values (is it an alias bomb?)"]
    assert peak_megabytes(text) < 60  # what reading the text costs, not what expanding it would


def test_aliases_cannot_nest_deeper_than_the_limit(parser):
    # Each anchor is 40 levels deep and holds the previous one: no single nesting in the
    # text is deep, but the data would be.
    lines = ["a0: &a0 " + "[" * 40 + "]" * 40]
    for n in range(1, 5):
        lines.append(f"a{n}: &a{n} " + "[" * 40 + f"*a{n - 1}" + "]" * 40)
    [message] = messages("\n".join(lines) + "\n")
    assert message == f"report.yaml:2:49: the document is nested more than {MAX_DEPTH} levels deep"


def test_a_recursive_alias_is_a_located_error(parser):
    [message] = messages("framework: x\nmeta:\n  force: &me [a, *me]\n")
    assert message.startswith("report.yaml:3:18: meta.force[1]: the alias '*me' is used inside the value it names")


def test_a_reused_anchor_is_an_error(parser):
    [message] = messages("a: &x 1\nb: &x 2\nc: *x\n")
    assert message == "report.yaml:2:4: the anchor '&x' is defined more than once (give each anchor a different name)"


# -- size ---------------------------------------------------------------------------------


def test_two_hundred_thousand_keys_are_refused_while_parsing(parser, monkeypatch):
    text = "".join(f"key{i}: value {i}\n" for i in range(200_000))
    events = 0
    original = load_yaml_events.EventBuilder._scalar

    def counting(self, event):
        nonlocal events
        events += 1
        original(self, event)

    monkeypatch.setattr(load_yaml_events.EventBuilder, "_scalar", counting)
    assert messages(text) == [f"report.yaml:1:1: the document has too many values (the limit is {MAX_NODES:,})"]
    assert events <= MAX_NODES  # stopped at the limit, not after reading all 400,000 values


def test_a_long_flow_list_is_refused_while_parsing(parser):
    text = "framework: [" + ", ".join(["1"] * 1_600_000) + "]\n"
    assert 4_500_000 < len(text) < 5 * 1024 * 1024
    assert messages(text) == [f"report.yaml:1:1: the document has too many values (the limit is {MAX_NODES:,})"]
    assert peak_megabytes(text) < 150


def test_deep_flow_nesting_stops_at_the_limit(parser):
    [message] = messages("framework: " + "[" * 5000 + "]" * 5000 + "\n")
    assert message == f"report.yaml:1:77: the document is nested more than {MAX_DEPTH} levels deep"


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path):
    from peelgen.load import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    with big.open("wb") as file:
        file.truncate(5 * 1024 ** 3)  # sparse: 5 GB that take no disk space
    with pytest.raises(BuildFailed) as failure:
        load_yaml(big)
    [diagnostic] = failure.value.diagnostics
    assert diagnostic.message == (f"the file is too large (5,368,709,120 bytes; the limit is {MAX_FILE_BYTES:,} "
                                  "bytes)")


# -- writing YAML back --------------------------------------------------------------------


def test_dump_yaml_quotes_what_yaml_1_2_would_read_as_numbers():
    data = {"a": ["1e5", "0o17", "yes", "2017-03-02", "12", "1_000", ".inf", "text"], "b": 1e5, "c": None}
    assert load_yaml(Path("r.yaml"), text=dump_yaml(data)).data == data
