"""The Flink Web UI for the browser: a read-only gate in front of Flink's REST API.

Flink's REST API accepts job submission with no authentication and answers any Host header, so
a web page the user opens could reach it through DNS rebinding, and any local process could
submit code. The API itself now serves only holders of the stack's certificate
(flinkfast.security.tls); this gate is what the browser opens (FLINK_UI_PORT, default 8081):

  - a request whose Host is not the stack's own (127.0.0.1, localhost, [::1], or a name in
    HTTP_ALLOWED_HOSTS) is refused with 421 (DNS rebinding: the browser sends the attacker's
    name);
  - a request from another site is refused with 403: an Origin that is not the gate's own, or
    Sec-Fetch-Site cross-site/same-site (a page on another port of 127.0.0.1 is "same-site"), but
    for a top-level navigation (a link to the UI; it cannot read the answer); no CORS header of
    Flink's (Access-Control-Allow-Origin: *) reaches the browser;
  - only GET and HEAD pass (the Web UI reads; submitting and cancelling is `flink run` and
    `flink cancel`, with the certificate);
  - the path is decided on as Flink's router reads it (flink-runtime's Router: the path ends at
    `?` or `#`, is percent-decoded, loses its slashes at both ends, is split on `/` and each
    segment decoded again): the gate decodes it once, refuses whatever could read differently
    (an encoded `/`, `?`, `#` or `%`, `..`, `;`, `+`, an empty segment, a character outside
    [A-Za-z0-9._~:-]), allows only the read routes in READ_ROUTES and the UI's static files,
    and forwards that canonical path, never the raw one (403 otherwise);
  - the rest is forwarded to the API over TLS with the certificate. Flink's REST API has no
    per-client authorization: the gate holds the one client certificate, so it is the gate's
    path check, not Flink, that keeps the browser from cancelling.

The dashboard checks Host the same way (allowed_host).

    python -m flinkfast.security.webgate         (the local stack's `webui` service; compose's flink-ui)
"""
from __future__ import annotations

import argparse
import re
import http.client
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
REQUEST_TIMEOUT_S = 30  # a client silent this long mid-request is dropped
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host"}

# Flink 2.2's GET routes (their handler specifications, listed by tests/flink/test_flink_routes.py
# from the installed flink-dist jar; that test fails when Flink adds or drops one). READ_ROUTES
# are what the Web UI and the dashboard read; OTHER_GET_ROUTES are GETs that act or that nothing
# here needs: cancel/stop (kept for YARN's proxy), flame graphs and thread dumps (they sample the
# JVMs), jar plans (they run the jar's main), profiler files, dataset and trigger statuses.
READ_ROUTES = (
    "/config", "/overview", "/jobs", "/jobs/overview", "/jobs/metrics",
    "/jobmanager/config", "/jobmanager/environment", "/jobmanager/log", "/jobmanager/logs",
    "/jobmanager/logs/:filename", "/jobmanager/metrics", "/jobmanager/stdout",
    "/jobs/:jobid", "/jobs/:jobid/accumulators", "/jobs/:jobid/checkpoints", "/jobs/:jobid/checkpoints/config",
    "/jobs/:jobid/checkpoints/:triggerid",     # a checkpoint's status; also what /checkpoints/config matches
    "/jobs/:jobid/checkpoints/details/:checkpointid",
    "/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid",
    "/jobs/:jobid/config", "/jobs/:jobid/exceptions", "/jobs/:jobid/jobmanager/config",
    "/jobs/:jobid/jobmanager/environment", "/jobs/:jobid/jobmanager/log-url", "/jobs/:jobid/metrics",
    "/jobs/:jobid/plan", "/jobs/:jobid/resource-requirements", "/jobs/:jobid/status",
    "/jobs/:jobid/taskmanagers/:taskmanagerid/log-url",
    "/jobs/:jobid/vertices/:vertexid", "/jobs/:jobid/vertices/:vertexid/accumulators",
    "/jobs/:jobid/vertices/:vertexid/backpressure", "/jobs/:jobid/vertices/:vertexid/jm-operator-metrics",
    "/jobs/:jobid/vertices/:vertexid/metrics", "/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex",
    "/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt",
    "/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt/accumulators",
    "/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics",
    "/jobs/:jobid/vertices/:vertexid/subtasks/accumulators", "/jobs/:jobid/vertices/:vertexid/subtasks/metrics",
    "/jobs/:jobid/vertices/:vertexid/subtasktimes", "/jobs/:jobid/vertices/:vertexid/taskmanagers",
    "/jobs/:jobid/vertices/:vertexid/watermarks",
    "/taskmanagers", "/taskmanagers/metrics", "/taskmanagers/:taskmanagerid", "/taskmanagers/:taskmanagerid/log",
    "/taskmanagers/:taskmanagerid/logs", "/taskmanagers/:taskmanagerid/logs/:filename",
    "/taskmanagers/:taskmanagerid/metrics", "/taskmanagers/:taskmanagerid/stdout",
)
OTHER_GET_ROUTES = (
    "/jobs/:jobid/yarn-cancel", "/jobs/:jobid/yarn-stop",
    "/jobs/:jobid/vertices/:vertexid/flamegraph", "/jobmanager/thread-dump", "/taskmanagers/:taskmanagerid/thread-dump",
    "/jars", "/jars/:jarid/plan", "/jobmanager/profiler", "/jobmanager/profiler/:filename",
    "/taskmanagers/:taskmanagerid/profiler", "/taskmanagers/:taskmanagerid/profiler/:filename",
    "/datasets", "/datasets/delete/:triggerid", "/savepoint-disposal/:triggerid", "/jobs/:jobid/execution-result",
    "/jobs/:jobid/rescaling/:triggerid", "/jobs/:jobid/savepoints/:triggerid",
)
# What a canonical path segment may hold (job, vertex and TaskManager ids, log file names).
SEGMENT_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
HEX = frozenset("0123456789abcdefABCDEF")
# The Web UI's own files (served by Flink's catch-all /:* when no route matches).
STATIC_SUFFIXES = (".html", ".js", ".css", ".svg", ".png", ".ico", ".woff", ".woff2", ".ttf", ".eot", ".json",
                   ".txt", ".map")


