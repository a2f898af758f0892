"""Is the pipeline delivering? The job's state, restarts and last failure (Flink REST), the
consumer lag (Kafka) and the time since the last row (PostgreSQL), as data.

A restart loop or a stall must never be silent: `make status` exits non-zero on any problem,
and the report and the demo print the problems at the top.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flinkfast.config import SQL_DIR, Config

ACTIVE = ("CREATED", "INITIALIZING", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING")
BROKEN = ("RESTARTING", "FAILING", "FAILED")
RECENT_FAILURE_S = 600   # a failure this recent is reported even when the job runs again
STALL_S = 30             # unread messages and no row for this long: stalled
LAST_WRITE = SQL_DIR / "health" / "last_write.sql"


@dataclass
class JobHealth:
    name: str
    job_id: str | None = None
    state: str = "NOT SUBMITTED"        # Flink's job state, NOT SUBMITTED, or UNREACHABLE
    restarts: int = 0
    uptime_s: float | None = None
    last_failure: str | None = None     # one line: the exception and its message
    last_failure_age_s: float | None = None
    lag: int | None = None              # messages past the group's committed offsets
    idle_s: float | None = None         # seconds since the last row in either table
    errors: list[str] = field(default_factory=list)  # what could not be asked

    @property
    def problems(self) -> list[str]:
        out = []
        failure = f": {self.last_failure}" if self.last_failure else ""
        if self.state in BROKEN:
            out.append(f"job {self.name} is {self.state} (restarted {self.restarts} times){failure}")
        elif self.state == "RUNNING" and self.last_failure_age_s is not None \
                and self.last_failure_age_s < RECENT_FAILURE_S:
            out.append(f"job {self.name} restarted {self.restarts} times, last failure "
                       f"{self.last_failure_age_s:.0f}s ago{failure}")
        if self.state == "RUNNING" and self.lag and self.idle_s is not None and self.idle_s > STALL_S:
            out.append(f"job {self.name} is stalled: {self.lag:,} messages unread on the topic and no row "
                       f"written for {self.idle_s:.0f}s (see `make logs SERVICE=taskmanager`)")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {**vars(self), "problems": self.problems, "ok": self.ok}


def _failure(cfg: Config, job_id: str) -> tuple[str | None, float | None]:
    from flinkfast.submit import rest
    history = rest(cfg, f"/jobs/{job_id}/exceptions?maxExceptions=1", timeout=5).get("exceptionHistory", {})
    entries = history.get("entries") or []
    if not entries:
        return None, None
    last = entries[0]
    trace = (last.get("stacktrace") or last.get("exceptionName") or "").strip().splitlines()
    # The cause says most: the innermost "Caused by:" line, else the first line.
    causes = [ln.strip()[len("Caused by: "):] for ln in trace if ln.strip().startswith("Caused by: ")]
    line = (causes[-1] if causes else trace[0] if trace else "").strip()
    age = time.time() - last["timestamp"] / 1000 if last.get("timestamp") else None
    return cfg.mask(line[:300]), age


def _pick(jobs: list[dict], name: str) -> dict | None:
    mine = [j for j in jobs if j["name"] == name]
    active = [j for j in mine if j["state"] in ACTIVE]
    return max(active or mine, key=lambda j: j.get("start-time", 0), default=None)


def job_health(cfg: Config, conn=None) -> JobHealth:
    """The health of the newest job named JOB_NAME; parts that cannot be reached are left out
    and named in `errors`, so a status never hangs or fails on them."""
    from flinkfast.submit import rest
    health = JobHealth(cfg.job_name)
    try:
        job = _pick(rest(cfg, "/jobs/overview", timeout=5)["jobs"], cfg.job_name)
    except OSError as e:
        health.state = "UNREACHABLE"
        health.errors.append(f"Flink REST at {cfg.flink_rest_url}: {e}")
        return health
    if job:
        health.job_id, health.state = job["jid"], job["state"]
        health.uptime_s = job.get("duration", 0) / 1000 if job["state"] in ACTIVE else None
        try:
            metrics = rest(cfg, f"/jobs/{job['jid']}/metrics?get=numRestarts", timeout=5)
            health.restarts = int(float(next((m["value"] for m in metrics if m["id"] == "numRestarts"), 0)))
            health.last_failure, health.last_failure_age_s = _failure(cfg, job["jid"])
        except (OSError, ValueError, KeyError) as e:
            health.errors.append(f"job metrics: {e}")
    try:
        health.lag = consumer_lag(cfg)
    except Exception as e:  # noqa: BLE001 - any Kafka trouble is reported, not raised
        health.errors.append(f"Kafka: {e}")
    try:
        health.idle_s = idle_seconds(cfg, conn)
    except Exception as e:  # noqa: BLE001
        health.errors.append(f"PostgreSQL: {cfg.mask(str(e)).strip().splitlines()[0] if str(e).strip() else e}")
    return health


def consumer_lag(cfg: Config) -> int:
    """Messages on the topic past the job's committed offsets (all of them before any commit)."""
    from flinkfast.reconcile import kafka_offsets
    first, end, committed = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    return sum(max(0, e - committed.get(p, first[p])) for p, e in end.items())


def idle_seconds(cfg: Config, conn=None) -> float | None:
    """Seconds since the newest row of either table (the database's clock); None when empty."""
    from flinkfast.clients import pg_connect as connect
    own = conn is None
    conn = conn or connect(cfg)
    try:
        with conn.cursor() as cur:
            cur.execute(LAST_WRITE.read_text())
            value = cur.fetchone()[0]
        return None if value is None else float(value)
    finally:
        if own:
            conn.close()


def format_problems(health: JobHealth) -> str:
    return "\n".join(f"WARNING: {p}" for p in health.problems)
