"""Writing a build's outputs: all of them or none, whatever happens to the process.

Every output is first written in full to a temporary file in the output folder. A small
commit journal then lists which temporary file becomes which output; only once it is on
disk are the temporary files renamed into place, one by one, and the journal removed.
A process killed between two renames (even by SIGKILL) leaves the journal behind, and
the next write to that folder finishes the renames first (rolls the journal forward),
so an HTML page never sits beside the PDF of an earlier build.

Temporary files and journals carry the id of the process that made them
(``.NAME.peelgen-PID-XXXX.tmp``, ``.NAME.peelgen-PID-XXXX.commit``); ones whose process
is gone are cleaned up by the next write to the folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from peelgen.diagnostics import BuildFailed, Diagnostic, display_name

_OWNED = re.compile(r"^\.(?P<name>[^/]+)\.peelgen-(?P<pid>\d+)-[A-Za-z0-9_]+\.(?P<kind>tmp|commit)$")
_SCRATCH = re.compile(r"^peelgen-(?P<pid>\d+)-[A-Za-z0-9_]+$")
# Beyond this age a temporary file is stale even if a process with its id exists (the
# id may have been reused after a reboot); no build takes a day.
_STALE_AFTER = 24 * 3600.0
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _temp_prefix(name: str) -> str:
    return f".{name}.peelgen-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists but belongs to someone else
        return True
    return True


def _stale(path: Path, pid: int) -> bool:
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    return not _alive(pid) or age > _STALE_AFTER


def _roll_forward(folder: Path, journal: Path) -> None:
    """Finish the renames a journal lists; a journal that cannot be read is dropped."""
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))["rename"]
    except (OSError, ValueError, KeyError, TypeError):
        pairs = []
    for pair in pairs if isinstance(pairs, list) else []:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            continue
        temp_name, final_name = pair
        # Only our own temporary files, only to plain names in this folder.
        if not _OWNED.match(temp_name) or "/" in final_name or final_name in ("", ".", ".."):
            continue
        with contextlib.suppress(OSError):
            (folder / temp_name).replace(folder / final_name)
    with contextlib.suppress(OSError):
        journal.unlink()


def recover(folder: Path) -> None:
    """Finish the commits of builds that died mid-way, then remove their temporary files.

    Best effort: a folder that cannot be listed is left alone (writing to it will fail
    with a located error anyway)."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return
    owned = [(name, match) for name in names if (match := _OWNED.match(name))]
    for name, match in owned:
        if match["kind"] == "commit" and _stale(folder / name, int(match["pid"])):
            _roll_forward(folder, folder / name)
    for name, match in owned:
        if match["kind"] == "tmp" and _stale(folder / name, int(match["pid"])):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _stage(folder: Path, name: str, data: bytes) -> Path:
    handle, temp = tempfile.mkstemp(dir=folder, prefix=_temp_prefix(name), suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            # mkstemp creates files readable by the owner only; outputs are for sharing.
            os.fchmod(stream.fileno(), 0o644)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while the renames run (milliseconds): an interruption
    between two renames would otherwise leave a mismatched pair. They are delivered as
    soon as the commit is done."""
    import threading

    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _commit(folder: Path, staged: list[tuple[Path, Path]]) -> None:
    stem = staged[0][1].name
    journal_data = json.dumps({"rename": [[temp.name, final.name] for temp, final in staged]}).encode("utf-8")
    journal_temp = _stage(folder, stem, journal_data)
    journal = journal_temp.with_suffix(".commit")
    with _signals_held():
        try:
            journal_temp.replace(journal)
            _fsync_folder(folder)
            for index, (temp, final) in enumerate(staged):
                temp.replace(final)
                if index == 0:
                    _test_pause("PEELGEN_TEST_PAUSE_BETWEEN_RENAMES")
            _fsync_folder(folder)
        finally:
            journal_temp.unlink(missing_ok=True)
            journal.unlink(missing_ok=True)


def _test_pause(variable: str) -> None:
    """A pause for the tests that kill a build at this point (never set in normal use)."""
    seconds = os.environ.get(variable)
    if seconds:
        sys.stderr.write(f"peelgen: test pause: {variable}\n")
        sys.stderr.flush()
        time.sleep(float(seconds))


def _check_targets(folder: Path, names: list[str]) -> None:
    problems = []
    for name in names:
        target = folder / name
        # A symbolic link is replaced, never written through, so it is no obstacle.
        if not target.is_symlink() and target.exists() and not target.is_file():
            problems.append(Diagnostic(display_name(target), "cannot write the output: something other than a "
                                       "regular file is in the way", hint="move it away or choose another folder"))
    if problems:
        raise BuildFailed(problems)


def _failure(path: Path, error: OSError) -> BuildFailed:
    reason = error.strerror or str(error)
    hint = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
            errno.EROFS: "the file system is read-only", errno.EACCES: "check the folder's permissions",
            errno.EPERM: "check the folder's permissions"}.get(error.errno or 0)
    return BuildFailed([Diagnostic(display_name(path), f"cannot write the output: {reason}", hint=hint)])


def write_atomically(out_dir: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write every output, or none of them; an environment fault (no space, read-only
    file system, no permission) raises :class:`BuildFailed` with one located line."""
    if not outputs:
        return []
    where = out_dir
    staged: list[tuple[Path, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        recover(out_dir)
        _check_targets(out_dir, list(outputs))
        for name, data in outputs.items():
            where = out_dir / name
            staged.append((_stage(out_dir, name, data), out_dir / name))
        where = out_dir
        _test_pause("PEELGEN_TEST_PAUSE_BEFORE_COMMIT")
        _commit(out_dir, staged)
    except (OSError, ValueError) as error:  # ValueError: e.g. a NUL character in the path
        if isinstance(error, OSError):
            raise _failure(where, error) from None
        raise BuildFailed([Diagnostic(display_name(where), f"cannot write the output: {error}")]) from None
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
    return [final for _, final in staged]


# ---------------------------------------------------------------------------------
# Temporary files of the libraries peelgen uses


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """Point ``tempfile`` (and TMPDIR, for child processes) at a folder this process owns
    for the length of a build, and remove it afterwards.

    WeasyPrint copies @font-face fonts into a ``weasyprint-*`` folder that it deletes only
    when its font configuration is garbage-collected, which a killed process never does.
    Inside a peelgen-owned folder, whatever is left is removed at the end of the build;
    and if the process is killed, the next build removes the folder (its owner is gone).
    """
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for entry in os.scandir(base):
            match = _SCRATCH.match(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and _stale(Path(entry.path), int(match["pid"])):
                shutil.rmtree(entry.path, ignore_errors=True)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"peelgen-{os.getpid()}-", dir=base))
    except OSError:  # no usable temporary folder: let the libraries fail where they must
        yield base
        return
    previous_tempdir, previous_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous_tempdir
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
        render_pdf = sys.modules.get("peelgen.render_pdf")
        if render_pdf is not None:  # its cached fonts live in the folder about to go
            render_pdf.release_fonts()
        shutil.rmtree(folder, ignore_errors=True)
