"""No web page can drive the stack, and every secret at rest stays private: attacked as a page the
user opens (DNS rebinding: the browser connects to 127.0.0.1 but sends the attacker's Host), as a
local process without the REST certificate, and by reading what the stack leaves on disk.
"""
from __future__ import annotations

import socket
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import json

import pytest

from flinkfast.pipeline import flinkrest
from flinkfast.stack import process
from tests.helpers import running_dashboard

pytestmark = pytest.mark.e2e
FOREIGN = "rebind.attacker.example"


def first_line(port: int, request: bytes, tls: ssl.SSLContext | None = None) -> str:
    """The first line a port answers to a raw request ("" when it closes without a word)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        try:
            conn = tls.wrap_socket(raw, server_hostname="127.0.0.1") if tls else raw
            conn.sendall(request)
            data = b""
            while b"\n" not in data and len(data) < 4096:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
        except (OSError, ssl.SSLError):
            return ""
    return data.split(b"\n", 1)[0].decode("latin-1").strip()


def rebinding_request(method: str = "GET", path: str = "/") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: {FOREIGN}\r\nConnection: close\r\n\r\n".encode()


@pytest.fixture
def dashboard(stack, cfg):
    """The dashboard, on a free port, as `make dashboard` starts it."""
    port = cfg.dashboard_port  # the test stack's own (flinkfast.stack.isolated)
    with running_dashboard(cfg.as_env(), port) as proc:
        yield proc, port


def test_every_port_is_on_loopback_and_no_foreign_host_gets_an_answer(stack, dashboard):
    """Every TCP port the stack's processes and the dashboard listen on is on 127.0.0.1 or ::1,
    and none answers a foreign Host with content. The one 3xx allowed is Flink's own: its TLS
    port answers plain HTTP with a redirect to https (no content), where the handshake then
    wants the client certificate (the next test)."""
    proc, dash_port = dashboard
    ports = process.listening([svc.pid() for svc in stack.services if svc.pid()] + [proc.pid])
    assert dash_port in ports and stack.cfg.flink_ui_port in ports and stack.cfg.flink_rest_port in ports
    exposed = {p: a for p, a in ports.items() if not process.loopback(a)}
    assert not exposed, f"ports bound beyond loopback: {exposed}"
    answers = {p: first_line(p, rebinding_request()) for p in sorted(ports)}
    served = {p: a for p, a in answers.items() if a.startswith("HTTP/") and a.split()[1][0] in "23"}
    redirect = served.pop(stack.cfg.flink_rest_port, "")
    assert not served, f"ports that answered Host {FOREIGN} with 2xx/3xx: {served}"
    assert redirect in ("", "HTTP/1.1 301 Moved Permanently"), redirect
    assert answers[stack.cfg.flink_ui_port].startswith("HTTP/1.0 421"), answers[stack.cfg.flink_ui_port]
    assert answers[dash_port].startswith("HTTP/1.0 421"), answers[dash_port]


def test_the_web_ui_opens_in_a_browser_through_the_gate(stack, cfg, browser):
    """What `make demo` links to: the Flink Web UI, in a real browser, through the gate (its
    pages and reads are GETs); the browser itself holds no certificate."""
    page = browser.new_page()
    refused = []
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    try:
        page.goto(cfg.flink_ui_url + "/#/overview", timeout=60_000)
        page.wait_for_selector("text=Available Task Slots", timeout=60_000)
        assert page.is_visible("text=Running Jobs")
    finally:
        page.close()
    assert not refused, f"requests the gate refused to the Web UI: {refused[:5]}"


def test_flinks_rest_api_serves_only_holders_of_the_certificate(stack, cfg, tmp_path):
    """TLS with client authentication: without the certificate there is no TLS session, so no
    job can be submitted or cancelled; a certificate of one's own does not help either."""
    anonymous = ssl.create_default_context(cafile=str(Path(cfg.flink_rest_tls_dir) / "cert.pem"))
    assert first_line(cfg.flink_rest_port, b"GET /overview HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", anonymous) == ""
    for method, path in (("POST", "/jobs"), ("GET", "/jobs/00000000000000000000000000000000/yarn-cancel"),
                         ("PATCH", "/jobs/00000000000000000000000000000000?mode=cancel")):
        req = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".encode()
        assert first_line(cfg.flink_rest_port, req, anonymous) == "", (method, path)
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=flinkfast-rest",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    forged = ssl.create_default_context(cafile=str(Path(cfg.flink_rest_tls_dir) / "cert.pem"))
    forged.load_cert_chain(str(cert), str(key))
    assert first_line(cfg.flink_rest_port, b"GET /overview HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", forged) == ""
    # The holder of the certificate (the project's clients) is served: the control.
    assert flinkrest.overview(cfg)["taskmanagers"] >= 1


