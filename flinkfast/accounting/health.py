"""Is the pipeline delivering? The job's state, restarts and last failure (Flink REST), how much
the source has read lately, the consumer lag (Kafka) and the time since the last row
(PostgreSQL), and the longest a sink's session waits for a lock now, as data; `problems` says,
in one line each, why it is not.

Never OK when nothing is delivered: a job that is not RUNNING (cancelled, finished, failed, not
submitted), a cluster that does not answer, or messages waiting with no progress are problems,
and so is anything that could not be checked. Progress is the source reading (Flink's
one-minute rate of the records it emits) or a row written lately, so a replay, which reads the
topic again and writes nothing new, is progress, not a stall. `make status`, the report, the
demo and the dashboard's banner and /metrics all use `problems`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flinkfast.pipeline import flinkrest
from flinkfast.config import Config
from flinkfast.pipeline.sqlfiles import query

BROKEN = ("RESTARTING", "FAILING", "FAILED")
RECENT_FAILURE_S = 600   # a failure this recent is reported even when the job runs again
STALL_S = 30             # unread messages, no row for this long and the source idle: stalled
LAST_WRITE = "health/last_write.sql"
LOCK_WAIT = "health/lock_wait.sql"
LOCK_WAIT_S = 10         # a flush waiting this long on another session's lock: a writer holds it paused


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
    idle_s: float | None = None         # seconds since the last row in either table (None: no row)
    source_rate: float | None = None    # records/s the source emitted over Flink's last minute
    lock_wait_s: float | None = None    # the longest a sink session waits for a lock now (None: none waits)
    lock_holders: list[int] = field(default_factory=list)  # the sessions it waits on
    flink_url: str = ""
    recreated: str | None = None        # the topic re-created under the job: what to do (flinkfast/topics/generations.py)
    losses: list[str] = field(default_factory=list)  # ranges deleted before the job read them (flinkfast/topics/retention.py)
    topic_settings: list[str] = field(default_factory=list)  # the topic's settings, changed under the job (flinkfast/topics/policy.py)
    held: list[str] = field(default_factory=list)  # open transactions holding a partition (flinkfast/topics/transactions.py)
    members: list[str] = field(default_factory=list)  # consumers that joined the job's group (members_line)
    errors: list[str] = field(default_factory=list)  # what could not be asked

    @property
    def progressing(self) -> bool:
        return bool(self.source_rate) or (self.idle_s is not None and self.idle_s <= STALL_S)

    @property
    def problems(self) -> list[str]:
        """Why the pipeline is not delivering, one line each (empty: all is well)."""
        out = []
        failure = f": {self.last_failure}" if self.last_failure else ""
        waiting = f", {self.lag:,} messages wait on the topic" if self.lag else ""
        if self.state == "UNREACHABLE":
            out.append(f"Flink's REST API at {self.flink_url} does not answer: nothing can be delivered "
                       "(`make status`, `make logs SERVICE=jobmanager`)")
        elif self.state == "NOT SUBMITTED":
            out.append(f"no job {self.name} on the cluster{waiting}: submit it (`make submit`)")
        elif self.state in BROKEN:
            out.append(f"job {self.name} is {self.state} (restarted {self.restarts} times){failure}")
        elif self.state != "RUNNING":
            out.append(f"job {self.name} is {self.state}, not delivering{waiting}: resubmit it (`make submit`)")
        else:
            if self.last_failure_age_s is not None and self.last_failure_age_s < RECENT_FAILURE_S:
                out.append(f"job {self.name} restarted {self.restarts} times, last failure "
                           f"{self.last_failure_age_s:.0f}s ago{failure}")
            if self.lag and not self.progressing:
                written = "nothing written yet" if self.idle_s is None else f"no row written for {self.idle_s:.0f}s"
                out.append(f"job {self.name} is stalled: {self.lag:,} messages unread on the topic, the source read "
                           f"nothing in the last minute and {written} (see `make logs SERVICE=taskmanager`)")
        if self.lock_wait_s is not None and self.lock_wait_s >= LOCK_WAIT_S:
            held = ", ".join(str(p) for p in self.lock_holders) or "another session"
            out.append(f"a flush has waited {self.lock_wait_s:.0f}s for a lock held by PostgreSQL session {held}: a "
                       "writer paused in the middle of a flush (PostgreSQL ends one idle in its transaction after "
                       "10 s; one paused inside a jdbc batch holds until its TaskManager goes on or is killed; "
                       "docs/guarantees.md#a-paused-writer)")
        if self.recreated:
            out.append(self.recreated)
        elif self.state != "NOT SUBMITTED" and "NoOffsetForPartition" in (self.last_failure or "") and \
                (self.state in BROKEN or (self.last_failure_age_s or 0) < RECENT_FAILURE_S):
            out.append(f"job {self.name} finds no offset to start a partition at (NoOffsetForPartition): its group's "
                       "committed offsets are gone (expired, or the group was deleted) where its state holds none; "
                       "`flinkfast submit` (`make submit`) starts each such partition at the first offset the "
                       "database has not placed")
        out.extend(self.topic_settings)
        out.extend(self.held)
        out.extend(self.members)
        out.extend(self.losses)
        out.extend(f"could not check: {e}" for e in self.errors)
        return [printable(line) for line in out]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {**vars(self), "problems": self.problems, "ok": self.ok}


def source_rate(cfg: Config, job_id: str, vertices: list[dict], ids: dict | None = None) -> float | None:
    """Records per second the job's Kafka source emitted, Flink's one-minute rate summed over its
    subtasks (None when the metric is not there yet). `ids` caches the metric names per vertex."""
    ids = {} if ids is None else ids
    total, found = 0.0, False
    for v in vertices:
        if not v.get("name", "").startswith("Source"):
            continue
        base = f"/jobs/{job_id}/vertices/{v['id']}/subtasks/metrics"
        key = (job_id, v["id"])
        if not ids.get(key):  # the metric's name carries the operator's name: look it up once
            ids[key] = [m["id"] for m in flinkrest.rest(cfg, base, timeout=5)
                        if m["id"].startswith("Source") and m["id"].endswith(".numRecordsOutPerSecond")]
        if ids[key]:
            for m in flinkrest.rest(cfg, f"{base}?get={','.join(ids[key])}&agg=sum", timeout=5):
                if m.get("sum") is not None:
                    total, found = total + float(m["sum"]), True
    return total if found else None


def job_health(cfg: Config, conn=None) -> JobHealth:
    """The health of the newest job named JOB_NAME. Parts that cannot be reached are named in
    `errors` (and so in `problems`): a status never hangs or fails on them."""
    health = JobHealth(cfg.job_name, flink_url=cfg.flink_rest_url)
    try:
        job = flinkrest.newest(flinkrest.jobs(cfg), cfg.job_name)
    except OSError:
        health.state = "UNREACHABLE"
    else:
        if job:
            health.job_id, health.state = job["jid"], job["state"]
            health.uptime_s = job.get("duration", 0) / 1000 if job["state"] in flinkrest.ACTIVE else None
            try:
                health.restarts = int(flinkrest.metric(cfg, job["jid"], "numRestarts") or 0)
                health.last_failure, health.last_failure_age_s = flinkrest.last_failure(cfg, job["jid"])
                if job["state"] == "RUNNING":
                    vertices = flinkrest.rest(cfg, f"/jobs/{job['jid']}", timeout=5).get("vertices", [])
                    health.source_rate = source_rate(cfg, job["jid"], vertices)
            except (OSError, ValueError, KeyError) as e:
                health.errors.append(f"the job's metrics: {e}")
    try:
        health.lag, health.losses = consumer_lag(cfg)
    except Exception as e:  # noqa: BLE001 - any Kafka trouble is reported, not raised
        health.errors.append(f"Kafka: {e}")
    try:
        from flinkfast.topics import policy
        health.topic_settings = policy.problems(cfg)
    except Exception as e:  # noqa: BLE001
        health.errors.append(f"the topic's settings: {e}")
    try:
        from flinkfast.topics import transactions
        health.held = transactions.problems(cfg)
    except Exception as e:  # noqa: BLE001
        health.errors.append(f"the topic's open transactions: {e}")
    try:
        health.members = group_members(cfg)
    except Exception as e:  # noqa: BLE001
        health.errors.append(f"the job's group: {e}")
    try:
        health.recreated = topic_recreated(cfg, conn)
    except Exception as e:  # noqa: BLE001
        health.errors.append(f"the topic's generation: {cfg.mask(str(e)).strip().splitlines()[0] if str(e).strip() else e}")
    try:
        health.idle_s = idle_seconds(cfg, conn)
        health.lock_wait_s, health.lock_holders = lock_wait(cfg, conn)
    except Exception as e:  # noqa: BLE001
        health.errors.append(f"PostgreSQL: {cfg.mask(str(e)).strip().splitlines()[0] if str(e).strip() else e}")
    return health


def consumer_lag(cfg: Config) -> tuple[int, list[str]]:
    """Messages on the topic past the job's committed offsets (all of them before any commit), up
    to the last stable offset, none where only transaction markers or aborted records are left;
    and the ranges deleted before the job read them, one line each (flinkfast/topics/retention.py)."""
    from flinkfast.topics import retention
    from flinkfast.accounting.committed import behind
    from flinkfast.accounting.reconcile import kafka_offsets
    first, end, committed = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    lag = sum(behind(cfg, cfg.kafka_topic, first, end, committed, cfg.kafka_group_id).values())
    lost, only_markers = retention.judge(cfg, cfg.kafka_topic, cfg.kafka_group_id, first, committed)
    return lag, [loss.line() for loss in lost] + [retention.markers_line(gap) for gap in only_markers]


def printable(text: str) -> str:
    """A problem line as a terminal may show it: control characters (a client id, a topic's
    setting, an exception's message, all of them chosen by someone else) escaped, so no line can
    erase or hide another (found by an attack: a consumer's client id of ESC sequences)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def members_line(group: str, members: list[dict]) -> list[str]:
    """The job's source joins no group (it assigns its partitions and commits as a simple group),
    so any member of its group is someone else's consumer, and while it stays the broker refuses
    the job's commits: its offsets, and `status`'s lag, stand still (a pure step)."""
    if not members:
        return []
    who = ", ".join(sorted(f"{m.get('client_id') or '?'} at {(m.get('client_host') or '?').lstrip('/')}"
                           for m in members))
    return [f"the job's consumer group {group} has {len(members)} member(s) ({who}): the job joins no group, "
            "so the broker refuses its offset commits while they stay; stop that consumer (it holds "
            "KAFKA_JOB_PASSWORD: rotate it, docs/security.md#rotating-a-secret)"]


def group_members(cfg: Config) -> list[str]:
    """members_line for the job's group as the broker describes it (as the monitor: Describe)."""
    from flinkfast.clients import kafka_admin
    admin = kafka_admin(cfg, role="monitor", request_timeout_ms=5000)
    try:
        found = admin.describe_groups([cfg.kafka_group_id]).get(cfg.kafka_group_id) or {}
    finally:
        admin.close()
    return members_line(cfg.kafka_group_id, list(found.get("members") or []))


def topic_recreated(cfg: Config, conn=None) -> str | None:
    """What to do if the topic was re-created under the job (Kafka's topic id is not the recorded
    generation's: flinkfast/topics/generations.py), else None."""
    from flinkfast.topics import generations
    from flinkfast.clients import pg_connect as connect
    own = conn is None
    conn = conn or connect(cfg)
    try:
        with conn.cursor() as cur:
            return generations.recreated(cfg, cur)
    finally:
        if own:
            conn.close()


def idle_seconds(cfg: Config, conn=None) -> float | None:
    """Seconds since the newest row of either table (the database's clock); None when empty."""
    from flinkfast.clients import pg_connect as connect
    own = conn is None
    conn = conn or connect(cfg)
    try:
        with conn.cursor() as cur:
            cur.execute(query(LAST_WRITE))
            value = cur.fetchone()[0]
        return None if value is None else float(value)
    finally:
        if own:
            conn.close()


def lock_wait(cfg: Config, conn=None) -> tuple[float | None, list[int]]:
    """(seconds, holders) of the longest wait of a sink session for a lock now; (None, []) when none waits."""
    from flinkfast.clients import pg_connect as connect
    own = conn is None
    conn = conn or connect(cfg)
    try:
        with conn.cursor() as cur:
            cur.execute(query(LOCK_WAIT), {"writer": cfg.flink_db_user})
            row = cur.fetchone()
        return (None, []) if row is None else (float(row[0]), list(row[1] or []))
    finally:
        if own:
            conn.close()


def format_problems(health: JobHealth) -> str:
    return "\n".join(f"WARNING: {p}" for p in health.problems)
