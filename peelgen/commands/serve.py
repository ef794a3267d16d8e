"""``peelgen serve``: a live preview of one report's web page.

The page is built in memory and served on 127.0.0.1 by the standard library's
``http.server``. Only requests addressed to this machine by name (``Host`` 127.0.0.1,
localhost or [::1], with the port) are answered: a web page elsewhere whose DNS name is
rebound to 127.0.0.1 gets 403 and cannot read the preview. A client that goes away
mid-response, or sends something that is not HTTP, costs one quiet answer, never a
traceback.

Only the files the report uses are watched: the report, the CSV files, logo and
force-grades file it names, its template folders (its own ``templates:`` and any
``--templates``, styles included), and the framework files and language catalogues its
framework is loaded from (:func:`peelgen.framework.files_read`). With ``watchfiles`` installed the operating system
reports changes in their folders; without it their modification times are read every
half second. Either way a change is confirmed by comparing those files' times and sizes.

A rebuild stays in this warm process and does only what the change needs: the web page
alone (no PDF); the report is loaded and resolved again only if it or a file it names
changed (a template or style change reuses the resolved document); charts are redrawn
only if what they draw changed. Pages are rendered by :func:`peelgen.build.render_outputs`,
so templates are trusted, or not, exactly as by ``build``.

The page reloads itself: a small script asks ``/version`` twice a second and reloads
when it changes. The page's Content-Security-Policy forbids scripts; this one is let
through by a nonce, new for every page. When the report does not build, the page lists
every located message instead.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import secrets
import sys
import threading
from collections.abc import Callable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from peelgen.commands.serve_page import error_page, error_page_csp
from peelgen.diagnostics import BuildFailed, Diagnostic, FileRefused, display_name
from peelgen.folder import check_relative_name
from peelgen.language import DEFAULT_LANGUAGE

if TYPE_CHECKING:
    from peelgen.build import Compiled
    from peelgen.document import Document, FigureView
    from peelgen.load import LoadedFile
    from peelgen.validate import ValidatedReport

POLL_SECONDS = 0.5  # without watchfiles: how often the watched files' times are read
MAX_TEMPLATE_FILES = 2000  # per template folder; they hold a few templates and styles
REQUEST_TIMEOUT = 10.0  # seconds a client may take to send its request
# A browser tab closed mid-response, or a client giving up: nothing to report.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_TEXT = "text/plain; charset=utf-8"

_RELOAD_SCRIPT = """<script nonce="{nonce}">
(function () {{
  var version = "{version}";
  setInterval(function () {{
    fetch("/version", {{cache: "no-store"}})
      .then(function (r) {{ return r.text(); }})
      .then(function (v) {{ if (v !== version) location.reload(); }})
      .catch(function () {{}});
  }}, 500);
}})();
</script>
"""


def _with_reload_script(html: str, version: int, nonce: str) -> str:
    """``html`` with the reload script just before its last ``</body>`` (or at the end)."""
    script = _RELOAD_SCRIPT.format(version=version, nonce=nonce)
    head, body_end, tail = html.rpartition("</body>")
    return head + script + body_end + tail if body_end else html + script


# -- what to watch -----------------------------------------------------------------

Stamp = tuple[int, int] | None  # (modification time in ns, size), or None when missing
Stamps = dict[Path, Stamp]


def _stamp(path: Path) -> Stamp:
    try:
        info = path.stat()
    except (OSError, ValueError):
        return None
    return info.st_mtime_ns, info.st_size


def _files_under(folder: Path) -> list[Path]:
    """The files in a template folder (and its subfolders), without following links to
    folders; at most :data:`MAX_TEMPLATE_FILES`."""
    found: list[Path] = []
    for root, _, files in os.walk(folder):
        found.extend(Path(root, name) for name in files)
        if len(found) >= MAX_TEMPLATE_FILES:
            return found[:MAX_TEMPLATE_FILES]
    return found


def _existing_folder(path: Path) -> Path:
    """``path``'s folder, or its nearest ancestor that exists (to see the folder appear)."""
    folder = path.parent
    while not folder.is_dir() and folder.parent != folder:
        folder = folder.parent
    return folder


def _named_file(base_dir: Path, name: str | None) -> Path | None:
    """Where a file the report names would be; None for a name the build refuses anyway."""
    if not name:
        return None
    try:
        return base_dir / check_relative_name(name)
    except FileRefused:
        return None