def test_the_web_ui_gate_reads_and_refuses_everything_else(stack, cfg):
    """What the browser opens: the Web UI's pages and reads pass; a foreign Host, any method but
    GET/HEAD and the GET that cancels (/yarn-cancel, which Flink keeps for YARN's proxy and
    which web.cancel.enable does not turn off) are refused."""
    ui = cfg.flink_ui_url

    def status(path: str, method: str = "GET", host: str | None = None) -> int:
        req = urllib.request.Request(ui + path, method=method, data=b"" if method not in ("GET", "HEAD") else None)
        if host:
            req.add_header("Host", host)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    assert status("/") == 200 and status("/overview") == 200 and status("/config", host="localhost:1") == 200
    assert status("/overview", host="[::1]:8081") == 200
    for host in (FOREIGN, f"{FOREIGN}:{cfg.flink_ui_port}", "127.0.0.1.nip.io", "localhost.attacker.example", "0.0.0.0"):
        assert status("/overview", host=host) == 421, host
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert status("/jobs", method=method) == 405, method
    job = "00000000000000000000000000000000"
    assert status(f"/jobs/{job}/yarn-cancel") == 403 and status(f"/jobs/{job}/yarn-stop/") == 403
    assert status(f"/jobs/{job}/yarn%2Dcancel") == 403 and status(f"/jobs/{job}%2Fyarn-cancel") == 403


def raw_status(port: int, method: str, target: str, headers: str = "") -> str:
    """The status code a port answers to a request line sent exactly as written ("" for none)."""
    req = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"
    line = first_line(port, req.encode("latin-1", errors="replace"))
    return line.split()[1] if line.startswith("HTTP/") else ""


def job_state(cfg) -> dict:
    """What a mutating request could change: the jobs and their states, restarts, savepoints, TaskManagers."""
    jobs = sorted((j["jid"], j["state"]) for j in flinkrest.jobs(cfg))
    out = {"jobs": jobs, "taskmanagers": flinkrest.overview(cfg)["taskmanagers"]}
    for jid, _ in jobs:
        history = flinkrest.rest(cfg, f"/jobs/{jid}/checkpoints").get("history") or []
        out[jid] = {"savepoints": [c["id"] for c in history if c.get("is_savepoint")],
                    "restarts": flinkrest.rest(cfg, f"/jobs/{jid}/metrics?get=numRestarts")}
    return out


def test_no_spelling_of_any_mutating_route_gets_through_the_gate(stack, cfg, run_job):
    """The generated corpus (every mutating route of Flink 2.2, from its handler specifications, in
    every spelling; tests/unit/test_webgate.py), with the running job's real ids, fired at the real
    gate: each is refused (400, 403, 405), and afterwards nothing changed: the job still RUNNING,
    no savepoint, no restart, no job more or less. The control: one of those spellings sent
    straight to Flink's API (with the certificate) does cancel the job."""
    from tests.unit.test_webgate import corpus
    _, jid = run_job()
    info = flinkrest.rest(cfg, f"/jobs/{jid}")
    tm = flinkrest.rest(cfg, "/taskmanagers")["taskmanagers"][0]["id"]
    sample = {":jobid": jid, ":vertexid": info["vertices"][0]["id"], ":taskmanagerid": tm}
    before = job_state(cfg)
    assert dict(before["jobs"])[jid] == "RUNNING"
    attacks = corpus(sample)
    answers = {(m, t): raw_status(cfg.flink_ui_port, m, t) for m, t in attacks}
    passed = {k: v for k, v in answers.items() if v not in ("400", "403", "405")}
    assert not passed, sorted(passed.items())[:10]
    assert job_state(cfg) == before
    # The control: the same corpus holds a live attack (the gate, not luck, stopped it).
    flinkrest.rest(cfg, f"/jobs/{jid}/yarn%2Dcancel")
    from flinkfast.clients import wait_until
    wait_until(lambda: flinkrest.rest(cfg, f"/jobs/{jid}")["state"] in flinkrest.ENDED, 60, "the control's cancel")


