"""The pre-commit hook and the CI workflow shipped for reports repositories (issue 15)."""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib

import click
import yaml

from peelgen.cli import cli as peelgen_group
from tests.conftest import MINIMAL, ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / "docs" / "ci" / "github-workflow.yml"


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _hook() -> dict:
    [hook] = [h for h in _load(HOOKS) if h["id"] == "peelgen-validate"]
    return hook


def _hook_selects(hook: dict, name: str) -> bool:
    # pre-commit matches `files` with re.search against the path from the repository root.
    return re.search(hook["files"], name) is not None


def test_hook_entry_is_the_installed_console_script():
    hook = _hook()
    program, *_ = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts[program] == "peelgen.cli:main"
    assert hook["language"] == "python"


def test_hook_selects_report_files_only():
    hook = _hook()
    assert _hook_selects(hook, "examples/west-mercia-2016/report.yaml")
    assert _hook_selects(hook, "report.yml")
    assert not _hook_selects(hook, "examples/west-mercia-2016/data/crime.csv")
    assert not _hook_selects(hook, "peelgen/frameworks/peel-2023-25.yaml")
    assert not _hook_selects(hook, ".pre-commit-hooks.yaml")


def test_hook_runs_as_pre_commit_would(cli, tmp_path):
    """Entry + the staged files it selects, as pre-commit passes them: a good report passes,
    a broken one fails the commit with a located error."""
    hook = _hook()
    shutil.copytree(ROOT / "examples" / "west-mercia-2016", tmp_path / "good")
    (tmp_path / "bad").mkdir()
    broken = MINIMAL.replace("grade: good\n  previous", "grade: great\n  previous")
    (tmp_path / "bad" / "report.yaml").write_text(broken, encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    staged = ["good/report.yaml", "notes.yaml"]
    program, *args = shlex.split(hook["entry"])
    assert program == "peelgen"
    files = [name for name in staged if _hook_selects(hook, name)]
    assert files == ["good/report.yaml"]
    result = cli(*args, *files)
    assert result.code == 0, result.err

    result = cli(*args, "good/report.yaml", "bad/report.yaml")
    assert result.code == 1
    assert re.search(r"^bad/report\.yaml:\d+:\d+: overall\.grade: ", result.err, re.MULTILINE)


def _peelgen_commands(workflow: dict) -> list[list[str]]:
    commands = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                words = shlex.split(line)
                if words and words[0] == "peelgen":
                    commands.append(words[1:])
    return commands


def test_workflow_parses_and_names_existing_commands_and_options():
    workflow = _load(WORKFLOW)
    assert workflow["name"]
    commands = _peelgen_commands(workflow)
    assert [words[0] for words in commands] == ["validate", "build"]
    for name, *args in commands:
        command = peelgen_group.commands[name]
        # Parses the options as peelgen would (an unknown option or choice raises); runs nothing.
        with click.Context(peelgen_group) as parent:
            command.make_context(name, list(args), parent=parent)
    uploads = [step for job in workflow["jobs"].values() for step in job["steps"]
               if str(step.get("uses", "")).startswith("actions/upload-artifact")]
    build_args = commands[1]
    out = build_args[build_args.index("--output") + 1]
    assert [step["with"]["path"].rstrip("/") for step in uploads] == [out]


def test_workflow_check_can_fail():
    command = peelgen_group.commands["build"]
    try:
        with click.Context(peelgen_group) as parent:
            command.make_context("build", ["--error-format", "xml", "r.yaml"], parent=parent)
    except click.BadParameter:
        return
    raise AssertionError("an unknown --error-format was accepted")


def test_hook_entry_runs_as_a_program(tmp_path):
    """As pre-commit runs it: the entry's program found on PATH (the environment pre-commit
    installs the package into), with the selected files as arguments."""
    import subprocess
    import sys
    from pathlib import Path

    hook = _hook()
    bin_dir = Path(sys.executable).parent
    program, *args = shlex.split(hook["entry"])
    found = shutil.which(program, path=str(bin_dir))
    assert found, f"{program} is not installed beside {sys.executable}"
    shutil.copytree(ROOT / "examples" / "west-mercia-pcp-2016", tmp_path / "pcp")
    done = subprocess.run([found, *args, "pcp/report.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "pcp/report.yaml: valid\n"