def route_matches(pattern: str, tokens: list[str]) -> bool:
    """Flink's PathPattern.match for a pattern without `:*`: same length, constants equal."""
    keys = pattern.strip("/").split("/")
    return len(keys) == len(tokens) and all(k.startswith(":") or k == t for k, t in zip(keys, tokens))


def canonical_tokens(path: str) -> list[str] | str:
    """The path's segments decoded once, or why the path is refused. Every escape must decode to a
    character that needs none, so Flink's second decoding changes nothing."""
    if not path.startswith("/"):
        return "the path must start with /"
    segments = path[1:].split("/")
    if segments[-1] == "":
        segments.pop()            # one trailing slash: Flink drops it
    tokens = []
    for seg in segments:
        out, i = [], 0
        while i < len(seg):
            c = seg[i]
            if c == "%":
                code = seg[i + 1:i + 3]
                if len(code) != 2 or not set(code) <= HEX:
                    return "a % not followed by two hex digits"
                c = chr(int(code, 16))
                if c not in SEGMENT_CHARS:
                    return f"an encoded {c!r} (encoded /, ?, #, %, ; or a control character) is ambiguous"
                i += 3
            elif c in SEGMENT_CHARS:
                i += 1
            else:
                return f"the character {c!r} is not allowed in a path segment here"
            out.append(c)
        token = "".join(out)
        if token in ("", ".", ".."):
            return "empty, . and .. path segments are ambiguous"
        tokens.append(token)
    return tokens


def static_file(tokens: list[str]) -> bool:
    """The Web UI's own files: /, a top-level file, or one under assets/."""
    if not tokens:
        return True
    return (len(tokens) == 1 or tokens[0] == "assets") and tokens[-1].endswith(STATIC_SUFFIXES) \
        and not tokens[-1].startswith(".")


def decide(method: str, target: str) -> tuple[str | None, str]:
    """(the URI to forward, "") for a read the Web UI may make, else (None, why it is refused)."""
    if method not in ("GET", "HEAD"):
        return None, "the Web UI is read-only here: submit and cancel with `flink run` / `flink cancel` (make submit)"
    if "#" in target or any(ord(c) < 0x21 or ord(c) > 0x7E for c in target):
        return None, "a # or a control, space or non-ASCII character in the request target is refused"
    path, sep, query = target.partition("?")
    tokens = canonical_tokens(path)
    if isinstance(tokens, str):
        return None, f"path refused: {tokens}"
    if any(route_matches(r, tokens) for r in OTHER_GET_ROUTES):
        return None, "not a read the Web UI makes (cancel, stop, thread dumps, flame graphs, jars...): refused"
    if not (any(route_matches(r, tokens) for r in READ_ROUTES) or static_file(tokens)):
        return None, "not one of the Web UI's reads: refused"
    return "/" + "/".join(tokens) + (sep + query if query else ""), ""


def cross_site(headers) -> str | None:
    """Why a request comes from another site (None when it does not): an Origin that is not this
    server's own, or Sec-Fetch-Site cross-site/same-site but for a top-level navigation (a page
    on another port of 127.0.0.1 is "same-site")."""
    host = headers.get("Host") or ""
    origin = headers.get("Origin")
    if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
        return f"a request from another site (Origin {origin!r}) is refused"
    site = (headers.get("Sec-Fetch-Site") or "").lower()
    navigation = (headers.get("Sec-Fetch-Mode") or "").lower() == "navigate" and \
        (headers.get("Sec-Fetch-Dest") or "document").lower() == "document"
    if site in ("cross-site", "same-site") and not navigation:
        return f"a request from another site (Sec-Fetch-Site {site}) is refused"
    return None


def host_names(extra: str | None) -> frozenset[str]:
    """The names a request may carry in its Host header: loopback and HTTP_ALLOWED_HOSTS."""
    return frozenset([*LOOPBACK, *(h.strip().lower() for h in (extra or "").split(",") if h.strip())])


