"""A non-editable install finds its templates, styles and frameworks inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT, WEST_MERCIA


def test_wheel_ships_templates_styles_and_frameworks(tmp_path: Path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(ROOT)], check=True)
    [wheel] = dist.glob("peelgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("peelgen/templates/force-report.html.j2", "peelgen/styles/print.css",
                     "peelgen/styles/fonts/NotoSans-Regular.ttf", "peelgen/styles/fonts/OFL.txt",
                     "peelgen/frameworks/peel-2016-effectiveness.yaml",
                     "peelgen/frameworks/cy/peel-2016-effectiveness.yaml", "peelgen/languages/cy.yaml"):
        assert required in names

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", "import peelgen.assets as a; print(a.builtin_dir('templates'))"],
        cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(probe.stdout.strip()).is_relative_to(site)  # not the source checkout

    done = subprocess.run([sys.executable, "-m", "peelgen", "build", str(WEST_MERCIA), "-o", str(work / "out")],
                          cwd=work, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    outputs = sorted(p.suffix for p in (work / "out").iterdir())
    assert outputs == [".html", ".pdf"]
