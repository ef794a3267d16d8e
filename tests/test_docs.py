"""Docs that run (issue 15): every shell command and YAML snippet in README.md, docs/*.md
and examples/*/README.md is run or validated.

- A ``sh`` block is run, command by command, in a scratch folder holding copies of the
  examples (``peelgen build`` with ``--format html`` unless the doc names a format, to
  keep the suite fast; the docs' meaning, "it builds", is the same). ``scripts/…`` are
  checked to exist and be executable, not run (they run this suite), and ``npm ci``
  to have its package files.
- A ``sh`` block marked ``<!-- excerpt -->`` is a synopsis, as is an inline
  ```peelgen …``` in the prose: each command and option it names must exist, and
  every required option must be given.
- A ``yaml`` block with ``framework:`` and ``meta:`` is a whole report and must validate;
  any other (or one marked ``<!-- excerpt -->``) is a fragment: it must parse, and its
  top-level keys must be report keys (``peelgen schema``) or framework-file keys.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
import yaml

from peelgen.cli import cli as peelgen_group
from peelgen.cli import main
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "examples").glob("*/README.md"))]
SHELL = {"sh", "shell", "bash", "console"}
_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*$")
_INLINE = re.compile(r"`(peelgen [^`]+)`")
EXCERPT = "<!-- excerpt -->"


@dataclass(frozen=True)
class Snippet:
    doc: Path
    line: int
    lang: str
    text: str
    excerpt: bool

    @property
    def name(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def snippets(doc: Path) -> list[Snippet]:
    found: list[Snippet] = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start, indent = index, fence["indent"]
        index += 1
        body = []
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][len(indent):] if lines[index].startswith(indent) else lines[index])
            index += 1
        before = next((lines[i].strip() for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        found.append(Snippet(doc, start + 1, fence["lang"].lower(), "\n".join(body) + "\n", before == EXCERPT))
        index += 1
    return found


ALL = [s for doc in DOCS for s in snippets(doc)]
SHELL_RUN = [s for s in ALL if s.lang in SHELL and not s.excerpt]
SHELL_SYNOPSIS = [s for s in ALL if s.lang in SHELL and s.excerpt]
YAML = [s for s in ALL if s.lang in ("yaml", "yml")]


def _inline_commands() -> list[tuple[str, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in _INLINE.finditer(text):
            found.append((f"{doc.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}", match.group(1)))
    return found


# ---------------------------------------------------------------------------------
# Synopses: commands and options must exist


def _command_for(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = peelgen_group
    rest = words
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command, rest = command.commands[rest[0]], rest[1:]
    return command, rest


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts + param.secondary_opts)
    return names


def check_synopsis(line: str) -> list[str]:
    """Problems with one synopsis line, e.g. 'peelgen build REPORT.yaml [-o DIR]'."""
    words = shlex.split(line.split(" > ")[0], comments=True)
    if not words or words[0] != "peelgen":
        return [f"not a peelgen command: {line}"]
    command, rest = _command_for(words[1:])
    if command is peelgen_group and rest and not rest[0].startswith("-"):
        return [f"unknown command '{rest[0]}': {line}"]
    problems = []
    named = set()
    for word in rest:
        for token in re.split(r"[\[\]|]", word):
            option = token.split("=")[0]
            if option.startswith("-") and option not in ("-", "--", "...", "…"):
                named.add(option)
                if option not in _options(command):
                    problems.append(f"'{command.name}' has no option {option}: {line}")
    for param in command.params:
        if isinstance(param, click.Option) and param.required and not named & set(param.opts):
            problems.append(f"'{command.name}' needs {param.opts[-1]}: {line}")
    return problems


def _synopsis_lines(snippet: Snippet) -> list[str]:
    return [line.strip() for line in snippet.text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("snippet", SHELL_SYNOPSIS, ids=lambda s: s.name)
def test_synopsis_names_real_commands_and_options(snippet):
    problems = [problem for line in _synopsis_lines(snippet) for problem in check_synopsis(line)]
    assert problems == []


def test_inline_commands_in_prose():
    problems = [f"{where}: {problem}" for where, line in _inline_commands() for problem in check_synopsis(line)]
    assert problems == []


def test_synopsis_check_can_fail():
    assert check_synopsis("peelgen national REPORT.yaml") == ["'national' needs --output: peelgen national REPORT.yaml"]
    assert check_synopsis("peelgen build R.yaml [--colour]") == ["'build' has no option --colour: peelgen build R.yaml "
                                                                 "[--colour]"]
    assert check_synopsis("peelgen frobnicate") == ["unknown command 'frobnicate': peelgen frobnicate"]


# ---------------------------------------------------------------------------------
# Runnable blocks


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    """A folder laid out like the repository, with the files the docs' commands use."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "tests" / "customising", tmp_path / "tests" / "customising")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _peelgen_args(words: list[str]) -> list[str]:
    args = words[1:]
    if args and args[0] == "build" and not {"-f", "--format"} & set(args):
        args += ["--format", "html"]
    return args


