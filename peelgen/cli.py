"""The ``peelgen`` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from peelgen import __version__
from peelgen.diagnostics import BuildFailed, Diagnostic, display_name

EXIT_INVALID = 1
EXIT_USAGE = 2


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _check_exists(paths: tuple[Path, ...]) -> None:
    for path in paths:
        if not path.is_file():
            what = "is a folder, not a file" if path.is_dir() else "does not exist"
            raise click.UsageError(f"{display_name(path)} {what}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="peelgen")
def cli() -> None:
    """Build PEEL-style police inspection reports from YAML."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check report files; print every error as FILE:LINE:COL: path: message."""
    from peelgen.build import compile_report

    _check_exists(files)
    failed = False
    for path in files:
        try:
            compile_report(path)
        except BuildFailed as failure:
            failed = True
            _print_diagnostics(failure.diagnostics)
        else:
            click.echo(f"{display_name(path)}: valid")
    sys.exit(EXIT_INVALID if failed else 0)


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out"), show_default=True, help="Folder for the outputs.")
@click.option("-f", "--format", "fmt", type=click.Choice(["html", "pdf", "all"]), default="all",
              show_default=True, help="Which outputs to write.")
@click.option("--templates", "template_dirs", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder searched for templates before the built-in ones (repeatable).")
@click.option("--untagged", is_flag=True, help="Write an untagged PDF (tagged PDF/UA-1 is the default).")
def build(reports: tuple[Path, ...], out_dir: Path, fmt: str, template_dirs: tuple[Path, ...],
          untagged: bool) -> None:
    """Build each REPORT.yaml into OUTPUT/<slug>.html and OUTPUT/<slug>.pdf."""
    from peelgen.build import FORMATS
    from peelgen.build import build as build_report

    _check_exists(reports)
    formats = FORMATS if fmt == "all" else (fmt,)
    failed = 0
    for path in reports:
        style_dirs = tuple(d / "styles" for d in template_dirs if (d / "styles").is_dir())
        try:
            written = build_report(path, out_dir, formats, template_dirs=template_dirs,
                                   style_dirs=style_dirs, tagged=not untagged)
        except BuildFailed as failure:
            failed += 1
            _print_diagnostics(failure.diagnostics)
            click.echo(f"{display_name(path)}: build failed; previous output left as it was", err=True)
        else:
            for output in written:
                click.echo(f"wrote {display_name(output)}")
    sys.exit(EXIT_INVALID if failed else 0)


def main(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr, never a traceback."""
    try:
        cli.main(args=argv, prog_name="peelgen", standalone_mode=False)
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    except click.UsageError as error:
        click.echo(f"peelgen: error: {error.format_message()}", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("peelgen: interrupted", err=True)
        return 130
    except click.ClickException as error:
        click.echo(f"peelgen: error: {error.format_message()}", err=True)
        return error.exit_code
    except KeyboardInterrupt:
        click.echo("peelgen: interrupted", err=True)
        return 130
    except Exception as error:  # noqa: BLE001 - the promise is: no traceback, ever
        click.echo(f"peelgen: internal error: {type(error).__name__}: {error} "
                   "(please report this with the input that caused it)", err=True)
        return 70
    return 0