def test_no_cors_and_no_cross_site_request_on_the_gate_and_the_dashboard(stack, cfg, dashboard):
    """A page of another origin gets no Access-Control-Allow-Origin from the gate (Flink's `*` is
    dropped) or the dashboard, and its requests are refused (an Origin not the server's own,
    Sec-Fetch-Site cross-site or same-site: another port of 127.0.0.1 is same-site)."""
    _, dash = dashboard
    for port, path in ((cfg.flink_ui_port, "/jobs/overview"), (dash, "/api/snapshot")):
        own = f"Origin: http://127.0.0.1:{port}\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
            c.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{own}Connection: close\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = c.recv(4096)
                if not chunk:
                    break
                head += chunk
        assert head.startswith(b"HTTP/1.0 200"), head[:200]
        assert b"access-control-" not in head.split(b"\r\n\r\n")[0].lower(), head[:600]
        for attack in ("Origin: http://127.0.0.1:1\r\n", "Origin: null\r\n", "Origin: http://evil.example\r\n",
                       "Sec-Fetch-Site: same-site\r\nSec-Fetch-Mode: cors\r\n",
                       "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: image\r\n"):
            assert raw_status(port, "GET", path, attack) == "403", (port, attack)


def test_the_dashboard_reads_flink_through_the_gate_without_the_certificate(stack, cfg, run_job, tmp_path):
    """The dashboard started with no certificate and no way to Flink's API (FLINK_REST_URL at a
    closed port, an empty FLINK_REST_TLS_DIR) still shows the job RUNNING: it reads the gate."""
    job_cfg, _ = run_job()
    from flinkfast.stack.isolated import free_port
    port = free_port()
    env = {**job_cfg.as_env(), "DASHBOARD_PORT": str(port), "FLINK_REST_URL": "https://127.0.0.1:1",
           "FLINK_REST_TLS_DIR": str(tmp_path)}
    with running_dashboard(env, port) as proc:
        seen = {}

        def state():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/snapshot", timeout=5) as r:
                    seen["snapshot"] = json.loads(r.read())
                    return seen["snapshot"].get("headline", {}).get("job_state")
            except (OSError, ValueError):
                return None
        from flinkfast.clients import wait_until
        wait_until(lambda: proc.poll() is None and state() == "RUNNING", 120,
                   lambda: f"the dashboard shows no RUNNING job: {json.dumps(seen.get('snapshot', {}).get('sources'))} "
                           f"{json.dumps(seen.get('snapshot', {}).get('headline'))}"[:1500])
        assert not any(tmp_path.iterdir())


