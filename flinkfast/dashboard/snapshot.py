"""The dashboard's figures: one poller reads PostgreSQL, Flink's REST API and Kafka, and keeps
the latest snapshot for every open tab (they never query anything themselves).

What each poll reads, and why it stays cheap at 10,000 events/s:
  - PostgreSQL, every poll: the per-second series (sql/report/007, 008) for the seconds not yet
    read for good (the last SETTLE_S seconds are read again, since a batch commits after its
    rows got their insert time); older seconds stay in memory. The latest dead letters (009).
  - PostgreSQL, adaptively and in a second thread with its own connection: the window's
    percentiles, 003_latency_percentiles.sql over the whole window (the report's own query), at
    most every max(POLL_S, HEAVY_FACTOR x its last run time), so a window of millions of rows
    costs PostgreSQL a bounded share of a core and never holds up the per-second figures.
  - Flink REST, every poll: the job, its checkpoints, restarts, source pendingRecords, cluster.
  - Kafka, every KAFKA_EVERY_S: end offsets and the group's committed offsets (one consumer, kept).

Every source fails on its own: the snapshot says which is unavailable and why, keeps the last
figures it had (marked stale), and recovers when the source is back.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time

from flinkfast.config import Config
from flinkfast.clients import pg_connect as connect
from flinkfast.dashboard.sources import FlinkJobReader, KafkaLagReader, first_line
from flinkfast.report import _plain, _rows
from flinkfast.sqlfiles import REPORT_DIR

POLL_S = 1.0              # one poll a second; the page asks every second
SETTLE_S = 3              # seconds re-read each poll: rows of a batch appear when it commits
KAFKA_EVERY_S = 5.0       # committed offsets only move at checkpoints (every 5 s by default)
HEAVY_FACTOR = 20         # window percentiles: at most 1/20 of PostgreSQL's time
RATE_S = 10               # events-per-s: the last 10 complete seconds
WINDOW_CHOICES = (60, 300, 900)
WANTED_FOR_S = 30         # a window a tab asked for is computed for this long after its last ask
STAGES = ("kafka_to_flink", "flink_to_postgres")
STATS = ("p50", "p95", "p99", "max")


def _sql(name: str) -> str:
    return (REPORT_DIR / name).read_text()


def _ms(d: dt.datetime) -> int:
    return int(d.timestamp() * 1000)


class Poller:
    """Polls in one background thread; snapshot(window_s) returns the latest figures as JSON bytes."""

    def __init__(self, cfg: Config, window_s: int | None = None, flink_ui_url: str | None = None):
        self.cfg = cfg
        self.default_window = int(window_s or cfg.dashboard_window_s)
        self.choices = tuple(sorted({*WINDOW_CHOICES, self.default_window}))
        self.flink_ui_url = flink_ui_url or cfg.flink_rest_url
        self._lock = threading.Lock()
        self._wanted: dict[int, float] = {}
        self._json: dict[int, bytes] = {}
        self._latest: dict[int, dict] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # PostgreSQL
        self._conn = None
        self._seconds: dict[dt.datetime, dict] = {}   # second -> row of 007 (+ dead_letters)
        self._window_stats: dict[int, dict] = {}      # window -> {"since", "as_of", "latency", "took_s", "next"}
        self._dead_latest: list[dict] = []
        self._db_now: dt.datetime | None = None
        # Flink and Kafka
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
        self._heavy = threading.Thread(target=self._percentiles_run, name="dashboard-percentiles", daemon=True)
        self._heavy.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in (self._thread, getattr(self, "_heavy", None)):
            if thread:
                thread.join(timeout=15)
        self._kafka.close()
        for closing in (self._conn,):
            try:
                if closing is not None:
                    closing.close()
            except Exception:
                pass

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

    # ------------------------------------------------------------------ PostgreSQL
    def _session(self, timeout_s: int, name: str):
        """A connection of the dashboard's own: autocommit (no transaction left open between
        polls), bounded statements, the window's sorts in memory, the report's report_rows view."""
        conn = connect(self.cfg)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = '{int(timeout_s)}s'")
            cur.execute("SET work_mem = '32MB'")
            cur.execute("SET application_name = %s", (name,))
            cur.execute(_sql("000_scope.sql"))
        return conn

    def _cursor(self):
        if self._conn is None or self._conn.closed:
            self._conn = self._session(60, "flinkfast-dashboard")
        return self._conn.cursor()

    def _poll_postgres(self) -> None:
        import psycopg2
        from flinkfast.errors import Unavailable
        try:
            with self._cursor() as cur:
                self._read_postgres(cur)
            self._mark("postgres", None)
        except Unavailable as e:
            self._conn = None
            self._mark("postgres", str(e))
        except psycopg2.Error as e:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None
            self._mark("postgres", f"PostgreSQL at {self.cfg.postgres_host}:{self.cfg.postgres_port}: "
                                   f"{self.cfg.mask(first_line(e) or type(e).__name__)}")

    def _since(self, cur, since: dt.datetime) -> None:
        cur.execute("SELECT set_config('flinkfast.since', %s, false)", (since.isoformat(),))

    def _read_postgres(self, cur) -> None:
        cur.execute("SELECT date_trunc('second', clock_timestamp())")
        now = cur.fetchone()[0]
        self._db_now = now
        oldest = now - dt.timedelta(seconds=max(self.choices))
        # The seconds read for good stay; the unsettled tail and anything missing are read again.
        settled = [s for s in self._seconds if s >= oldest]
        cursor = max(oldest, (max(settled) - dt.timedelta(seconds=SETTLE_S)) if settled else oldest)
        self._since(cur, cursor)
        cur.execute(_sql("007_latency_per_second.sql"))
        fresh = {row.pop("second"): row for row in _rows_raw(cur)}
        cur.execute(_sql("008_dead_letters_per_second.sql"))
        dead = {second: rows for second, rows in cur.fetchall()}
        for second in [s for s in self._seconds if s >= cursor or s < oldest]:
            del self._seconds[second]
        for second in sorted(set(fresh) | set(dead)):
            self._seconds[second] = dict(fresh.get(second) or {"rows": 0}, dead_letters=dead.get(second, 0))
        cur.execute(_sql("009_dead_letters_latest.sql"))
        self._dead_latest = _rows(cur)

    def _percentiles_run(self) -> None:
        """The window's percentiles: the report's own query over the whole window, when due. In a
        thread of its own with its own connection, so a query of many seconds never holds up the
        per-second figures; it only makes the headline percentiles older (the page says when)."""
        conn = None
        while not self._stop.wait(POLL_S):
            try:
                if conn is None or conn.closed:
                    conn = self._session(300, "flinkfast-dashboard-percentiles")
                with conn.cursor() as cur:
                    for w in self._windows():
                        stats = self._window_stats.get(w)
                        if stats and time.monotonic() < stats["next"]:
                            continue
                        cur.execute("SELECT date_trunc('second', clock_timestamp())")
                        now = cur.fetchone()[0]
                        since = now - dt.timedelta(seconds=w)
                        t0 = time.monotonic()
                        self._since(cur, since)
                        cur.execute(_sql("003_latency_percentiles.sql"))
                        latency = {row.pop("stage"): row for row in _rows(cur)}
                        took = time.monotonic() - t0
                        self._window_stats[w] = {"since": since, "as_of": now, "latency": latency,
                                                 "took_s": round(took, 3),
                                                 "next": time.monotonic() + max(POLL_S, HEAVY_FACTOR * took) - 0.05}
            except Exception:  # the main poll reports PostgreSQL's state; here: reconnect and retry
                try:
                    conn.close()
                except Exception:
                    pass
                conn = None
        if conn is not None:
            conn.close()

    # ------------------------------------------------------------------ Flink and Kafka
    def _poll_flink(self) -> None:
        try:
            self._job = self._flink.read()
            self._mark("flink", None)
        except (OSError, ValueError, KeyError) as e:
            self._job = {"state": "UNREACHABLE", "name": self.cfg.job_name, "web_ui": self.flink_ui_url}
            self._mark("flink", f"Flink REST API at {self.cfg.flink_rest_url} is unreachable "
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
    def _publish(self) -> None:
        built = {w: self._build(w) for w in self._windows()}
        encoded = {w: json.dumps(s, default=_plain, separators=(",", ":")).encode() for w, s in built.items()}
        with self._lock:
            self._latest, self._json = built, encoded

    def _build(self, window_s: int) -> dict:
        now = self._db_now
        job = dict(self._job)
        snap = {"ready": True, "as_of": now, "sources": {k: dict(v) for k, v in self.sources.items()},
                "window": {"seconds": window_s, "choices": list(self.choices), "since": None},
                "job": job, "lag": dict(self._lag), "dead_letters_latest": self._dead_latest,
                "poller": {"polls": self.polls, "last_poll_s": round(self.last_poll_s, 3)}}
        snap["lag"]["pending_records"] = job.get("pending_records")
        if now is None:  # PostgreSQL never answered yet
            snap["headline"] = {"job_state": job.get("state"), "consumer_lag": _lag_figure(snap["lag"])}
            return snap
        since = now - dt.timedelta(seconds=window_s)
        snap["window"]["since"] = since
        seconds = [since + dt.timedelta(seconds=i) for i in range(window_s)]  # complete seconds only
        rows = [self._seconds.get(s, {}) for s in seconds]
        series = {"t_ms": [_ms(s) for s in seconds],
                  "rows": [r.get("rows", 0) for r in rows],
                  "dead_letters": [r.get("dead_letters", 0) for r in rows]}
        for stage in STAGES:
            for stat in STATS:
                key = f"{stage}_{stat}_ms"
                series[key] = [r.get(key) for r in rows]
        snap["series"] = series
        # Totals: rows inserted at or after `since`, the current (partial) second included.
        in_window = [r for s, r in self._seconds.items() if s >= since]
        complete = [self._seconds.get(now - dt.timedelta(seconds=i), {}) for i in range(1, RATE_S + 1)]
        stats = self._window_stats.get(window_s)
        latency = stats["latency"] if stats else {}
        e2e = latency.get("kafka_to_postgres") or {}
        snap["latency"] = {"stages": latency, "since": stats and stats["since"], "as_of": stats and stats["as_of"],
                           "query_s": stats and stats["took_s"]}
        snap["headline"] = {
            "rows_total": sum(r.get("rows", 0) for r in in_window),
            "dead_letters_total": sum(r.get("dead_letters", 0) for r in in_window),
            "events_per_s": sum(r.get("rows", 0) for r in complete) / RATE_S,
            "dead_letters_per_s": sum(r.get("dead_letters", 0) for r in complete) / RATE_S,
            "latency_p50_ms": e2e.get("p50_ms"), "latency_p95_ms": e2e.get("p95_ms"),
            "latency_p99_ms": e2e.get("p99_ms"), "latency_max_ms": e2e.get("max_ms"),
            "consumer_lag": _lag_figure(snap["lag"]), "job_state": job.get("state"),
        }
        return snap


def _lag_figure(lag: dict) -> int | None:
    """The headline lag: Flink's live pendingRecords when it reports it, else the committed-offset lag."""
    if lag.get("pending_records") is not None:
        return lag["pending_records"]
    return lag.get("committed_lag")


def _rows_raw(cur) -> list[dict]:
    """Rows as dicts, timestamps kept as datetimes (they key the per-second cache)."""
    names = [c.name for c in cur.description]
    return [{n: (float(v) if n != "second" and v is not None and not isinstance(v, int) else v)
             for n, v in zip(names, row)} for row in cur.fetchall()]