def run_line(line: str, capsys) -> str | None:
    """Run one documented command; a problem as text, or None."""
    words = shlex.split(line, comments=True)
    if not words:
        return None
    if words[0] in (".", "source"):
        return None if words[1:] == [".venv/bin/activate"] else f"unknown file to source: {line}"
    if words[0].startswith(("./scripts/", "scripts/")):
        script = ROOT / words[0].removeprefix("./")
        return None if script.is_file() and os.access(script, os.X_OK) else f"no such script: {line}"
    if words[:2] == ["npm", "ci"]:  # installs the pinned tools: checked, not run (it needs the network)
        missing = [name for name in ("package.json", "package-lock.json") if not (ROOT / name).is_file()]
        return f"npm ci without {', '.join(missing)}: {line}" if missing else None
    if words[0] not in ("peelgen", ".venv/bin/peelgen"):
        return f"a documented command the test does not know how to run: {line}"
    stdout = None
    if ">" in words:
        words, stdout = words[:words.index(">")], words[words.index(">") + 1]
    if words[1:2] == ["serve"]:  # runs until stopped: checked, not run
        return "; ".join(check_synopsis(" ".join(["peelgen", *words[1:]]))) or None
    capsys.readouterr()
    code = main(_peelgen_args(words))
    captured = capsys.readouterr()
    if stdout is not None:
        Path(stdout).write_text(captured.out, encoding="utf-8")
    return None if code == 0 else f"exit {code}: {line}\n{captured.err}"


@pytest.mark.parametrize("snippet", SHELL_RUN, ids=lambda s: s.name)
def test_shell_block_runs(snippet, scratch, capsys):
    problems = [problem for line in snippet.text.splitlines() if (problem := run_line(line, capsys))]
    assert problems == []


def test_python_m_peelgen_is_not_documented_as_a_command(capsys):
    assert "does not know how to run" in run_line("python -m peelgen validate x.yaml", capsys)


# ---------------------------------------------------------------------------------
# YAML


def _known_keys() -> set[str]:
    import json

    from peelgen.commands.frameworks import get
    from peelgen.commands.schema import report_schema
    from peelgen.framework import available

    keys: set[str] = set()
    for framework_id, path in available().items():
        keys.update(json.loads(json.dumps(report_schema(get(framework_id))))["properties"])
        keys.update(yaml.safe_load(path.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("snippet", YAML, ids=lambda s: s.name)
def test_yaml_snippet(snippet, tmp_path):
    data = yaml.safe_load(snippet.text)
    assert isinstance(data, dict), "a snippet is a mapping"
    if not snippet.excerpt and {"framework", "meta"} <= set(data):
        path = tmp_path / "report.yaml"
        path.write_text(snippet.text, encoding="utf-8")
        assert main(["validate", str(path)]) == 0
    else:
        assert set(data) - _known_keys() == set()


def test_every_doc_has_been_read():
    assert {s.doc.name for s in ALL} >= {"README.md", "report-yaml.md", "frameworks.md", "customising.md"}
    assert len(SHELL_RUN) >= 6 and len(YAML) >= 5


def test_template_files_named_in_docs_exist():
    named = {(doc.relative_to(ROOT), match) for doc in DOCS
             for match in re.findall(r"`((?:partials|chapters)/[\w.-]+\.html\.j2)`", doc.read_text(encoding="utf-8"))}
    assert named, "the docs name some templates"
    assert [(doc, name) for doc, name in sorted(named) if not (ROOT / "templates" / name).is_file()] == []
