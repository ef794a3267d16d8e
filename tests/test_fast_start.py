"""`peelgen --help` and `peelgen validate` start fast: they never import the PDF and
chart machinery (WeasyPrint, fontTools), which takes most of a second to load.

Each check runs in a fresh interpreter, since this test process has long since
imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, ROOT, example_params

HEAVY = ("weasyprint", "fontTools", "pydyf", "PIL")

PROBE = """
import json, sys
from peelgen.cli import main
code = main(json.loads(sys.argv[1]))
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"code": code, "heavy": heavy}))
"""


def imports_after(args: list[str], cwd: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)], cwd=cwd,
                          capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_probe_can_see_heavy_imports(tmp_path: Path):
    # Guards the tests below against passing vacuously: a PDF build does import WeasyPrint.
    (tmp_path / "report.yaml").write_text(MINIMAL, encoding="utf-8")
    result = imports_after(["build", "report.yaml", "-o", "out", "--format", "pdf"], tmp_path)
    assert result["code"] == 0
    assert "weasyprint" in result["heavy"]


def test_help_imports_nothing_heavy(tmp_path: Path):
    assert imports_after(["--help"], tmp_path) == {"code": 0, "heavy": []}
    assert imports_after(["build", "--help"], tmp_path) == {"code": 0, "heavy": []}


@pytest.mark.parametrize("report", [pytest.param(None, id="minimal"), *example_params()])
def test_validate_imports_nothing_heavy(tmp_path: Path, report: Path | None):
    if report is None:
        report = tmp_path / "report.yaml"
        report.write_text(MINIMAL, encoding="utf-8")
    assert imports_after(["validate", str(report)], tmp_path) == {"code": 0, "heavy": []}


def test_html_build_does_not_load_weasyprint(tmp_path: Path):
    (tmp_path / "report.yaml").write_text(MINIMAL, encoding="utf-8")
    result = imports_after(["build", "report.yaml", "-o", "out", "--format", "html"], tmp_path)
    assert result["code"] == 0
    assert "weasyprint" not in result["heavy"] and "fontTools" not in result["heavy"]