def test_job_submission_without_the_certificate_is_refused(stack, cfg, tmp_path):
    """`flink run` with the stack's configuration but not its certificate (another user's copy of
    the client, say) cannot submit: it gets no TLS session. Through the gate, POST /jobs is 405."""
    conf = tmp_path / "conf"
    conf.mkdir()
    text = (stack.flink.dir / "conf" / "config.yaml").read_text()
    stolen = [line for line in text.splitlines() if "keystore" not in line and "key-password" not in line]
    (conf / "config.yaml").write_text("\n".join(stolen) + "\n")
    for f in (stack.flink.dir / "conf").glob("log4j*"):
        (conf / f.name).write_text(f.read_text())
    script = tmp_path / "job.py"
    script.write_text("print('this must never run on the cluster')\n")
    env = dict(stack.flink.env(), FLINK_CONF_DIR=str(conf), FLINK_LOG_DIR=str(tmp_path))
    r = subprocess.run([stack.flink.bin("flink"), "list"], env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode != 0, r.stdout[-2000:]


def test_every_file_under_the_state_folder_is_private(stack, cfg, run_job):
    """After a submission (`flink run` writes its client log) and with everything running: no
    file or folder under the state folder is readable by group or others, but the state folder
    itself, which PostgreSQL's group may pass through (0710)."""
    run_job()
    state = stack.state
    exposed = []
    for p in state.rglob("*"):
        if p.is_symlink() or p.is_socket():
            continue
        mode = p.lstat().st_mode & 0o777
        if mode & 0o077:
            exposed.append(f"{oct(mode)} {p}")
    assert not exposed, exposed[:10]
    logs = list((state / "flink" / "log").glob("*client*"))
    assert logs, "a client log was written"


def test_the_dashboard_acts_on_nothing(stack, cfg, dashboard):
    """The dashboard is read-only: every method but GET and HEAD is 405 on each of its paths,
    from its own origin too, and its answers are the same afterwards (nothing it serves acts)."""
    _, dash = dashboard
    paths = ("/", "/api/snapshot", "/metrics", "/static/dashboard.js", "/api/snapshot?refresh=1")
    for path in paths:
        assert raw_status(dash, "GET", path) in ("200", "404"), path
        for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"):
            assert raw_status(dash, method, path, f"Origin: http://127.0.0.1:{dash}\r\n") in ("405", "501"), (method, path)
    assert raw_status(dash, "GET", "/api/snapshot") == "200"


def test_no_internal_port_of_flink_serves_without_the_certificate(stack, cfg):
    """Every TCP port the JobManager and the TaskManager listen on, ephemeral ones included (RPC,
    blob server, data exchange, metrics RPC, REST), takes a TLS session only with the stack's
    certificate: a client that trusts it but presents none gets no session, and bytes sent in
    clear get nothing but a TLS alert. The control: with the certificate each handshake succeeds, so each of
    these ports is TLS, not merely silent."""
    import ssl as _ssl

    pids = [stack.service(name).main_pid() for name in ("jobmanager", "taskmanager")]
    ports = sorted(process.listening([p for p in pids if p]))
    assert cfg.flink_rpc_port in ports and cfg.flink_rest_port in ports, ports
    tls_dir = Path(cfg.flink_rest_tls_dir)

    def context(with_cert: bool) -> _ssl.SSLContext:
        ctx = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_verify_locations(cafile=str(tls_dir / "cert.pem"))
        ctx.set_ciphers("ALL:@SECLEVEL=0")  # any cipher Flink offers: only the certificate decides
        if with_cert:
            ctx.load_cert_chain(str(tls_dir / "cert.pem"), str(tls_dir / "key.pem"))
        return ctx

    def session(port: int, ctx: _ssl.SSLContext) -> bool:
        """A TLS session the server keeps open, waiting for the client's first bytes: True. No
        handshake, or an alert or a close right after it (TLS 1.3 checks the client's
        certificate once the handshake is done): False."""
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            try:
                with ctx.wrap_socket(raw) as conn:
                    conn.settimeout(2)
                    try:
                        return conn.recv(1) != b""
                    except TimeoutError:
                        return True
            except (_ssl.SSLError, OSError):
                return False

    served = {p for p in ports if session(p, context(with_cert=False))}
    assert not served, f"Flink's ports that take a TLS session without the certificate: {served}"
    clear = {p: first_line(p, b"GET /overview HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") for p in ports}
    answered = {p: a for p, a in clear.items()   # a TLS alert record (0x15 0x03) is no answer
                if a and not a.startswith("\x15\x03") and p != cfg.flink_rest_port}
    assert not answered, f"Flink's ports that answered bytes in clear: {answered}"
    plain = {p for p in ports if not session(p, context(with_cert=True))}
    assert not plain, f"Flink's ports that are not TLS with the certificate (the control): {plain}"
