"""The ``peelgen`` command line."""

from __future__ import annotations

import errno
import sys
import warnings
from pathlib import Path
from typing import Any

import click

from peelgen import __version__
from peelgen.commands.progress import Progress
from peelgen.diagnostics import BuildFailed, Diagnostic, Terminated, display_name, printable
from peelgen.report_formats import ERROR_FORMAT_OPTION, QUIET_OPTION

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


def _echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text that may contain user input (file names, report text): its control
    characters are shown as escapes, never obeyed by the terminal."""
    click.echo(printable(text), err=err, nl=nl)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


def _not_a_file(path: Path) -> str:
    """Why ``path`` cannot be read as a report, in words (a named pipe would block a read)."""
    from peelgen.folder import file_kind

    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            return "does not exist"
        return f"cannot be read: {error.strerror or error}"
    return f"is {file_kind(mode) or 'not a regular file'}, not a file"


def _check_exists(paths: tuple[Path, ...]) -> None:
    for path in paths:
        if not path.is_file():
            raise click.UsageError(f"{display_name(path)} {_not_a_file(path)}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="peelgen")
def cli() -> None:
    """Build PEEL-style police inspection reports from YAML."""


def _sink(error_format: str) -> Any:
    from peelgen.report_formats import DiagnosticSink

    return DiagnosticSink(error_format, _echo, click.echo)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@ERROR_FORMAT_OPTION
@QUIET_OPTION
def validate(files: tuple[Path, ...], strict: bool, error_format: str, quiet: bool) -> None:
    """Check report files; print every error as FILE:LINE:COL: path: message.

    Warnings (valid, but probably not meant) print as FILE:LINE:COL: path: warning: message
    and fail the check only with --strict."""
    from peelgen.build import compile_report

    _check_exists(files)
    sink = _sink(error_format)
    failed = False
    for path in files:
        try:
            compiled = compile_report(path)
        except BuildFailed as failure:
            failed = True
            sink.emit(failure.diagnostics)
            continue
        sink.emit(compiled.warnings)
        if strict and compiled.warnings:
            failed = True
            count = len(compiled.warnings)
            _echo(f"{display_name(path)}: {count} warning{'s' if count != 1 else ''} (--strict)", err=True)
        elif not quiet:
            _echo(f"{display_name(path)}: valid", err=sink.status_to_stderr)
    sink.finish()
    sys.exit(EXIT_INVALID if failed else 0)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _stderr_is_tty() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _check_output_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError(f"-o {display_name(out_dir)}: is not a folder; give a folder for the outputs")


def _check_output_file(output: str) -> Path:
    path = Path(output)
    if output.endswith(("/", "\\")) or path.is_dir():
        raise click.UsageError(f"-o {display_name(path)}: is a folder; give the name of the CSV file to write")
    if not path.is_symlink() and path.exists() and not path.is_file():
        raise click.UsageError(f"-o {display_name(path)}: is not a regular file; give the name of a file to write")
    return path


_TEMPLATES_OPTION = click.option(
    "--templates", "template_dirs", multiple=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Folder searched for templates before the built-in ones (repeatable).")


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("out"), show_default=True, help="Folder for the outputs.")
@click.option("-f", "--format", "fmt", multiple=True, default=["all"], show_default=True, metavar="FORMATS",
              help="Which outputs to write: html, pdf, docx, odt, data (the data behind the report as CSV "
                   "and JSON), or several with commas (html,pdf,docx) or repeated -f; all is html and pdf.")
@_TEMPLATES_OPTION
@click.option("--untagged", is_flag=True, help="Write an untagged PDF (tagged PDF/UA-1 is the default).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Build this many reports at once, each in its own process (0: one per CPU).")
@click.option("--draft", is_flag=True, help="Mark the outputs as drafts: a DRAFT watermark and a banner.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Build every report and draw every chart, neither using nor filling the build cache.")
@ERROR_FORMAT_OPTION
@QUIET_OPTION
def build(reports: tuple[Path, ...], out_dir: Path, fmt: tuple[str, ...], template_dirs: tuple[Path, ...],
          untagged: bool, jobs: int, draft: bool, no_cache: bool, error_format: str, quiet: bool) -> None:
    """Build each REPORT.yaml into OUTPUT/<slug>.html and OUTPUT/<slug>.pdf (and, when asked,
    .docx, .odt, and the data behind it as CSV and JSON).

    A report whose files, templates, styles and options have not changed since it was
    last built is "up to date" and not built again (the outputs are checked too); the
    cache lives in $PEELGEN_CACHE_DIR, or $XDG_CACHE_HOME/peelgen (~/.cache/peelgen).
    A report that fails leaves its earlier output as it was; the others are still built.
    The outputs of one report are replaced together or not at all.
    """
    import os

    from peelgen.build import BuildOptions, parse_formats, tune_gc
    from peelgen.cache import default_dir
    from peelgen.output import recover, scratch_folder

    _check_exists(reports)
    _check_output_folder(out_dir)
    recover(out_dir)  # finish what a killed build left half-done, even if nothing builds now
    try:
        formats = tuple(dict.fromkeys(f for value in fmt for f in parse_formats(value)))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'-f' / '--format'") from None
    style_dirs = tuple(d / "styles" for d in template_dirs if (d / "styles").is_dir())
    options = BuildOptions(out_dir, formats, template_dirs, style_dirs, tagged=not untagged, draft=draft,
                           cache_dir=None if no_cache else default_dir())
    sink = _sink(error_format)
    tune_gc()
    with scratch_folder():
        built, failed, internal = _build_all(reports, options, jobs or os.cpu_count() or 1, sink, quiet)
    sink.finish()
    if len(reports) > 1 and not quiet:
        click.echo(f"{built} built, {failed} failed", err=True)
    sys.exit(EXIT_INTERNAL if internal else EXIT_INVALID if failed else 0)


def _build_all(reports: tuple[Path, ...], options: Any, jobs: int, sink: Any,
               quiet: bool) -> tuple[int, int, bool]:
    """Build and report on each report as it finishes: (built, failed, internal error?)."""
    from contextlib import closing

    from peelgen.build import build_many

    progress = Progress(len(reports), enabled=len(reports) > 1 and _stderr_is_tty(), echo=_echo)
    built = failed = 0
    internal = False
    writers: dict[Path, str] = {}  # output file -> the report that wrote it
    try:
        with closing(build_many(reports, options, jobs=jobs)) as results:
            for result in results:
                name = display_name(result.path)
                if result.ok:
                    built += 1
                    _report_written(progress, result, name, writers, sink, quiet)
                    if result.up_to_date and not quiet:
                        progress.echo(f"{name}: up to date")
                elif result.internal_error:
                    failed += 1
                    internal = True
                    progress.echo(_one_line(f"{name}: internal error: {result.internal_error} "
                                            "(please report this with the input that caused it)"), err=True)
                else:
                    failed += 1
                    progress.emit(sink, result.diagnostics)
                    progress.echo(f"{name}: build failed; previous output left as it was", err=True)
                progress.advance()
    finally:
        progress.close()
    return built, failed, internal


def _report_written(progress: Progress, result: Any, name: str, writers: dict[Path, str], sink: Any,
                    quiet: bool) -> None:
    progress.emit(sink, result.warnings)
    for output in result.written:
        if not quiet:
            progress.echo(f"wrote {display_name(output)}", err=sink.status_to_stderr)
        other = writers.setdefault(output.resolve(), name)
        if other != name:
            progress.echo(f"{name}: warning: {display_name(output)} was also written by {other}; "
                          "give each report its own meta.slug", err=True)


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(), required=True,
              help="The force-grades CSV to write (for a national report's force_grades).")
@click.option("--framework", "national_framework", default="peel-2017-national", show_default=True,
              help="The national framework whose questions the CSV lists.")
def national(reports: tuple[Path, ...], output: str, national_framework: str) -> None:
    """Turn force REPORTS into a national report's force-grades CSV.

    Cells a spreadsheet would take for a formula (starting with = + - @) are written
    with a leading apostrophe, so opening the file runs nothing."""
    from peelgen.aggregate import force_grades_csv
    from peelgen.output import write_atomically

    _check_exists(reports)
    path = _check_output_file(output)
    try:
        text = force_grades_csv(reports, national_framework)
        write_atomically(path.parent, {path.name: text.encode("utf-8")})
    except BuildFailed as failure:
        _print_diagnostics(failure.diagnostics)
        sys.exit(EXIT_INVALID)
    _echo(f"wrote {display_name(path)} ({len(reports)} force{'s' if len(reports) != 1 else ''})")
    sys.exit(0)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Print the changes for people or as JSON.")
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write a redline page (HTML) to this file.")
def diff(old: Path, new: Path, fmt: str, html_out: Path | None) -> None:
    """What changed from draft OLD to draft NEW of one report, by meaning.

    Exit status: 0 no changes, 1 changes, 2 trouble (as diff(1))."""
    from peelgen.commands.diff_render import run_diff

    _check_exists((old, new))
    try:
        output, changed = run_diff(old, new, fmt, html_out)
    except BuildFailed as failure:
        _print_diagnostics(failure.diagnostics)
        sys.exit(EXIT_USAGE)
    _echo(output, nl=False)
    sys.exit(1 if changed else 0)


def _known_language(ctx: click.Context, param: click.Parameter, tag: str | None) -> str:
    """The --language tag, checked; not given to 'frameworks show', the one given to 'frameworks'."""
    from peelgen import language as languages
    from peelgen.diagnostics import suggest

    if tag is None:
        tag = ctx.parent.params.get("language") if ctx.parent is not None else None
        return tag or languages.DEFAULT_LANGUAGE
    known = list(languages.available())
    if tag not in known:
        hint = suggest(tag, known) or f"languages: {', '.join(known)}"
        raise click.BadParameter(f"no catalogue for language '{tag}' ({hint})")
    return tag


_LANGUAGE_OPTION = click.option(
    "--language", "language", default=None, metavar="TAG", callback=_known_language,
    help="Show the framework's words in this language (default en-GB; docs/languages.md).")


@cli.group(invoke_without_command=True)
@_LANGUAGE_OPTION
@click.pass_context
def frameworks(ctx: click.Context, language: str) -> None:
    """List the installed frameworks; 'frameworks show ID' prints one's structure."""
    if ctx.invoked_subcommand is None:
        from peelgen.commands.frameworks import list_text

        _echo(list_text(language), nl=False)


