"""The Web UI's gate decides on the path Flink's router will see (flinkfast.security.webgate.decide).

The oracle here is written from Flink 2.2's router (flink-runtime, rest/handler/router):
RouterHandler hands Router.route the path of Netty's QueryStringDecoder (the URI up to `?` or
`#`, percent-decoded, `+` kept); Router.decodePathTokens cuts that at `?` again, strips the
slashes at both ends, splits on `/` (Java's split: trailing empty strings dropped) and decodes
each token with QueryStringDecoder.decodeComponent (`+` becomes a space); PathPattern.match then
compares token by token (`:name` matches any token). Every spec is routed both as is and under
/v1. What no route matches goes to the Web UI's static file server.

The routes are Flink's own handler specifications, listed from the installed flink-dist jar by
tests/data/ListRoutes.java into tests/data/flink_rest_routes.txt (tests/flink/test_flink_routes.py
checks that the file is what the jar says).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flinkfast.security import webgate

ROUTES_FILE = Path(__file__).resolve().parents[1] / "data" / "flink_rest_routes.txt"
JOB = "8c7b9b6b0d3c4b8e9f1a2b3c4d5e6f70"
VERTEX = "cbc357ccb763df2852fee8c4fc7d55f2"
SAMPLE = {":jobid": JOB, ":vertexid": VERTEX, ":taskmanagerid": "127.0.0.1:41234-6f2a1c", ":triggerid": "abc123",
          ":checkpointid": "7", ":subtaskindex": "0", ":attempt": "0", ":filename": "taskmanager.log",
          ":jarid": "x.jar", ":datasetid": "d1", ":operatorUid": "op"}


def flink_routes() -> list[tuple[str, str]]:
    """(method, pattern) of every REST handler of Flink 2.2, as the jar lists them."""
    rows = [line.split() for line in ROUTES_FILE.read_text().splitlines() if line.strip()]
    return [(r[0], r[1]) for r in rows]


ROUTES = flink_routes()
STATIC = "/:*"
GET_ROUTES = [p for m, p in ROUTES if m == "GET" and p != STATIC]
# GETs that act rather than read: they cancel or stop the job, sample the JVMs, or run a jar's main.
ACTING_GETS = ["/jobs/:jobid/yarn-cancel", "/jobs/:jobid/yarn-stop", "/jobs/:jobid/vertices/:vertexid/flamegraph",
               "/jobmanager/thread-dump", "/taskmanagers/:taskmanagerid/thread-dump", "/jars/:jarid/plan"]
MUTATING = [(m, p) for m, p in ROUTES if m != "GET"] + [("GET", p) for p in ACTING_GETS]


# -- the oracle: Flink's decoding, from its Router source ---------------------------------------

class Unroutable(Exception):
    """Netty's decoder throws (a bad escape): Flink answers an error, no handler runs."""


def netty_decode(s: str, is_path: bool) -> str:
    """QueryStringDecoder.decodeComponent: runs of %XX bytes decoded as UTF-8 (malformed ones
    replaced), `+` a space unless is_path; a % without two hex digits throws."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "%":
            out.append(" " if c == "+" and not is_path else c)
            i += 1
            continue
        raw = bytearray()
        while i < len(s) and s[i] == "%":
            code = s[i + 1:i + 3]
            if len(code) < 2 or any(ch not in "0123456789abcdefABCDEF" for ch in code):
                raise Unroutable(s)
            raw.append(int(code, 16))
            i += 3
        out.append(raw.decode("utf-8", errors="replace"))
    return "".join(out)


def strip_slashes(path: str) -> str:
    return path.strip("/")


def flink_tokens(uri: str) -> list[str]:
    """The tokens Flink's Router matches for a request URI."""
    end = min([i for i in (uri.find("?"), uri.find("#")) if i >= 0], default=len(uri))
    path = netty_decode(uri[:end], is_path=True)           # QueryStringDecoder.path()
    path = path.split("?", 1)[0]                             # decodePathTokens: cut at ? again
    tokens = strip_slashes(path).split("/")
    while len(tokens) > 1 and tokens[-1] == "":             # Java's split drops trailing empties
        tokens.pop()
    return [netty_decode(t, is_path=False) for t in tokens]


