"""`peelgen new`: a scaffold that fails validation until every TODO is filled in."""

from __future__ import annotations

import json
import re

import pytest

from peelgen import framework as frameworks


def test_scaffold_fails_with_located_placeholder_messages(cli, tmp_path):
    run = cli("new", "--framework", "peel-2016-effectiveness", "--force", "Testshire Police")
    assert run.code == 0, run.err
    folder = tmp_path / "testshire-police"
    report = folder / "report.yaml"
    text = report.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./report.schema.json"
    schema = json.loads((folder / "report.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["framework"]["const"] == "peel-2016-effectiveness"
    assert (folder / "README.md").is_file()
    for question in ("preventing", "investigating", "vulnerability", "serious-organised-crime",
                     "specialist-capabilities"):
        assert f"  - id: {question}\n" in text
    assert "# How effective is the force at preventing crime" in text  # a comment per section

    run = cli("validate", report)
    assert run.code == 1
    assert run.err_lines
    for line in run.err_lines:
        assert re.match(r"testshire-police/report\.yaml:\d+:\d+: \S+: placeholder not filled in \(TODO", line), line
    assert any(": overall.grade: placeholder not filled in" in line for line in run.err_lines)
    assert any(": questions[0].findings[0].body: placeholder not filled in" in line for line in run.err_lines)


def test_filled_in_scaffold_is_valid(cli, tmp_path):
    assert cli("new", "--framework", "peel-2016-effectiveness", "--force", "Testshire Police", "ts").code == 0
    report = tmp_path / "ts" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    text = text.replace("publication_date: TODO", "publication_date: 2017-03-02")
    text = re.sub(r"grade: TODO\b", "grade: good", text)
    text = re.sub(r'"TODO: ([^"]*)"', r'"Filled in: \1."', text)
    assert not [line for line in text.splitlines() if "TODO" in line and not line.lstrip().startswith("#")]
    report.write_text(text, encoding="utf-8")
    run = cli("validate", report)
    assert run.code == 0, run.err
    assert cli("build", report, "-o", "out", "--format", "html").code == 0


@pytest.mark.parametrize("framework_id", sorted(frameworks.available()))
def test_every_framework_scaffold_fails_only_on_placeholders(cli, tmp_path, framework_id):
    assert cli("new", "--framework", framework_id, "--force", "Testshire Police", "r").code == 0
    run = cli("validate", tmp_path / "r" / "report.yaml")
    assert run.code == 1
    assert [line for line in run.err_lines if "placeholder not filled in" not in line] == []


def test_refuses_to_overwrite(cli, tmp_path):
    (tmp_path / "ts").mkdir()
    (tmp_path / "ts" / "README.md").write_text("mine", encoding="utf-8")
    run = cli("new", "--framework", "peel-2016-effectiveness", "--force", "Testshire Police", "ts")
    assert run.code == 2
    assert run.err_lines == ["peelgen: error: ts/README.md exists already; not overwriting"]
    assert (tmp_path / "ts" / "README.md").read_text(encoding="utf-8") == "mine"
    assert not (tmp_path / "ts" / "report.yaml").exists()


def test_unknown_framework(cli):
    run = cli("new", "--framework", "peel-2016", "--force", "X")
    assert run.code == 2
    assert len(run.err_lines) == 1 and "did you mean" in run.err_lines[0]
