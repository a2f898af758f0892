"""What the dashboard reads from PostgreSQL, with the report's own queries (sql/report/):

  - SecondsReader, every poll: the per-second series (007, 008) for the seconds not yet read for
    good (the last SETTLE_S seconds are read again, since a batch commits after its rows got their
    insert time); older seconds stay in memory. The latest dead letters (009).
  - WindowPercentiles, in a thread of its own with its own connection: each window's percentiles,
    003_latency_percentiles.sql over the whole window, at most every max(POLL_S, HEAVY_FACTOR x
    its last run time), so a window of millions of rows costs PostgreSQL a bounded share of a core
    and never holds up the per-second figures.

Both use sessions of the dashboard's own (autocommit, bounded statements, named), so
`python -m tests.dashboard_cost` can find them in pg_stat_activity.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Callable

from flinkfast.clients import pg_connect as connect
from flinkfast.config import Config
from flinkfast.accounting.health import LAST_WRITE
from flinkfast.accounting.report import _rows, scope
from flinkfast.pipeline.sqlfiles import query

POLL_S = 1.0              # one poll a second; the page asks every second
SETTLE_S = 3              # seconds re-read each poll: rows of a batch appear when it commits
HEAVY_FACTOR = 20         # window percentiles: at most 1/20 of PostgreSQL's time


def _sql(name: str) -> str:
    return query(f"report/{name}")


def session(cfg: Config, timeout_s: int, name: str):
    """A connection of the dashboard's own: autocommit (no transaction left open between polls),
    bounded statements, the window's sorts in memory (the report's report_rows view is the schema's)."""
    conn = connect(cfg)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"SET statement_timeout = '{int(timeout_s)}s'")
        cur.execute("SET work_mem = '32MB'")
        cur.execute("SET application_name = %s", (name,))
    return conn


def db_second(cur) -> dt.datetime:
    """The database's clock, to the second: every window is counted on it."""
    cur.execute("SELECT date_trunc('second', clock_timestamp())")
    return cur.fetchone()[0]


def close_quietly(conn) -> None:
    try:
        if conn is not None:
            conn.close()
    except Exception:
        pass


class SecondsReader:
    """The per-second rows and dead letters of the last `horizon_s` seconds, kept in memory, and
    the latest dead letters. read() raises on PostgreSQL errors (and drops its connection)."""

    def __init__(self, cfg: Config, horizon_s: int):
        self.cfg = cfg
        self.horizon_s = horizon_s
        self.seconds: dict[dt.datetime, dict] = {}   # second -> row of 007 (+ dead_letters)
        self.dead_latest: list[dict] = []
        self.lost_recorded: int | None = None   # messages recorded lost (`flinkfast lost --record`)
        self.now: dt.datetime | None = None
        self.idle_s: float | None = None   # seconds since the last row of either table (health's own query)
        self._conn = None

    def read(self) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = session(self.cfg, 60, "flinkfast-dashboard")
        try:
            with self._conn.cursor() as cur:
                self._read(cur)
        except Exception:
            self.close()
            raise

    def _read(self, cur) -> None:
        now = db_second(cur)
        self.now = now
        oldest = now - dt.timedelta(seconds=self.horizon_s)
        # The seconds read for good stay; the unsettled tail and anything missing are read again.
        settled = [s for s in self.seconds if s >= oldest]
        cursor = max(oldest, (max(settled) - dt.timedelta(seconds=SETTLE_S)) if settled else oldest)
        scope(cur, cursor)
        cur.execute(_sql("007_latency_per_second.sql"))
        fresh = {row.pop("second"): row for row in _rows_raw(cur)}
        cur.execute(_sql("008_dead_letters_per_second.sql"))
        dead = {second: rows for second, rows in cur.fetchall()}
        for second in [s for s in self.seconds if s >= cursor or s < oldest]:
            del self.seconds[second]
        for second in sorted(set(fresh) | set(dead)):
            self.seconds[second] = dict(fresh.get(second) or {"rows": 0}, dead_letters=dead.get(second, 0))
        cur.execute(_sql("009_dead_letters_latest.sql"))
        self.dead_latest = _rows(cur)
        cur.execute(_sql("010_lost_recorded.sql"))
        self.lost_recorded = cur.fetchone()[0]
        cur.execute(query(LAST_WRITE))
        idle = cur.fetchone()[0]
        self.idle_s = None if idle is None else float(idle)

    def close(self) -> None:
        close_quietly(self._conn)
        self._conn = None


class WindowPercentiles:
    """Each wanted window's percentiles (the report's own query), recomputed when due, in a thread
    with its own connection: a query of many seconds only makes them older (the page says when).
    stats[window] = {"since", "as_of", "latency", "took_s", "next"}."""

    def __init__(self, cfg: Config, windows: Callable[[], list[int]]):
        self.cfg = cfg
        self.windows = windows
        self.stats: dict[int, dict] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "WindowPercentiles":
        self._thread = threading.Thread(target=self._run, name="dashboard-percentiles", daemon=True)
        self._thread.start()
        return self

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def stop(self, wait: float = 15) -> None:
        self._stop.set()
        if self._thread and wait:
            self._thread.join(timeout=wait)

    def _run(self) -> None:
        conn = None
        while not self._stop.wait(POLL_S):
            try:
                if conn is None or conn.closed:
                    conn = session(self.cfg, 300, "flinkfast-dashboard-percentiles")
                with conn.cursor() as cur:
                    for w in self.windows():
                        if w not in self.stats or time.monotonic() >= self.stats[w]["next"]:
                            self.stats[w] = self._compute(cur, w)
            except Exception:  # the poller reports PostgreSQL's state; here: reconnect and retry
                close_quietly(conn)
                conn = None
        close_quietly(conn)

    @staticmethod
    def _compute(cur, window_s: int) -> dict:
        now = db_second(cur)
        since = now - dt.timedelta(seconds=window_s)
        t0 = time.monotonic()
        scope(cur, since, until=now)  # exactly the window [since, as_of): the page says "as of"
        cur.execute(_sql("003_latency_percentiles.sql"))
        latency = {row.pop("stage"): row for row in _rows(cur)}
        took = time.monotonic() - t0
        return {"since": since, "as_of": now, "latency": latency, "took_s": round(took, 3),
                "next": time.monotonic() + max(POLL_S, HEAVY_FACTOR * took) - 0.05}


def _rows_raw(cur) -> list[dict]:
    """Rows as dicts, timestamps kept as datetimes (they key the per-second cache)."""
    names = [c.name for c in cur.description]
    return [{n: (float(v) if n != "second" and v is not None and not isinstance(v, int) else v)
             for n, v in zip(names, row)} for row in cur.fetchall()]