def matches(pattern: str, tokens: list[str]) -> bool:
    """PathPattern.match for the routes but /:* (the static files, taken apart)."""
    keys = strip_slashes(pattern).split("/")
    return len(keys) == len(tokens) and all(k.startswith(":") or k == t for k, t in zip(keys, tokens))


def flink_handlers(method: str, uri: str) -> set[str]:
    """Every route of `method` Flink could dispatch the URI to (plain or under /v1), but the
    static file server (WebContentHandlerSpecification's /:*, added last: what nothing else
    matches); raises Unroutable when Flink cannot decode the URI."""
    tokens = flink_tokens(uri)
    found = set()
    for m, p in ROUTES:
        if p != STATIC and m == method and (matches(p, tokens) or matches("/v1" + p, tokens)):
            found.add(p)
    return found


# -- the corpus: every mutating route, in many spellings ----------------------------------------

def fill(pattern: str, sample: dict | None = None) -> str:
    sample = {**SAMPLE, **(sample or {})}
    return "/".join(sample.get(k, k) for k in pattern.split("/"))


def spellings(path: str) -> set[str]:
    """The same path as an attacker would write it to slip past a check on the raw text."""
    out = {path, path + "/", path + "//", "/" + path, path + "?", path + "?x=1", path + "#", path + "%3F",
           path + "%3Fx", path + "%23", path + ";", path + ";jsessionid=1", path + "%3B", path + "/.", path + "/./",
           path + "%2F", path + "%2f", path + "%252F", path + "%00", path + "%", path + "%2", path + "%zz",
           "/v1" + path, path.upper(), path + "/x/..", path + "/x/%2E%2E", path + "%2F..%2Fx", path + "+",
           path.replace("/", "//"), path.replace("/", "/./"), path + "\\", path + "%5C", path + " ", path + "%20"}
    slashes = [i for i, c in enumerate(path) if c == "/"]
    for i in slashes[1:]:
        out |= {path[:i] + enc + path[i + 1:] for enc in ("%2F", "%2f", "//", "/./", "%252F", "%C0%AF", "/x/../",
                                                           ";/", "/;x=1/", "%3B/", "\\")}
    for i, c in enumerate(path):
        if c != "/":
            hexed = f"%{ord(c):02X}"
            out |= {path[:i] + hexed + path[i + 1:], path[:i] + hexed.lower() + path[i + 1:],
                    path[:i] + "%25" + hexed[1:] + path[i + 1:], path[:i] + c.swapcase() + path[i + 1:]}
            if c == ".":
                out.add(path[:i] + "%C0%AE" + path[i + 1:])
    out.add("".join(c if c == "/" else f"%{ord(c):02X}" for c in path))
    out.add("".join(c if c == "/" else f"%25{ord(c):02X}" for c in path))
    return out


def corpus(sample: dict | None = None) -> list[tuple[str, str]]:
    """(method, request target) for every mutating route in every spelling (sample: real ids)."""
    return sorted({(m, s) for m, p in MUTATING for s in spellings(fill(p, sample))})


CORPUS = corpus()


def test_the_corpus_covers_every_mutating_route_of_flink():
    """Taken from the jar's handler list, not from memory: every non-GET route and the acting GETs."""
    assert len([m for m, _ in ROUTES if m != "GET"]) == 18 and ("GET", "/jobs/:jobid/yarn-cancel") in MUTATING
    assert {p for m, p in MUTATING if m == "PATCH"} >= {"/jobs/:jobid", "/jobs/:jobid/rescaling"}
    assert all(p in GET_ROUTES for p in ACTING_GETS)
    assert len(CORPUS) > 3000


def test_every_spelling_of_every_mutating_route_is_refused():
    allowed = [(m, s, webgate.decide(m, s)[0]) for m, s in CORPUS]
    assert [a for a in allowed if a[2] is not None] == []
    # The same paths as GETs: whatever passes is, for Flink, one of the allowed reads (GET /jobs/<id> is).
    for _, s in CORPUS:
        forward, _why = webgate.decide("GET", s)
        if forward is not None:
            assert flink_handlers("GET", forward) <= set(webgate.READ_ROUTES), (s, forward)


