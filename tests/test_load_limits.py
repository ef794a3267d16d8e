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
from tests.conftest import MINIMAL, example_params, line_of


def messages(text: str) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        load_yaml(Path("report.yaml"), text=text)
    return [d.format() for d in failure.value.diagnostics]


def messages_and_peak(text: str, *, measure: bool) -> tuple[list[str], float]:
    """The messages, and the peak of memory allocated meanwhile (in MB) if ``measure``
    (tracemalloc makes parsing several times slower, so only where it is the point)."""
    if not measure:
        return messages(text), 0.0
    tracemalloc.start()
    try:
        found = messages(text)
        return found, tracemalloc.get_traced_memory()[1] / 1e6
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


@pytest.mark.parametrize("example", example_params())
def test_both_parsers_give_the_same_data_and_positions(example: Path, monkeypatch):
    if not load_yaml_events.HAS_LIBYAML:
        pytest.skip("PyYAML was built without libyaml here")
    fast = load_yaml(example)
    monkeypatch.setattr(load_yaml_events, "HAS_LIBYAML", False)
    slow = load_yaml(example)
    assert fast.data == slow.data
    assert fast.source.values == slow.source.values
    assert fast.source.keys == slow.source.keys
    assert len(fast.source.values) > 100  # every value has a position, not only the top (the smallest example has 131)


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
                                  "key: |\n  a\tb\n", "# \t\nkey: a b\n", "key: | # a\tcomment\n  a b\n"])
def test_tabs_inside_quoted_or_block_text_and_comments_are_fine(parser, text: str):
    assert load_yaml(Path("r.yaml"), text=text).data["key"].strip() in ("a\tb", "a b")


@pytest.mark.parametrize(("text", "column"), [("key: a\tb\n", 7), ("key: a b\t# comment\n", 9),
                                              ("key: [a,\tb]\n", 9), ("key: |\t\n  text\n", 7)])
def test_tabs_in_plain_text_are_refused_by_both_parsers(parser, text: str, column: int):
    [message] = messages(text)
    assert message.startswith(f"report.yaml:1:{column}: YAML syntax error: ")
    assert "found '\\t'" in message or "found character '\\t'" in message


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
    found, peak = messages_and_peak(text, measure=True)
    assert found == ["report.yaml:1:1: the document has too many values (is it an alias bomb?)"]
    assert peak < 60  # what reading the text costs, not what expanding it would


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
    found, peak = messages_and_peak(text, measure=parser == "libyaml")
    assert found == [f"report.yaml:1:1: the document has too many values (the limit is {MAX_NODES:,})"]
    assert peak < 150


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


# -- images -------------------------------------------------------------------------------

from peelgen.diagnostics import FileRefused  # noqa: E402
from peelgen.folder import Folder  # noqa: E402
from peelgen.load_images import MAX_IMAGE_BYTES, MAX_PIXELS, load_image  # noqa: E402
from peelgen.load_svg import MAX_SVG_DEPTH, MAX_SVG_ELEMENTS, MAX_USE_DEPTH  # noqa: E402


