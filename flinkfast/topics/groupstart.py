"""The first run of a job that resets no offset (sql/flink/001_source_kafka.sql: 'none'): commit a
start for every partition its group has never committed, before the job is submitted.

A group with no committed offset on the topic has nothing to lose there: what was deleted before
the pipeline ever read the topic was never the pipeline's (docs/guarantees.md, make lost). A
partition added to a topic the group already reads starts at 0: what was written to it and
deleted before the job read it is a loss, named and recorded like any other.
Partitions with a committed offset are left alone: only `flinkfast lost --record` moves those, and
this past offsets that held only transaction markers, seen before retention cut them.

The group's committed offsets are also checked against the database, which is what says what was
placed: the job's Kafka principal may commit its group, so whoever holds that password (or a job
that lost its checkpoint) could have moved them past messages never placed -- skipped at the next
start -- or past the log's end -- a job that can only fail. A committed offset past the end, or
past a committed record that is in no table, is moved back to the offset after the last one placed
(or recorded lost): placing by the database makes the messages read again change nothing (found by
an attack on issue 24's claims).
Called by flinkfast.pipeline.submit, the test suite's job server and flinkfast_job.py (compose, Kubernetes).
"""
from __future__ import annotations

import sys

from flinkfast.topics import placed as database, retention
from flinkfast.config import Config


def commit_start_offsets(cfg: Config) -> dict[int, int]:
    """Before a submission that reads the group's offsets: commit a start on every partition the
    group has no offset on (retention.start_offsets: the first offset the database has not seen,
    where it holds any: the group's offsets expired or were deleted; else the log start on the
    first run, offset 0 on a partition added since), so the job, which resets nothing, starts there. Partitions with a
    committed offset are left alone, but for one whose offsets between it and the log start held
    only transaction markers, read before they were cut (flinkfast/topics/markers.py): moved to the
    log start, no loss. What it committed."""
    from flinkfast.accounting.reconcile import kafka_offsets
    if cfg.scan_startup_mode != "group-offsets":
        return {}
    first, end, committed = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    placed = {p: min(o, end[p]) for p, o in database.starts_of_forgotten(cfg, first, committed).items()}
    start = retention.start_offsets(first, committed, placed)
    for p in sorted(placed):
        print(f"partition {p} of {cfg.kafka_topic}: the group {cfg.kafka_group_id} has no committed offset, but "
              f"the database holds every message of it up to offset {placed[p] - 1}: the job starts at {placed[p]}, "
              "not at the log start (did the group's offsets expire, or was the group deleted?)", file=sys.stderr)
    start.update(back_to_placed(cfg, first, end, committed))
    _, only_markers = retention.judge(cfg, cfg.kafka_topic, cfg.kafka_group_id, first, committed, placed)
    start.update({gap.partition: gap.end_offset for gap in only_markers})   # past markers cut after being read
    retention.commit(cfg, start)
    return start


def rewind(first: dict[int, int], end: dict[int, int], committed: dict[int, int], placed_next: dict[int, int],
           holds_records) -> dict[int, int]:
    """Where a committed offset must go back to (a pure step): to the offset after the last one placed
    (never before the log start), when it is past the log's end, or past a committed record that no
    table holds (holds_records(partition, first, upto) says whether [first, upto) has one). Offsets
    in between that hold only transaction markers are no reason to move."""
    out = {}
    for p, c in committed.items():
        base = max(placed_next.get(p) or first[p], first[p])
        if c > end.get(p, c) or (c > base and holds_records(p, base, c)):
            out[p] = min(base, end.get(p, base))
    return out


def back_to_placed(cfg: Config, first: dict[int, int], end: dict[int, int], committed: dict[int, int]) -> dict[int, int]:
    """rewind, with what the database placed and what Kafka holds; each move said on one line.
    Where the reader's password is not given (compose's and Kubernetes' JobManager hold only the
    writer's, which reads nothing), only an offset past the log's end is found, and refused."""
    from flinkfast.errors import ConfigError, Unavailable
    from flinkfast.topics import scan
    if not committed:
        return {}
    try:
        cfg.require("READER_DB_PASSWORD")
    except ConfigError:
        past = sorted(p for p, c in committed.items() if c > end.get(p, c))
        if past:
            raise Unavailable(f"the group {cfg.kafka_group_id}'s committed offset on partition {past[0]} of "
                              f"{cfg.kafka_topic} is past the log's end: run `flinkfast submit` where the "
                              "reader's password is (it moves the offset back to the last placed), or "
                              "reset the group (kafka-consumer-groups --reset-offsets)") from None
        return {}
    placed = database.placed_next(cfg, list(committed))

    def holds_records(p: int, lo: int, hi: int) -> bool:
        return next(iter(scan.scan(cfg, cfg.kafka_topic, p, lo, hi)), None) is not None

    moves = rewind(first, end, committed, placed, holds_records)
    for p, o in sorted(moves.items()):
        print(f"partition {p} of {cfg.kafka_topic}: the group {cfg.kafka_group_id}'s committed offset "
              f"{committed[p]} is past what was placed (next: {o}, log end {end[p]}): moved back to {o}, "
              "so nothing is skipped (was it moved with the job's Kafka password?)", file=sys.stderr)
    return moves
