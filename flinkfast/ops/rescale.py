"""The rescale: asked in place (the adaptive scheduler's answer recorded), or stop-with-savepoint and resubmission at another parallelism."""
from __future__ import annotations

import json
import re
import time
import urllib.error

from flinkfast.pipeline import flinkrest, submit
from flinkfast.config import Config
from flinkfast.errors import Unavailable, one_line
from flinkfast.ops.lookup import parallelism

def rescale_in_place(cfg: Config, job_id: str, to: int) -> dict:
    """Ask Flink to rescale the running job in place (the adaptive scheduler's resource
    requirements); its answer. Under the default scheduler Flink refuses."""
    vertices = flinkrest.rest(cfg, f"/jobs/{job_id}")["vertices"]
    body = {v["id"]: {"parallelism": {"lowerBound": 1, "upperBound": to}} for v in vertices}
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
    return {"accepted": True, "answer": "accepted"}


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

