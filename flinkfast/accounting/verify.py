"""Did every produced event land? Counting by uuid against the results table."""
from __future__ import annotations

import time

from flinkfast.config import Config
from flinkfast.errors import TimedOut
from flinkfast.clients import pg_connect as connect


class Landing:
    """Counts the expected uuids in processed_events: one statement, the uuids sent as one array
    (the read-only role may create no temporary table to hold them).

    A row counts when it came from this topic and, with `since`, was written at or after that
    database time: rows left by an earlier run with the same uuids do not count as landed.
    """

    def __init__(self, cfg: Config, uuids: list[str], since=None):
        self.cfg = cfg
        self.since = since
        unique = sorted(set(uuids))
        self.expected = len(unique)
        # An array literal, one string parameter: PostgreSQL parses it much faster than a list of literals.
        self._array = "{" + ",".join('"' + u.replace("\\", "\\\\").replace('"', '\\"') + '"' for u in unique) + "}"
        self.conn = connect(cfg)
        self.conn.autocommit = True

    def landed(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute("""SELECT count(*) FROM processed_events
                            WHERE uuid = ANY(%s::text[]) AND kafka_topic = %s
                              AND postgres_timestamp >= COALESCE(%s::timestamptz, '-infinity')""",
                        (self._array, self.cfg.kafka_topic, self.since))
            return cur.fetchone()[0]

    def wait(self, timeout: float, progress: bool = True) -> float:
        """Until every expected uuid is in processed_events; returns the seconds waited."""
        import sys

        from tqdm import tqdm
        t0 = time.monotonic()
        with tqdm(total=self.expected, desc="landed in PostgreSQL", unit="row", disable=not progress or not sys.stderr.isatty(),
                  dynamic_ncols=True) as bar:
            while True:
                n = self.landed()
                bar.update(n - bar.n)
                if n >= self.expected:
                    return time.monotonic() - t0
                if time.monotonic() - t0 > timeout:
                    raise TimedOut(f"only {n:,} of {self.expected:,} events reached PostgreSQL within {timeout:.0f}s; "
                                   "check the job in the Flink Web UI and `make logs SERVICE=taskmanager`")
                time.sleep(0.25)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
