"""Real processes and real signals: SIGKILL between renames, SIGTERM and Ctrl-C mid-build,
a parallel batch stopped from outside. Builds pause at a chosen point through a
test-only environment variable, so the signal lands where the test means it to."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MINIMAL

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc as on Linux")

PAUSED = "peelgen: test pause: "


def other_force(name: str) -> str:
    return MINIMAL.replace("Testshire Police", f"{name} Police").replace("force_short: Testshire",
                                                                          f"force_short: {name}")


class Peelgen:
    """``python -m peelgen`` in its own process group, its stderr read line by line."""

    def __init__(self, cwd: Path, *args: str, **env: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "peelgen", *args], cwd=cwd, env=os.environ | env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.lines: list[str] = []
        self._partial = b""

    def _read(self, timeout: float) -> bool:
        assert self.proc.stderr is not None
        ready, _, _ = select.select([self.proc.stderr], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(self.proc.stderr.fileno(), 65536)
        if not chunk:
            return False
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        self.lines += [line.decode() for line in complete]
        return True

    def wait_for(self, text: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count:
            assert time.monotonic() < deadline, f"no {text!r} in {self.lines}"
            assert self._read(deadline - time.monotonic()), f"ended without {text!r}: {self.lines}"

    def finish(self, timeout: float) -> tuple[int, float]:
        """Exit code and seconds taken to exit."""
        start = time.monotonic()
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise
        taken = time.monotonic() - start
        while self._read(0.1):
            pass
        return code, taken

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status is left


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".peelgen-" in p.name)


def build(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "peelgen", "build", *args], cwd=cwd, env=os.environ | env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "report.yaml").write_text(MINIMAL.replace("The force is good.", "The force is now good."))
    (tmp_path / "other.yaml").write_text(other_force("Otherton"))
    (tmp_path / "temp").mkdir()
    return tmp_path


def test_a_build_killed_between_renames_is_completed_by_the_next(folder: Path):
    expected = build(folder, "report.yaml", "-o", "expected")
    assert expected.returncode == 0, expected.stderr
    site = folder / "site"
    site.mkdir()
    (site / "testshire-2016.html").write_bytes(b"old page")
    (site / "testshire-2016.pdf").write_bytes(b"old pdf")
    run = Peelgen(folder, "build", "report.yaml", "-o", "site", PEELGEN_TEST_PAUSE_BETWEEN_RENAMES="60")
    run.wait_for(PAUSED)
    run.proc.send_signal(signal.SIGKILL)
    assert run.finish(10)[0] == -signal.SIGKILL
    # Killed mid-commit: the new page beside the old PDF, and the journal that says so.
    assert (site / "testshire-2016.pdf").read_bytes() == b"old pdf"
    assert any(name.endswith(".commit") for name in leftovers(site))
    # Any later build into the folder finishes the commit first.
    after = build(folder, "other.yaml", "-o", "site", "--format", "html")
    assert after.returncode == 0, after.stderr
    for name in ("testshire-2016.html", "testshire-2016.pdf"):
        assert (site / name).read_bytes() == (folder / "expected" / name).read_bytes()
    assert leftovers(site) == []


def test_sigterm_during_the_commit_waits_for_it_to_finish(folder: Path):
    run = Peelgen(folder, "build", "report.yaml", "-o", "site", "--format", "html",
                  PEELGEN_TEST_PAUSE_BETWEEN_RENAMES="1")
    run.wait_for(PAUSED)
    run.proc.send_signal(signal.SIGTERM)
    code, _ = run.finish(10)
    assert code == 143
    assert run.lines[-1] == "peelgen: stopped (SIGTERM); earlier output left as it was"
    assert (folder / "site" / "testshire-2016.html").read_text().startswith("<!DOCTYPE html>")
    assert leftovers(folder / "site") == []


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["term", "int", "kill"])
def test_a_stopped_build_leaves_no_temporary_files(folder: Path, how: signal.Signals):
    site, temp = folder / "site", folder / "temp"
    site.mkdir()
    (site / "testshire-2016.pdf").write_bytes(b"earlier")
    run = Peelgen(folder, "build", "report.yaml", "-o", "site", TMPDIR=str(temp),
                  PEELGEN_TEST_PAUSE_BEFORE_COMMIT="60")
    run.wait_for(PAUSED)
    # Both outputs are staged, and WeasyPrint's font copies sit in peelgen's own folder.
    assert len(leftovers(site)) == 2
    [scratch] = temp.iterdir()
    assert scratch.name.startswith(f"peelgen-{run.proc.pid}-")
    assert any(p.name.startswith("weasyprint-") for p in scratch.iterdir())
    run.proc.send_signal(how)
    code, taken = run.finish(10)
    assert taken < 2
    if how == signal.SIGKILL:  # nothing runs after SIGKILL: the next build cleans up
        assert code == -signal.SIGKILL
        after = build(folder, "other.yaml", "-o", "site", "--format", "html", TMPDIR=str(temp))
        assert after.returncode == 0, after.stderr
    else:
        assert code == {signal.SIGTERM: 143, signal.SIGINT: 130}[how]
        assert run.lines[-1].startswith("peelgen: stopped (SIGTERM)" if how == signal.SIGTERM
                                        else "peelgen: interrupted")
        assert "Traceback" not in "\n".join(run.lines)
    assert leftovers(site) == []
    assert list(temp.iterdir()) == []
    assert (site / "testshire-2016.pdf").read_bytes() == b"earlier"


def start_batch(folder: Path) -> tuple[Peelgen, list[int]]:
    """A -j 2 batch of three reports, both workers paused with their outputs staged."""
    (folder / "third.yaml").write_text(other_force("Thirdshire"))
    site = folder / "site"
    site.mkdir()
    (site / "testshire-2016.html").write_bytes(b"earlier")
    run = Peelgen(folder, "build", "report.yaml", "other.yaml", "third.yaml", "-o", "site", "--format", "html",
                  "-j", "2", TMPDIR=str(folder / "temp"), PEELGEN_TEST_PAUSE_BEFORE_COMMIT="60")
    run.wait_for(PAUSED, count=2)
    workers = run.children()
    assert len(workers) == 2 and all(running(pid) for pid in workers)
    assert len(leftovers(site)) == 2
    return run, workers


def assert_stopped_cleanly(folder: Path, workers: list[int]) -> None:
    deadline = time.monotonic() + 2
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers), "a worker outlived the batch"
    assert leftovers(folder / "site") == []
    assert (folder / "site" / "testshire-2016.html").read_bytes() == b"earlier"
    assert list((folder / "temp").iterdir()) == []


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_stops_a_parallel_batch_within_two_seconds(folder: Path, presses: int):
    run, workers = start_batch(folder)
    for _ in range(presses):
        os.killpg(run.proc.pid, signal.SIGINT)  # as the terminal does: the whole group
        time.sleep(0.05)
    code, taken = run.finish(5)
    assert code == 130 and taken < 2
    assert run.lines[-1] == "peelgen: interrupted; earlier output left as it was"
    assert "Traceback" not in "\n".join(run.lines)
    assert_stopped_cleanly(folder, workers)


def test_sigterm_to_the_parent_stops_the_workers_too(folder: Path):
    run, workers = start_batch(folder)
    run.proc.send_signal(signal.SIGTERM)  # the parent alone, as a CI runner does
    code, taken = run.finish(5)
    assert code == 143 and taken < 2
    assert run.lines[-1] == "peelgen: stopped (SIGTERM); earlier output left as it was"
    assert_stopped_cleanly(folder, workers)


def test_workers_die_with_a_killed_parent(folder: Path):
    run, workers = start_batch(folder)
    run.proc.send_signal(signal.SIGKILL)  # the parent alone: no chance to stop anything
    assert run.finish(5)[0] == -signal.SIGKILL
    deadline = time.monotonic() + 2
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers), "a worker outlived its parent"
    # The workers, told by the kernel, removed their own temporary files.
    assert leftovers(folder / "site") == []


def _ignore_sigterm_and_sleep() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(30)


@pytest.mark.parametrize("pressed_twice", [False, True])
def test_stopping_a_stubborn_worker_waits_a_second_unless_pressed_twice(tmp_path: Path, pressed_twice: bool):
    import multiprocessing

    from peelgen import workers
    from peelgen.build import BuildOptions

    process = multiprocessing.get_context("fork").Process(target=_ignore_sigterm_and_sleep)
    process.start()
    time.sleep(0.2)  # let it set its handler
    parent_end, _ = multiprocessing.Pipe()
    pool = workers.Pool(BuildOptions(tmp_path), 1, [workers._Worker(process, parent_end, tmp_path / "r.yaml")])
    workers._hurry = pressed_twice
    try:
        start = time.monotonic()
        pool.stop()
        taken = time.monotonic() - start
    finally:
        workers._hurry = False
    assert not process.is_alive() and process.exitcode == -signal.SIGKILL
    assert taken < 0.5 if pressed_twice else 0.9 < taken < 2