def png(width: int, height: int) -> bytes:
    """A PNG header declaring ``width`` × ``height`` (the pixel data need not follow:
    the size must be refused before anything decodes it)."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return b"\x89PNG\r\n\x1a\n" + chunk + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def jpeg(width: int, height: int) -> bytes:
    import struct

    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def gif(width: int, height: int, frames: list[tuple[int, int]] | None = None) -> bytes:
    import struct

    body = b""
    for frame_width, frame_height in frames or [(width, height)]:
        body += b"\x2c" + struct.pack("<HHHHB", 0, 0, frame_width, frame_height, 0) + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + body + b"\x3b"


def webp(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    chunk = b"VP8L" + (5).to_bytes(4, "little") + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + (4 + len(chunk)).to_bytes(4, "little") + b"WEBP" + chunk


def load(tmp_path: Path, name: str, content: bytes):
    (tmp_path / name).write_bytes(content)
    return load_image(Folder.of([tmp_path]), name)


def refused(tmp_path: Path, name: str, content: bytes) -> str:
    with pytest.raises(FileRefused) as failure:
        load(tmp_path, name, content)
    return failure.value.message


@pytest.mark.parametrize(("name", "content", "mime"), [
    ("logo.png", png(200, 100), "image/png"), ("logo.jpg", jpeg(200, 100), "image/jpeg"),
    ("logo.jpeg", jpeg(200, 100), "image/jpeg"), ("logo.gif", gif(200, 100), "image/gif"),
    ("logo.webp", webp(200, 100), "image/webp"),
    ("logo.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                 b'<style>.a{fill:url(#g)}</style><defs><linearGradient id="g"/></defs>'
                 b'<rect class="a" width="10" height="10"/><use href="#g"/></svg>', "image/svg+xml"),
])
def test_images_within_the_limits_load_as_data(tmp_path: Path, name: str, content: bytes, mime: str):
    image = load(tmp_path, name, content)
    assert image.mime == mime and image.data == content
    assert image.data_uri().startswith(f"data:{mime};base64,")


def test_a_sparse_five_gigabyte_logo_is_refused_by_its_size(tmp_path: Path, monkeypatch):
    with (tmp_path / "logo.png").open("wb") as file:
        file.truncate(5 * 1024 ** 3)
    import os

    real_read = os.read
    reads: list[int] = []
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    with pytest.raises(FileRefused) as failure:
        load_image(Folder.of([tmp_path]), "logo.png")
    assert failure.value.message == (f"the image is too large (5,368,709,120 bytes; the limit is "
                                     f"{MAX_IMAGE_BYTES:,} bytes)")
    assert reads == []  # refused by fstat, before a byte was read


@pytest.mark.parametrize(("name", "content", "message"), [
    ("logo.png", b"<!DOCTYPE html><html><body>hi</body></html>",
     "image 'logo.png' is not a PNG image (it is an HTML page)"),
    ("logo.png", jpeg(10, 10), "image 'logo.png' is not a PNG image (it is a JPEG image)"),
    ("logo.jpg", b"just some text", "image 'logo.jpg' is not a JPEG image (its content is not an image peelgen "
                                    "knows)"),
    ("logo.svg", png(10, 10), "image 'logo.svg' is not an SVG image (it is a PNG image)"),
    ("logo.svg", b"<html><svg></svg></html>", "image 'logo.svg' is not an SVG image (it is an HTML page)"),
])
def test_the_real_type_must_match_the_name(tmp_path: Path, name: str, content: bytes, message: str):
    assert refused(tmp_path, name, content) == message


@pytest.mark.parametrize(("name", "content", "shown"), [
    ("bomb.png", png(50_000, 50_000), "50,000 × 50,000"), ("bomb.jpg", jpeg(65_000, 65_000), "65,000 × 65,000"),
    ("bomb.gif", gif(10_000, 10_000), "10,000 × 10,000"), ("bomb.webp", webp(16_000, 16_000), "16,000 × 16,000"),
    ("frames.gif", gif(100, 100, [(6_000, 6_000)] * 2), "72,000,000 × 1"),
])
def test_decompression_bombs_are_refused_from_their_headers(tmp_path: Path, name: str, content: bytes, shown: str):
    assert len(content) < 200
    assert refused(tmp_path, name, content) == (f"image '{name}' has too many pixels ({shown}; the limit is "
                                                f"{MAX_PIXELS:,} pixels)")


def test_a_damaged_header_is_refused(tmp_path: Path):
    assert refused(tmp_path, "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00") == (
        "image 'logo.png' is a damaged PNG file: its size cannot be read")


SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'


@pytest.mark.parametrize(("body", "problem"), [
    ('<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + SVG_OPEN + "&b;</svg>",
     "has a DOCTYPE, which could declare entities"),
    ('<?xml-stylesheet href="http://example.com/x.css"?>' + SVG_OPEN + "</svg>",
     "has a processing instruction <?xml-stylesheet …?>"),
    (SVG_OPEN + "<script>alert(1)</script></svg>", "contains a script (<script>), which is not allowed"),
    (SVG_OPEN + "<foreignObject><p>hi</p></foreignObject></svg>", "contains embedded HTML (foreignObject)"),
    (SVG_OPEN.replace(">", ' onload="alert(1)">', 1) + "</svg>", "has an event handler (onload on <svg>)"),
    (SVG_OPEN + '<image href="http://example.com/track.png"/></svg>',
     "refers to 'http://example.com/track.png', outside the drawing"),
    (SVG_OPEN + '<image xlink:href="file:///etc/passwd"/></svg>', "refers to 'file:///etc/passwd', outside"),
    (SVG_OPEN + '<image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>', "refers to 'data:image/svg+xml"),
    (SVG_OPEN + '<rect style="fill:url(http://example.com/x.svg#p)"/></svg>',
     "refers to 'url(http://example.com/x.svg#p)', outside the drawing"),
    (SVG_OPEN + "<style>@import url(#x);</style></svg>", "has a stylesheet with @import"),
    (SVG_OPEN + "<style>rect { fill: url('https://example.com/p') }</style></svg>",
     "refers to 'url(https://example.com/p)'"),
    (SVG_OPEN + '<a href="javascript:alert(1)"><rect/></a></svg>', "refers to 'javascript:alert(1)'"),
    (SVG_OPEN + '<use href="other.svg#x"/></svg>', "refers to 'other.svg#x', outside the drawing"),
    (SVG_OPEN + '<g id="a"><use href="#a"/></g></svg>', "has a <use> that copies itself"),
    (SVG_OPEN + "<rect>" * (MAX_SVG_DEPTH + 1) + "</rect>" * (MAX_SVG_DEPTH + 1) + "</svg>",
     f"is nested more than {MAX_SVG_DEPTH} levels deep"),
    (SVG_OPEN + "<rect/>" * MAX_SVG_ELEMENTS + "</svg>", f"has more than {MAX_SVG_ELEMENTS:,} elements"),
    (SVG_OPEN + "<rect", "is not well-formed XML: unclosed token" if False else "is not well-formed XML"),
    ('<rect xmlns="http://www.w3.org/2000/svg"><svg/></rect>', "starts with <rect>, not <svg>"),
])
def test_svg_that_is_not_a_plain_drawing_is_refused(tmp_path: Path, body: str, problem: str):
    message = refused(tmp_path, "logo.svg", body.encode())
    assert message.startswith(f"SVG image 'logo.svg' {problem}"), message


def use_bomb(levels: int, copies: int) -> str:
    """Each group holds ``copies`` <use> of the one before: copies ** levels elements."""
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        groups.append(f'<g id="l{level}">' + f'<use href="#l{level - 1}"/>' * copies + "</g>")
    return SVG_OPEN + "<defs>" + "".join(groups) + f'</defs><use href="#l{levels}"/></svg>'


def test_a_small_svg_of_nested_use_is_refused_before_drawing(tmp_path: Path):
    text = use_bomb(8, 10)  # about 1.8 KB, 10 ** 8 elements once drawn
    assert len(text) < 2500
    assert refused(tmp_path, "logo.svg", text.encode()) == (
        f"SVG image 'logo.svg' would have more than {MAX_SVG_ELEMENTS:,} elements once its <use> copies are made")


def test_use_nested_deeper_than_the_limit_is_refused(tmp_path: Path):
    text = use_bomb(MAX_USE_DEPTH + 2, 1)  # one copy each: small, but a long chain
    assert refused(tmp_path, "logo.svg", text.encode()).startswith(
        f"SVG image 'logo.svg' has <use> copies nested more than {MAX_USE_DEPTH} deep")
    load(tmp_path, "ok.svg", use_bomb(3, 3).encode())  # a few copies are fine


def test_a_long_use_chain_in_reverse_order_is_refused_without_deep_recursion(tmp_path: Path):
    # Each group uses the next one, defined after it: nothing is known when the first is measured.
    groups = "".join(f'<g id="l{n}"><use href="#l{n + 1}"/></g>' for n in range(5000)) + '<g id="l5000"/>'
    assert refused(tmp_path, "logo.svg", (SVG_OPEN + groups + "</svg>").encode()).startswith(
        f"SVG image 'logo.svg' has <use> copies nested more than {MAX_USE_DEPTH} deep")


def test_image_problems_reach_the_cli_located_at_the_logo(cli, write, tmp_path):
    (tmp_path / "logo.png").write_bytes(b"<html><body>not a picture</body></html>")
    text = MINIMAL.replace("  publication_date: 2017-03-02\n",
                           "  publication_date: 2017-03-02\n  logo: logo.png\n  logo_alt: Testshire crest\n")
    write(text)
    result = cli("build", "report.yaml", "-o", "out", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == (
        f"report.yaml:{line_of(text, 'logo: logo.png')}:9: meta.logo: image 'logo.png' is not a PNG image "
        "(it is an HTML page) (save it as PNG, or name the file after its real type)")


@pytest.mark.parametrize("text", ['"a\\e[2Jb": 1\n', 'k: !!bool "\\e[2J"\n', 'k: !!int "\\e]0;x\\a"\n',
                                  'k: !custom "\\e[31m"\n'])
def test_no_message_echoes_an_escape_sequence(parser, text: str):
    [message] = messages(text)
    assert "\x1b" not in message and "\x07" not in message
    assert "the text contains the control character U+001B" in message


def test_a_tag_spelling_an_escape_sequence_is_shown_escaped(parser):
    [message] = messages("k: !a%1B%5B2J b\n")
    assert message == ("report.yaml:1:4: k: YAML tag '!a\\x1b[2J' is not allowed (remove the tag; plain values "
                       "only)")


# -- the two parsers agree ----------------------------------------------------------------

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402

from tests.test_properties import edited_text  # noqa: E402


def outcome(text: str, *, libyaml: bool) -> tuple[str, object]:
    saved = load_yaml_events.HAS_LIBYAML
    load_yaml_events.HAS_LIBYAML = libyaml
    try:
        loaded = load_yaml(Path("report.yaml"), text=text)
    except BuildFailed as failure:
        return "refused", failure.diagnostics[0].line
    finally:
        load_yaml_events.HAS_LIBYAML = saved
    return "read", (repr(loaded.data), sorted(loaded.source.values.items()), sorted(loaded.source.keys.items()))


@pytest.mark.skipif(not load_yaml_events.HAS_LIBYAML, reason="PyYAML was built without libyaml here")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=edited_text())
def test_what_both_parsers_read_they_read_the_same(text: str):
    """The two grammars differ at the edges (libyaml reads ``{a? b: c}`` and ``|#``, and
    refuses a tab among indentation spaces that PyYAML reads); whatever both read must give
    the same data and positions. A byte-order mark inside a line is the one known
    difference in positions: libyaml counts it as a column, PyYAML does not."""
    assume("\ufeff" not in text.lstrip("\ufeff"))
    fast, slow = outcome(text, libyaml=True), outcome(text, libyaml=False)
    if fast[0] == slow[0] == "read":
        assert fast == slow
