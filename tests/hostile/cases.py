"""The hostile corpus: report folders built as an attacker (or an unlucky author) would.

Each :class:`Case` writes a report folder (see :mod:`tests.hostile.workspace`) and says
what must happen when peelgen is run on it:

- ``codes``: the exit codes allowed (1 or 2 for bad input; 0 only for input that is
  fine and must simply come out safe);
- ``expect``: a regular expression one line of stderr must match, usually
  ``FILE:LINE:COL: … phrase``; where exit 0 is allowed, stderr must then be empty or
  match it too (``None``: exit 0 is the only answer, with nothing on stderr);
- ``absent``: text no output file may contain (the canary is always checked);
- ``seconds``: the processor time allowed (20 s, the issue's limit, unless refusing should be
  quick); a run blocked for 30 s on the clock is stopped and fails.

Every case is also held to the rules every run is: no traceback, no exit 70, no control
characters on stderr, nothing changed outside out/, nothing left in the temporary folder,
no output at all after a failure, and the canary never in an output or a message.

``area`` names the branch whose fix the case waits for (see :mod:`tests.hostile.marks`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.conftest import MINIMAL, ROOT
from tests.hostile.workspace import CANARY_ENV, Workspace, png

HTML = ("build", "report.yaml", "-o", "../out", "--format", "html")
CHECK = ("validate", "report.yaml")


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Workspace], None]
    expect: str | None
    codes: tuple[int, ...] = (1,)
    args: tuple[str, ...] = HTML
    area: str | None = None
    slow_until_fixed: bool = False
    absent: tuple[str, ...] = ()
    seconds: float = 20.0


CASES: list[Case] = []


def case(name: str, make: Callable[[Workspace], None], expect: str | None, **options) -> None:
    assert name not in {c.name for c in CASES}, name
    CASES.append(Case(name, make, expect, **options))


def sub(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def report(text: str) -> Callable[[Workspace], None]:
    return lambda ws: ws.report(text) and None


# -- report variants -----------------------------------------------------------------------

WITH_TEMPLATES = MINIMAL + "templates: tpl\n"
TOP_TEMPLATE = "tpl/force-report.html.j2"


def with_logo(name: str) -> str:
    return sub("  publication_date: 2017-03-02\n", f"  publication_date: 2017-03-02\n  logo: {name}\n")


def with_chart(file: str = "data/ranks.csv", chart: str = "{type: ranked, dataset: ranks}") -> str:
    text = sub("{figure:rates}", "{figure:rates}\n\n          {figure:ranks}")
    return sub("footnotes:\n", f"""\
  - id: ranks
    title: Ranks in {{area}}
    source: Home Office data
    chart: {chart}
datasets:
  - id: ranks
    file: {file}
    unit: rate