@frameworks.command("show")
@click.argument("framework_id", metavar="ID")
@_LANGUAGE_OPTION
def frameworks_show(framework_id: str, language: str) -> None:
    """Print a framework's grades, pillars, questions (with section ids) and chapters."""
    from peelgen.commands.frameworks import UnknownFramework, get, show_text

    try:
        fw = get(framework_id, language)
    except UnknownFramework as error:
        raise click.UsageError(str(error)) from None
    _echo(show_text(fw), nl=False)


@cli.command()
@click.option("--framework", "framework_id", required=True, metavar="ID", help="The framework the report is for.")
def schema(framework_id: str) -> None:
    """Print the JSON Schema of a report for framework ID (for editors' completion and checks)."""
    import json

    from peelgen.commands.frameworks import UnknownFramework, get
    from peelgen.commands.schema import report_schema

    try:
        fw = get(framework_id)
    except UnknownFramework as error:
        raise click.UsageError(str(error)) from None
    click.echo(json.dumps(report_schema(fw), indent=2, ensure_ascii=False))


@cli.command()
@click.option("--framework", "framework_id", required=True, metavar="ID", help="The framework to write for.")
@click.option("--force", "force", required=True, metavar="NAME", help="The force's full name.")
@click.argument("folder", required=False, type=click.Path(path_type=Path, dir_okay=True))
def new(framework_id: str, force: str, folder: Path | None) -> None:
    """Start a report: FOLDER/report.yaml with every required section as a TODO,
    its JSON Schema and a README (FOLDER defaults to a slug of the force's name)."""
    from peelgen.commands.frameworks import UnknownFramework, get
    from peelgen.commands.new import WouldOverwrite, slugify, write_scaffold

    try:
        fw = get(framework_id)
    except UnknownFramework as error:
        raise click.UsageError(str(error)) from None
    folder = folder or Path(slugify(force))
    try:
        written = write_scaffold(fw, force, folder)
    except WouldOverwrite as error:
        raise click.UsageError(str(error)) from None
    for path in written:
        _echo(f"wrote {display_name(path)}")