def allowed_host(header: str | None, names: frozenset[str]) -> bool:
    """Whether a Host header names this stack (any port: compose publishes on another one)."""
    if not header:
        return False
    host = header.strip().lower()
    if host.startswith("["):                      # [::1]:8081; nothing else after the bracket
        m = re.fullmatch(r"\[([0-9a-f:.]+)\](?::\d{1,5})?", host)
        host = m.group(1) if m else ""
    elif host.count(":") == 1:                    # 127.0.0.1:8081
        host, port = host.split(":", 1)
        if not re.fullmatch(r"\d{1,5}", port):
            return False
    if host.endswith("."):                        # one trailing dot: the same name, fully qualified
        host = host[:-1]
    return host in names


def refuse_foreign(handler: BaseHTTPRequestHandler, names: frozenset[str], whose: str, prefix: str = "") -> bool:
    """Refuse, and say so, a request from outside this stack (the gate's and the dashboard's first
    check): a foreign Host (DNS rebinding: a page on another site reaching 127.0.0.1) with 421, a
    request from another site (cross_site) with 403."""
    host = handler.headers.get("Host")
    if not allowed_host(host, names):
        refuse(handler, HTTPStatus.MISDIRECTED_REQUEST, f"{prefix}Host {host!r} is not one of {whose} names "
               "(open it as http://127.0.0.1:PORT, or add the name to HTTP_ALLOWED_HOSTS)")
        return True
    why = cross_site(handler.headers)
    if why:
        refuse(handler, HTTPStatus.FORBIDDEN, why)
        return True
    return False


def refuse(handler: BaseHTTPRequestHandler, status: int, why: str) -> None:
    body = (why + "\n").encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "text/plain; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    if status == HTTPStatus.METHOD_NOT_ALLOWED:
        handler.send_header("Allow", "GET, HEAD")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class LocalServer(ThreadingHTTPServer):
    """The gate's and the dashboard's server: a daemon thread per connection (closing waits for none)."""
    daemon_threads = True


class TimedHandler(BaseHTTPRequestHandler):
    """A connection that sends nothing for REQUEST_TIMEOUT_S is closed (a thread each otherwise)."""
    timeout = REQUEST_TIMEOUT_S


class GateHandler(TimedHandler):
    server_version = "flinkfast-webgate"
    names: frozenset[str] = frozenset(LOOPBACK)
    canonical = None     # the URI forwarded (decide)
    upstream = None      # urlsplit of the REST API's URL
    context = None       # ssl.SSLContext with the client certificate

    def log_message(self, format, *args):  # the UI polls every few seconds: quiet
        pass

    def _gate(self) -> bool:
        if refuse_foreign(self, self.names, "its", prefix="this is the Flink Web UI of a local stack; "):
            return False
        self.canonical, why = decide(self.command, self.path)
        if self.canonical is None:
            refuse(self, HTTPStatus.FORBIDDEN if self.command in ("GET", "HEAD") else HTTPStatus.METHOD_NOT_ALLOWED, why)
            return False
        return True

    def _forward(self) -> None:
        up = self.upstream
        conn = (http.client.HTTPSConnection(up.hostname, up.port, context=self.context, timeout=30)
                if up.scheme == "https" else http.client.HTTPConnection(up.hostname, up.port, timeout=30))
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.canonical, headers=headers)
            r = conn.getresponse()
            self.send_response(r.status, r.reason)
            for k, v in r.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length" \
                        and not k.lower().startswith("access-control-"):     # no CORS: Flink says *
                    self.send_header(k, v)
            self.send_header("X-Frame-Options", "DENY")
            body = r.read()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError as e:
            refuse(self, HTTPStatus.BAD_GATEWAY, f"Flink's REST API does not answer: {e}")
        finally:
            conn.close()

    def _handle(self) -> None:
        if self._gate():
            self._forward()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle


def make_server(host: str, port: int, upstream: str, context, names: frozenset[str]) -> ThreadingHTTPServer:
    handler = type("Gate", (GateHandler,), {"names": names, "upstream": urlsplit(upstream), "context": context})
    return LocalServer((host, port), handler)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    from flinkfast import config
    from flinkfast.pipeline.flinkrest import context as rest_context
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.security.webgate", description=__doc__.split("\n\n")[0],
                                     epilog="example: python -m flinkfast.security.webgate   (then open http://127.0.0.1:8081)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 only inside a container)")
    config.add_flags(parser, "FLINK_UI_PORT", "FLINK_REST_URL", "FLINK_REST_TLS_DIR", "HTTP_ALLOWED_HOSTS")
    args = parser.parse_args(argv)
    cfg = config.from_args(args)
    ctx = rest_context(cfg)
    try:
        server = make_server(args.host, cfg.flink_ui_port, cfg.flink_rest_url, ctx, host_names(cfg.http_allowed_hosts))
    except OSError as e:
        from flinkfast.errors import Unavailable
        raise Unavailable(f"cannot listen on {args.host}:{cfg.flink_ui_port} ({e.strerror}): "
                          "stop what uses it or set FLINK_UI_PORT") from None
    print(f"Flink Web UI on http://{args.host}:{cfg.flink_ui_port} -> {cfg.flink_rest_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    from flinkfast.errors import run
    run(main, "webgate")
