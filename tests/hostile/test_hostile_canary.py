"""A secret outside the report's folder never reaches an output or a message.

A canary file is written outside the report's folder (tests/hostile/workspace.py) and the
same text is put in an environment variable. Each route below points a report at it; the
report is built (web page and PDF, unless it is refused earlier) and every output is
searched: the HTML bytes (and the decoded contents of its data: URIs), the raw PDF bytes
and the PDF's text as pypdf extracts it, and stdout and stderr. A build may fail or
succeed; the secret must not come out either way.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from peelgen.cli import main
from tests.conftest import MINIMAL
from tests.hostile.cases import WITH_TEMPLATES, with_chart, with_logo
from tests.hostile.marks import fixed_by, until_fixed_by
from tests.hostile.workspace import CANARY, CANARY_ENV, Workspace

ALL = ("build", "report.yaml", "-o", "../out")
DATA_URI = re.compile(rb"data:[^,\"')\s]*;base64,([A-Za-z0-9+/=]+)")


def leaks(data: bytes) -> list[str]:
    """Where the canary shows in one output file's bytes."""
    found = []
    if CANARY.encode() in data:
        found.append("as text")
    for match in DATA_URI.finditer(data):
        encoded = match.group(1).rstrip(b"=")
        encoded = encoded[: len(encoded) - (len(encoded) % 4 == 1)]
        if CANARY.encode() in base64.b64decode(encoded + b"=" * (-len(encoded) % 4)):
            found.append("inside a data: URI")
    if data.startswith(b"%PDF"):
        text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)
        if CANARY in text.replace("\n", "").replace(" ", ""):
            found.append("in the PDF's text")
    return found


def _symlinked(relative: str, target: str, text: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(text)
        ws.link(relative, ws.outside / target)
    return make


def _templates_folder(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    ws.link("tpl", ws.outside / "templates")


def _ssti_environ(ws: Workspace) -> None:
    ws.report(WITH_TEMPLATES)
    ws.write("tpl/force-report.html.j2", "{{ lipsum.__globals__['os'].environ }}")


def _css(rule: str) -> Callable[[Workspace], None]:
    def make(ws: Workspace) -> None:
        ws.report(WITH_TEMPLATES)
        ws.write("tpl/styles/custom.css", rule.replace("OUTSIDE", str(ws.outside)))
    return make


ROUTES: list[tuple[str, Callable[[Workspace], None], str | None]] = [
    ("symlinked-template", _symlinked("tpl/partials/cover.html.j2", "secret.txt", WITH_TEMPLATES), "render"),
    ("symlinked-style", _symlinked("tpl/styles/custom.css", "secret.css", WITH_TEMPLATES), "render"),
    ("symlinked-csv", _symlinked("data/ranks.csv", "secret.csv", with_chart()), None),
    ("symlinked-logo", _symlinked("logo.png", "secret.png", with_logo("logo.png")), None),
    ("symlinked-templates-folder", _templates_folder, None),
    ("ssti-reads-environment", _ssti_environ, "render"),
    ("css-import-file-url", _css('@import url("file://OUTSIDE/secret.css");\n'), None),
    ("css-import-relative", _css('@import "../../../outside/secret.css";\n'), None),
    ("css-url-file", _css('body { background: url("file://OUTSIDE/secret.png"); }\n'), None),
    ("css-font-face-file", _css('@font-face { font-family: s; src: url("file://OUTSIDE/secret.txt"); }\n'
                                "body { font-family: s; }\n"), None),
]


@pytest.mark.parametrize(("make", "area"), [pytest.param(make, area, id=name, marks=fixed_by(area))
                                            for name, make, area in ROUTES])
def test_canary_never_comes_out(make: Callable[[Workspace], None], area: str | None, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace(tmp_path)
    make(ws)
    monkeypatch.chdir(ws.folder)
    monkeypatch.setenv(CANARY_ENV, CANARY)
    code = main(list(ALL))
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    assert CANARY not in captured.out + captured.err
    found = {path.name: leaks(path.read_bytes()) for path in ws.out.glob("*")} if ws.out.exists() else {}
    assert not any(found.values()), found


@until_fixed_by("render")
def test_canary_from_proc_self_environ(tmp_path: Path) -> None:
    """/proc/self/environ holds the environment a process started with, so this one runs
    peelgen as a child process with the canary in its environment."""
    ws = Workspace(tmp_path)
    ws.report(WITH_TEMPLATES)
    ws.link("tpl/partials/cover.html.j2", "/proc/self/environ")
    env = {**os.environ, CANARY_ENV: CANARY}
    done = subprocess.run([sys.executable, "-m", "peelgen", *ALL, "--format", "html"], cwd=ws.folder, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert CANARY not in done.stdout + done.stderr
    found = {path.name: leaks(path.read_bytes()) for path in ws.out.glob("*")} if ws.out.exists() else {}
    assert not any(found.values()), found


def test_leak_detector_finds_the_canary() -> None:
    """The search above can fail: it finds the canary as text, base64-encoded, and in PDF text."""
    assert leaks(f"<p>{CANARY}</p>".encode()) == ["as text"]
    for prefix in (b"", b"x", b"xy"):
        uri = b"data:text/plain;base64," + base64.b64encode(prefix + CANARY.encode())
        assert leaks(b'<img src="' + uri + b'">') == ["inside a data: URI"]
    assert leaks(b"<p>nothing here</p>") == []


CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', re.IGNORECASE)


@until_fixed_by("render")
def test_web_page_forbids_scripts_and_remote_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace(tmp_path)
    ws.report(MINIMAL)
    monkeypatch.chdir(ws.folder)
    assert main([*ALL, "--format", "html"]) == 0, capsys.readouterr().err
    [page] = ws.out.glob("*.html")
    match = CSP_META.search(page.read_text(encoding="utf-8"))
    assert match, "no Content-Security-Policy meta element"
    directives = dict([*part.strip().split(None, 1), ""][:2] for part in match.group(1).split(";") if part.strip())
    assert directives.get("script-src", directives.get("default-src")) == "'none'", directives
    assert not [d for d, value in directives.items() if re.search(r"https?:|\*", value)], directives
