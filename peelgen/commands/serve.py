"""``peelgen serve``: a live preview of one report's web page.

The page is built in memory and served on 127.0.0.1 by the standard library's
``http.server``. A watcher polls the report's folder (the report, its CSV files, images
and its own templates) and any ``--templates`` folders for changed modification times,
rebuilds on a change and bumps a version number; a small script injected into the page
polls ``/version`` and reloads when it changes. When the report does not build, the page
lists every located message instead.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from markupsafe import escape

from peelgen.diagnostics import BuildFailed, Diagnostic

POLL_SECONDS = 0.5
MAX_WATCHED = 5000  # files; a report's folder is small, this only guards against a huge one
_WATCHED_SUFFIXES = {".yaml", ".yml", ".csv", ".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp",
                     ".j2", ".html", ".css", ".ttf", ".otf", ".woff", ".woff2"}

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


def _error_page(name: str, diagnostics: Sequence[Diagnostic]) -> str:
    items = "\n".join(f"<li><code>{escape(d.format())}</code></li>" for d in diagnostics)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>peelgen: {escape(name)} does not build</title>
<style>body {{ font-family: sans-serif; margin: 2rem; }} li {{ margin: 0.5em 0; }}
h1 {{ color: #a11d21; }} code {{ white-space: pre-wrap; }}</style></head>
<body>
<h1>{escape(name)} does not build</h1>
<p>Fix these and save: the page reloads by itself.</p>
<ul class="diagnostics">
{items}
</ul>
</body>
</html>
"""


class PreviewServer:
    """Builds and serves one report; :meth:`check` rebuilds it if an input changed."""

    def __init__(self, report: Path, *, port: int = 0, template_dirs: Sequence[Path] = ()) -> None:
        self.report = report
        self.template_dirs = tuple(template_dirs)
        self.version = 0
        self.page = b""
        self.ok = False
        self._lock = threading.Lock()
        self._mtimes: dict[Path, int] = {}
        self._thread: threading.Thread | None = None
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    # -- building ------------------------------------------------------------------

    def _watched(self) -> dict[Path, int]:
        mtimes: dict[Path, int] = {}
        roots = [self.report.resolve().parent, *(d.resolve() for d in self.template_dirs)]
        try:
            mtimes[self.report.resolve()] = self.report.stat().st_mtime_ns
        except OSError:
            mtimes[self.report.resolve()] = -1
        for root in roots:
            if not root.is_dir():
                continue
            for path in root.rglob("*"):
                if len(mtimes) >= MAX_WATCHED:
                    return mtimes
                if path.suffix.lower() in _WATCHED_SUFFIXES:
                    try:
                        mtimes[path] = path.stat().st_mtime_ns
                    except OSError:
                        continue
        return mtimes

    def rebuild(self) -> None:
        from peelgen.build import compile_report, render_outputs
        from peelgen.diagnostics import display_name
        from peelgen.render_html import with_script_nonce

        name = display_name(self.report)
        try:
            if not self.report.is_file():
                raise BuildFailed([Diagnostic(name, "the report file does not exist")])
            compiled = compile_report(self.report)
            style_dirs = tuple(d / "styles" for d in self.template_dirs if (d / "styles").is_dir())
            outputs = render_outputs(compiled, ("html",), template_dirs=self.template_dirs, style_dirs=style_dirs)
            html = next(iter(outputs.values())).decode("utf-8")
            ok = True
        except BuildFailed as failure:
            html, ok = _error_page(name, failure.diagnostics), False
        with self._lock:
            self.version += 1
            # The page's Content-Security-Policy forbids scripts: let this one through by nonce.
            nonce = secrets.token_urlsafe(18)
            html = with_script_nonce(html, nonce)
            script = _RELOAD_SCRIPT.format(version=self.version, nonce=nonce)
            if "</body>" in html:
                html = html.replace("</body>", script + "</body>", 1)
            else:
                html += script
            self.page, self.ok = html.encode("utf-8"), ok

    def check(self) -> bool:
        """Rebuild if any watched file changed (or appeared, or went); True if it did."""
        mtimes = self._watched()
        if mtimes == self._mtimes:
            return False
        self._mtimes = mtimes
        self.rebuild()
        return True

    # -- serving -------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    version, page = server.version, server.page
                if path in ("/", "/index.html"):
                    self._send(200, "text/html; charset=utf-8", page)
                elif path == "/version":
                    self._send(200, "text/plain; charset=utf-8", str(version).encode("ascii"))
                else:
                    self._send(404, "text/plain; charset=utf-8", b"not found\n")

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # every request would be a line: keep the terminal for build messages

        return Handler

    def start(self) -> None:
        """Build once and serve in a background thread."""
        self.check()
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="peelgen-serve", daemon=True)
        self._thread.start()

    def watch(self, stop: threading.Event, on_rebuild: Callable[[PreviewServer], None] | None = None) -> None:
        """Poll for changes until ``stop`` is set."""
        while not stop.wait(POLL_SECONDS):
            if self.check() and on_rebuild is not None:
                on_rebuild(self)

    def close(self) -> None:
        if self._thread is not None:  # shutdown() waits for serve_forever, so only if it runs
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
