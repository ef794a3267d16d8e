"""A report's stylesheets are untrusted: parsed, filtered and written out again.

Each payload is first shown to do harm when a stylesheet is pasted into the page as it
is (what peelgen did before), then built through peelgen."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from peelgen.css_filter import filter_stylesheet, sniff_type
from peelgen.diagnostics import BuildFailed
from peelgen.folder import Folder
from tests.conftest import MINIMAL

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
                       "AAAABJRU5ErkJggg==")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def _elements(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def _report(tmp_path: Path, css: str | bytes) -> Path:
    folder = tmp_path / "rep"
    (folder / "templates" / "styles").mkdir(parents=True)
    custom = folder / "templates" / "styles" / "custom.css"
    custom.write_bytes(css.encode("utf-8") if isinstance(css, str) else css)
    report = folder / "report.yaml"
    report.write_text(MINIMAL.replace("framework: peel-2016-effectiveness\n",
                                      "framework: peel-2016-effectiveness\ntemplates: templates\n"), encoding="utf-8")
    return report


def _html(tmp_path: Path) -> str:
    [page] = (tmp_path / "site").glob("*.html")
    return page.read_text(encoding="utf-8")


CUSTOM = "rep/templates/styles/custom.css"


# -- closing the style element ---------------------------------------------------------------

CLOSERS = {
    "in-a-string": '.a::after { content: "</style><script>alert(1)</script>"; }\n',
    "escaped-string": '.a::after { content: "\\3c /style>\\3c script>alert(1)\\3c /script>"; }\n',
    "comment": "/* </style><script>alert(1)</script> */\n.a { color: red; }\n",
    "case": '.a::after { content: "</STYLE ><SCRIPT>alert(1)</SCRIPT>"; }\n',
}


@pytest.mark.parametrize("name", CLOSERS)
def test_nothing_in_a_stylesheet_can_close_the_style_element(name, cli, tmp_path):
    css = CLOSERS[name]
    if "\\3c" not in css:  # pasted as it is, the payload puts a script in the page
        assert "script" in _elements(f"<html><head><style>{css}</style></head><body></body></html>")
    result = cli("build", _report(tmp_path, css), "-o", "site", "--format", "html")
    assert result.code == 0, result.err
    html = _html(tmp_path)
    assert "script" not in _elements(html)
    assert "<script" not in html.lower() and "</style" not in html.lower().split("</style>", 1)[0]
    assert html.lower().count("</style") == 1


def test_markup_outside_strings_is_refused_with_its_position(cli, tmp_path):
    css = ".a { color: red; }\n</style><script>alert(1)</script>\n"
    assert "script" in _elements(f"<style>{css}</style>")
    result = cli("build", _report(tmp_path, css), "-o", "site", "--format", "html")
    assert result.code == 1
    assert re.match(rf"{CUSTOM}:2:\d+: CSS syntax error", result.err_lines[0]), result.err
    assert not (tmp_path / "site").exists()


def test_a_name_with_an_escaped_angle_bracket_is_refused(cli, tmp_path):
    result = cli("build", _report(tmp_path, ".a { color: red; }\n.b { font-family: \\3c /style\\3e; }\n"),
                 "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == f"{CUSTOM}:2:19: a name in the stylesheet contains '<' or '>' (remove it)"


# -- fetching -------------------------------------------------------------------------------------

REFUSED = {
    "import": ('@import url("https://tracker.example/x.css");', 1, 1, "@import is not allowed"),
    "import-string": ('.a { color: red; }\n@import "local.css";', 2, 1, "@import is not allowed"),
    "remote-url": (".a {\n  background: url(http://tracker.example/pixel.png);\n}", 2, 15, "outside the report"),
    "remote-quoted": ('.a { background: url("https://tracker.example/p.png"); }', 1, 22, "outside the report"),
    "protocol-relative": (".a { background: url(//tracker.example/p.png); }", 1, 18, "outside the report"),
    "file-url": (".a { background: url(file:///etc/passwd); }", 1, 18, "outside the report"),
    "absolute": (".a { background: url(/etc/passwd); }", 1, 18, "outside the report"),
    "dot-dot": (".a { background: url(../../outside/secret.png); }", 1, 18, "must be a relative path"),
    "encoded-dot-dot": (".a { background: url(%2e%2e/%2e%2e/outside/secret.png); }", 1, 18, "must be a relative path"),
    "font-face": ('@font-face { font-family: x; src: url("https://fonts.example/x.woff2"); }', 1, 39, "outside"),
    "expression": (".a { width: expression(alert(1)); }", 1, 13, "expression() is not allowed"),
    "moz-binding": (".a { -moz-binding: url(#xbl); }", 1, 6, "'-moz-binding' is not allowed"),
    "behavior": (".a { color: red; behavior: url(#htc); }", 1, 18, "'behavior' is not allowed"),
    "escaped-behavior": (".a { beh\\61vior: url(#htc); }", 1, 6, "'behavior' is not allowed"),
    "image-set": ('.a { background: image-set("https://x.example/a.png" 1x); }', 1, 18, "image-set() is not allowed"),
    "nested-import": ("@media print { @import url(x.css); }", 1, 16, "@import is not allowed"),
    "data-html": ('.a { background: url("data:text/html,<script>x</script>"); }', 1, 22, "must be an image or a font"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_fetches_and_code_are_refused_with_their_position(name, cli, tmp_path):
    css, line, column, words = REFUSED[name]
    result = cli("build", _report(tmp_path, css), "-o", "site", "--format", "html")
    assert result.code == 1, result.err
    assert result.err_lines[0].startswith(f"{CUSTOM}:{line}:{column}: "), result.err
    assert words in result.err_lines[0]


def test_every_problem_is_reported_at_once(cli, tmp_path):
    css = "@import url(a.css);\n.a { background: url(http://x.example/p.png); }\n.b { width: expression(1); }\n"
    result = cli("build", _report(tmp_path, css), "-o", "site", "--format", "html")
    assert [line.split(": ")[0] for line in result.err_lines[:3]] == [f"{CUSTOM}:1:1", f"{CUSTOM}:2:18",
                                                                       f"{CUSTOM}:3:13"]


def test_a_local_image_is_inlined_as_data(cli, tmp_path):
    report = _report(tmp_path, ".a { background: url(images/dot.png); }\n.b { background: url('#grad'); }\n")
    (report.parent / "templates" / "styles" / "images").mkdir()
    (report.parent / "templates" / "styles" / "images" / "dot.png").write_bytes(PNG)
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 0, result.err
    html = _html(tmp_path)
    assert f'url("data:image/png;base64,{base64.b64encode(PNG).decode()}")' in html
    assert "images/dot.png" not in html and 'url("#grad")' in html


def test_a_local_file_that_is_not_an_image_or_font_is_refused(cli, tmp_path):
    report = _report(tmp_path, ".a { background: url(page.png); }")
    (report.parent / "templates" / "styles" / "page.png").write_text("<html>not a picture</html>", encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"{CUSTOM}:1:18: 'page.png' is not an image or font"), result.err


def test_a_symlinked_image_out_of_the_folder_is_refused_and_never_read(cli, tmp_path):
    secret = b"CANARY-c55-" + PNG
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.png").write_bytes(secret)
    report = _report(tmp_path, ".a { background: url(leak.png); }")
    (report.parent / "templates" / "styles" / "leak.png").symlink_to(tmp_path / "outside" / "secret.png")
    result = cli("build", report, "-o", "site")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"{CUSTOM}:1:18: file 'leak.png' leads outside the report's folder")
    assert not (tmp_path / "site").exists()


def test_svg_with_entities_is_refused(cli, tmp_path):
    report = _report(tmp_path, ".a { background: url(bomb.svg); }")
    (report.parent / "templates" / "styles" / "bomb.svg").write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert "has a DOCTYPE or entities" in result.err_lines[0]


# -- reading the stylesheet -------------------------------------------------------------------------


def test_non_utf8_stylesheet_is_located(cli, tmp_path):
    result = cli("build", _report(tmp_path, b".a { color: red; }\n.b::after { content: \"caf\xe9\"; }\n"),
                 "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == f"{CUSTOM}:2:26: the stylesheet is not UTF-8 text (byte 0xe9) " \
                                  "(save it with UTF-8 encoding)"


def test_oversized_stylesheet_is_refused(cli, tmp_path):
    from peelgen.css_filter import MAX_STYLESHEET_BYTES

    result = cli("build", _report(tmp_path, "a{}" + " " * MAX_STYLESHEET_BYTES), "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"{CUSTOM}: the stylesheet is too large"), result.err


def test_filtered_stylesheet_reaches_the_pdf(cli, tmp_path):
    css = '.cover-title::after { content: "Filtered </style> fine"; }\n'
    result = cli("build", _report(tmp_path, css), "-o", "site")
    assert result.code == 0, result.err
    [pdf] = (tmp_path / "site").glob("*.pdf")
    assert "Filtered </style> fine" in PdfReader(BytesIO(pdf.read_bytes())).pages[0].extract_text()


# -- the filter on its own -----------------------------------------------------------------------------


def _filter(css: str, tmp_path: Path) -> str:
    return filter_stylesheet(css, file="custom.css", folder=Folder.of([tmp_path]), base=tmp_path)


def test_ordinary_css_keeps_its_meaning(tmp_path):
    css = ("@charset \"utf-8\";\n:root { --accent: #5b2c6f; }\n"
           "@media (400px <= width <= 700px) { .a > .b { color: var(--accent) !important; } }\n"
           "@page :first { @top-center { content: \"Official\"; } }\n.c:hover { margin: 0 auto; }\n")
    out = _filter(css, tmp_path)
    assert "@charset" not in out
    for kept in (":root { --accent: #5b2c6f; }", "(400px <= width <= 700px)", ".a > .b { color: var(--accent) "
                 "!important; }", '@top-center { content: "Official"; }', ".c:hover { margin: 0 auto; }"):
        assert kept in out


def test_strings_are_written_without_angle_brackets(tmp_path):
    out = _filter('.a::after { content: "a<b</style>"; }', tmp_path)
    assert "<" not in out and re.search(r'content: "a\\3c b\\3c /style>"', out)


def test_syntax_errors_are_located(tmp_path):
    with pytest.raises(BuildFailed) as failure:
        _filter(".a { color: red; }\n.b { color red; }\n", tmp_path)
    assert [d.format() for d in failure.value.diagnostics] == [
        "custom.css:2:15: CSS syntax error: expected a declaration (name: value;) or a rule before this ';'"]


def test_sniffed_types():
    assert sniff_type(PNG) == "image/png"
    assert sniff_type(b"wOF2rest") == "font/woff2"
    assert sniff_type(b'<svg xmlns="http://www.w3.org/2000/svg"/>') == "image/svg+xml"
    assert sniff_type(b"<html>") is None


@pytest.mark.parametrize("name", ["report.css", "screen.css", "print.css", "draft.css"])
def test_a_copy_of_a_builtin_stylesheet_passes_the_filter(name, tmp_path):
    """Authors start from a copy of peelgen's own stylesheet; the filter must accept it."""
    builtin = Path(__file__).parents[1] / "styles"
    text = (builtin / name).read_text(encoding="utf-8")
    out = filter_stylesheet(text, file=name, folder=Folder.of([tmp_path]), base=tmp_path, fallback=builtin)
    assert re.sub(r"/\*.*?\*/|\s+", "", text, flags=re.S) == re.sub(r"\s+", "", out)  # same rules, no comments