@pytest.mark.parametrize("path", ["/jobs/{j}/yarn%2Dcancel", "/jobs/{j}/yarn-cancel//", "/jobs/{j}/yarn-cancel%2F",
                                  "/jobs/{j}/%79arn-stop", "/jobs/{j}%2Fyarn-cancel", "/jobs/{j}/yarn-cancel%3F",
                                  "/jobs/{j}/yarn-cancel/", "/jobs/{j}/yarn-stop?mode=x", "//jobs/{j}/yarn-cancel"])
def test_the_reported_cancel_urls_are_refused(path):
    assert webgate.decide("GET", path.format(j=JOB)) [0] is None


def test_the_web_uis_reads_pass_as_their_canonical_path():
    reads = ["/", "/index.html", "/assets/images/flink.svg", "/main.1234abcd.js", "/config", "/overview",
             "/jobs/overview", f"/jobs/{JOB}", f"/jobs/{JOB}/vertices/{VERTEX}/subtasks/metrics?get=a.b,c&agg=sum",
             "/taskmanagers/127.0.0.1:41234-6f2a1c/logs", f"/jobs/{JOB}/checkpoints/config", "/jobs/overview/"]
    for uri in reads:
        forward, why = webgate.decide("GET", uri)
        assert forward == uri.rstrip("/") or (uri == "/" and forward == "/"), (uri, why)
    assert webgate.decide("GET", f"/jobs/%{ord(JOB[0]):02x}{JOB[1:]}")[0] == f"/jobs/{JOB}"  # decoded, then sent


def test_every_read_route_is_a_get_route_of_flink_and_nothing_acting():
    assert set(webgate.READ_ROUTES) <= set(GET_ROUTES)
    assert not set(webgate.READ_ROUTES) & set(ACTING_GETS)
    assert set(ACTING_GETS) <= set(webgate.OTHER_GET_ROUTES)


def test_cross_site_requests_are_recognised():
    own = {"Host": "127.0.0.1:8081"}
    assert webgate.cross_site(own) is None
    assert webgate.cross_site({**own, "Origin": "http://127.0.0.1:8081", "Sec-Fetch-Site": "same-origin"}) is None
    assert webgate.cross_site({**own, "Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"}) is None
    assert webgate.cross_site({**own, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
                               "Sec-Fetch-Dest": "document"}) is None            # a link to the UI
    for attack in ({"Origin": "http://127.0.0.1:9999"}, {"Origin": "null"}, {"Origin": "http://evil.example"},
                   {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors"},
                   {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"},
                   {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "iframe"}):
        assert webgate.cross_site({**own, **attack}), attack


# -- the property: whatever the gate lets through, Flink routes to an allowed read ---------------

LITERALS = sorted({t for _, p in ROUTES for t in p.strip("/").split("/") if not t.startswith(":")} | {"v1"})
PIECES = ["/", "//", "%2F", "%2f", "%252F", "%25", "%", "%3F", "?", "#", "%23", ";", "%3B", "+", "%2B", ".", "..",
          "%2E", "%2E%2E", "%00", "\\", "%5C", " ", "%20", "%C0%AF", "%E2%80%8B", ":", "~", "-", "_", JOB, VERTEX]
piece = st.one_of(st.sampled_from(LITERALS), st.sampled_from(PIECES),
                  st.sampled_from(LITERALS).map(lambda w: "".join(f"%{ord(c):02X}" if c.isalpha() else c for c in w)),
                  st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=3))

@st.composite
def near_routes(draw):
    """A real route's path (any method) with a few pieces spliced in anywhere."""
    uri = fill(draw(st.sampled_from([p for _, p in ROUTES if p != STATIC])))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(uri)))
        uri = uri[:at] + draw(piece) + uri[at:]
    return uri


uris = st.one_of(st.lists(piece, max_size=12).map(lambda parts: "/" + "".join(parts)), near_routes())


