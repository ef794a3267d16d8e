"""``peelgen serve``: live preview, rebuilt on change, an error page on errors."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from peelgen.commands.serve import PreviewServer
from tests.conftest import MINIMAL


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


@pytest.fixture
def served(write, tmp_path):
    report = write(MINIMAL)
    server = PreviewServer(report, port=0)
    stop = threading.Event()
    server.start()
    watcher = threading.Thread(target=server.watch, args=(stop,), daemon=True)
    watcher.start()
    yield report, server
    stop.set()
    watcher.join(timeout=5)
    server.close()


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
