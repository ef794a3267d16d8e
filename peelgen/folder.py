"""Load stage: the one path policy for every file a report names.

Everything in a report folder is untrusted, so every file peelgen reads on a report's
behalf (CSV data, images, the logo, templates, stylesheets) is found and read here:

- the name must be relative, without ``..``, a drive, a URL scheme or a NUL byte;
- it is resolved with every symlink followed, and the real file must still be inside
  one of the allowed roots (the report's folder, or a ``--templates`` folder given on
  the command line);
- it must be a regular file: folders, FIFOs, sockets and devices are refused (a FIFO
  would block a build for ever, ``/dev/zero`` would never end);
- its size is checked before a byte is read, and again while reading (a file that
  grows, or lies about its size, cannot exhaust memory).

Problems are raised as :class:`FileRefused`, carrying a message and a hint, which the
caller turns into a located diagnostic (it knows the YAML position of the name).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused

# Defaults; callers pass their own limit where a kind of file has one (see docs/security.md).
MAX_TEXT_BYTES = 5 * 1024 * 1024


def _bytes(size: int) -> str:
    return f"{size:,} bytes"


def check_relative_name(name: str, what: str = "file") -> PurePosixPath:
    """The name as a relative POSIX path, or :class:`FileRefused` if it could escape."""
    if "\x00" in name:
        raise FileRefused("the file name contains a NUL character", "remove it from the name")
    if not name.strip():
        raise FileRefused("the file name is empty", "give the file's name, relative to the report")
    pure = PurePosixPath(name.replace("\\", "/"))
    if ":" in name or pure.is_absolute() or ".." in pure.parts:
        raise FileRefused(f"'{name}' must be a relative path inside the report's folder",
                          f"put the {what} next to the report and give its name")
    return pure


def _resolve(path: Path) -> Path:
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        raise FileRefused("not found", None) from None
    except RuntimeError:  # Python < 3.13 raises RuntimeError on a symlink loop
        raise FileRefused("is a symlink loop", "replace the link with the file itself") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise FileRefused("is a symlink loop", "replace the link with the file itself") from None
        raise FileRefused(f"cannot be opened: {error.strerror or error}", None) from None


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, word in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return word
    return "not a regular file"


@dataclass(frozen=True, slots=True)
class Folder:
    """Files may be read from inside ``roots`` only (each resolved once, up front)."""

    roots: tuple[Path, ...]

    @classmethod
    def of(cls, roots: Iterable[Path]) -> Folder:
        return cls(tuple(Path(os.path.realpath(root)) for root in roots))

    def _inside(self, real: Path) -> bool:
        return any(real == root or real.is_relative_to(root) for root in self.roots)

    def locate(self, name: str, *, suffixes: Sequence[str] | None = None, root: Path | None = None,
               what: str = "file") -> Path:
        """The real path of the regular file ``name`` (relative to ``root``, by default the
        first root), after every check; :class:`FileRefused` otherwise."""
        pure = check_relative_name(name)
        if suffixes is not None and pure.suffix.lower() not in suffixes:
            raise FileRefused(f"'{name}' must be a {' or '.join(sorted(suffixes))} file", None)
        base = Path(os.path.realpath(root)) if root is not None else self.roots[0]
        try:
            real = _resolve(base / pure)
        except FileRefused as refused:
            where = "in the report's folder" if root is None else f"in {base.name}/"
            hint = refused.hint or "check the spelling; names are case-sensitive"
            raise FileRefused(f"{what} '{name}' {refused.message} {where}", hint) from None
        if not self._inside(real):
            raise FileRefused(f"{what} '{name}' leads outside the report's folder (through a symlink)",
                              "copy the file into the report's folder instead of linking to it")
        return real

    def locate_dir(self, name: str, *, what: str = "folder") -> Path:
        """The real path of the folder ``name`` inside the first root."""
        pure = check_relative_name(name, what)
        try:
            real = _resolve(self.roots[0] / pure)
        except FileRefused as refused:
            raise FileRefused(f"{what} '{name}' {refused.message} in the report's folder", refused.hint) from None
        if not self._inside(real):
            raise FileRefused(f"{what} '{name}' leads outside the report's folder (through a symlink)",
                              "copy the folder into the report's folder instead of linking to it")
        if not real.is_dir():
            raise FileRefused(f"'{name}' is not a folder", None)
        return real

    def read_bytes(self, real: Path, *, limit: int = MAX_TEXT_BYTES, what: str = "file") -> bytes:
        """Read a file that :meth:`locate` returned (or any path inside the roots), refusing
        special files and anything over ``limit`` bytes before reading it."""
        real = _resolve(real) if real.is_symlink() else real
        if not self._inside(real):
            raise FileRefused(f"{what} '{real.name}' is outside the report's folder", None)
        return read_regular_file(real, limit=limit, what=what)


def read_regular_file(path: Path, *, limit: int, what: str = "file") -> bytes:
    """Read a regular file of at most ``limit`` bytes; :class:`FileRefused` otherwise.

    Opened non-blocking (a FIFO swapped in after a check cannot hang the build), then
    checked with fstat on the open descriptor, so the checks apply to what is read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM):
            raise FileRefused(f"{what} '{path.name}' cannot be read: permission denied",
                              "check the file's permissions") from None
        if error.errno == errno.ELOOP:
            raise FileRefused(f"{what} '{path.name}' is a symlink loop", None) from None
        raise FileRefused(f"{what} '{path.name}' cannot be read: {error.strerror or error}", None) from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise FileRefused(f"{what} '{path.name}' is {kind}, not a file", "name a regular file")
        if info.st_size > limit:
            raise FileRefused(f"the {what} is too large ({_bytes(info.st_size)}; the limit is {_bytes(limit)})",
                              "make the file smaller or split it")
        chunks, total = [], 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > limit:
                raise FileRefused(f"the {what} is too large (over {_bytes(limit)})",
                                  "make the file smaller or split it")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise FileRefused(f"{what} '{path.name}' cannot be read: {error.strerror or error}", None) from None
    finally:
        os.close(fd)


def decode_utf8(data: bytes, file: str, *, what: str = "file") -> str:
    """``data`` as text (a UTF-8 byte order mark is allowed), or :class:`BuildFailed` with the
    line and column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start
        line_start = data.rfind(b"\n", 0, start) + 1
        line = data.count(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", "replace")) + 1
        raise BuildFailed([Diagnostic(file, f"the {what} is not UTF-8 text (byte 0x{data[start]:02x})", line, column,
                                      hint="save it with UTF-8 encoding")]) from None
