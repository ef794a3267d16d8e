"""Diagnostics for people and for machines: ``--error-format text|json|github|sarif``.

Each format is one row of :data:`ERROR_FORMATS`. A format either writes one line per
diagnostic as it is found (text, GitHub annotations) or one document once every report
has been checked (JSON, SARIF). Machine formats go to standard output, so that
``peelgen validate --error-format sarif > peelgen.sarif`` captures exactly the document;
the human lines ("valid", "wrote …") then go to standard error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import quote

import click

from peelgen import __version__
from peelgen.diagnostics import Diagnostic, format_path, printable

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/peelgen/"
_LEVELS = {"error": "error", "warning": "warning"}  # SARIF levels; anything else is a note


def text_line(diagnostic: Diagnostic) -> str:
    return diagnostic.format()


def _escape_data(text: str) -> str:
    """GitHub workflow commands: a message may not hold a raw %, CR or LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """…and a property value may not hold ':' or ',' either (they separate properties)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(diagnostic: Diagnostic) -> str:
    text = f"{format_path(diagnostic.path)}: " if diagnostic.path else ""
    text += diagnostic.message
    if diagnostic.hint:
        text += f" ({diagnostic.hint})"
    return text


def github_line(diagnostic: Diagnostic) -> str:
    """``::error file=F,line=L,col=C,title=T::message`` (a GitHub Actions annotation)."""
    command = "warning" if diagnostic.severity == "warning" else "error"
    properties = {"file": PurePath(diagnostic.file).as_posix()}
    if diagnostic.line is not None:
        properties["line"] = str(diagnostic.line)
        properties["col"] = str(diagnostic.column or 1)
    properties["title"] = f"peelgen {diagnostic.rule}" if diagnostic.rule else "peelgen"
    # Escape first (CR and LF become %0D, %0A), then show any other control character.
    props = ",".join(f"{key}={printable(_escape_property(value))}" for key, value in properties.items())
    return f"::{command} {props}::{printable(_escape_data(_message(diagnostic)))}"


def _as_dict(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "file": diagnostic.file,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "path": format_path(diagnostic.path),
        "severity": diagnostic.severity,
        "rule": diagnostic.rule,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }


def _ascii_json(value: object) -> str:
    """JSON in plain ASCII with every control character escaped (DEL too, which ``json``
    leaves raw), so it is safe to print on a terminal as it is."""
    return json.dumps(value, indent=2, ensure_ascii=True).replace("\x7f", "\\u007f")


def json_document(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return _ascii_json({"tool": "peelgen", "version": __version__, "errors": errors,
                       "warnings": len(diagnostics) - errors,
                       "diagnostics": [_as_dict(d) for d in diagnostics]})


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(PurePath(file).as_posix())


def _sarif_result(diagnostic: Diagnostic) -> dict[str, object]:
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(diagnostic.file)}}
    if diagnostic.line is not None:
        physical["region"] = {"startLine": diagnostic.line, "startColumn": diagnostic.column or 1}
    location: dict[str, object] = {"physicalLocation": physical}
    if diagnostic.path:
        location["logicalLocations"] = [{"fullyQualifiedName": format_path(diagnostic.path), "kind": "member"}]
    result: dict[str, object] = {
        "ruleId": diagnostic.rule or f"peelgen-{diagnostic.severity}",
        "level": _LEVELS.get(diagnostic.severity, "note"),
        "message": {"text": _message(diagnostic)},
        "locations": [location],
    }
    return result


def sarif_document(diagnostics: Sequence[Diagnostic]) -> str:
    """A SARIF 2.1.0 log with one run: what code-scanning services read."""
    results = [_sarif_result(d) for d in diagnostics]
    rule_ids = sorted({str(r["ruleId"]) for r in results})
    driver = {"name": "peelgen", "version": __version__, "informationUri": INFORMATION_URI,
              "rules": [{"id": rule_id} for rule_id in rule_ids]}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "results": results}]}
    return _ascii_json(log)


@dataclass(frozen=True, slots=True)
class ErrorFormat:
    name: str
    # One line per diagnostic, printed as it is found; or None.
    line: Callable[[Diagnostic], str] | None = None
    # One document for every diagnostic of the run, printed at the end; or None.
    document: Callable[[Sequence[Diagnostic]], str] | None = None
    to_stdout: bool = True  # where the diagnostics go


ERROR_FORMATS: dict[str, ErrorFormat] = {
    "text": ErrorFormat("text", line=text_line, to_stdout=False),
    "json": ErrorFormat("json", document=json_document),
    "github": ErrorFormat("github", line=github_line),
    "sarif": ErrorFormat("sarif", document=sarif_document),
}


class DiagnosticSink:
    """Where a command sends its diagnostics, in the chosen format."""

    def __init__(self, name: str, echo: Callable[..., None], raw_echo: Callable[..., None]) -> None:
        self.format = ERROR_FORMATS[name]
        self._echo = echo  # echo(text, err=bool): control characters shown as escapes
        self._raw_echo = raw_echo  # for documents, already plain ASCII
        self.collected: list[Diagnostic] = []

    @property
    def status_to_stderr(self) -> bool:
        """Human status lines ("valid", "wrote …") move out of the way of a document on stdout."""
        return self.format.document is not None

    def emit(self, diagnostics: Sequence[Diagnostic]) -> None:
        if self.format.line is not None:
            for diagnostic in diagnostics:
                self._echo(self.format.line(diagnostic), err=not self.format.to_stdout)
        else:
            self.collected.extend(diagnostics)

    def finish(self) -> None:
        if self.format.document is not None:
            self._raw_echo(self.format.document(self.collected), err=not self.format.to_stdout)


# The command-line options, shared by validate and build.
ERROR_FORMAT_OPTION = click.option(
    "--error-format", "error_format", type=click.Choice(list(ERROR_FORMATS)), default="text",
    show_default=True, help="How to print errors and warnings: for people (text), or for machines: JSON, "
    "GitHub Actions annotations, SARIF 2.1.0 (json and sarif print one document on stdout).")
QUIET_OPTION = click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings.")
