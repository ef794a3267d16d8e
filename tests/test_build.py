"""The build command: outputs, atomic writes, and failure leaving old output alone."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from tests.conftest import MINIMAL


def test_build_writes_html_and_pdf(cli, write, tmp_path: Path):
    write(MINIMAL)
    result = cli("build", "report.yaml", "-o", "site")
    assert result.code == 0, result.err
    html = (tmp_path / "site" / "testshire-2016.html").read_text(encoding="utf-8")
    pdf = PdfReader(tmp_path / "site" / "testshire-2016.pdf")
    assert "<style>" in html and "<link" not in html  # self-contained: CSS inline
    assert "src=\"http" not in html and "url(http" not in html
    assert pdf.pages[0].mediabox.width == 595.28 or round(float(pdf.pages[0].mediabox.width)) == 595  # A4
    assert "Testshire Police" in pdf.pages[0].extract_text()
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["testshire-2016.html", "testshire-2016.pdf"]


def test_format_html_writes_only_html(cli, write, tmp_path: Path):
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "site", "--format", "html").code == 0
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["testshire-2016.html"]


def test_failed_build_leaves_previous_output_intact(cli, write, tmp_path: Path):
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "site", "--format", "html").code == 0
    output = tmp_path / "site" / "testshire-2016.html"
    before = output.read_bytes()
    write(MINIMAL.replace("grade: good\n  previous", "grade: gud\n  previous").replace(
        "Testshire Police", "Changed Police"))
    result = cli("build", "report.yaml", "-o", "site", "--format", "html")
    assert result.code == 1
    assert "'gud' is not a grade" in result.err
    assert "build failed; previous output left as it was" in result.err
    assert output.read_bytes() == before
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["testshire-2016.html"]  # no temp files left


def test_python_dash_m_runs_the_cli(tmp_path: Path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "peelgen", "--version"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0
    assert done.stdout.startswith("peelgen, version ")


def test_untagged_pdf_has_no_structure_tree(cli, write, tmp_path: Path):
    write(MINIMAL)
    assert cli("build", "report.yaml", "-o", "tagged", "--format", "pdf").code == 0
    assert cli("build", "report.yaml", "-o", "plain", "--format", "pdf", "--untagged").code == 0
    tagged = PdfReader(tmp_path / "tagged" / "testshire-2016.pdf")
    plain = PdfReader(tmp_path / "plain" / "testshire-2016.pdf")
    assert "/StructTreeRoot" in tagged.trailer["/Root"]
    assert "/StructTreeRoot" not in plain.trailer["/Root"]


def test_two_builds_are_byte_identical(cli, write, tmp_path: Path):
    write(MINIMAL)
    # --no-cache: the second build must really build (the cache would copy the first).
    assert cli("build", "report.yaml", "-o", "one", "--no-cache").code == 0
    assert cli("build", "report.yaml", "-o", "two", "--no-cache").code == 0
    for name in ("testshire-2016.html", "testshire-2016.pdf"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
