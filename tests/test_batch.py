"""Several reports in one `peelgen build`: in-process or in parallel (-j), a failing
report never stops the others, and a summary line says how it went."""

from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

import pytest

from peelgen.diagnostics import BuildFailed, Diagnostic
from tests.conftest import MINIMAL

BAD = MINIMAL.replace("publication_date: 2017-03-02", "publication_date: 2017-02-30")


def other_force(name: str) -> str:
    return MINIMAL.replace("Testshire Police", f"{name} Police").replace("force_short: Testshire",
                                                                          f"force_short: {name}")


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, Path]:
    paths = {"good": tmp_path / "good.yaml", "bad": tmp_path / "bad.yaml", "other": tmp_path / "other.yaml"}
    paths["good"].write_text(MINIMAL, encoding="utf-8")
    paths["bad"].write_text(BAD, encoding="utf-8")
    paths["other"].write_text(other_force("Otherton"), encoding="utf-8")
    return paths


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_failing_report_does_not_stop_the_good_one(cli, reports, tmp_path: Path, jobs: str):
    result = cli("build", "bad.yaml", "good.yaml", "-o", "site", "--format", "html", "-j", jobs)
    assert result.code == 1
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["testshire-2016.html"]
    assert "wrote site/testshire-2016.html" in result.out
    lines = result.err_lines
    assert lines[-1] == "1 built, 1 failed"
    assert any(line.startswith("bad.yaml:5:21: meta.publication_date: expected a date") for line in lines)
    assert "bad.yaml: build failed; previous output left as it was" in lines
    assert "Traceback" not in result.err


def test_parallel_build_writes_every_format_and_cleans_up(cli, reports, tmp_path: Path, monkeypatch):
    # Worker processes are forked from this one and so inherit this temporary folder:
    # WeasyPrint's copies of the fonts must be gone from it when the build ends.
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    result = cli("build", "good.yaml", "other.yaml", "-o", "site", "-j", "2")
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        "otherton-2016.html", "otherton-2016.pdf", "testshire-2016.html", "testshire-2016.pdf"]
    assert result.err_lines == ["2 built, 0 failed"]
    assert (tmp_path / "site" / "otherton-2016.pdf").read_bytes().startswith(b"%PDF-")
    assert list(temp.iterdir()) == []


def test_parallel_build_leaves_this_process_fonts_alone(cli, reports, tmp_path: Path):
    # This process caches its fonts (in a temporary folder) on its first PDF; forked
    # workers inherit that cache and must not delete the folder when they finish.
    assert cli("build", "good.yaml", "-o", "first", "--format", "pdf").code == 0
    assert cli("build", "good.yaml", "other.yaml", "-o", "batch", "--format", "pdf", "-j", "2").code == 0
    again = cli("build", "good.yaml", "-o", "again", "--format", "pdf")
    assert again.code == 0, again.err
    assert (tmp_path / "again" / "testshire-2016.pdf").read_bytes() == (tmp_path / "first" / "testshire-2016.pdf"
                                                                       ).read_bytes()


def test_parallel_and_serial_outputs_are_identical(cli, reports, tmp_path: Path):
    assert cli("build", "good.yaml", "other.yaml", "-o", "serial", "--format", "html").code == 0
    assert cli("build", "good.yaml", "other.yaml", "-o", "parallel", "--format", "html", "-j", "0").code == 0
    for name in ("testshire-2016.html", "otherton-2016.html"):
        assert (tmp_path / "serial" / name).read_bytes() == (tmp_path / "parallel" / name).read_bytes()


def test_failed_report_in_a_batch_keeps_its_previous_output(cli, reports, tmp_path: Path):
    assert cli("build", "good.yaml", "-o", "site", "--format", "html").code == 0
    before = (tmp_path / "site" / "testshire-2016.html").read_bytes()
    reports["good"].write_text(BAD.replace("Prevention requires", "Changed: prevention requires"), encoding="utf-8")
    result = cli("build", "good.yaml", "other.yaml", "-o", "site", "--format", "html", "-j", "2")
    assert result.code == 1
    assert result.err_lines[-1] == "1 built, 1 failed"
    assert (tmp_path / "site" / "testshire-2016.html").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["otherton-2016.html", "testshire-2016.html"]


def test_one_report_prints_no_summary(cli, reports):
    result = cli("build", "bad.yaml", "-o", "site", "--format", "html")
    assert result.code == 1
    assert result.err_lines[-1] == "bad.yaml: build failed; previous output left as it was"
    assert not any("built," in line for line in result.err_lines)


def test_progress_is_drawn_on_a_terminal(cli, reports, monkeypatch):
    monkeypatch.setattr("peelgen.cli._stderr_is_tty", lambda: True)
    result = cli("build", "good.yaml", "bad.yaml", "other.yaml", "-o", "site", "--format", "html")
    assert result.code == 1
    assert "\r[" in result.err and "] 0/3 reports" in result.err and "] 3/3 reports" in result.err
    # Messages start on a cleared line, and the last thing printed is the summary.
    assert "\r\033[Kbad.yaml:5:21: meta.publication_date:" in result.err
    assert "bad.yaml: build failed; previous output left as it was\n" in result.err
    assert result.err.endswith("\r\033[K2 built, 1 failed\n")


def test_no_progress_when_not_a_terminal(cli, reports):
    result = cli("build", "good.yaml", "other.yaml", "-o", "site", "--format", "html")
    assert "\r" not in result.err
    assert result.err_lines == ["2 built, 0 failed"]


def test_unexpected_error_in_one_report_is_reported_and_the_rest_built(cli, reports, tmp_path: Path, monkeypatch):
    import peelgen.build

    real_build = peelgen.build.build

    def flaky_build(path: Path, *args, **kwargs):
        if path.name == "good.yaml":
            raise RuntimeError("simulated crash")
        return real_build(path, *args, **kwargs)

    monkeypatch.setattr(peelgen.build, "build", flaky_build)
    result = cli("build", "good.yaml", "other.yaml", "-o", "site", "--format", "html")
    assert result.code == 70
    assert "good.yaml: internal error: RuntimeError: simulated crash (please report this with the input that " \
           "caused it)" in result.err_lines
    assert result.err_lines[-1] == "1 built, 1 failed"
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["otherton-2016.html"]
    assert "Traceback" not in result.err


def test_two_reports_writing_the_same_file_are_warned_about(cli, reports, tmp_path: Path):
    (tmp_path / "copy.yaml").write_text(MINIMAL, encoding="utf-8")  # the same slug as good.yaml
    result = cli("build", "good.yaml", "copy.yaml", "-o", "site", "--format", "html")
    assert result.code == 0
    assert "copy.yaml: warning: site/testshire-2016.html was also written by good.yaml; give each report its own " \
           "meta.slug" in result.err_lines
    assert result.err_lines[-1] == "2 built, 0 failed"


def test_negative_jobs_is_a_usage_error(cli, reports):
    result = cli("build", "good.yaml", "-j", "-1")
    assert result.code == 2
    [line] = result.err_lines
    assert line.startswith("peelgen: error: ") and "-1" in line


def test_build_failed_survives_pickling():
    # Results cross from worker processes by pickle; BuildFailed must keep its diagnostics.
    failure = BuildFailed([Diagnostic("r.yaml", "second", 9, 1), Diagnostic("r.yaml", "first", 2, 3)])
    copy = pickle.loads(pickle.dumps(failure))
    assert copy.diagnostics == failure.diagnostics
    assert [d.message for d in copy.diagnostics] == ["first", "second"]
