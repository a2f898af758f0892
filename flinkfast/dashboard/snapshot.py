"""The dashboard's figures: one poller reads PostgreSQL, Flink's REST API and Kafka, and keeps
the latest snapshot for every open tab (they never query anything themselves).

What each poll reads, and why it stays cheap at 10,000 events/s:
  - PostgreSQL (pgsource.py): every poll, the per-second series for the seconds not yet read for
    good; in a second thread, each window's percentiles when due (a bounded share of a core).
  - Flink REST (sources.py), every poll: the job, its checkpoints, restarts, source
    pendingRecords, cluster.
  - Kafka (sources.py), every KAFKA_EVERY_S: end offsets and the group's committed offsets.

Every source fails on its own: the snapshot says which is unavailable and why, keeps the last
figures it had (marked stale), and recovers when the source is back.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time

from flinkfast.config import Config
from flinkfast.accounting.health import JobHealth
from flinkfast.dashboard.pgsource import POLL_S, SecondsReader, WindowPercentiles
from flinkfast.dashboard.sources import FlinkJobReader, KafkaLagReader, first_line
from flinkfast.accounting.report import _plain

KAFKA_EVERY_S = 5.0       # committed offsets only move at checkpoints (every 5 s by default)
RATE_S = 10               # events-per-s: the last 10 complete seconds
WINDOW_CHOICES = (60, 300, 900)
WANTED_FOR_S = 30         # a window a tab asked for is computed for this long after its last ask
STAGES = ("kafka_to_flink", "flink_to_postgres")
STATS = ("p50", "p95", "p99", "max")
STOP_S = 5.0              # `kill PID`: at most this long for the threads, then the process goes


def _ms(d: dt.datetime) -> int:
    return int(d.timestamp() * 1000)


class Poller:
    """Polls in one background thread; snapshot(window_s) returns the latest figures as JSON bytes."""

    def __init__(self, cfg: Config, window_s: int | None = None, flink_ui_url: str | None = None):
        self.cfg = cfg
        self.default_window = int(window_s or cfg.dashboard_window_s)
        self.choices = tuple(sorted({*WINDOW_CHOICES, self.default_window}))
        self.flink_ui_url = flink_ui_url or cfg.flink_ui_url
        self._lock = threading.Lock()
        self._wanted: dict[int, float] = {}
        self._json: dict[int, bytes] = {}
        self._latest: dict[int, dict] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pg = SecondsReader(cfg, max(self.choices))
        self._percentiles = WindowPercentiles(cfg, self._windows)
        self._job: dict = {}
        self._lag: dict = {}
        self._kafka_next = 0.0
        self._flink = FlinkJobReader(cfg, self.flink_ui_url)
        self._kafka = KafkaLagReader(cfg)
        self.sources = {name: {"ok": None, "error": None, "as_of": None} for name in ("postgres", "flink", "kafka")}
        self.polls = 0
        self.last_poll_s = 0.0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "Poller":
        self._thread = threading.Thread(target=self._run, name="dashboard-poller", daemon=True)
        self._thread.start()
        self._percentiles.start()
        return self

    def stop(self, timeout: float = STOP_S) -> None:
        """Both threads asked at once, waited for `timeout` s in all. A thread still inside a slow
        query or Kafka request is a daemon: its clients are left to the process's exit, not closed
        under it (they are not thread-safe)."""
        deadline = time.monotonic() + timeout
        self._stop.set()
        self._percentiles.stop(wait=0)
        for thread in (self._thread, self._percentiles.thread):
            if thread:
                thread.join(max(0.0, deadline - time.monotonic()))
        if not (self._thread and self._thread.is_alive()):
            self._kafka.close()
            self._pg.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = time.monotonic()
            self.poll_once()
            self.last_poll_s = time.monotonic() - t0
            self._stop.wait(max(0.05, POLL_S - self.last_poll_s))

    # ------------------------------------------------------------------ what the server asks
    def want(self, window_s: int) -> int:
        """The window a tab asked for, if it is one of the choices (else the default)."""
        window_s = window_s if window_s in self.choices else self.default_window
        with self._lock:
            first = window_s not in self._wanted
            self._wanted[window_s] = time.monotonic()
        if first and self.polls:
            self._publish()  # a new choice shows its series at once, its percentiles at the next poll
        return window_s

    def snapshot_json(self, window_s: int | None = None) -> bytes:
        window_s = self.want(window_s or self.default_window)
        with self._lock:
            data = self._json.get(window_s)
        return data or json.dumps(self._waiting()).encode()

    def snapshot(self, window_s: int | None = None) -> dict:
        window_s = self.want(window_s or self.default_window)
        with self._lock:
            return self._latest.get(window_s) or self._waiting()

    def _waiting(self) -> dict:
        return {"ready": False, "message": "the dashboard is reading its first figures ...",
                "sources": self.sources, "window": {"seconds": self.default_window, "choices": list(self.choices)}}

    # ------------------------------------------------------------------ one poll
    def poll_once(self) -> None:
        self._poll_postgres()
        self._poll_flink()
        if time.monotonic() >= self._kafka_next:
            self._poll_kafka()
            self._kafka_next = time.monotonic() + KAFKA_EVERY_S
        self.polls += 1
        self._publish()

    def _mark(self, source: str, error: str | None) -> None:
        s = self.sources[source]
        s["ok"], s["error"] = error is None, error
        if error is None:
            s["as_of"] = dt.datetime.now(dt.timezone.utc).isoformat()

    def _windows(self) -> list[int]:
        now = time.monotonic()
        with self._lock:
            for w, t in list(self._wanted.items()):
                if now - t > WANTED_FOR_S and w != self.default_window:
                    del self._wanted[w]
            return sorted({self.default_window, *self._wanted})

    # ------------------------------------------------------------------ the sources
    def _poll_postgres(self) -> None:
        import psycopg2
        from flinkfast.errors import Unavailable
        try:
            self._pg.read()
            self._mark("postgres", None)
        except Unavailable as e:
            self._mark("postgres", str(e))
        except psycopg2.Error as e:
            self._mark("postgres", f"PostgreSQL at {self.cfg.postgres_host}:{self.cfg.postgres_port}: "
                                   f"{self.cfg.mask(first_line(e) or type(e).__name__)}")

    def _poll_flink(self) -> None:
        try:
            self._job = self._flink.read()
            self._mark("flink", None)
        except (OSError, ValueError, KeyError) as e:
            self._job = {"state": "UNREACHABLE", "name": self.cfg.job_name, "web_ui": self.flink_ui_url}
            self._mark("flink", f"Flink, read through the Web UI gate at {self.cfg.flink_gate_url}, is unreachable "
                                f"({first_line(e) or type(e).__name__}); is the stack up (make up)?")

    def _poll_kafka(self) -> None:
        from kafka.errors import KafkaError
        try:
            self._lag = self._kafka.read()
            self._mark("kafka", None)
        except (KafkaError, OSError, AssertionError) as e:
            self._kafka.close()
            self._mark("kafka", f"Kafka at {self.cfg.kafka_bootstrap_servers}: {first_line(e) or type(e).__name__}")

    # ------------------------------------------------------------------ the snapshots
    def health(self, job: dict) -> JobHealth:
        """The pipeline's health from this poll's readings, judged by the same rules as `status`."""
        state = job.get("state") or "UNREACHABLE"
        return JobHealth(
            self.cfg.job_name, job_id=job.get("id"),
            state="NOT SUBMITTED" if state == "NO JOB" else state,
            restarts=job.get("restarts") or 0, uptime_s=job.get("uptime_s"),
            last_failure=job.get("last_failure") or job.get("root_exception"),
            last_failure_age_s=job.get("last_failure_age_s"),
            lag=self._lag.get("committed_lag"), idle_s=self._pg.idle_s, source_rate=job.get("source_rate"),
            flink_url=self.cfg.flink_gate_url, losses=list(self._lag.get("losses") or []),
            topic_settings=list(self._lag.get("topic_settings") or []), held=list(self._lag.get("held") or []),
            members=list(self._lag.get("members") or []),
            errors=[v["error"] for k, v in self.sources.items() if k != "flink" and v["ok"] is False])

    def _publish(self) -> None:
        built = {w: self._build(w) for w in self._windows()}
        encoded = {w: json.dumps(s, default=_plain, separators=(",", ":")).encode() for w, s in built.items()}
        with self._lock:
            self._latest, self._json = built, encoded

    def _build(self, window_s: int) -> dict:
        now = self._pg.now
        job = dict(self._job)
        snap = {"ready": True, "as_of": now, "sources": {k: dict(v) for k, v in self.sources.items()},
                "window": {"seconds": window_s, "choices": list(self.choices), "since": None},
                "job": job, "lag": dict(self._lag), "dead_letters_latest": self._pg.dead_latest,
                "poller": {"polls": self.polls, "last_poll_s": round(self.last_poll_s, 3)}}
        snap["lag"]["pending_records"] = job.get("pending_records")
        snap["problems"] = self.health(job).problems  # what `make status` would say, the banner's text
        snap["ok"] = not snap["problems"]
        if now is None:  # PostgreSQL never answered yet
            snap["headline"] = {"job_state": job.get("state"), "consumer_lag": _lag_figure(snap["lag"])}
            return snap
        figures = window_figures(now, window_s, dict(self._pg.seconds),  # a copy: want() may publish
                                 self._percentiles.stats.get(window_s))  # from the server thread
        snap["window"]["since"] = figures.pop("since")
        snap.update(figures)
        snap["headline"].update(consumer_lag=_lag_figure(snap["lag"]), job_state=job.get("state"),
                                lost_recorded=self._pg.lost_recorded)
        return snap


def _lag_figure(lag: dict) -> int | None:
    """The headline lag: Flink's live pendingRecords when it reports it, else the committed-offset lag."""
    if lag.get("pending_records") is not None:
        return lag["pending_records"]
    return lag.get("committed_lag")