def test_a_copy_of_print_css_still_finds_the_bundled_fonts(cli, tmp_path):
    report = _report(tmp_path, "")
    builtin = Path(__file__).parents[1] / "styles" / "print.css"
    (report.parent / "templates" / "styles" / "print.css").write_text(builtin.read_text(encoding="utf-8"),
                                                                       encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "pdf")
    assert result.code == 0, result.err
    [pdf] = (tmp_path / "site").glob("*.pdf")
    fonts = {str(font.get("/BaseFont")) for page in PdfReader(BytesIO(pdf.read_bytes())).pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("NotoSans" in font.replace("-", "") for font in fonts), fonts  # no system font here


def test_the_pdf_fetcher_keeps_to_the_allowed_folders(tmp_path):
    import os

    from peelgen.render_pdf import RefusedURL, safe_fetcher

    report = tmp_path / "rep"
    report.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.png").write_bytes(b"CANARY" + PNG)
    (report / "ok.png").write_bytes(PNG)
    (report / "leak.png").symlink_to(tmp_path / "outside" / "secret.png")
    (report / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    os.mkfifo(report / "pipe.png")
    fetch = safe_fetcher([report])
    assert fetch((report / "ok.png").as_uri())["string"] == PNG
    fetched = fetch("data:image/png;base64," + base64.b64encode(PNG).decode())
    assert (fetched.get("string") or fetched["file_obj"].read()) == PNG
    for url in [(report / "leak.png").as_uri(), (report / "linked" / "secret.png").as_uri(),
                (tmp_path / "outside" / "secret.png").as_uri(), (report / "pipe.png").as_uri(),
                "https://tracker.example/p.png", "file://evil.example/etc/passwd", "file:///etc/passwd"]:
        with pytest.raises(RefusedURL):
            fetch(url)