footnotes:
""", text)


RANKS = "force,value\nTestshire Police,5.5\nOtherton Police,3.2\nEngland and Wales,4.1\n"


def template(payload: str | bytes) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(WITH_TEMPLATES)
        ws.write(TOP_TEMPLATE, payload)
    return make


def chart_csv(csv: str | bytes, chart: str = "{type: ranked, dataset: ranks}") -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(with_chart(chart=chart))
        ws.write("data/ranks.csv", csv)
    return make


def logo(content: bytes, name: str = "logo.png") -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(with_logo(name))
        ws.write(name, content)
    return make


def custom_css(css: str | bytes) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(WITH_TEMPLATES)
        ws.write("tpl/styles/custom.css", css)
    return make


# -- code execution through the report's own templates --------------------------------------

SANDBOX = r"(?i)force-report\.html\.j2.*(unsafe|not allowed|sandbox|security|access)"
case("ssti-subclasses", template("{{ ''.__class__.__mro__[1].__subclasses__() | length }}"), SANDBOX,
     area="render")
case("ssti-cycler-globals-os", template("{{ cycler.__init__.__globals__.os.getcwd() }}"), SANDBOX, area="render")
case("ssti-lipsum-environ", template("{{ lipsum.__globals__['os'].environ }}"), SANDBOX, area="render")
case("ssti-self-context", template("{{ self._TemplateReference__context | list | length }}"), SANDBOX,
     area="render")
case("ssti-attr-filter", template("{{ (doc | attr('__class__')).__mro__ }}"), SANDBOX, area="render")
case("ssti-format-string", template("{{ '{0.__class__.__init__.__globals__}'.format(doc) }}"), SANDBOX,
     area="render")


def _ssti_reads_secret(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    ws.write(TOP_TEMPLATE, "{{ cycler.__init__.__globals__.__builtins__.open('%s').read() }}"
             % (ws.outside / "secret.txt"))


case("ssti-builtins-open", _ssti_reads_secret, SANDBOX, area="render")
case("template-includes-itself", template("{% include 'force-report.html.j2' %}"),
     r"force-report\.html\.j2.*(includ|recurs|itself)", area="render")
case("template-syntax-error", template("line one\n{% if %}\n"), r"^tpl/force-report\.html\.j2:2(:\d+)?: ",
     area="render")
case("template-undefined-name", template("line one\n{{ no_such_name }}\n"),
     r"^tpl/force-report\.html\.j2:2(:\d+)?: .*no_such_name", area="render")
case("template-not-utf8", template(b"caf\xe9 {{ doc.force }}\n"), r"force-report\.html\.j2(:\d+:\d+)?: .*UTF-8",
     area="render")
case("template-include-absolute", template("{% include '/etc/passwd' %}"), r"(?i)/etc/passwd.*not found")

# -- symlinks out of the folder, special files ----------------------------------------------

OUTSIDE = r".*leads outside the report's folder"


def _template_link(target: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(WITH_TEMPLATES)
        ws.link(TOP_TEMPLATE, target if target.startswith("/") else ws.outside / target)
    return make


case("template-symlink-outside", _template_link("secret.txt"), rf"force-report\.html\.j2.*{OUTSIDE}", area="render")
case("template-symlink-proc-environ", _template_link("/proc/self/environ"), rf"force-report\.html\.j2.*{OUTSIDE}",
     area="render")


def _template_fifo(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    (ws.folder / "tpl").mkdir()
    ws.fifo(TOP_TEMPLATE)


case("template-fifo", _template_fifo, r"force-report\.html\.j2.*(named pipe|FIFO|not a (regular )?file)",
     area="render", slow_until_fixed=True)


def _templates_folder_link(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    ws.link("tpl", ws.outside / "templates")


case("templates-folder-symlink-outside", _templates_folder_link,
     rf"report\.yaml:\d+:\d+: templates: templates folder 'tpl' {OUTSIDE}")


def _templates_folder_loop(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    ws.link("tpl", "tpl")


case("templates-folder-symlink-loop", _templates_folder_loop, r"report\.yaml:\d+:\d+: templates: .*symlink loop")
case("templates-folder-missing", report(WITH_TEMPLATES), r"report\.yaml:\d+:\d+: templates: .*'tpl' not found")


def _cli_templates_missing(ws: Workspace) -> None:
    ws.report()


case("cli-templates-folder-missing", _cli_templates_missing, r"(?i)no-such-folder.*(does not exist|not found)",
     codes=(2,), args=(*HTML, "--templates", "no-such-folder"), area="render")


def _cli_templates_link(ws: Workspace) -> None:
    ws.report()
    ws.link("theme/force-report.html.j2", ws.outside / "secret.txt")


case("cli-templates-file-symlink-outside", _cli_templates_link, rf"force-report\.html\.j2.*{OUTSIDE}",
     args=(*HTML, "--templates", "theme"), area="render")


def _style_link(name: str, target: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(WITH_TEMPLATES)
        ws.link(f"tpl/styles/{name}", target if target.startswith("/") else ws.outside / target)
    return make


case("style-custom-symlink-outside", _style_link("custom.css", "secret.css"), rf"custom\.css.*{OUTSIDE}",
     area="render")
case("style-builtin-override-symlink-etc", _style_link("report.css", "/etc/passwd"), rf"report\.css.*{OUTSIDE}",
     area="render")


def _style_fifo(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    (ws.folder / "tpl" / "styles").mkdir(parents=True)
    ws.fifo("tpl/styles/custom.css")


case("style-custom-fifo", _style_fifo, r"custom\.css.*(named pipe|FIFO|not a (regular )?file)", area="render")
case("style-custom-not-utf8", custom_css(b"body { color: red; } /* caf\xe9 */\n"),
     r"custom\.css(:\d+:\d+)?: .*UTF-8", area="render")


def _csv_link(target: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(with_chart())
        ws.link("data/ranks.csv", target if target.startswith("/") else ws.outside / target)
    return make


CSV_FILE = r"report\.yaml:\d+:\d+: datasets\[0\]\.file: "
case("csv-symlink-outside", _csv_link("secret.csv"), CSV_FILE + OUTSIDE, args=CHECK)
case("csv-symlink-dev-zero", _csv_link("/dev/zero"), CSV_FILE + OUTSIDE, args=CHECK)


def _csv_loop(ws: Workspace) -> None:
    ws.report(with_chart())
    ws.link("data/ranks.csv", "other.csv")
    ws.link("data/other.csv", "ranks.csv")


case("csv-symlink-loop", _csv_loop, CSV_FILE + ".*symlink loop", args=CHECK)


def _csv_fifo(ws: Workspace) -> None:
    ws.report(with_chart())
    ws.fifo("data/ranks.csv")


case("csv-fifo", _csv_fifo, r"ranks\.csv.*named pipe", args=CHECK)
case("csv-absolute-device", report(with_chart(file="/dev/zero")), CSV_FILE + ".*must be a relative path",
     args=CHECK)
case("csv-parent-folder", report(with_chart(file="../outside/secret.csv")), CSV_FILE + ".*must be a relative path",
     args=CHECK)


def _logo_link(target: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(with_logo("logo.png"))
        ws.link("logo.png", target if target.startswith("/") else ws.outside / target)
    return make


LOGO = r"report\.yaml:\d+:\d+: meta\.logo: "
case("logo-symlink-outside", _logo_link("secret.png"), LOGO + OUTSIDE, args=CHECK)
case("logo-symlink-proc-environ", _logo_link("/proc/self/environ"), LOGO + OUTSIDE, args=CHECK)


def _logo_fifo(ws: Workspace) -> None:
    ws.report(with_logo("logo.png"))
    ws.fifo("logo.png")


case("logo-fifo", _logo_fifo, LOGO + ".*named pipe", args=CHECK)


def _logo_folder(ws: Workspace) -> None:
    ws.report(with_logo("logo.png"))
    (ws.folder / "logo.png").mkdir()


case("logo-is-a-folder", _logo_folder, LOGO + ".*folder", args=CHECK)


def _report_fifo(ws: Workspace) -> None:
    ws.fifo("report.yaml")


case("report-yaml-fifo", _report_fifo, r"report\.yaml.*(named pipe|FIFO|not a (regular )?file)", codes=(1, 2),
     area="faults")

# -- stylesheets that would fetch, track or script ------------------------------------------

CSS_REFUSED = r"custom\.css(:\d+:\d+)?: "
for name, css, bad in [
    ("css-import-remote", '@import url("http://evil.example/track.css");\n', "evil.example"),
    ("css-import-local-outside", '@import "../../../outside/secret.css";\n', "@import"),
    ("css-url-http", "body { background: url(http://evil.example/pixel.png); }\n", "evil.example"),
    ("css-url-protocol-relative", "body { background: url(//evil.example/pixel.png); }\n", "evil.example"),
    ("css-url-escaped", "body { background: u\\72l(http://evil.example/p.png); }\n", "evil.example"),
    ("css-font-face-remote", "@font-face { font-family: x; src: url(https://evil.example/f.woff); }\n",
     "evil.example"),
    ("css-url-file-outside", "body { background: url(file:///etc/passwd); }\n", "/etc/passwd"),
    ("css-closes-style-element", "p { color: red; }\n</style><script>alert(1)</script><style>\n", "<script"),
]:
    case(name, custom_css(css), CSS_REFUSED, codes=(0, 1), absent=(bad,), area="render")

# -- YAML that would exhaust memory or time --------------------------------------------------

TOO_BIG = r"report\.yaml:\d+:\d+: .*(too many|too large|too deep|nested|limit)"


def _wide_alias_bomb() -> str:
    lines = ["framework: peel-2016-effectiveness", "a0: &a0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x}"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


case("yaml-alias-bomb-mappings", report(_wide_alias_bomb()), TOO_BIG, args=CHECK, seconds=5)
case("yaml-alias-as-key", report("a0: &a0 [x, x, x]\na1: &a1 [*a0, *a0, *a0]\nm: {? *a1 : 1}\n"),
     r"report\.yaml:\d+:\d+: ", args=CHECK, seconds=5)
case("yaml-deep-flow-nesting", report("framework: x\nmeta: " + "[" * 3000 + "]" * 3000 + "\n"), TOO_BIG,
     args=CHECK, seconds=5)
case("yaml-deep-block-nesting", report("".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x\n"),
     TOO_BIG, args=CHECK, seconds=5)
case("yaml-huge-flow-list", report("framework: x\nmeta: [" + "1," * 210_000 + "1]\n"), TOO_BIG, args=CHECK,
     seconds=5, area="load", slow_until_fixed=True)
case("yaml-many-keys", report("framework: x\n" + "".join(f"k{i}: 1\n" for i in range(201_000))), TOO_BIG,
     args=CHECK, seconds=5, area="load", slow_until_fixed=True)


def _oversized_yaml(ws: Workspace) -> None:
    ws.sparse("report.yaml", 64 * 1024 * 1024, b"framework: x\n#")


case("yaml-sparse-64mb", _oversized_yaml, r"report\.yaml(:\d+:\d+)?: .*too large", args=CHECK, seconds=5)

# -- CSV -------------------------------------------------------------------------------------

case("csv-decimal-comma", chart_csv('force,value\nTestshire Police,"5,5"\nOtherton Police,"3,2"\n'),
     r"data/ranks\.csv:2:\d+: .*(decimal|comma|number)", area="load")
# Semicolon-separated files (as some spreadsheet locales save them) are read as such; the
# decimal comma such locales write is then refused where it stands.
case("csv-semicolons", chart_csv("force;value\nTestshire Police;5,5\n"),
     r"data/ranks\.csv:2:18: column 'value' expects a number, got '5,5' \(a decimal comma", args=CHECK)
case("csv-quoted-newline-then-error", chart_csv('force,value\n"Testshire\nPolice",5\nOtherton Police,abc\n'),
     r"data/ranks\.csv:4:\d+: column 'value' expects a number", args=CHECK, area="load")
case("csv-formula-cells", chart_csv('force,value\nTestshire Police,4\n"=HYPERLINK(""http://evil.example"",""x"")",5\n@SUM(1+1),3\n'
                                    "+cmd|' /C calc'!A0,2\n-2+3,1\n"),
     r"data/ranks\.csv:\d+:\d+: ", codes=(0, 1), absent=('href="http://evil',))
case("csv-nul-bytes", chart_csv(b"force,value\nTest\x00shire,1\n"), r"data/ranks\.csv:1:1: .*binary", args=CHECK)
case("csv-not-utf8", chart_csv(b"force,value\nCaf\xe9 Police,1\n"), r"data/ranks\.csv:2:4: .*UTF-8", args=CHECK)


def _csv_sparse(ws: Workspace) -> None:
    ws.report(with_chart())
    ws.sparse("data/ranks.csv", 64 * 1024 * 1024, b"force,value\n")


case("csv-sparse-64mb", _csv_sparse, r"(report\.yaml|data/ranks\.csv):\d+:\d+: .*too large", args=CHECK,
     seconds=5, area="load")
HUGE = "force,value\nTestshire Police,1e308\nOtherton Police,-1e308\nThirdshire Police,1.5e308\nEngland and Wales,1\n"
HUGE_ERROR = r"(data/ranks\.csv|report\.yaml):\d+:\d+: .*(large|range|number)"
for name, chart in [("ranked", "{type: ranked, dataset: ranks}"), ("trend", "{type: trend, dataset: ranks}"),
                    ("ranked-band", "{type: ranked, dataset: ranks, band: true}")]:
    case(f"csv-plus-minus-1e308-{name}", chart_csv(HUGE, chart=chart), HUGE_ERROR, codes=(0, 1), area="charts")
case("csv-mathtext-unclosed", chart_csv("force,value\nTestshire Police,5\n$\\frac{1}{$ Police,3\n"), None,
     codes=(0,), area="charts")
case("csv-mathtext-unknown-symbol", chart_csv("force,value\nTestshire Police,5\n$\\nosuchsymbol$ Police,3\n"), None,
     codes=(0,), area="charts")
case("chart-y-label-mathtext", chart_csv(RANKS, chart="{type: ranked, dataset: ranks, y_label: '$\\frac{$'}"),
     None, codes=(0,), area="charts")
case("csv-10000-rows-ranked",
     chart_csv("force,value\nTestshire Police,5\n" + "".join(f"Force {i} Police,{i % 97}.5\n" for i in range(9_999))),
     r"(data/ranks\.csv|report\.yaml):\d+:\d+: .*(rows|too many|limit)", codes=(0, 1), area="charts",
     slow_until_fixed=True)

# -- images -----------------------------------------------------------------------------------

NOT_IMAGE = LOGO + r".*(not a|PNG|image)"
case("logo-html-as-png", logo(b"<!DOCTYPE html><html><script>alert(1)</script></html>\n"), NOT_IMAGE,
     args=CHECK, area="load")
case("logo-random-bytes-as-png", logo(bytes(range(256)) * 4), NOT_IMAGE, args=CHECK, area="load")
case("logo-png-100000-square", logo(png(100_000, 100_000)), LOGO + r".*(pixel|large|dimension)",
     args=CHECK, area="load")

ENTITY_BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a0 "ha">\n'
               + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">\n' for i in range(1, 10))
               + ']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&a9;</text></svg>\n')
case("logo-svg-entity-bomb", logo(ENTITY_BOMB.encode(), "logo.svg"), LOGO + r".*(entit|DOCTYPE|SVG)",
     args=CHECK, area="load")
NESTED_USE = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs>'
              '<g id="u0"><rect width="1" height="1"/></g>'
              + "".join(f'<g id="u{i}">' + f'<use xlink:href="#u{i - 1}"/>' * 10 + "</g>" for i in range(1, 9))
              + '</defs><use xlink:href="#u8"/></svg>\n')
case("logo-svg-nested-use", logo(NESTED_USE.encode(), "logo.svg"), LOGO + r".*(SVG|use|nest|deep)",
     args=CHECK, area="load")
case("logo-svg-remote-image",
     logo(b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.example/t.png"/></svg>', "logo.svg"),
     LOGO + r".*(SVG|remote|URL|link)", args=CHECK, area="load")


def _logo_sparse(ws: Workspace) -> None:
    ws.report(with_logo("logo.png"))
    ws.sparse("logo.png", 5 * 1024**3, png())


case("logo-sparse-5gb", _logo_sparse, LOGO + ".*too large", args=CHECK, seconds=5)
case("logo-wrong-type", logo(png(), "logo.bmp"), LOGO + r"'logo\.bmp' must be a \.gif or \.jpeg or \.jpg or \.png or "
     r"\.svg or \.webp file", args=CHECK)
case("logo-type-mismatch", logo(png(), "logo.gif"),
     LOGO + r"image 'logo\.gif' is not a GIF image \(it is a PNG image\)", args=CHECK)

# -- text no report can mean (fixed on this branch) ----------------------------------------

FORCE = r"report\.yaml:3:10: meta\.force: "
BLANK = "must contain visible text"
CONTROL = "the text contains the control character"
for name, value, phrase in [
    ("name-spaces-only", '"     "', BLANK),
    ("name-newlines-only", '"\\n\\n\\n"', BLANK),
    ("name-tabs-and-spaces", '"\\t  \\t"', BLANK),
    ("name-zero-width-only", '"\\u200b\\u200b"', BLANK),
    ("name-nul-only", '"\\0"', CONTROL + r" U\+0000"),
    ("name-nul-inside", '"Test\\0shire Police"', CONTROL + r" U\+0000"),
    ("name-terminal-escape", '"Test\\e[2J\\e]0;pwned\\ashire"', CONTROL + r" U\+001B"),
    ("name-c1-csi", '"Test\\x9b31mshire"', CONTROL + r" U\+009B"),
    ("name-delete", '"Test\\x7fshire"', CONTROL + r" U\+007F"),
    ("name-carriage-return", '"Fake name\\rTestshire"', CONTROL + r" U\+000D"),
]:
    case(name, report(sub("force: Testshire Police", f"force: {value}")), FORCE + phrase, args=CHECK)
case("figure-title-blank", report(sub("title: Crime rates in {area}", 'title: "   "')),
     r"report\.yaml:\d+:\d+: figures\[0\]\.title: " + BLANK, args=CHECK)
case("aff-text-blank", report(sub("- The force should improve.", '- "  \\n "')),
     r"report\.yaml:\d+:\d+: questions\[0\]\.areas_for_improvement\[0\]\.text: " + BLANK, args=CHECK)
case("body-terminal-escape", report(sub("Crime in {area} is low.", "Crime is \\e[31mlow\\e[0m.").replace(
    "        body: |\n", '        body: "').replace("\\e[0m.\n\n          {figure:rates}\n",
                                                   '\\e[0m.\\n\\n{figure:rates}\\n"\n')),
     r"report\.yaml:\d+:\d+: questions\[0\]\.findings\[0\]\.body: " + CONTROL, args=CHECK)
case("footnote-bell", report(sub("Fieldwork took place in autumn 2016.", '"Fieldwork\\a took place."')),
     r"report\.yaml:\d+:\d+: footnotes\.period: " + CONTROL + r" U\+0007", args=CHECK)
case("key-terminal-escape", report(sub("  force_short: Testshire\n", '  force_short: Testshire\n  "x\\e[2J": 1\n')),
     r"report\.yaml:5:3: meta: " + CONTROL + r" U\+001B", args=CHECK)
case("framework-terminal-escape", report(sub("framework: peel-2016-effectiveness", 'framework: "peel\\e[2J"')),
     r"report\.yaml:1:12: framework: " + CONTROL, args=CHECK)
case("grade-terminal-escape", report(sub("grade: good\n  previous", 'grade: "go\\eod"\n  previous')),
     r"report\.yaml:7:10: overall\.grade: " + CONTROL, args=CHECK)
DATE = r"expected a date \(YYYY-MM-DD\), got "
case("date-unix-timestamp", report(sub("2017-03-02", "1468800000")),
     r"report\.yaml:5:21: meta\.publication_date: " + DATE + "1468800000", args=CHECK)
case("date-zero", report(sub("2017-03-02", "0")), r"meta\.publication_date: " + DATE + "0", args=CHECK)
case("date-float", report(sub("2017-03-02", "1.4688e9")), r"meta\.publication_date: " + DATE, args=CHECK)
case("date-year-only", report(sub("2017-03-02", "2017")), r"meta\.publication_date: " + DATE + "2017", args=CHECK)
case("deadline-integer", report(sub("- The force should improve.",
                                    "- {text: 'The force should improve by {deadline}.', deadline: 1500000000}")),
     r"areas_for_improvement\[0\]\.deadline: " + DATE + "1500000000", args=CHECK)
case("decimals-true", report(sub("decimals: 1}", "decimals: true}")),
     r"report\.yaml:\d+:\d+: figures\[0\]\.table\.columns\[1\]\.decimals: expected a number, got true", args=CHECK)
case("table-cell-false", report(sub("[Recorded crime, 58.8]", "[Recorded crime, false]")),
     r"figures\[0\]\.table\.rows\[0\]\[1\]: a table cell cannot be false", args=CHECK)
case("metric-value-true", report(MINIMAL + "metrics:\n  - {id: officers, label: Officers, value: true}\n"),
     r"report\.yaml:\d+:\d+: metrics\[0\]\.value: expected a number, got true", args=CHECK)
case("metric-ew-false", report(MINIMAL + "metrics:\n  - {id: officers, label: Officers, value: 1, ew: false}\n"),
     r"metrics\[0\]\.ew: expected a number, got false", args=CHECK)
case("flag-as-number", report(sub("    source: Home Office data\n", "    source: Home Office data\n"
                                                                   "    annex_pointer: 1\n")),
     r"figures\[0\]\.annex_pointer: expected true or false, got 1", args=CHECK)


def example(name: str, old: str, new: str) -> Callable[[Workspace], None]:
    """An example report (with its data) with one thing changed."""

    def make(ws: Workspace) -> None:
        folder = ROOT / "examples" / name
        for path in folder.rglob("*"):
            if path.is_file():
                ws.write(str(path.relative_to(folder)), path.read_bytes())
        ws.report(sub(old, new, (folder / "report.yaml").read_text(encoding="utf-8")))
    return make


case("measure-current-true", example("west-mercia-pcp-2016", "current: 139", "current: true"),
     r"report\.yaml:\d+:\d+: measures\[0\]\.current: expected a number, got true", args=CHECK)
case("crime-recording-percent-true", example("fictional-2023-25", "percent: 91.6", "percent: true"),
     r"report\.yaml:123:16: .*crime_recording\.percent: expected a number, got true", args=CHECK)
case("case-files-true", example("fictional-2023-25", "case_files: 100", "case_files: true"),
     r"report\.yaml:71:15: victim_service\.case_files: expected a number, got true", args=CHECK)
case("objective-number-false", example("west-mercia-pcp-2016", "  - number: 1\n", "  - number: false\n"),
     r"report\.yaml:96:13: objectives\[0\]\.number: expected a number, got false", args=CHECK)
case("grade-bool-tag", report(sub("grade: good\n  previous", "grade: !!bool good\n  previous")),
     r"report\.yaml:7:10: overall\.grade: 'good' is not true or false", args=CHECK)
case("grade-bool-tag-yes", report(sub("grade: good\n  previous", "grade: !!bool yes\n  previous")),
     r"report\.yaml:7:10: overall\.grade: 'yes' is not true or false", args=CHECK)
case("file-name-nul", report(with_logo('"logo\\0.png"')), LOGO + CONTROL + r" U\+0000", args=CHECK)

# -- messages must not carry the input's control characters to the terminal ---------------
# The loader refuses a control character where it stands (key or value), before any message
# could echo it; check_case still fails on any control character reaching stderr.

case("message-echoes-int-tag", report(sub("decimals: 1}", 'decimals: !!int "\\e]0;pwned\\a"}')),
     r"report\.yaml:\d+:\d+: figures\[0\]\.table\.columns\[1\]\.decimals: " + CONTROL + r" U\+001B", args=CHECK,
     area="faults")
case("message-echoes-duplicate-key", report(sub("  force_short: Testshire\n",
                                                '  force_short: Testshire\n  "\\e[2J": 1\n  "\\e[2J": 2\n')),
     r"report\.yaml:6:3: meta: " + CONTROL + r" U\+001B", args=CHECK, area="faults")

# -- output paths ------------------------------------------------------------------------------

OUT_FAULT = r"(?i)(peelgen: error: |report\.yaml: ).*(out|output|null|proc|folder|directory)"


def _plain(ws: Workspace) -> None:
    ws.report()


def _out_is_file(ws: Workspace) -> None:
    ws.report()
    ws.write("not-a-folder", "x")


case("out-is-a-file", _out_is_file, OUT_FAULT, codes=(1, 2),
     args=("build", "report.yaml", "-o", "not-a-folder", "--format", "html"))
case("out-dev-null", _plain, OUT_FAULT, codes=(1, 2), args=("build", "report.yaml", "-o", "/dev/null", "--format",
                                                            "html"), area="faults")
case("out-under-proc", _plain, OUT_FAULT, codes=(1, 2),
     args=("build", "report.yaml", "-o", "/proc/peelgen-hostile", "--format", "html"), area="faults")
case("out-name-nul", _plain, OUT_FAULT, codes=(1, 2), args=("build", "report.yaml", "-o", "../out\0x"),
     area="faults")


def _out_target_is_folder(ws: Workspace) -> None:
    ws.report()
    (ws.out / "testshire-2016.html").mkdir(parents=True)


case("out-target-is-a-folder", _out_target_is_folder, r"(?i)testshire-2016\.html.*(folder|directory)",
     codes=(1, 2), area="faults")
case("out-name-too-long", _plain, OUT_FAULT, codes=(1, 2),
     args=("build", "report.yaml", "-o", "../out/" + "x" * 300, "--format", "html"), area="faults")

# -- text that is fine to build, and must come out safe ----------------------------------------

case("markdown-remote-image", report(sub("Crime in {area} is low.", "![x](http://evil.example/t.png) low.")),
     r"report\.yaml:\d+:\d+: questions\[0\]\.findings\[0\]\.body: ", codes=(0, 1), absent=("http://evil.example",))
case("markdown-script-link", report(sub("Crime in {area} is low.", "[x](javascript:alert(1)) <script>x</script>")),
     r"report\.yaml:\d+:\d+: questions\[0\]\.findings\[0\]\.body: ", codes=(0, 1),
     absent=("javascript:", "<script>x"))


def _national(name: str) -> Callable[[Workspace], None]:
    return report(sub("force: Testshire Police", f"force: '{name}'"))


NATIONAL = ("national", "report.yaml", "-o", "../out/grades.csv")
case("national-formula-equals", _national('=HYPERLINK("http://evil.example","x")'), None, codes=(0,),
     args=NATIONAL, absent=("\n=HYPERLINK", ',=HYPERLINK', '"=HYPERLINK'), area="faults")
case("national-formula-at", _national("@SUM(1+1)"), None, codes=(0,), args=NATIONAL,
     absent=("\n@SUM", ",@SUM", '"@SUM'), area="faults")

__all__ = ["CANARY_ENV", "CASES", "Case"]