def window_figures(now: dt.datetime, window_s: int, per_second: dict[dt.datetime, dict], stats: dict | None) -> dict:
    """The window's series, latency and headline from the per-second rows (sql/report/007, 008)
    and the window's percentiles (003): a pure step, tested on in-memory rows."""
    since = now - dt.timedelta(seconds=window_s)
    seconds = [since + dt.timedelta(seconds=i) for i in range(window_s)]  # complete seconds only
    rows = [per_second.get(s, {}) for s in seconds]
    series = {"t_ms": [_ms(s) for s in seconds],
              "rows": [r.get("rows", 0) for r in rows],
              "dead_letters": [r.get("dead_letters", 0) for r in rows]}
    for stage in STAGES:
        for stat in STATS:
            key = f"{stage}_{stat}_ms"
            series[key] = [r.get(key) for r in rows]
    # Totals: rows inserted at or after `since`, the current (partial) second included.
    in_window = [r for s, r in per_second.items() if s >= since]
    complete = [per_second.get(now - dt.timedelta(seconds=i), {}) for i in range(1, RATE_S + 1)]
    latency = stats["latency"] if stats else {}
    e2e = latency.get("kafka_to_postgres") or {}
    return {
        "since": since,
        "series": series,
        "latency": {"stages": latency, "since": stats and stats["since"], "as_of": stats and stats["as_of"],
                    "query_s": stats and stats["took_s"]},
        "headline": {
            "rows_total": sum(r.get("rows", 0) for r in in_window),
            "dead_letters_total": sum(r.get("dead_letters", 0) for r in in_window),
            "events_per_s": sum(r.get("rows", 0) for r in complete) / RATE_S,
            "dead_letters_per_s": sum(r.get("dead_letters", 0) for r in complete) / RATE_S,
            "latency_p50_ms": e2e.get("p50_ms"), "latency_p95_ms": e2e.get("p95_ms"),
            "latency_p99_ms": e2e.get("p99_ms"), "latency_max_ms": e2e.get("max_ms"),
        },
    }
