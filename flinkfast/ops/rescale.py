"""The rescale: in place (the adaptive scheduler's resource requirements), or stop-with-savepoint and resubmission at another parallelism."""
from __future__ import annotations

import json
import re
import time
import urllib.error

from flinkfast.pipeline import flinkrest, submit
from flinkfast.clients import wait_until
from flinkfast.config import Config
from flinkfast.errors import Unavailable, one_line
from flinkfast.ops import watch
from flinkfast.ops.lookup import parallelism

IN_PLACE_S = 120   # bound on the wait for the job to run at the parallelism asked in place


def requirements(vertex_ids: list[str], to: int) -> dict:
    """The body of PUT /jobs/:id/resource-requirements: every vertex between 1 and `to` subtasks.
    The adaptive scheduler runs each at the upper bound when the slots are there (the drill's stack
    has 6 for at most 4), and at fewer rather than not at all when they are not."""
    return {vid: {"parallelism": {"lowerBound": 1, "upperBound": to}} for vid in vertex_ids}


def running_at(job: dict, to: int) -> bool:
    """From GET /jobs/:id: the job runs, every one of its vertices at parallelism `to` with all `to`
    subtasks running. A vertex's own status is no proof: Flink calls a vertex RUNNING as soon as one
    of its subtasks runs (the drill's second run: two of four subtasks on a warm TaskManager ran
    9 s before the other two, on a TaskManager that had never run the job); its task counts are."""
    vertices = job.get("vertices") or []
    return job.get("state") == "RUNNING" and bool(vertices) and \
        all(v["parallelism"] == to for v in vertices) and watch.every_task_running(job)


def rescale_in_place(cfg: Config, job_id: str, to: int) -> dict:
    """Ask Flink to rescale the running job in place (PUT /jobs/:id/resource-requirements); its
    answer. The adaptive scheduler accepts it (and rescales at its next checkpoint); the default
    scheduler refuses it, and the refusal is returned, not raised."""
    vertices = flinkrest.rest(cfg, f"/jobs/{job_id}")["vertices"]
    body = requirements([v["id"] for v in vertices], to)
    try:
        flinkrest.rest(cfg, f"/jobs/{job_id}/resource-requirements", method="PUT", body=json.dumps(body).encode())
    except urllib.error.HTTPError as e:
        text = e.read().decode(errors="replace")
        try:
            text = "\n".join(json.loads(text).get("errors", [text]))
        except ValueError:
            pass
        causes = re.findall(r"^\s*(?:Caused by: )?([\w.$]+(?:Exception|Error): .+)$", text, re.M)
        return {"accepted": False, "answer": f"HTTP {e.code}: {one_line(causes[-1] if causes else text, 200)}",
                "server_said": text[:3000]}
    return {"accepted": True, "answer": "accepted", "asked": body,
            "requirements_after": flinkrest.rest(cfg, f"/jobs/{job_id}/resource-requirements")}


def wait_in_place(cfg: Config, job_id: str, to: int, asked_ms: int, timeout: float = IN_PLACE_S) -> dict:
    """After rescale_in_place was accepted: watch GET /jobs/:id twice a second until the job (the
    same id) runs at parallelism `to`; the marks, in seconds after the request. TimedOut after
    `timeout` s."""
    marks: dict[str, float] = {}
    seen: dict = {}

    def look():
        s = round(time.time() - asked_ms / 1000, 1)
        try:
            job = seen["job"] = flinkrest.rest(cfg, f"/jobs/{job_id}", timeout=3)
        except (OSError, ValueError):
            return None
        if job.get("state") != "RUNNING" or any(v["status"] != "RUNNING" for v in job.get("vertices", [])):
            marks.setdefault("job_interrupted_s", s)
        if running_at(job, to):
            marks["job_running_again_s"] = s
            return marks
        return None

    return wait_until(look, timeout, lambda: f"job {job_id} not running at parallelism {to} {timeout:.0f} s after "
                                             f"the in-place rescale was accepted (state {seen.get('job', {}).get('state')}, "
                                             f"parallelism {sorted({v['parallelism'] for v in seen.get('job', {}).get('vertices', [])})})")


def rescale(cfg: Config, job_id: str, to: int) -> tuple[str, dict]:
    """Stop the job with a savepoint and resubmit it at parallelism `to` from that savepoint
    (every operator's state restored, nothing dropped). When the restore fails (FLINK-35336:
    operator ids that change with the parallelism), the failure is recorded and the job is
    resubmitted from the group's committed offsets instead, so the drill can go on and say so.
    Returns the new job's id and what happened."""
    state_dir = cfg.state_dir.resolve() / "flink" / "savepoints"
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    before = parallelism(cfg, job_id)
    t0 = time.monotonic()
    path = flinkrest.stop_with_savepoint(cfg, job_id, state_dir)
    stopped = time.monotonic()
    info = {"from": before, "to": to, "savepoint": path, "stop_with_savepoint_s": round(stopped - t0, 1)}
    try:
        new_id = submit.submit(cfg.replace(flink_parallelism=to), savepoint=path)
        restored = flinkrest.restored_from(cfg, new_id) or {}
        info["restored_from_savepoint"] = bool(restored.get("is_savepoint")) and \
            restored.get("external_path", "").rstrip("/") == path.rstrip("/")
    except Unavailable as e:
        info["restored_from_savepoint"] = False
        info["restore_failure"] = one_line(e, 300)
        new_id = submit.submit(cfg.replace(flink_parallelism=to))
    info["resubmit_s"] = round(time.monotonic() - stopped, 1)
    info["parallelism_after"] = parallelism(cfg, new_id)
    return new_id, info