@dataclasses.dataclass(frozen=True, slots=True)
class Watched:
    """The files a report uses. ``inputs`` are the report and the files it names, and
    ``assets`` the framework files and catalogues it is read with (a change to either means
    loading the report again); ``template_dirs`` hold templates and styles (a change means
    rendering the page again)."""

    inputs: tuple[Path, ...]
    template_dirs: tuple[Path, ...] = ()
    assets: tuple[Path, ...] = ()

    @classmethod
    def of(cls, report: Path, validated: ValidatedReport, template_dirs: Sequence[Path],
           csv_sources: Sequence[str] = (), assets: Sequence[Path] = ()) -> Watched:
        data = validated.report
        # Keys by framework (peelgen.report_model): force_grades only where a chapter reads it.
        names = [dataset.file for dataset in data.datasets] + [getattr(data, "force_grades", None), data.meta.logo,
                                                                data.meta.translation]  # the other edition
        names += [figure.image.file for figure in data.figures if figure.image is not None]
        named = (_named_file(validated.base_dir, name) for name in [*names, *csv_sources])
        own = (validated.template_dir,) if validated.template_dir is not None else ()
        return cls((report, *(path for path in named if path is not None)), (*template_dirs, *own), tuple(assets))

    def with_inputs(self, base_dir: Path, names: Sequence[str]) -> Watched:
        """These files watched too (CSV sources, known before the report is valid)."""
        more = (path for path in (_named_file(base_dir, name) for name in names) if path is not None)
        return dataclasses.replace(self, inputs=tuple(dict.fromkeys((*self.inputs, *more))))

    def stamps(self) -> tuple[Stamps, Stamps]:
        inputs = {path: _stamp(path) for path in (*self.inputs, *self.assets)}
        templates = {path: _stamp(path) for folder in self.template_dirs for path in _files_under(folder)}
        return inputs, templates

    def folders(self) -> frozenset[Path]:
        """The folders to watch, each without its subfolders."""
        folders = {_existing_folder(path) for path in (*self.inputs, *self.assets)}
        for folder in self.template_dirs:
            folders.update(Path(root) for root, _, _ in os.walk(folder))
            if not folder.is_dir():
                folders.add(_existing_folder(folder))
        return frozenset(folders)


def _framework_files(loaded: LoadedFile) -> tuple[Path, ...]:
    """The framework files and catalogues the report's YAML is read with, and those its
    other edition is read with: validating one edition checks the other one too."""
    from peelgen.editions import load_partner

    partner = load_partner(loaded)
    editions = [loaded.data, *([partner.loaded.data] if partner is not None and partner.loaded else [])]
    return tuple(dict.fromkeys(path for data in editions for path in _read_with(data)))


def _read_with(data: object) -> list[Path]:
    from peelgen.framework import files_read
    from peelgen.language import report_language

    framework_id = data.get("framework") if isinstance(data, dict) else None
    return files_read(framework_id if isinstance(framework_id, str) else "", report_language(data))


def _carried(before: Stamps, after: Stamps) -> Stamps:
    """``after`` with the stamps in ``before`` for the files both have: a file changed
    while a rebuild read it still counts as changed next time."""
    return {path: before.get(path, stamp) for path, stamp in after.items()}


# -- charts --------------------------------------------------------------------------


def _chart_key(doc: Document, figure: FigureView) -> bytes:
    # Everything render_charts draws a figure from: its chart data, its number, title and
    # anchor, and the document's labels (the word "Figure").
    drawn = (figure.chart, figure.label, figure.number, figure.plain_title, figure.anchor, doc.labels, doc.lang)
    return hashlib.sha256(pickle.dumps(drawn, protocol=5)).digest()


class ChartCache:
    """The SVG of the charts drawn for the last page, by a hash of what each one draws."""

    def __init__(self) -> None:
        self._svg: dict[bytes, str] = {}
        self.drawn = 0  # charts drawn so far: how much work the cache did not save

    def charts(self, doc: Document) -> dict[str, str]:
        """SVG of every chart in ``doc`` by figure id, drawing only those not cached."""
        keys = {fid: _chart_key(doc, figure) for fid, figure in doc.figures.items() if figure.chart is not None}
        missing = {fid: figure for fid, figure in doc.figures.items() if fid in keys and keys[fid] not in self._svg}
        if missing:
            from peelgen.render_charts import render_charts

            drawn = render_charts(dataclasses.replace(doc, figures=missing))
            self._svg.update((keys[fid], svg) for fid, svg in drawn.items())
            self.drawn += len(drawn)
        self._svg = {key: self._svg[key] for key in keys.values() if key in self._svg}  # this page's only
        return {fid: self._svg[key] for fid, key in keys.items() if key in self._svg}


