"""The dashboard's web server: the page, its static files, /api/snapshot and /metrics.

Standard library HTTP server; every request reads the poller's latest snapshot, so any number of
open tabs cost one poll a second. Charts are Plotly's, served from the installed `plotly` Python
package (its package_data/plotly.min.js), never from a CDN.
"""
from __future__ import annotations

import importlib.util
import mimetypes
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flinkfast.dashboard import metrics
from flinkfast.errors import Unavailable
from flinkfast.security.webgate import LOOPBACK, LocalServer, TimedHandler, refuse, refuse_foreign

STATIC = Path(__file__).resolve().parent / "static"


def plotly_js() -> Path:
    """plotly.min.js inside the installed plotly package (found without importing it)."""
    spec = importlib.util.find_spec("plotly")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js" if spec else None
    if not path or not path.is_file():
        raise Unavailable("plotly.min.js not found: the `plotly` package is missing (make setup installs it)")
    return path


class Handler(TimedHandler):
    server_version = "flinkfast-dashboard"
    poller = None       # set by serve()
    registry = None
    files: dict = {}    # URL path -> file on disk
    names: frozenset[str] = frozenset(LOOPBACK)  # Host names it answers to (DNS rebinding)

    def log_message(self, format, *args):  # quiet: a tab asks every second
        pass

    def _send(self, body: bytes, content_type: str, status: int = 200, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def _refused(self) -> bool:
        """A foreign Host (a page on another site reaching 127.0.0.1 through DNS rebinding): 421;
        a request from another site (a page on another origin reading /api/snapshot): 403."""
        return refuse_foreign(self, self.names, "this dashboard's")

    def _read_only(self):
        if not self._refused():
            refuse(self, HTTPStatus.METHOD_NOT_ALLOWED, "the dashboard is read-only")

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _read_only

    def do_GET(self):
        if self._refused():
            return
        url = urlsplit(self.path)
        if url.path == "/api/snapshot":
            try:
                window = int(parse_qs(url.query).get("window", ["0"])[0])
            except ValueError:
                window = 0
            self._send(self.poller.snapshot_json(window or None), "application/json")
        elif url.path == "/metrics":
            self._send(metrics.render(self.registry), "text/plain; version=0.0.4; charset=utf-8")
        elif url.path == "/favicon.ico":
            self._send(b"", "image/x-icon", status=HTTPStatus.NO_CONTENT)
        elif url.path == "/healthz":
            self._send(b"ok\n", "text/plain")
        elif url.path in self.files:
            path = self.files[url.path]
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            # plotly.min.js is 4.6 MB: cached by the browser (its version is in the package)
            cache = "max-age=86400" if path.name == "plotly.min.js" else "no-cache"
            self._send(path.read_bytes(), kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else ""),
                       cache=cache)
        else:
            self._send(b"not found\n", "text/plain", status=HTTPStatus.NOT_FOUND)


def make_server(poller, host: str, port: int, names: frozenset[str] = frozenset(LOOPBACK)) -> ThreadingHTTPServer:
    Handler.poller = poller
    Handler.names = names
    Handler.registry = metrics.registry(poller)
    Handler.files = {"/": STATIC / "index.html", "/static/dashboard.js": STATIC / "dashboard.js",
                     "/static/dashboard.css": STATIC / "dashboard.css", "/static/plotly.min.js": plotly_js()}
    try:
        server = LocalServer((host, port), Handler)
    except OSError as e:
        raise Unavailable(f"cannot listen on {host}:{port} ({e.strerror}): stop what uses it or set DASHBOARD_PORT") from None
    return server
