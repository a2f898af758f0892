"""The COPY ceilings: the same rows COPY'd into the same table, over one connection and over as
many as the job's parallelism: what PostgreSQL alone can take. Watched like every drain
(flinkfast/bench/drain.py)."""
from __future__ import annotations

import datetime as dt
import io
import threading
import time

from flinkfast.bench.drain import Watch, bench_sql, prepare, wal_now, wal_since
from flinkfast.bench.meters import Sampler
from flinkfast.clients import pg_connect as connect
from flinkfast.config import Config


class CopyWatch(Watch):
    """The same watch, for the COPY ceilings: a COPY's rows count as it reads them
    (sql/bench/012_copy_progress.sql), not all at once when it commits, so that its steady
    state is measured like the others'."""

    def __init__(self, cfg: Config, topic: str, sampler: Sampler):
        super().__init__(cfg, topic, sampler, role="admin")

    def written(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute(bench_sql("012_copy_progress.sql"))
            return super().written() + int(cur.fetchone()[0])


def copy_text(events: list[dict], topic: str, partitions: int) -> list[str]:
    """The events as the rows COPY takes (tab-separated text lines), as the pipeline would write
    them; made once, before anything is timed."""
    year, now_ms = dt.date.today().year, int(time.time() * 1000)
    return [f"{e['uuid']}\t{e['first_name']}\t{e['last_name']}\t{e['country']}\t{e['age']}\t"
            f"{year - e['age']}\t{topic}\t{i % partitions}\t{i}\t{now_ms}\t{now_ms}\n" for i, e in enumerate(events)]


def copy_ceiling(cfg: Config, stack, lines: list[str], topic: str, connections: int = 1) -> dict:
    """COPY of the same rows into the same table: what PostgreSQL alone can take. With one
    connection, one COPY in one transaction; with more, the rows split in as many even parts,
    each its own COPY and transaction on a connection of its own, all at once."""
    prepare(cfg)
    parts = [io.StringIO("".join(lines[i::connections])) for i in range(connections)]
    conns = [connect(cfg, "admin") for _ in range(connections)]
    watch = CopyWatch(cfg, topic, Sampler(stack))
    wal = wal_now(cfg)
    errors: list[BaseException] = []

    def send(conn, buf):
        try:
            with conn.cursor() as cur:
                cur.copy_expert(bench_sql("004_copy.sql"), buf)
            conn.commit()
        except BaseException as e:  # said by the main thread
            errors.append(e)

    try:
        with watch.background():
            started = time.time()
            threads = [threading.Thread(target=send, args=(c, b)) for c, b in zip(conns, parts)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if errors:
            raise errors[0]
        last = watch.wait(len(lines), 60)  # the same end signal as the others (it is already there)
    finally:
        for c in conns:
            c.close()
        watch.close()
    out = watch.measured(len(lines), started, last)
    out.update(wal_since(cfg, wal, len(lines)), connections=connections,
               settings="one COPY FROM STDIN, one transaction" if connections == 1 else
               f"{connections} connections at once, each one COPY FROM STDIN of 1/{connections} of the rows, "
               "one transaction")
    return out