def _allow_script(html: str, nonce: str) -> str:
    """The page with its Content-Security-Policy allowing scripts of ``nonce`` (and requests
    to this server), as render_html writes it."""
    from peelgen.render_html import with_script_nonce

    return with_script_nonce(html, nonce)


@functools.cache
def _watchfiles() -> ModuleType | None:
    try:
        import watchfiles
    except ImportError:  # an optional speed-up: polling the few watched files works too
        return None
    return watchfiles


# -- the server ----------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    preview: PreviewServer

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, _GONE):
            return  # the client went away: nothing anyone needs to read
        # One line, never a traceback; the preview carries on serving.
        sys.stderr.write(" ".join(f"peelgen: serve: a request failed: {type(error).__name__}: {error}".split())
                         + "\n")


class PreviewServer:
    """Builds and serves one report; :meth:`check` rebuilds it if an input changed."""

    def __init__(self, report: Path, *, port: int = 0, template_dirs: Sequence[Path] = ()) -> None:
        self.report = report
        self.template_dirs = tuple(template_dirs)
        self.version = 0
        self.page = b""
        self.page_csp: str | None = None  # a Content-Security-Policy header for the page, if any
        self.ok = False
        self.language = DEFAULT_LANGUAGE  # the report's meta.language, as last read
        self.charts = ChartCache()
        self._lock = threading.Lock()
        self._watched = Watched((report,), self.template_dirs)
        self._stamps: tuple[Stamps, Stamps] | None = None
        self._compiled: Compiled | None = None
        self._thread: threading.Thread | None = None
        self.httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.preview = self
        bound = self.httpd.server_address[1]
        self.allowed_hosts = frozenset(f"{host}:{bound}" for host in ("127.0.0.1", "localhost", "[::1]"))
        if bound == 80:  # the default port may be left out
            self.allowed_hosts |= {"127.0.0.1", "localhost", "[::1]"}

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def watched(self) -> Watched:
        return self._watched

    # -- building ------------------------------------------------------------------

    def _compile(self) -> Compiled:
        from peelgen.build import Compiled
        from peelgen.language import report_language
        from peelgen.load import load_yaml
        from peelgen.load_tables import csv_source_names
        from peelgen.resolve import resolve
        from peelgen.validate import validate

        self._compiled = None
        if not self.report.is_file():
            raise BuildFailed([Diagnostic(display_name(self.report), "the report file does not exist")])
        loaded = load_yaml(self.report)
        self.language = report_language(loaded.data)  # the error page's too, until the report is read again
        # CSV sources ({from: FILE.csv}) and the framework's files are known from the YAML
        # alone: watched even while a mistake in one of them stops the report validating.
        sources = csv_source_names(loaded.data)
        assets = _framework_files(loaded)
        self._watched = dataclasses.replace(self._watched.with_inputs(self.report.resolve().parent, sources),
                                            assets=assets)
        validated = validate(loaded)
        # The other files are known once the report is valid; until then those it named last time.
        self._watched = Watched.of(self.report, validated, self.template_dirs, sources, assets)
        self._compiled = Compiled(validated, resolve(validated))  # lint warnings are build's
        return self._compiled

    def _render(self, compiled: Compiled, nonce: str) -> str:
        from peelgen.build import render_outputs

        style_dirs = tuple(d / "styles" for d in self.template_dirs if (d / "styles").is_dir())
        outputs = render_outputs(compiled, ("html",), template_dirs=self.template_dirs, style_dirs=style_dirs,
                                 charts=self.charts.charts(compiled.document))
        return _allow_script(next(iter(outputs.values())).decode("utf-8"), nonce)

    def rebuild(self, *, inputs_changed: bool = True) -> None:
        """Build the page again; the report is loaded again only if ``inputs_changed``."""
        name = display_name(self.report)
        nonce = secrets.token_urlsafe(18)
        csp: str | None = None
        try:
            compiled = self._compile() if inputs_changed or self._compiled is None else self._compiled
            html, ok = self._render(compiled, nonce), True
        except BuildFailed as failure:
            html, ok, csp = error_page(name, failure.diagnostics, self.language), False, error_page_csp(nonce)
        except Exception as error:  # noqa: BLE001 - shown on the page; the preview carries on
            problem = Diagnostic(name, f"internal error: {type(error).__name__}: {error} "
                                       "(please report this with the input that caused it)")
            html, ok, csp = error_page(name, [problem], self.language), False, error_page_csp(nonce)
        with self._lock:
            self.version += 1
            self.page = _with_reload_script(html, self.version, nonce).encode("utf-8")
            self.page_csp, self.ok = csp, ok

    def check(self) -> bool:
        """Rebuild if any watched file changed (or appeared, or went); True if it did."""
        watched = self._watched
        stamps = watched.stamps()
        if stamps == self._stamps:
            return False
        inputs_changed = self._stamps is None or stamps[0] != self._stamps[0]
        self.rebuild(inputs_changed=inputs_changed)
        if self._watched != watched:  # the report names other files now
            after = self._watched.stamps()
            stamps = (_carried(stamps[0], after[0]), _carried(stamps[1], after[1]))
        self._stamps = stamps
        return True

    # -- watching ------------------------------------------------------------------

    def watch(self, stop: threading.Event, on_rebuild: Callable[[PreviewServer], None] | None = None, *,
              poll: bool | None = None) -> None:
        """Rebuild on every change until ``stop`` is set: told by the operating system
        (watchfiles), or with ``poll`` (or without watchfiles) by reading the files'
        times every :data:`POLL_SECONDS`."""
        watchfiles = None if poll else _watchfiles()
        if watchfiles is None:
            while not stop.wait(POLL_SECONDS):
                self._check_and_tell(on_rebuild)
            return
        while not stop.is_set():
            folders = self._watched.folders()
            settled = False  # until the first answer, a change may have come before the watcher was set up
            try:
                for changes in watchfiles.watch(*folders, recursive=False, stop_event=stop, debounce=400, step=50,
                                                watch_filter=None, rust_timeout=1000, yield_on_timeout=True):
                    if changes or not settled:
                        self._check_and_tell(on_rebuild)
                        settled = True
                    if self._watched.folders() != folders:
                        break  # watch the folders of the files the report names now
            except OSError:  # a folder went between listing and watching it
                stop.wait(POLL_SECONDS)

    def _check_and_tell(self, on_rebuild: Callable[[PreviewServer], None] | None) -> None:
        if self.check() and on_rebuild is not None:
            on_rebuild(self)

    # -- serving -------------------------------------------------------------------

    def answer(self, hosts: Sequence[str], target: str) -> tuple[int, str, bytes, str | None]:
        """Status, content type, body and Content-Security-Policy (if any) for a GET of
        ``target`` with these ``Host`` headers."""
        if len(hosts) != 1 or hosts[0].strip().lower() not in self.allowed_hosts:
            return 403, _TEXT, f"forbidden: this preview answers only {self.url}\n".encode(), None
        path = target.split("?", 1)[0]
        with self._lock:
            version, page, csp = self.version, self.page, self.page_csp
        if path in ("/", "/index.html"):
            return 200, "text/html; charset=utf-8", page, csp
        if path == "/version":
            return 200, _TEXT, str(version).encode("ascii"), None
        return 404, _TEXT, b"not found\n", None

    def start(self) -> None:
        """Build once and serve in a background thread."""
        self.check()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.5},
                                        name="peelgen-serve", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever, so only if it runs
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    timeout = REQUEST_TIMEOUT  # a client that never finishes its request is let go

    def do_GET(self) -> None:
        self._send(*self.server.preview.answer(self.headers.get_all("Host") or [], self.path))

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # no browser speaks it; its answers have no status
            self.send_error(HTTPStatus.BAD_REQUEST)
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A short plain answer that does not echo the request back."""
        if self.request_version == "HTTP/0.9":  # a request line too broken to tell: answer in 1.0
            self.request_version = "HTTP/1.0"
        self.close_connection = True
        status = HTTPStatus(code)
        self._send(status, _TEXT, f"{status.value} {status.phrase}\n".encode("ascii"))

    def _send(self, status: int, content_type: str, body: bytes, csp: str | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            if csp is not None:
                self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            self.wfile.write(body)
        except _GONE:
            self.close_connection = True  # the tab was closed: nothing to tell anyone

    def log_message(self, format: str, *args: object) -> None:
        pass  # every request would be a line: keep the terminal for build messages
