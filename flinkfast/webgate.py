"""The Flink Web UI for the browser: a read-only gate in front of Flink's REST API.

Flink's REST API accepts job submission with no authentication and answers any Host header, so
a web page the user opens could reach it through DNS rebinding, and any local process could
submit code. The API itself now serves only holders of the stack's certificate
(flinkfast.tls); this gate is what the browser opens (FLINK_UI_PORT, default 8081):

  - a request whose Host is not the stack's own (127.0.0.1, localhost, [::1], or a name in
    HTTP_ALLOWED_HOSTS) is refused with 421 (DNS rebinding: the browser sends the attacker's
    name);
  - only GET and HEAD pass (the Web UI reads; submitting and cancelling is `flink run` and
    `flink cancel`, with the certificate), and not the GET that cancels (/yarn-cancel,
    /yarn-stop, kept in Flink for YARN's proxy);
  - the rest is forwarded to the API over TLS with the certificate.

The dashboard checks Host the same way (allowed_host).

    python -m flinkfast.webgate         (the local stack's `webui` service; compose's flink-ui)
"""
from __future__ import annotations

import argparse
import http.client
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "host"}
REFUSED_PATHS = re.compile(r"/(yarn-cancel|yarn-stop)/?$")


def host_names(extra: str | None) -> frozenset[str]:
    """The names a request may carry in its Host header: loopback and HTTP_ALLOWED_HOSTS."""
    return frozenset([*LOOPBACK, *(h.strip().lower() for h in (extra or "").split(",") if h.strip())])


def allowed_host(header: str | None, names: frozenset[str]) -> bool:
    """Whether a Host header names this stack (any port: compose publishes on another one)."""
    if not header:
        return False
    host = header.strip().lower()
    if host.startswith("["):                      # [::1]:8081
        host = host[1:host.find("]")] if "]" in host else ""
    elif host.count(":") == 1:                    # 127.0.0.1:8081
        host = host.split(":", 1)[0]
    return host.rstrip(".") in names


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


class GateHandler(BaseHTTPRequestHandler):
    server_version = "flinkfast-webgate"
    names: frozenset[str] = frozenset(LOOPBACK)
    upstream = None      # urlsplit of the REST API's URL
    context = None       # ssl.SSLContext with the client certificate

    def log_message(self, format, *args):  # the UI polls every few seconds: quiet
        pass

    def _gate(self) -> bool:
        if not allowed_host(self.headers.get("Host"), self.names):
            refuse(self, HTTPStatus.MISDIRECTED_REQUEST,
                   f"this is the Flink Web UI of a local stack; Host {self.headers.get('Host')!r} is not one of its names "
                   "(open it as http://127.0.0.1:PORT, or add the name to HTTP_ALLOWED_HOSTS)")
            return False
        if self.command not in ("GET", "HEAD"):
            refuse(self, HTTPStatus.METHOD_NOT_ALLOWED,
                   "the Web UI is read-only here: submit and cancel with `flink run` / `flink cancel` (make submit)")
            return False
        if REFUSED_PATHS.search(urlsplit(self.path).path):
            refuse(self, HTTPStatus.FORBIDDEN, "cancelling through a GET is refused; use `flink cancel`")
            return False
        return True

    def _forward(self) -> None:
        up = self.upstream
        conn = (http.client.HTTPSConnection(up.hostname, up.port, context=self.context, timeout=30)
                if up.scheme == "https" else http.client.HTTPConnection(up.hostname, up.port, timeout=30))
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, headers=headers)
            r = conn.getresponse()
            self.send_response(r.status, r.reason)
            for k, v in r.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
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
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    from flinkfast import config
    from flinkfast.flinkrest import context as rest_context
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.webgate", description=__doc__.split("\n\n")[0],
                                     epilog="example: python -m flinkfast.webgate   (then open http://127.0.0.1:8081)")
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
