"""A small pool of worker processes for ``peelgen build -j N``.

Each worker is forked once, loads WeasyPrint once and then builds report after report,
receiving paths and sending results over its own pipe. Unlike a
``ProcessPoolExecutor``, whose pool breaks for good when one worker dies, a worker that
dies here (killed by the system, say) fails only the report it was building; a new
worker takes its place for the rest.

Stopping: Ctrl-C (or SIGTERM, which the command line turns into the same exception) in
the parent asks every worker to stop with SIGTERM; a worker still running a second later
is killed. A second Ctrl-C kills them at once. Workers ignore Ctrl-C themselves (it is
sent to the whole process group) and die with the parent if it is killed outright.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peelgen.diagnostics import Diagnostic, Terminated, display_name

if TYPE_CHECKING:
    from peelgen.build import BuildOptions, BuildResult

_GRACE = 1.0  # seconds a stopped worker has to remove its temporary files
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_CAN_HOLD = hasattr(signal, "pthread_sigmask")


_hurry = False  # set by a second Ctrl-C: stop the workers without waiting
_running = False  # a batch is running (or being stopped) in this process


def hurry() -> bool:
    """Ask a batch being stopped to kill its workers now (called on a second Ctrl-C);
    returns whether there is a batch to do so."""
    global _hurry
    _hurry = True
    return _running


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel send SIGTERM to this worker when the parent dies, even by
    SIGKILL, so no worker is left running with the terminal's output open."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was in place
        os._exit(1)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _test_crash(path: Path) -> None:
    """For the tests that check a killed worker fails only its own report (never set
    in normal use): a worker given this report kills itself, as the system might."""
    if os.environ.get("PEELGEN_TEST_KILL_WORKER_ON") == path.name:
        os.kill(os.getpid(), signal.SIGKILL)


def _serve(conn: Connection, options: BuildOptions, parent: int, inherited: list[Connection]) -> None:
    """A worker's life: build each path received until told to stop (None or EOF)."""
    from peelgen.build import build_one_safely

    _die_with_parent(parent)
    for other in inherited:  # the parent's ends of the other workers' pipes
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # On SIGTERM, unwind: the build's clean-up removes its temporary files.
    signal.signal(signal.SIGTERM, _raise_terminated)
    if _CAN_HOLD:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    try:
        if "pdf" in options.formats:
            from peelgen.render_pdf import warm_up

            warm_up()
        while True:
            try:
                path = conn.recv()
            except (EOFError, OSError):
                return
            if path is None:
                return
            _test_crash(path)
            conn.send(build_one_safely(path, options))
    except (Terminated, BrokenPipeError):
        return


def input_size(path: Path) -> int:
    """A cheap proxy for how long a report takes: its YAML and the CSV files beside it
    (one folder level down, not a walk of what may be a whole home folder)."""
    total = 0
    try:
        total += path.stat().st_size
        for data in (*path.parent.glob("*.csv"), *path.parent.glob("*/*.csv")):
            total += data.stat().st_size
    except OSError:
        pass
    return total


@dataclass(slots=True)
class _Worker:
    process: Any
    conn: Connection
    task: Path | None = None


@dataclass(slots=True)
class Pool:
    options: BuildOptions
    size: int
    workers: list[_Worker] = field(default_factory=list)

    def _start(self) -> _Worker:
        # fork: fast, and the child needs nothing pickled; the parent has no threads.
        context = multiprocessing.get_context("fork") if sys.platform == "linux" else multiprocessing
        parent_end, child_end = context.Pipe()
        # A forked child holds copies of the parent's ends of the other workers' pipes.
        inherited = [worker.conn for worker in self.workers] if sys.platform == "linux" else []
        process = context.Process(target=_serve, args=(child_end, self.options, os.getpid(), inherited),
                                  daemon=True, name="peelgen-worker")
        # The child starts with Ctrl-C and SIGTERM held until its own handlers are set.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS) if _CAN_HOLD else None
        try:
            process.start()
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        child_end.close()
        worker = _Worker(process, parent_end)
        self.workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join(_GRACE)
        if worker.process.is_alive():  # stuck on its way out
            worker.process.kill()
            worker.process.join()

    def run(self, paths: Sequence[Path]) -> Iterator[BuildResult]:
        queue = deque(sorted(paths, key=input_size, reverse=True))  # largest first
        try:
            while queue or any(worker.task for worker in self.workers):
                self._hand_out(queue)
                yield from self._collect()
            for worker in list(self.workers):
                worker.conn.send(None)
                self._retire(worker)
        finally:
            self.stop()

    def _hand_out(self, queue: deque[Path]) -> None:
        idle = [worker for worker in self.workers if worker.task is None]
        while queue and (idle or len(self.workers) < self.size):
            fresh = not idle
            worker = idle.pop() if idle else self._start()
            try:
                worker.conn.send(queue[0])
            except OSError:  # it died while idle: replace it, the report is not lost
                self._retire(worker)
                if fresh:  # a new worker that cannot even start: give up on the batch
                    raise
                continue
            worker.task = queue.popleft()

    def _collect(self) -> Iterator[BuildResult]:
        busy = {worker.conn: worker for worker in self.workers if worker.task}
        busy |= {worker.process.sentinel: worker for worker in busy.values()}
        for ready in wait(list(busy)):
            worker = busy[ready]
            if worker.task is None:  # already answered through its other handle
                continue
            result = self._receive(worker)
            worker.task = None
            yield result

    def _receive(self, worker: _Worker) -> BuildResult:
        from peelgen.build import BuildResult
        from peelgen.output import recover

        path = worker.task
        assert path is not None
        try:
            if worker.conn.poll():
                return worker.conn.recv()
        except (EOFError, OSError):
            pass
        # No answer, and the worker is gone: this report fails, the batch goes on.
        self._retire(worker)
        recover(self.options.out_dir)  # finish or remove what it left half-written
        code = worker.process.exitcode
        how = f"was killed by {signal.Signals(-code).name}" if code and code < 0 else f"exited ({code})"
        return BuildResult(path, diagnostics=(Diagnostic(
            display_name(path), f"not built: the process building it {how}",
            hint="it may have run out of memory; try again with fewer jobs (-j)"),))

    def stop(self) -> None:
        """Stop every worker: SIGTERM, then SIGKILL after a grace period or at once on a
        second Ctrl-C. Whatever they left half-written is then cleaned up."""
        from peelgen.output import recover

        processes = [worker.process for worker in self.workers]
        for worker in self.workers:
            worker.conn.close()
        self.workers.clear()
        if not processes:
            return
        try:
            for process in processes:
                if process.is_alive():
                    process.terminate()
            deadline = time.monotonic() + _GRACE
            while not _hurry and time.monotonic() < deadline and any(p.is_alive() for p in processes):
                wait([process.sentinel for process in processes], 0.05)
        finally:  # also on anything unexpected: kill what is left, now
            for process in processes:
                if process.is_alive():
                    process.kill()
                process.join()
            recover(self.options.out_dir)


def build_in_pool(paths: Sequence[Path], options: BuildOptions, jobs: int) -> Iterator[BuildResult]:
    global _hurry, _running
    _hurry, _running = False, True
    try:
        yield from Pool(options, min(jobs, len(paths))).run(paths)
    finally:
        _running = False
