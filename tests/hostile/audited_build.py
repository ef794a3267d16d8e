"""Run peelgen commands under a Python audit hook and record what they touch.

Usage: ``python tests/hostile/audited_build.py JOBS.json RESULTS.json``

JOBS.json is a list of ``{"name": …, "cwd": …, "argv": [...]}``; each job runs the real
CLI entry point (``peelgen.cli.main``) in this one process, one after another (so the
interpreter starts once). RESULTS.json gets, per job, its exit code, its stderr and the
audit events it raised: every file opened (path and whether for writing), every folder
listed, every file created, renamed, removed or re-permissioned, every process started
and every network connection or lookup. The test (tests/hostile/test_hostile_audit.py)
judges the events against its allow-list; this script only records.

An audit hook cannot be removed once added (PEP 578), which is why this runs in a child
process and never inside pytest.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
from collections.abc import Callable
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

_PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                   "os.forkpty", "os.startfile", "pty.spawn"}
_NETWORK_EVENTS = {"socket.connect", "socket.bind", "socket.sendto", "socket.getaddrinfo", "socket.gethostbyname",
                   "socket.gethostbyaddr", "urllib.Request", "http.client.connect", "ftplib.connect",
                   "smtplib.connect", "webbrowser.open"}
# event -> (index of the path argument, index of its dir_fd argument or None). A path may be
# an open file descriptor (os.fchmod raises "os.chmod" with the fd; shutil.rmtree lists and
# removes through descriptors): it is resolved to the file it names while it is still open.
_CHANGE_EVENTS = {"os.mkdir": [(0, 2)], "os.rename": [(0, 2), (1, 3)], "os.remove": [(0, 1)], "os.rmdir": [(0, 1)],
                  "os.chmod": [(0, 2)], "os.truncate": [(0, None)], "os.symlink": [(1, 2)], "os.link": [(1, 3)],
                  "os.utime": [(0, 3)], "shutil.rmtree": [(0, 1)], "shutil.move": [(0, None), (1, None)],
                  "os.chown": [(0, 3)], "os.mkfifo": [(0, 2)], "os.mknod": [(0, 3)]}
_LIST_EVENTS = {"os.listdir", "os.scandir", "glob.glob", "os.walk"}

_events: list[list[object]] = []
_recording = False
# The "open" audit event does not carry os.open's dir_fd; the wrapper below notes it here.
_open_dir_fd: int | None = None


def _fd_path(fd: int) -> str | None:
    """The file an open descriptor names (None if it is not open)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def _path(value: object, dir_fd: object = None) -> str | None:
    """The real, absolute path named by an event argument: symlinks are followed, so a
    link inside the report's folder that leads out of it shows where it leads. A file
    descriptor is resolved through /proc; a name relative to a dir_fd, against that folder."""
    if value is None:
        return None
    if isinstance(value, int):
        return _fd_path(value)
    try:
        name = os.fsdecode(value)  # type: ignore[arg-type]
    except TypeError:
        return repr(value)
    if "\0" in name:
        return name
    base = os.getcwd()
    if isinstance(dir_fd, int) and not os.path.isabs(name):
        base = _fd_path(dir_fd) or f"<dir_fd {dir_fd}>"
    return os.path.realpath(os.path.join(base, name))


def _hook(event: str, args: tuple[object, ...]) -> None:
    global _recording
    if not _recording:
        return
    _recording = False  # nothing the hook itself does is recorded
    try:
        _record(event, args)
    finally:
        _recording = True


def _arg(args: tuple[object, ...], index: int | None) -> object:
    return args[index] if index is not None and index < len(args) else None


def _record(event: str, args: tuple[object, ...]) -> None:
    if event == "open":
        path, mode, flags = [*args, None, None, None][:3]
        if isinstance(path, int):
            return  # io.open of a descriptor: its path was recorded when it was opened
        name = _path(path, _open_dir_fd)
        if name is None:
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and bool(flags & _WRITE_FLAGS))
        _events.append(["write" if writing else "open", name])
    elif event in _LIST_EVENTS:
        name = _path(args[0] if args and args[0] is not None else ".")
        _events.append(["list", name or "?"])
    elif event in _CHANGE_EVENTS:
        for index, dir_fd in _CHANGE_EVENTS[event]:
            _events.append(["write", _path(_arg(args, index), _arg(args, dir_fd)) or "?", event])
    elif event in _PROCESS_EVENTS:
        _events.append(["process", event, repr(args)[:300]])
    elif event in _NETWORK_EVENTS:
        _events.append(["network", event, repr(args)[:300]])


def _note_dir_fd(real_open: Callable[..., int]) -> Callable[..., int]:
    """os.open, noting its dir_fd for the hook (shutil.rmtree opens names relative to one)."""

    @functools.wraps(real_open)
    def open_noting_dir_fd(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        global _open_dir_fd
        _open_dir_fd = dir_fd
        try:
            return real_open(path, flags, mode, dir_fd=dir_fd)
        finally:
            _open_dir_fd = None

    return open_noting_dir_fd


def run_job(job: dict[str, object]) -> dict[str, object]:
    global _recording
    from peelgen.cli import main

    err, out = io.StringIO(), io.StringIO()
    here = os.getcwd()
    _events.clear()
    os.chdir(str(job["cwd"]))
    _recording = True
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main([str(a) for a in job["argv"]])  # type: ignore[union-attr]
    finally:
        _recording = False
        os.chdir(here)
    return {"name": job["name"], "code": code, "stderr": err.getvalue(), "stdout": out.getvalue(),
            "events": list(_events)}


def main(argv: list[str]) -> int:
    jobs_file, results_file = argv
    with open(jobs_file, encoding="utf-8") as stream:
        jobs = json.load(stream)
    wrapped = _note_dir_fd(os.open)
    if os.open in os.supports_dir_fd:  # shutil checks this when it is imported
        os.supports_dir_fd.add(wrapped)
    os.open = wrapped  # type: ignore[assignment]
    sys.addaudithook(_hook)
    results = [run_job(job) for job in jobs]
    runtime = {"sys_path": [os.path.realpath(p or ".") for p in sys.path]}
    with open(results_file, "w", encoding="utf-8") as stream:
        json.dump({"jobs": results, "runtime": runtime}, stream)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
