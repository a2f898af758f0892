"""The one client of Flink's REST API: submit, status, the dashboard, the benchmark and the stack
all ask through it.

The API listens on FLINK_REST_URL with TLS and serves only clients that present the stack's
certificate (flinkfast.security.tls): job submission must not be open to whatever else runs on the
machine, or to a web page the user opens. The browser reaches the Web UI through a read-only,
Host-checking gate instead (flinkfast.security.webgate).
"""
from __future__ import annotations

import json
import ssl
import time
import urllib.request
from pathlib import Path

from flinkfast.clients import wait_until
from flinkfast.config import Config
from flinkfast.errors import Unavailable
from flinkfast.security.tls import client_context

ACTIVE = ("CREATED", "INITIALIZING", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING")
RUNNING_OR_STARTING = ("RUNNING", "CREATED", "INITIALIZING", "RESTARTING")
ENDED = ("CANCELED", "FAILED", "FINISHED")

_CONTEXTS: dict[Path, ssl.SSLContext] = {}


def context(cfg: Config) -> ssl.SSLContext | None:
    """The client's TLS context (None for a plain-HTTP URL, e.g. a REST endpoint of one's own)."""
    if not cfg.flink_rest_url.startswith("https:"):
        return None
    folder = Path(cfg.flink_rest_tls_dir)
    if folder not in _CONTEXTS:
        _CONTEXTS[folder] = client_context(folder)
    return _CONTEXTS[folder]


def rest(cfg: Config, path: str, method: str = "GET", timeout: float = 10, body: bytes | None = None):
    """One request; the decoded JSON answer ({} for an empty one). Raises OSError when nothing
    answers and urllib.error.HTTPError for an error status."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if cfg.flink_rest_url.startswith("http://"):
        # Plain HTTP is only ever the Web UI gate (the API itself is TLS): asked by a loopback name
        # it accepts, whatever name reaches it (compose's dashboard: flink-ui), so the gate need
        # not accept a name a browser could be made to resolve (DNS rebinding).
        headers["Host"] = "localhost"
    req = urllib.request.Request(cfg.flink_rest_url.rstrip("/") + path, method=method, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout, context=context(cfg)) as r:
        data = r.read()
    return json.loads(data) if data else {}


def overview(cfg: Config, timeout: float = 2) -> dict | None:
    """The cluster's /overview, or None when nothing answers."""
    try:
        return rest(cfg, "/overview", timeout=timeout)
    except (OSError, ValueError):
        return None


def jobs(cfg: Config) -> list[dict]:
    return rest(cfg, "/jobs/overview")["jobs"]


def running_jobs(cfg: Config, name: str | None = None) -> list[dict]:
    return [j for j in jobs(cfg) if j["state"] in RUNNING_OR_STARTING and (name is None or j["name"] == name)]


def newest(all_jobs: list[dict], name: str) -> dict | None:
    """The job named `name` that matters: the newest active one, else the newest of any state."""
    mine = [j for j in all_jobs if j["name"] == name]
    active = [j for j in mine if j["state"] in ACTIVE]
    return max(active or mine, key=lambda j: j.get("start-time", 0), default=None)


def cancel(cfg: Config, job_id: str, timeout: float = 60) -> None:
    rest(cfg, f"/jobs/{job_id}?mode=cancel", method="PATCH")
    wait_until(lambda: rest(cfg, f"/jobs/{job_id}")["state"] in ENDED, timeout, f"job {job_id} stopped")


def stop_with_savepoint(cfg: Config, job_id: str, directory: Path, timeout: float = 120) -> str:
    """Stop the job with a savepoint in `directory` (Flink's stop: sources end, a last
    checkpoint-like savepoint, then FINISHED); the savepoint's path. Raises Unavailable when
    Flink reports the savepoint failed, TimedOut after `timeout`."""
    body = json.dumps({"targetDirectory": directory.resolve().as_uri(), "drain": False}).encode()
    trigger = rest(cfg, f"/jobs/{job_id}/stop", method="POST", body=body)["request-id"]
    found: dict = {}

    def done() -> bool:
        found.update(rest(cfg, f"/jobs/{job_id}/savepoints/{trigger}"))
        return found.get("status", {}).get("id") == "COMPLETED"

    wait_until(done, timeout, f"the savepoint of job {job_id} within {timeout:.0f}s")
    operation = found.get("operation") or {}
    if "location" not in operation:
        cause = operation.get("failure-cause", {}).get("stack-trace", "no location").strip().splitlines()[0]
        raise Unavailable(f"stop-with-savepoint of job {job_id} failed: {cfg.mask(cause[:300])}")
    wait_until(lambda: rest(cfg, f"/jobs/{job_id}")["state"] in ENDED, timeout, f"job {job_id} stopped")
    return operation["location"]


def restored_from(cfg: Config, job_id: str) -> dict | None:
    """What the job restored at its start ({"external_path", "is_savepoint", ...}), or None."""
    return rest(cfg, f"/jobs/{job_id}/checkpoints").get("latest", {}).get("restored")


def wait_running(cfg: Config, job_id: str, timeout: float = 120) -> None:
    """Until every task of the job runs (so produced events are consumed at once)."""
    def running() -> bool:
        info = rest(cfg, f"/jobs/{job_id}")
        if info["state"] in ENDED:
            raise Unavailable(f"job {job_id} is {info['state']}; see the Flink Web UI ({cfg.flink_ui_url}) or `make logs`")
        return info["state"] == "RUNNING" and all(v["status"] == "RUNNING" for v in info["vertices"])

    wait_until(running, timeout, lambda: f"job {job_id} did not reach RUNNING within {timeout:.0f}s; "
                                         "see `make logs SERVICE=taskmanager`")


def last_failure(cfg: Config, job_id: str) -> tuple[str | None, float | None]:
    """The job's last exception as one line (its innermost cause), and how long ago (s)."""
    history = rest(cfg, f"/jobs/{job_id}/exceptions?maxExceptions=1", timeout=5).get("exceptionHistory", {})
    entries = history.get("entries") or []
    if not entries:
        return None, None
    last = entries[0]
    trace = (last.get("stacktrace") or last.get("exceptionName") or "").strip().splitlines()
    causes = [ln.strip()[len("Caused by: "):] for ln in trace if ln.strip().startswith("Caused by: ")]
    line = (causes[-1] if causes else trace[0] if trace else "").strip()
    age = time.time() - last["timestamp"] / 1000 if last.get("timestamp") else None
    return cfg.mask(line[:300]), age


def metric(cfg: Config, job_id: str, name: str) -> float | None:
    values = rest(cfg, f"/jobs/{job_id}/metrics?get={name}", timeout=5)
    return next((float(m["value"]) for m in values if m.get("id") == name), None)
