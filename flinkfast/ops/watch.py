"""What is watched around a fault: the job's state and restarts, freshness per partition, the recovery poll, latency, messages and the accounting."""
from __future__ import annotations

import time

from flinkfast import clients
from flinkfast.accounting import reconcile
from flinkfast.pipeline import flinkrest
from flinkfast.clients import wait_until
from flinkfast.config import Config
from flinkfast.pipeline.sqlfiles import query

FRESH_MS = 2000          # recovered: every partition delivers events made after the fault within this
RECOVERY_S = 180         # bound on each recovery


def _fetch(cfg: Config, name: str, params: dict) -> list[tuple]:
    with clients.pg_connect(cfg) as conn, conn.cursor() as cur:
        cur.execute(query(f"drill/{name}"), params)
        return cur.fetchall()


def job_running(cfg: Config, job_id: str) -> str:
    """RUNNING when the job and every task run; else the job's state, or 'unreachable'."""
    try:
        info = flinkrest.rest(cfg, f"/jobs/{job_id}", timeout=3)
    except (OSError, ValueError):
        return "unreachable"
    if info["state"] == "RUNNING" and not every_task_running(info):
        return "DEPLOYING"
    return info["state"]


def every_task_running(info: dict) -> bool:
    """From GET /jobs/:id: every subtask of every vertex runs. A vertex's own status is no proof:
    Flink calls it RUNNING as soon as one of its subtasks runs (found by the drill's in-place
    rescale: two subtasks ran 9 s after the other two); its task counts are."""
    return all((v.get("tasks") or {}).get("RUNNING") == v["parallelism"] for v in info["vertices"])


def restarts(cfg: Config, job_id: str) -> int | None:
    try:
        value = flinkrest.metric(cfg, job_id, "numRestarts")
    except (OSError, ValueError):
        return None
    return int(value) if value is not None else None


def freshness(cfg: Config, since_ms: int, partitions: int) -> tuple[bool, int | None]:
    """(every one of the topic's `partitions` delivers events made at or after since_ms within
    FRESH_MS, the lag of the stalest partition in ms) from the rows inserted in the last seconds."""
    rows = _fetch(cfg, "freshness.sql", {"topic": cfg.kafka_topic})
    if not rows:
        return False, None
    now = rows[0][2]
    lag = now - min(r[1] for r in rows)
    fresh = len(rows) == partitions and min(r[1] for r in rows) >= since_ms and lag <= FRESH_MS
    return fresh, int(lag)


def recover(cfg: Config, job_id, fault_ms: int, partitions: int, timeout: float = RECOVERY_S, also=None) -> dict:
    """Watch, twice a second, from a fault until the job runs and every partition is fresh again
    (events made at least 1 s after the fault, delivered within FRESH_MS); the marks of the way
    (seconds after the fault). job_id may be a callable (the job changes in a rescale).
    `also(marks, seconds)` records more marks. TimedOut `timeout` s after the fault."""
    marks: dict[str, float] = {}
    seen = {"worst": 0, "state": None, "lag": None}
    t0 = fault_ms / 1000

    def look():
        now = time.time()
        jid = job_id() if callable(job_id) else job_id
        state = seen["state"] = job_running(cfg, jid) if jid else "none"
        if state != "RUNNING":
            marks.setdefault("job_interrupted_s", round(now - t0, 1))
        elif "job_interrupted_s" in marks:
            marks.setdefault("job_running_again_s", round(now - t0, 1))
        if also:
            also(marks, round(now - t0, 1))
        try:
            fresh, lag = freshness(cfg, fault_ms + 1000, partitions)
        except Exception:  # noqa: BLE001 (PostgreSQL is not at fault here; the next look counts)
            fresh, lag = False, None
        seen["lag"], seen["worst"] = lag, max(seen["worst"], lag or 0)
        if fresh and state == "RUNNING":
            marks["recovered_s"] = round(now - t0, 1)
            marks["worst_lag_ms"] = seen["worst"]
            return marks
        return None

    return wait_until(look, max(0.0, timeout - (time.time() - t0)),
                      lambda: f"not recovered {timeout:.0f}s after the fault (job {seen['state']}, lag {seen['lag']} "
                              f"ms, marks {marks})")


def latency(cfg: Config, from_ms: int, to_ms: int) -> dict:
    """p50/p99/max of postgres_timestamp - kafka_timestamp of the events made in [from, to]."""
    rows, p50, p99, mx = _fetch(cfg, "latency_window.sql", {"topic": cfg.kafka_topic, "from_ms": from_ms,
                                                            "to_ms": to_ms})[0]
    return {"rows": rows, **{k: (round(float(v)) if v is not None else None)
                             for k, v in (("p50_ms", p50), ("p99_ms", p99), ("max_ms", mx))}}


def messages(cfg: Config) -> int:
    """Messages in the topic's log."""
    first, end, _ = reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    return sum(end[p] - first[p] for p in end)


def accounting(cfg: Config, to_end: bool = False) -> dict:
    """reconcile's verdict and its counts summed over the partitions (up to the end of the log with to_end)."""
    r = reconcile.reconcile(cfg, to_end=to_end)
    return {"ok": r.ok, "consumed": sum(p.consumed for p in r.partitions),
            "processed": sum(p.processed for p in r.partitions),
            "superseded": sum(p.superseded for p in r.partitions),
            "dead_letters": sum(p.dead_letters for p in r.partitions),
            "missing": sum(p.missing for p in r.partitions), "doubled": sum(p.doubled for p in r.partitions)}
