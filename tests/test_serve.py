"""``peelgen serve``: live preview, rebuilt on change, an error page on errors."""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from markupsafe import escape

from peelgen.commands.serve import PreviewServer
from peelgen.diagnostics import display_name
from peelgen.framework import BUILTIN_DIR as FRAMEWORKS_DIR
from peelgen.language import BUILTIN_DIR as LANGUAGES_DIR
from tests.conftest import MINIMAL
from tests.test_metrics import DATA_REPORT, write_data


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _touch_later(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()  # make the change visible even on coarse-grained file systems
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def _wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def _serving(report: Path, mode: str):
    """A preview server and its watcher (watchfiles or polling), always stopped."""
    server = PreviewServer(report, port=0)
    stop = threading.Event()
    server.start()
    watcher = threading.Thread(target=server.watch, args=(stop,), kwargs={"poll": mode == "poll"}, daemon=True)
    watcher.start()
    try:
        yield server
    finally:
        stop.set()
        watcher.join(timeout=10)
        server.close()
    assert not watcher.is_alive(), "the watcher did not stop"


@pytest.fixture(params=["watchfiles", "poll"])
def watch_mode(request):
    if request.param == "watchfiles":
        pytest.importorskip("watchfiles")
    return request.param


@pytest.fixture
def served(write, watch_mode):
    report = write(MINIMAL)
    with _serving(report, watch_mode) as server:
        yield report, server


def test_serves_rebuilds_and_shows_errors(served):
    report, server = served
    page = _get(server.url)
    assert "Crime in Testshire is low." in page
    assert 'fetch("/version"' in page
    version = _get(server.url + "version")

    _touch_later(report, MINIMAL.replace("is low.", "is very low."))
    assert _wait_for(lambda: _get(server.url + "version") != version)
    assert "Crime in Testshire is very low." in _get(server.url)

    _touch_later(report, MINIMAL.replace("grade: good\n  previous", "grade: gud\n  previous"))
    assert _wait_for(lambda: "does not build" in _get(server.url))
    page = _get(server.url)
    assert "overall.grade: &#39;gud&#39; is not a grade in peel-2016-effectiveness" in page
    assert "report.yaml:" in page
    assert 'fetch("/version"' in page  # it reloads by itself once fixed


def test_unknown_path_is_404(served):
    _, server = served
    with pytest.raises(urllib.error.HTTPError) as caught:
        _get(server.url + "nothing-here")
    assert caught.value.code == 404


def test_serve_command_stops_cleanly_on_ctrl_c(cli, write, monkeypatch):
    write(MINIMAL)
    import peelgen.commands.serve as serve_module

    def interrupted(self, stop, on_rebuild=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(serve_module.PreviewServer, "watch", interrupted)
    result = cli("serve", "report.yaml", "--port", "0")
    assert result.code == 0, result.err
    assert result.err_lines[0].startswith("serving report.yaml on http://127.0.0.1:")
    assert result.err_lines[-1] == "stopped"


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_stops_the_real_command(write, tmp_path):
    import signal
    import subprocess
    import sys

    write(MINIMAL)
    process = subprocess.Popen(
        [sys.executable, "-m", "peelgen", "serve", "report.yaml", "--port", "0"], cwd=tmp_path,
        stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = process.stderr.readline()
        assert first.startswith("serving report.yaml on http://127.0.0.1:"), first
        url = first.split(" on ", 1)[1].split()[0]
        assert "Crime in Testshire is low." in _get(url)
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=10)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert rest.strip() == "stopped"


# -- what is watched, and what a change rebuilds ---------------------------------------

LOGO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082")


@pytest.fixture
def data_folder(write, tmp_path):
    """A report with CSV datasets and charts, a logo and its own templates folder, beside
    files it does not use."""
    write_data(tmp_path)
    (tmp_path / "logo.png").write_bytes(LOGO_PNG)
    (tmp_path / "templates" / "partials").mkdir(parents=True)
    (tmp_path / "templates" / "partials" / "cover.html.j2").write_text(
        '<header class="cover"><h1 class="cover-title">Cover one</h1></header>\n', encoding="utf-8")
    for unused in ("archive/old/report.yaml", "archive/big.csv", "out/testshire.html", "notes.txt"):
        (tmp_path / unused).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / unused).write_text("not used\n", encoding="utf-8")
    text = DATA_REPORT.replace("  publication_date: 2017-03-02\n",
                               "  publication_date: 2017-03-02\n  logo: logo.png\n  logo_alt: Testshire crest\n")
    return write(text + "templates: templates\n")


def _checked(report: Path) -> PreviewServer:
    server = PreviewServer(report, port=0)
    assert server.check()
    assert server.ok, server.page[:3000]
    return server


def test_watches_only_the_files_the_report_uses(data_folder, tmp_path):
    server = _checked(data_folder)
    try:
        watched = server.watched
        real = tmp_path.resolve()
        assert {p.resolve() for p in watched.inputs} == {
            real / "report.yaml", real / "logo.png",
            real / "data" / "by-force.csv", real / "data" / "trend.csv", real / "data" / "shares.csv"}
        assert [p.resolve() for p in watched.template_dirs] == [real / "templates"]
        # Its framework (built in, in English: no translation) and its language's catalogue.
        assert {p.resolve() for p in watched.assets} == {
            FRAMEWORKS_DIR / "peel-2016-effectiveness.yaml", LANGUAGES_DIR / "en-GB.yaml"}
        assert {p.resolve() for p in watched.folders()} == {
            real, real / "data", real / "templates", real / "templates" / "partials",
            FRAMEWORKS_DIR, LANGUAGES_DIR}
        stamped = {p.resolve() for stamps in watched.stamps() for p in stamps}
        assert not any("archive" in p.parts or "out" in p.parts or p.name == "notes.txt" for p in stamped)
    finally:
        server.close()


def _touch(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, so the change shows even where
    times are coarse."""
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 3_000_000_000))


def test_changes_to_unused_files_do_not_rebuild(data_folder, tmp_path):
    server = _checked(data_folder)
    try:
        version = server.version
        for unused in ("archive/old/report.yaml", "archive/big.csv", "out/testshire.html", "notes.txt"):
            _touch(tmp_path / unused, "changed\n")
        (tmp_path / "new-folder").mkdir()
        assert not server.check()
        assert server.version == version
        _touch(tmp_path / "logo.png", "")  # a file the report uses: rebuilt, and now an error
        assert server.check()
        assert server.version == version + 1
    finally:
        server.close()


def test_a_template_change_renders_again_without_loading_the_report(data_folder, tmp_path, monkeypatch):
    import peelgen.load

    server = _checked(data_folder)
    try:
        assert b"Cover one" in server.page
        loads = []
        real_load = peelgen.load.load_yaml
        monkeypatch.setattr(peelgen.load, "load_yaml", lambda *a, **k: loads.append(a) or real_load(*a, **k))
        drawn = server.charts.drawn
        _touch(tmp_path / "templates" / "partials" / "cover.html.j2",
               '<header class="cover"><h1 class="cover-title">Cover two</h1></header>\n')
        assert server.check()
        assert b"Cover two" in server.page and b"Cover one" not in server.page
        assert loads == []
        assert server.charts.drawn == drawn
        _touch(data_folder, data_folder.read_text(encoding="utf-8"))  # the report itself: loaded again
        assert server.check()
        assert len(loads) == 1
    finally:
        server.close()


def test_only_charts_whose_data_changed_are_drawn_again(data_folder, tmp_path):
    from peelgen.render_charts import render_charts

    server = _checked(data_folder)
    try:
        charts = server.charts.drawn
        assert charts == 4  # ranked, trend, comparison and shares
        text = data_folder.read_text(encoding="utf-8")
        _touch(data_folder, text.replace("Prevention requires improvement.", "Prevention still requires it."))
        assert server.check()
        assert b"Prevention still requires it." in server.page
        assert server.charts.drawn == charts  # a paragraph changed, no chart did

        _touch(tmp_path / "data" / "trend.csv", "period,Testshire,England and Wales\n2015,50.1,60.2\n2016,77.7,68.2\n")
        assert server.check()
        assert server.charts.drawn == charts + 1  # the trend chart alone
        assert b"77.7" in server.page
        # What the cache returns is what drawing afresh gives.
        compiled = server._compiled
        assert server.charts.charts(compiled.document) == render_charts(compiled.document)
    finally:
        server.close()


def test_a_folder_and_file_named_later_are_watched_once_they_exist(served, tmp_path):
    report, server = served
    _touch(report, MINIMAL.replace("figures:\n", """figures:
  - id: shares
    title: Organised crime groups by type
    chart: {type: shares, dataset: shares}
""").replace("          {figure:rates}\n", "          {figure:rates}\n\n          {figure:shares}\n")
        + "datasets:\n  - id: shares\n    file: later/shares.csv\n    unit: percent\n")
    assert _wait_for(lambda: "later/shares.csv" in _get(server.url) and "does not build" in _get(server.url))
    (tmp_path / "later").mkdir()  # the file may come before the watcher sees the folder
    _touch(tmp_path / "later" / "shares.csv", "category,value\nDrugs,60\nFraud,25.5\nOther,14.5\n")
    assert _wait_for(lambda: "Organised crime groups by type" in _get(server.url)
                     and "does not build" not in _get(server.url))
    _touch(tmp_path / "later" / "shares.csv", "category,value\nDrugs,61\nFraud,24.5\nOther,14.5\n")
    assert _wait_for(lambda: "24.5" in _get(server.url))


def test_an_unexpected_error_is_shown_on_the_page(write, monkeypatch):
    import peelgen.resolve

    def broken(validated):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(peelgen.resolve, "resolve", broken)
    server = PreviewServer(write(MINIMAL), port=0)
    try:
        assert server.check()
        assert not server.ok
        assert b"internal error: ZeroDivisionError: division by zero" in server.page
        assert b'fetch("/version"' in server.page
    finally:
        server.close()


# -- the reload script and the Content-Security-Policy ------------------------------------


def _script_nonce(page: str) -> str:
    match = re.search(r'<script nonce="([^"]+)">\s*\(function', page)
    assert match, "no reload script with a nonce"
    return match.group(1)


def test_the_page_allows_the_reload_script_by_its_nonce(write, monkeypatch):
    """serve has render_html's policy allow the script it adds, by that script's nonce,
    and a new nonce for every page."""
    import peelgen.render_html

    given = []

    def allow(html: str, nonce: str) -> str:
        given.append(nonce)
        return html.replace("<head>", f"<head><!-- allowed {nonce} -->", 1)

    monkeypatch.setattr(peelgen.render_html, "with_script_nonce", allow, raising=False)
    server = PreviewServer(write(MINIMAL), port=0)
    try:
        server.check()
        page = server.page.decode("utf-8")
        nonce = _script_nonce(page)
        assert given == [nonce]
        assert f"<!-- allowed {nonce} -->" in page
        assert len(nonce) >= 22  # 128 bits or more
        server.rebuild()
        assert given[1] == _script_nonce(server.page.decode("utf-8")) != nonce
    finally:
        server.close()


def test_the_error_page_allows_only_its_own_script(served):
    report, server = served
    _touch_later(report, MINIMAL.replace("grade: good\n  previous", "grade: gud\n  previous"))
    assert _wait_for(lambda: "does not build" in _get(server.url))
    with urllib.request.urlopen(server.url, timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        nonce = _script_nonce(response.read().decode("utf-8"))
    assert policy == (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; "
                      "connect-src 'self'")


# -- the same trust rule as build ----------------------------------------------------------


def test_report_templates_are_trusted_exactly_as_by_build(write, tmp_path):
    """A report's own template reaching for Python internals: whatever build makes of
    it (sandboxed, refused or, before sandboxing, rendered), serve makes the same."""
    from peelgen.build import BuildOptions, build_one

    (tmp_path / "templates" / "partials").mkdir(parents=True)
    (tmp_path / "templates" / "partials" / "cover.html.j2").write_text(
        "<header class=\"cover\"><h1>REACH:{{ (cycler.__init__.__globals__ is defined) }}:"
        "{{ ''.__class__.__mro__ is defined }}</h1></header>\n", encoding="utf-8")
    report = write(MINIMAL + "templates: templates\n")
    result = build_one(report, BuildOptions(tmp_path / "out", ("html",)))
    server = PreviewServer(report, port=0)
    try:
        server.check()
        page = server.page.decode("utf-8")
    finally:
        server.close()
    if result.ok:
        built = result.written[0].read_text(encoding="utf-8")
        reach = re.search(r"REACH:\w+:\w+", built).group(0)
        assert server.ok and reach in page
    else:
        assert not server.ok
        for diagnostic in result.diagnostics:
            assert str(escape(diagnostic.format())) in page


def test_an_idle_watcher_does_not_read_the_files(write):
    """With watchfiles, nothing is read while nothing changes: one look once the watcher
    is set up (a change may have come just before), then none."""
    pytest.importorskip("watchfiles")
    server = PreviewServer(write(MINIMAL), port=0)
    # The first build, as serve's start() does before watching: it finds the files to watch
    # (the framework's among them, in other folders), so the watcher starts on all of them.
    assert server.check()
    looks = []
    real_check = server.check
    server.check = lambda: looks.append(1) or real_check()  # type: ignore[method-assign]
    stop = threading.Event()
    watcher = threading.Thread(target=server.watch, args=(stop,), daemon=True)
    watcher.start()
    try:
        time.sleep(3.5)  # three and a half of the watcher's one-second waits
    finally:
        stop.set()
        watcher.join(timeout=10)
        server.close()
    assert not watcher.is_alive()
    assert len(looks) <= 1


def test_csv_sources_are_watched_even_while_they_stop_the_build(write, tmp_path):
    from tests.test_csv_sources import KPIS, WITH_METRICS

    kpis = tmp_path / "kpis.csv"
    kpis.write_text(KPIS, encoding="utf-8")
    server = PreviewServer(write(WITH_METRICS), port=0)
    try:
        server.rebuild()
        assert b"Crime: 1,234; 12.5 percent." in server.page
        assert kpis.resolve() in {path.resolve() for path in server.watched.inputs}
        _touch(kpis, KPIS.replace('"1,234"', '"14,2"'))  # a decimal comma: the report stops building
        assert server.check() and not server.ok
        assert b"kpis.csv:2:" in server.page
        _touch(kpis, KPIS.replace('"1,234"', '"1,500"'))  # mended: the CSV is still watched
        assert server.check() and server.ok
        assert b"Crime: 1,500; 12.5 percent." in server.page
    finally:
        server.close()


# -- the framework and the catalogue the report is read with -------------------------------

WELSH = MINIMAL.replace("  force_short: Testshire\n", "  force_short: Testshire\n  language: cy\n")


@pytest.fixture
def own_assets(tmp_path, monkeypatch):
    """Copies of the report's framework, its Welsh translation and the Welsh catalogue,
    found first on the search paths: the files a preview must watch."""
    import shutil

    frameworks, languages = tmp_path / "assets" / "frameworks", tmp_path / "assets" / "languages"
    (frameworks / "cy").mkdir(parents=True)
    languages.mkdir()
    name = "peel-2016-effectiveness.yaml"
    shutil.copy(FRAMEWORKS_DIR / name, frameworks / name)
    shutil.copy(FRAMEWORKS_DIR / "cy" / name, frameworks / "cy" / name)
    shutil.copy(LANGUAGES_DIR / "cy.yaml", languages / "cy.yaml")
    monkeypatch.setenv("PEELGEN_FRAMEWORKS_PATH", str(frameworks))
    monkeypatch.setenv("PEELGEN_LANGUAGES_PATH", str(languages))
    return frameworks / name, frameworks / "cy" / name, languages / "cy.yaml"


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    _touch(path, text.replace(old, new))


def test_the_framework_its_translation_and_the_catalogue_are_watched(write, own_assets):
    framework, overlay, catalogue = own_assets
    english = _checked(write(MINIMAL))
    welsh = _checked(write(WELSH, "report.cy.yaml"))
    try:
        assert {p.resolve() for p in english.watched.assets} == {framework.resolve(), LANGUAGES_DIR / "en-GB.yaml"}
        assert {p.resolve() for p in welsh.watched.assets} == {
            framework.resolve(), overlay.resolve(), catalogue.resolve(), LANGUAGES_DIR / "en-GB.yaml"}
        assert not english.check() and not welsh.check()

        heading = "How effective is the force at preventing crime"
        _replace_in(framework, heading, "How well does the force prevent crime")
        assert english.check() and english.ok
        assert b"How well does the force prevent crime" in english.page
        assert welsh.check() and welsh.ok  # the translation is laid over the changed file

        version = english.version
        skip_link = "Neidio i’r prif gynnwys"
        assert skip_link.encode() in welsh.page
        _replace_in(catalogue, skip_link, "Neidio i’r cynnwys")
        _replace_in(overlay, "Pa mor effeithiol", "Pa mor dda")
        assert welsh.check() and welsh.ok
        assert "Neidio i’r cynnwys".encode() in welsh.page and skip_link.encode() not in welsh.page
        assert b"Pa mor dda" in welsh.page
        assert not english.check() and english.version == version  # neither is the English edition's
    finally:
        english.close()
        welsh.close()


def test_an_edition_watches_the_files_its_other_edition_is_read_with(write, own_assets):
    # Validating one edition compares it with the other, read in its own language.
    _, overlay, catalogue = own_assets
    write(WELSH.replace("  language: cy\n", "  language: cy\n  translation: report.yaml\n"), "report.cy.yaml")
    english = _checked(write(MINIMAL.replace("  force_short: Testshire\n",
                                             "  force_short: Testshire\n  translation: report.cy.yaml\n")))
    try:
        assert {overlay.resolve(), catalogue.resolve()} <= {p.resolve() for p in english.watched.assets}
        assert not english.check()
        _replace_in(overlay, "Pa mor effeithiol", "Pa mor dda")
        assert english.check() and english.ok
    finally:
        english.close()


def test_a_broken_framework_is_watched_until_it_is_mended(write, own_assets):
    framework, _, _ = own_assets
    text = framework.read_text(encoding="utf-8")
    _touch(framework, text.replace("grades:", "grades: [", 1))
    server = PreviewServer(write(MINIMAL), port=0)
    try:
        assert server.check() and not server.ok
        assert b"peel-2016-effectiveness.yaml" in server.page
        _touch(framework, text)
        assert server.check() and server.ok
    finally:
        server.close()


# -- the error page's words ------------------------------------------------------------------


def test_the_error_page_is_in_the_reports_language(write):
    report = write(WELSH.replace("grade: good\n  previous", "grade: gud\n  previous"))
    name = str(escape(display_name(report)))
    server = PreviewServer(report, port=0)
    try:
        assert server.check() and not server.ok
        page = server.page.decode("utf-8")
        assert '<html lang="cy">' in page
        assert f"<title>peelgen: nid oes modd adeiladu {name}</title>" in page
        assert f"<h1>Nid oes modd adeiladu {name}</h1>" in page
        assert "Cywirwch y rhain" in page and "does not build" not in page
        assert "overall.grade: &#39;gud&#39;" in page  # the messages are peelgen's, as in the terminal
        _touch(report, "meta: [\n")  # not even read: in the language it was read in last
        assert server.check() and not server.ok
        assert '<html lang="cy">' in server.page.decode("utf-8")
    finally:
        server.close()
    never_read = PreviewServer(report, port=0)
    try:
        assert never_read.check() and not never_read.ok
        page = never_read.page.decode("utf-8")
        assert '<html lang="en-GB">' in page and f"<h1>{name} does not build</h1>" in page
    finally:
        never_read.close()


def test_a_broken_catalogue_still_gets_an_error_page(write, tmp_path, monkeypatch):
    """The catalogue being edited may be what is wrong: the page falls back to the
    default language's, then to the one peelgen ships."""
    import yaml

    from peelgen.commands.serve_page import error_words

    languages = tmp_path / "languages"
    languages.mkdir()
    welsh = yaml.safe_load((LANGUAGES_DIR / "cy.yaml").read_text(encoding="utf-8"))
    del welsh["labels"]["error_page"]
    (languages / "cy.yaml").write_text(yaml.safe_dump(welsh, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("PEELGEN_LANGUAGES_PATH", str(languages))
    report = write(WELSH)
    server = PreviewServer(report, port=0)
    try:
        assert server.check() and not server.ok
        page = server.page.decode("utf-8")
        assert '<html lang="en-GB">' in page and f"<h1>{escape(display_name(report))} does not build</h1>" in page
        assert "error_page" in page  # the catalogue's mistake is among the messages
    finally:
        server.close()
    (languages / "en-GB.yaml").write_text("language: [\n", encoding="utf-8")
    assert error_words("cy") == error_words("en-GB") == ("en-GB", error_words("xx")[1])
    assert error_words("cy")[1].heading == "{name} does not build"
