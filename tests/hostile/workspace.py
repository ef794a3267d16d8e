"""A report folder under attack, and the files just outside it.

Every hostile case builds one of these in a test's ``tmp_path``:

    tmp_path/
      report/      the report's folder (report.yaml and whatever the case adds)
      outside/     secret.txt, secret.css, secret.csv, secret.png: a canary outside the folder
      out/         the output folder the build is told to use
      tmp/         the temporary folder for the build (must be empty afterwards)

The canary text is also put in an environment variable by the tests, so a leak of the
environment (``/proc/self/environ``, ``os.environ`` from a template) is caught too.
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from pathlib import Path

from tests.conftest import MINIMAL

CANARY = "CANARY-5ecret-9f3e1d27"
CANARY_ENV = "PEELGEN_HOSTILE_CANARY"


def png(width: int = 1, height: int = 1) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with one tiny data chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "report"
        self.outside = root / "outside"
        self.out = root / "out"
        self.tmp = root / "tmp"
        for folder in (self.folder, self.outside, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        (self.outside / "secret.txt").write_text(f"{CANARY}\n", encoding="utf-8")
        (self.outside / "secret.css").write_text(f'body::after {{ content: "{CANARY}"; }}\n', encoding="utf-8")
        (self.outside / "secret.csv").write_text(f"force,value\n{CANARY},1\n", encoding="utf-8")
        (self.outside / "secret.png").write_bytes(png() + CANARY.encode())
        (self.outside / "templates").mkdir(exist_ok=True)
        (self.outside / "templates" / "force-report.html.j2").write_text(CANARY, encoding="utf-8")

    def report(self, text: str = MINIMAL, name: str = "report.yaml") -> Path:
        return self.write(name, text)

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    def link(self, relative: str, target: str | Path) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)
        return path

    def fifo(self, relative: str) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)
        return path

    def sparse(self, relative: str, size: int, head: bytes = b"") -> Path:
        path = self.write(relative, head)
        with path.open("r+b") as stream:
            stream.truncate(size)
        return path

    def snapshot(self) -> dict[str, tuple[int, int, int]]:
        """Type, size and modification time of everything but out/ and tmp/ (symlinks
        and FIFOs are looked at, never followed or opened)."""
        seen: dict[str, tuple[int, int, int]] = {}
        for top, dirs, files in os.walk(self.root):
            here = Path(top)
            if here in (self.out, self.tmp):
                dirs[:] = []
                continue
            for name in [*dirs, *files]:
                path = here / name
                if path in (self.out, self.tmp):
                    continue
                info = path.lstat()
                size = info.st_size if stat.S_ISREG(info.st_mode) else 0
                seen[str(path.relative_to(self.root))] = (stat.S_IFMT(info.st_mode), size, info.st_mtime_ns)
        return seen

    def outputs(self) -> dict[str, bytes]:
        """Every regular file in out/, by name (symlinks and specials are reported by name)."""
        if not self.out.exists():
            return {}
        found = {}
        for path in sorted(self.out.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found[str(path.relative_to(self.out))] = path.read_bytes()
            elif not path.is_dir():
                found[str(path.relative_to(self.out))] = b""
        return found