@cli.command()
@click.argument("report", type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@_TEMPLATES_OPTION
def serve(report: Path, port: int, template_dirs: tuple[Path, ...]) -> None:
    """Preview REPORT's web page on http://127.0.0.1:PORT/, rebuilt and reloaded as you save.

    Stop with Ctrl-C."""
    import threading

    from peelgen.commands.serve import PreviewServer

    _check_exists((report,))
    try:
        server = PreviewServer(report, port=port, template_dirs=template_dirs)
    except OSError as error:
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from None

    def rebuilt(srv: PreviewServer) -> None:
        _echo(f"rebuilt {display_name(report)}" + ("" if srv.ok else " (it has errors: see the page)"), err=True)

    stop = threading.Event()
    try:
        server.start()
        _echo(f"serving {display_name(report)} on {server.url} (Ctrl-C to stop)", err=True)
        if not server.ok:
            click.echo("the report has errors: see the page", err=True)
        server.watch(stop, on_rebuild=rebuilt)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        stop.set()
        server.close()


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Python warnings from the libraries peelgen uses, as one line each (the default
    format spreads one over several lines, with a line of source code)."""
    _echo(_one_line(f"peelgen: warning: {category.__name__}: {message}"), err=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr, never a traceback."""
    with warnings.catch_warnings(), _StopSignals():
        warnings.showwarning = _show_warning
        return _main(sys.argv[1:] if argv is None else argv)


class _StopSignals:
    """Ctrl-C and SIGTERM (a CI job cancelled, a container stopped) stop a build the same
    way: the first raises where the program is (KeyboardInterrupt, or Terminated), so
    temporary files are removed and workers stopped. A second one raises nothing more
    (an exception in the middle of the clean-up would end in a traceback): it tells a
    batch to kill its workers at once, or ends the process at once."""

    def __init__(self) -> None:
        self.previous: dict[int, Any] = {}
        self.stopping = False

    def __enter__(self) -> _StopSignals:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():  # only it may set handlers
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in self.previous.items():
            # Once stopping, a late second Ctrl-C must not raise on the way out (Python
            # would then die of SIGINT, with a traceback, instead of exiting 130).
            signal.signal(signum, signal.SIG_IGN if self.stopping else handler)

    def _handle(self, signum: int, frame: Any) -> None:
        import os
        import signal

        if self.stopping:
            workers = sys.modules.get("peelgen.workers")
            if workers is not None and workers.hurry():
                return  # the batch kills its workers and ends at once
            # Nothing to hurry (a single build, serve): stop now. Anything left half-written
            # carries this process's id and is removed by the next build.
            click.echo("peelgen: interrupted", err=True)
            os._exit(EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED)
        self.stopping = True
        raise Terminated(signum) if signum == signal.SIGTERM else KeyboardInterrupt


def _refuse_nul(argv: list[str]) -> None:
    """A NUL character cannot be part of a file name (the system would cut it there)."""
    for arg in argv:
        if "\0" in arg:
            raise click.UsageError(f"argument {arg!r} contains a NUL character, which no file name can")


def _main(argv: list[str]) -> int:
    try:
        _refuse_nul(argv)
        cli.main(args=argv, prog_name="peelgen", standalone_mode=False)
    except SystemExit as done:
        return int(done.code or 0) if not isinstance(done.code, str) else 1
    except click.UsageError as error:
        _echo(_one_line(f"peelgen: error: {error.format_message()}"), err=True)
        return EXIT_USAGE
    except click.Abort as abort:  # click's wrapping of KeyboardInterrupt (and so of Terminated)
        return _stopped(abort.__context__ or abort)
    except click.ClickException as error:
        _echo(_one_line(f"peelgen: error: {error.format_message()}"), err=True)
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        return _stopped(interrupt)
    except Exception as error:  # noqa: BLE001 - the promise is: no traceback, ever
        _echo(_one_line(f"peelgen: internal error: {type(error).__name__}: {error} "
                        "(please report this with the input that caused it)"), err=True)
        return EXIT_INTERNAL
    return 0


def _stopped(cause: BaseException) -> int:
    if isinstance(cause, Terminated):
        click.echo("peelgen: stopped (SIGTERM); earlier output left as it was", err=True)
        return EXIT_TERMINATED
    click.echo("peelgen: interrupted; earlier output left as it was", err=True)
    return EXIT_INTERRUPTED