@settings(derandomize=True, max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(uri=uris)
def test_whatever_the_gate_allows_flink_routes_to_an_allowed_read(uri):
    forward, _why = webgate.decide("GET", uri)
    if forward is None:
        return
    try:
        raw_tokens, sent_tokens = flink_tokens(uri), flink_tokens(forward)
    except Unroutable:
        pytest.fail(f"allowed a URI Flink cannot decode: {uri!r}")
    assert raw_tokens == sent_tokens == forward.split("?")[0].strip("/").split("/"), (uri, forward)
    assert flink_handlers("GET", forward) <= set(webgate.READ_ROUTES), (uri, forward)
    assert flink_handlers("GET", forward) or webgate.static_file([t for t in sent_tokens if t]), (uri, forward)


def test_the_oracle_routes_the_reported_attacks_to_cancel():
    """The oracle reproduces what was seen against the real Flink: these URIs reach the cancel handler."""
    for path in ("/jobs/{j}/yarn%2Dcancel", "/jobs/{j}/yarn-cancel//", "/jobs/{j}/yarn-cancel%2F",
                 "/jobs/{j}%2Fyarn-cancel", "/jobs/{j}/yarn-cancel%3F", "/v1/jobs/{j}/yarn-cancel"):
        assert flink_handlers("GET", path.format(j=JOB)) == {"/jobs/:jobid/yarn-cancel"}, path
    assert flink_handlers("GET", f"/jobs/{JOB}/%79arn-stop") == {"/jobs/:jobid/yarn-stop"}
    assert flink_handlers("GET", f"/jobs/{JOB}/yarn%252Dcancel") == {"/jobs/:jobid/yarn-cancel"}  # decoded twice


def test_only_the_stacks_own_names_pass_as_host():
    names = webgate.host_names("dash.example")
    for ok in ("127.0.0.1", "127.0.0.1:8081", "localhost", "LOCALHOST:8050", "localhost.", "[::1]", "[::1]:8081",
               "dash.example", "dash.example:443"):
        assert webgate.allowed_host(ok, names), ok
    for bad in ("localhost..", "[::1]evil.test", "[::1]:8081evil", "127.0.0.1:80x", "evil.test", "flink-ui",
                "127.0.0.1.nip.io", "0.0.0.0", "", None, "localhost:8081:1", "[::1", "dash.example.evil"):
        assert not webgate.allowed_host(bad, names), bad


def test_the_dashboard_asks_the_gate_by_a_name_it_accepts(monkeypatch):
    """Whatever name reaches the gate (compose: flink-ui), the reader sends Host localhost, so the
    gate need not accept a bare name a browser could be made to resolve."""
    import urllib.request

    from flinkfast import config
    from flinkfast.pipeline import flinkrest
    sent = {}

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def read(self):
            return b"{}"

    def urlopen(req, timeout, context):
        sent.update(url=req.full_url, host=req.get_header("Host"))
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    cfg = config.load(env={"FLINK_REST_URL": "http://flink-ui:8081"}, dotenv_path=Path(os.devnull))
    flinkrest.rest(cfg, "/overview")
    assert sent == {"url": "http://flink-ui:8081/overview", "host": "localhost"}
    assert webgate.allowed_host(sent["host"], webgate.host_names(""))
    assert not webgate.allowed_host("flink-ui", webgate.host_names(""))



@pytest.mark.parametrize("make", [
    lambda: webgate.make_server("127.0.0.1", 0, "https://127.0.0.1:1", None, frozenset(webgate.LOOPBACK)),
    lambda: __import__("flinkfast.dashboard.server", fromlist=["make_server"]).make_server(None, "127.0.0.1", 0),
], ids=["gate", "dashboard"])
def test_a_client_that_stops_mid_request_is_dropped(make, monkeypatch):
    """A connection that sends half a request and then nothing is closed after the handler's
    timeout (REQUEST_TIMEOUT_S, here shortened): without one, each such client holds a thread for
    ever, and a few thousand of them exhaust the process."""
    import socket
    import threading
    server = make()
    assert server.RequestHandlerClass.timeout == webgate.REQUEST_TIMEOUT_S
    monkeypatch.setattr(server.RequestHandlerClass, "timeout", 0.5)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        with socket.create_connection(server.server_address[:2], timeout=10) as half:
            half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")   # no blank line: the handler waits
            assert half.recv(4096) == b"", "the server still holds the connection"
    finally:
        server.shutdown()
        server.server_close()
