from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from peelgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
# Every edition of every example: report.yaml, and report.<language>.yaml beside it for
# another language's edition of the same report (report.cy.yaml: the Welsh edition).
EXAMPLES = sorted((ROOT / "examples").glob("*/report*.yaml"))
WEST_MERCIA = ROOT / "examples" / "west-mercia-2016" / "report.yaml"

def edition_language(path: Path) -> str | None:
    """The language an example's file name gives: 'cy' for report.cy.yaml, None for report.yaml."""
    parts = path.name.split(".")
    return parts[1] if len(parts) == 3 else None


def example_id(path: Path) -> str:
    """A test id per edition: the folder's name, with ':cy' for its Welsh edition."""
    language = edition_language(path)
    return path.parent.name if language is None else f"{path.parent.name}:{language}"


def example_params() -> list:
    """EXAMPLES as pytest parameters, with ids from example_id."""
    return [pytest.param(path, id=example_id(path)) for path in EXAMPLES]

# A small valid report; tests change one thing and check the one error it causes.
MINIMAL = """\
framework: peel-2016-effectiveness
meta:
  force: Testshire Police
  force_short: Testshire
  publication_date: 2017-03-02
overall:
  grade: good
  previous_grade: requires-improvement
  summary: |
    The force is good.[^period]
questions:
  - id: preventing
    grade: requires-improvement
    findings:
      - id: crime-and-asb
        body: |
          Crime in {area} is low.

          {figure:rates}
    summary: Prevention requires improvement.
    areas_for_improvement:
      - The force should improve.
  - id: investigating
    grade: good
  - id: vulnerability
    grade: good
  - id: serious-organised-crime
    grade: good
  - id: specialist-capabilities
    grade: ungraded
figures:
  - id: rates
    title: Crime rates in {area}
    source: Home Office data
    table:
      columns:
        - heading: Crime type
        - {heading: Testshire, type: number, decimals: 1}
      rows:
        - [Recorded crime, 58.8]
footnotes:
  period: Fieldwork took place in autumn 2016.
"""


@pytest.fixture(autouse=True)
def _own_build_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test starts with an empty build cache of its own (and never touches the
    user's ~/.cache): a report built by one test is never "up to date" in another."""
    monkeypatch.setenv("PEELGEN_CACHE_DIR", str(tmp_path_factory.mktemp("build-cache")))


@pytest.fixture(scope="session")
def example_outputs() -> dict[Path, dict[str, bytes]]:
    """Every example built once per test session (HTML and tagged PDF, in memory), shared
    by the snapshot tests and the conformance checks."""
    from peelgen.build import compile_report, render_outputs

    return {path: render_outputs(compile_report(path), ("html", "pdf")) for path in EXAMPLES}


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run the real CLI entry point in-process; file names print relative to tmp_path."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path: Path):
    def write_file(text: str, name: str = "report.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write_file


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing ``needle``."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]
