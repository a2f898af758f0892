"""No web page of another origin can read or drive the stack, in a real browser (Debian's Chromium).

The attacker's page is served by a tiny http.server on another loopback origin: another port of
127.0.0.1 (same-site for the browser) and 127.0.0.2 (cross-site). From there it tries to read
/jobs/overview and /api/snapshot, and to cancel the job through the gate with fetch (cors and
no-cors), <img> and a GET <form>, in many spellings. Afterwards the job is still RUNNING. The Web
UI itself, from its own origin, still shows the job, and the gate refuses none of its requests.
"""
from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest

from flinkfast.pipeline import flinkrest
from flinkfast.stack.isolated import free_port
from tests.helpers import running_dashboard

pytestmark = pytest.mark.e2e

CANCELS = ["/jobs/{j}/yarn-cancel", "/jobs/{j}/yarn%2Dcancel", "/jobs/{j}/yarn-cancel//", "/jobs/{j}/yarn-cancel%2F",
           "/jobs/{j}/%79arn-stop", "/jobs/{j}%2Fyarn-cancel", "/jobs/{j}/yarn-cancel%3F", "/jobs/{j}/yarn-stop/",
           "/v1/jobs/{j}/yarn-cancel", "/jobs/{j}/yarn%252Dcancel", "/jobs/{j}/./yarn-cancel",
           "/jobs/{j}/yarn-cancel;x=1", "/jobs/{j}?mode=cancel"]

ATTACK = """<!doctype html><title>attacker</title><body><script>
async function attack(gate, dash, job, cancels) {
  const out = {read: {}, cancels: 0};
  for (const [name, url] of [["gate", gate + "/jobs/overview"], ["dashboard", dash + "/api/snapshot"]]) {
    try { const r = await fetch(url); out.read[name] = r.status + " " + (await r.text()).slice(0, 80); }
    catch (e) { out.read[name] = "failed"; }
    try { const r = await fetch(url, {mode: "no-cors"}); out.read[name + "-no-cors"] = r.type; }
    catch (e) { out.read[name + "-no-cors"] = "failed"; }
  }
  for (const c of cancels) {
    const url = gate + c.replaceAll("{j}", job);
    for (const mode of ["cors", "no-cors"]) {
      for (const method of ["GET", "PATCH", "POST"]) {
        try { await fetch(url, {mode, method, credentials: "include"}); } catch (e) {}
      }
    }
    await new Promise(done => { const i = new Image(); i.onload = i.onerror = done; i.src = url; });
    const f = document.createElement("iframe"); f.name = "t" + out.cancels; document.body.appendChild(f);
    const form = document.createElement("form"); form.method = "GET"; form.target = f.name;
    form.action = url; document.body.appendChild(form); form.submit();
    out.cancels++;
  }
  await new Promise(done => setTimeout(done, 1000));
  return out;
}
</script></body>"""


@pytest.fixture
def attacker(tmp_path):
    """The attacker's site: http.server on 127.0.0.1 (another port) and on 127.0.0.2."""
    (tmp_path / "index.html").write_text(ATTACK)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    servers = [http.server.ThreadingHTTPServer((host, 0), handler) for host in ("127.0.0.1", "127.0.0.2")]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def dashboard(stack, cfg):
    port = free_port()
    with running_dashboard({**cfg.as_env(), "DASHBOARD_PORT": str(port)}, port):
        yield f"http://127.0.0.1:{port}"


def test_a_page_of_another_origin_can_neither_read_nor_cancel(stack, cfg, run_job, browser, attacker, dashboard):
    _, jid = run_job()
    for origin in attacker:
        page = browser.new_page()
        try:
            page.goto(origin + "/index.html")
            out = page.evaluate("([g, d, j, c]) => attack(g, d, j, c)", [cfg.flink_ui_url, dashboard, jid, CANCELS])
        finally:
            page.close()
        assert out["cancels"] == len(CANCELS)
        assert out["read"]["gate"] == "failed" and out["read"]["dashboard"] == "failed", (origin, out)
        assert out["read"]["gate-no-cors"] in ("opaque", "failed"), (origin, out)
        assert flinkrest.rest(cfg, f"/jobs/{jid}")["state"] == "RUNNING", origin
    assert [j["state"] for j in flinkrest.jobs(cfg) if j["jid"] == jid] == ["RUNNING"]


# Each view of the Web UI, and a request it makes (Flink 2.2's UI, recorded from Chromium).
VIEWS = [("#/job/running/:jobid/overview", "/jobs/:jobid"),
         ("#/job/running/:jobid/checkpoints", "/jobs/:jobid/checkpoints"),
         ("#/job/running/:jobid/exceptions", "/jobs/:jobid/exceptions"),
         ("#/job/running/:jobid/configuration", "/jobs/:jobid/config"),
         ("#/task-manager", "/taskmanagers"),
         ("#/job-manager/metrics", "/jobmanager/metrics"),
         ("#/job-manager/config", "/jobmanager/environment"),
         ("#/job-manager/logs", "/jobmanager/log")]


def test_the_web_ui_from_its_own_origin_shows_the_job_and_nothing_it_asks_is_refused(stack, cfg, run_job, browser):
    """The UI's own requests (recorded here: the list the gate's READ_ROUTES was checked against)."""
    job_cfg, jid = run_job()
    page = browser.new_page()
    asked, refused = [], []
    page.on("request", lambda r: asked.append(r.url))
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    path = lambda url: url.split(cfg.flink_ui_url, 1)[-1].split("?")[0].replace(jid, ":jobid")  # noqa: E731
    try:
        page.goto(f"{cfg.flink_ui_url}/#/overview", timeout=60_000)
        page.wait_for_selector(f"text={job_cfg.job_name}", timeout=60_000)
        # A view is a change of the URL's fragment: no page load, so "networkidle" is reached at once
        # and says nothing (under load the page was closed before a view had asked anything). Each
        # view waits for the answer to the request that view makes.
        for view, request in VIEWS:
            with page.expect_response(lambda r, request=request: path(r.url) == request, timeout=60_000):
                page.goto(f"{cfg.flink_ui_url}/{view.replace(':jobid', jid)}", timeout=60_000)
    finally:
        page.close()
    api = sorted({path(u) for u in asked if u.startswith(cfg.flink_ui_url)})
    print("the Web UI asked:", json.dumps(api))
    assert not refused, refused[:10]
    assert {"/jobs/overview", *(request for _, request in VIEWS)} <= set(api)
