"""Every hostile case (tests/hostile/cases.py) gets a clean answer and leaves no trace.

Runs the real CLI entry point in this process (fast), with the temporary folder pointed
at the case's own ``tmp/`` and a timer that interrupts a build running past its limit.
"""

from __future__ import annotations

import re
import signal
import tempfile
import time
from pathlib import Path

import click.utils
import pytest

from peelgen.cli import main
from tests.hostile.cases import CASES, Case
from tests.hostile.marks import fixed_by
from tests.hostile.workspace import CANARY, CANARY_ENV, Workspace

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# One message, one line: "FILE[:LINE:COL]: …" or "peelgen: …".
MESSAGE_LINE = re.compile(r"^\S+?(:\d+:\d+)?: \S")


class Overtime(BaseException):
    """Raised by the timer; a BaseException so that peelgen's own handlers let it through."""


# A run is stopped after this long by the clock on the wall (a FIFO opened for reading
# blocks for ever without using any processor time). The case's own limit is checked in
# processor time, which other work on a busy machine does not inflate.
WALL_LIMIT = 30.0


def run_cli(args: list[str]) -> tuple[int | None, float]:
    """Exit code (None if stopped) and processor seconds used."""

    def on_alarm(signum: int, frame: object) -> None:
        raise Overtime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, WALL_LIMIT)
    started = time.process_time()
    try:
        code: int | None = main(args)
    except Overtime:
        code = None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, time.process_time() - started


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    ws = Workspace(tmp_path)
    monkeypatch.chdir(ws.folder)
    monkeypatch.setenv(CANARY_ENV, CANARY)
    monkeypatch.setenv("TMPDIR", str(ws.tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(ws.tmp))
    # click removes ANSI escape sequences when stderr is not a terminal, as here; an
    # author's terminal would get them. Keep them, so that the check below sees them.
    monkeypatch.setattr(click.utils, "should_strip_ansi", lambda stream=None, color=None: False)
    return ws


def check_case(item: Case, ws: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    item.make(ws)
    before = ws.snapshot()
    code, elapsed = run_cli(list(item.args))
    captured = capsys.readouterr()
    err = captured.err
    assert code is not None, f"still running after {WALL_LIMIT} s"
    assert code in item.codes, f"exit {code}, expected {item.codes}:\n{err}"
    assert "Traceback" not in err and "internal error" not in err, err
    assert not CONTROL.search(err), f"control characters reach the terminal: {err!r}"
    for line in err.splitlines():
        assert MESSAGE_LINE.match(line), f"not a one-line message: {line!r}"
    if code != 0 or err:  # a clean build says nothing; anything else says what it expected
        assert item.expect is not None, f"unexpected messages:\n{err}"
        assert re.search(item.expect, err, re.MULTILINE), f"expected /{item.expect}/ in:\n{err}"
    assert CANARY not in err and CANARY not in captured.out
    assert ws.snapshot() == before, "the build changed files outside its output folder"
    assert not any(ws.tmp.iterdir()), f"left in the temporary folder: {sorted(ws.tmp.iterdir())}"
    outputs = ws.outputs()
    if code != 0:
        assert not outputs, f"a failed run wrote {sorted(outputs)}"
    assert not [name for name in outputs if Path(name).name.startswith(".")], f"temporary files: {sorted(outputs)}"
    for name, data in outputs.items():
        for text in (CANARY, *item.absent):
            assert text.encode() not in data, f"{text!r} in {name}"
    assert elapsed < item.seconds, f"{elapsed:.1f} s of processor time; the limit is {item.seconds} s"


@pytest.mark.parametrize(
    "item", [pytest.param(c, id=c.name, marks=fixed_by(c.area, slow_until_fixed=c.slow_until_fixed))
             for c in CASES])
def test_hostile_case(item: Case, hostile: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    check_case(item, hostile, capsys)


def test_corpus_covers_every_category() -> None:
    names = {c.name for c in CASES}
    for prefix in ("ssti-", "template-", "templates-folder-", "style-", "csv-symlink", "logo-symlink", "csv-fifo",
                   "logo-fifo", "css-", "yaml-alias", "yaml-deep", "yaml-huge", "yaml-many", "csv-decimal",
                   "csv-semicolons", "csv-plus-minus", "csv-mathtext", "csv-10000", "csv-quoted-newline",
                   "logo-html", "logo-png-100000", "logo-svg-entity", "logo-svg-nested", "logo-sparse",
                   "name-spaces", "name-nul", "date-", "decimals-true", "metric-value-true", "grade-bool-tag",
                   "name-terminal", "out-", "national-formula"):
        assert any(name.startswith(prefix) for name in names), prefix
    assert len(CASES) >= 100, len(CASES)
