"""A report's own templates: folder (docs/customising.md's worked example)."""

from __future__ import annotations

import shutil
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import MINIMAL, ROOT

EXAMPLE = ROOT / "tests" / "customising"


def _copy_example(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "brookshire")
    return tmp_path / "brookshire" / "report.yaml"


def test_worked_example_has_its_own_cover_and_colours(cli, tmp_path):
    _copy_example(tmp_path)
    result = cli("build", "brookshire/report.yaml", "-o", "site")
    assert result.code == 0, result.err
    html = (tmp_path / "site" / "brookshire-2016.html").read_text(encoding="utf-8")
    assert '<p class="brookshire-masthead">Brookshire Police</p>' in html
    assert "An inspection by" in html
    assert "--accent: #5b2c6f;" in html
    assert html.index("--accent: #1d3f6e;") < html.index("--accent: #5b2c6f;")  # custom.css comes last
    pdf = PdfReader(BytesIO((tmp_path / "site" / "brookshire-2016.pdf").read_bytes()))
    assert "An inspection by" in pdf.pages[0].extract_text()


def test_command_line_templates_come_first(cli, tmp_path):
    _copy_example(tmp_path)
    mine = tmp_path / "mine" / "partials"
    mine.mkdir(parents=True)
    (mine / "cover.html.j2").write_text('<header class="cover"><p>Command-line cover</p></header>\n',
                                        encoding="utf-8")
    result = cli("build", "brookshire/report.yaml", "-o", "site", "--format", "html", "--templates", "mine")
    assert result.code == 0, result.err
    html = (tmp_path / "site" / "brookshire-2016.html").read_text(encoding="utf-8")
    assert "Command-line cover" in html
    assert "brookshire-masthead\">" not in html
    assert "--accent: #5b2c6f;" in html  # the report's styles still apply


def test_templates_folder_must_be_inside_the_report_folder(cli, write, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "sub").mkdir()
    write("framework: peel-2016-effectiveness\ntemplates: ../elsewhere\n" + MINIMAL.split("\n", 1)[1],
          name="sub/report.yaml")
    result = cli("validate", "sub/report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        "sub/report.yaml:2:12: templates: '../elsewhere' must be a relative path inside the report's folder "
        "(put the templates folder next to the report and give its name)"]


def test_templates_folder_must_exist(cli, write):
    write("framework: peel-2016-effectiveness\ntemplates: nowhere\n" + MINIMAL.split("\n", 1)[1])
    result = cli("validate", "report.yaml")
    assert result.code == 1
    assert result.err_lines == [
        "report.yaml:2:12: templates: templates folder 'nowhere' not found in the report's folder"]
