"""The bad-input corpus: every file in tests/bad_inputs/ fails to build cleanly.

For each file ``peelgen build FILE -o OUT`` must exit 1, print only located one-line
messages (no traceback, no "internal error"), include the message expected for it in
``expected.yaml``, and write nothing. The few files listed under ``must_build_safely``
build, and their HTML shows hostile text as text.

The files are made by tests/bad_inputs/generate.py; add a case there and re-run it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from peelgen.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
ERRORS: dict[str, str] = MANIFEST["errors"]
SAFE: dict[str, dict[str, list[str]]] = MANIFEST["must_build_safely"]
FAILED_LINE = "build failed; previous output left as it was"


def run_build(name: str, out_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
              *extra: str) -> tuple[int, str, str]:
    # Run from the corpus folder so that messages name the file as the author would see it.
    monkeypatch.chdir(CORPUS)
    code = main(["build", name, "-o", str(out_dir), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_manifest_lists_every_file_once():
    files = {p.name for p in CORPUS.glob("*.yaml")} - {"expected.yaml"}
    assert not set(ERRORS) & set(SAFE)
    assert files == set(ERRORS) | set(SAFE)
    assert len(ERRORS) >= 60


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_input_fails_with_located_messages(name: str, tmp_path: Path, capsys, monkeypatch):
    out_dir = tmp_path / "out"
    code, out, err = run_build(name, out_dir, capsys, monkeypatch)
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = err.splitlines()
    assert lines, "no message at all"
    assert lines[-1] == f"{name}: {FAILED_LINE}", err
    located = re.compile(rf"{re.escape(name)}:\d+:\d+: \S")
    for line in lines[:-1]:
        assert located.match(line), f"not a located one-line message: {line!r}"
    assert ERRORS[name] in err, f"expected {ERRORS[name]!r} in:\n{err}"
    assert "wrote" not in out
    assert not out_dir.exists() or not any(out_dir.iterdir()), "a failed build wrote output"


@pytest.mark.parametrize("name", sorted(SAFE))
def test_hostile_text_builds_safely(name: str, tmp_path: Path, capsys, monkeypatch):
    out_dir = tmp_path / "out"
    code, _, err = run_build(name, out_dir, capsys, monkeypatch, "--format", "html")
    assert code == 0, err
    assert err == ""
    [html_file] = out_dir.glob("*.html")
    html = html_file.read_text(encoding="utf-8")
    for text in SAFE[name]["contains"]:
        assert text in html, text
    for text in SAFE[name]["absent"]:
        assert text not in html, text


def test_byte_order_mark_builds_html_and_pdf(tmp_path: Path, capsys, monkeypatch):
    code, _, err = run_build("safe-byte-order-mark.yaml", tmp_path / "out", capsys, monkeypatch)
    assert code == 0, err
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".html", ".pdf"]


def test_oversized_file_is_refused_before_parsing(tmp_path: Path, capsys, monkeypatch):
    from peelgen.load import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    big.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    monkeypatch.chdir(tmp_path)
    code = main(["build", "big.yaml", "-o", "out"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.splitlines()[0].startswith("big.yaml: the file is too large (")
    assert not (tmp_path / "out").exists()
