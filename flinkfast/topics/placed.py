"""Where the database says a partition's messages were placed up to, as the reader: the offsets a
job may start from (flinkfast/topics/groupstart.py, before a submission) and from which a gap is
named (flinkfast/topics/retention.py::judge)."""
from __future__ import annotations

from flinkfast.config import Config


def placed_through(cfg: Config, log_start: dict[int, int]) -> dict[int, int | None]:
    """Per partition of log_start ({partition: the log's first offset}), the first offset the database
    has not seen, counted from the first one it has, but never past the log's start when that first
    one is above it (sql/reconcile/placed_through.sql: every offset below it is placed or recorded
    lost, or was deleted; None where it holds nothing of the partition): where a group that forgot
    its offsets may start. Read as the reader; where its
    password is not given (compose's and Kubernetes' JobManager hold only the writer's, which reads
    nothing), nothing is known ({})."""
    return _per_partition(cfg, "reconcile/placed_through.sql", list(log_start),
                          lambda p: {"log_start": log_start[p]})


def starts_of_forgotten(cfg: Config, first: dict[int, int], committed: dict[int, int]) -> dict[int, int]:
    """placed_through for the partitions the group has no committed offset on, where the database
    holds any of them (retention.start_offsets starts those there): one reading for a submission's
    start and its gaps (groupstart.commit_start_offsets, retention.judge)."""
    forgotten = {p: o for p, o in first.items() if p not in committed}
    return {p: o for p, o in placed_through(cfg, forgotten).items() if o is not None}


def placed_next(cfg: Config, partitions: list[int]) -> dict[int, int | None]:
    """Per partition, the offset after the highest one placed or recorded lost
    (sql/reconcile/placed_next.sql; None where the database holds nothing of it), as the reader
    ({} without its password)."""
    return _per_partition(cfg, "reconcile/placed_next.sql", partitions)


def _per_partition(cfg: Config, sql_file: str, partitions: list[int],
                   params=lambda partition: {}) -> dict[int, int | None]:
    from flinkfast.clients import pg_connect
    from flinkfast.errors import ConfigError
    from flinkfast.pipeline.sqlfiles import query
    if not partitions:
        return {}
    try:
        cfg.require("READER_DB_PASSWORD")
    except ConfigError:
        return {}
    out = {}
    with pg_connect(cfg) as conn, conn.cursor() as cur:
        for p in partitions:
            cur.execute(query(sql_file), {"topic": cfg.kafka_topic, "partition": p, **params(p)})
            out[p] = cur.fetchone()[0]
    return out
