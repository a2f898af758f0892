"""The first run of a job that resets no offset (sql/flink/001_source_kafka.sql: 'none'): commit a
start for every partition its group has never committed, before the job is submitted.

A group with no committed offset on the topic has nothing to lose there: what was deleted before
the pipeline ever read the topic was never the pipeline's (docs/guarantees.md, make lost). A
partition added to a topic the group already reads starts at 0: what was written to it and
deleted before the job read it is a loss, named and recorded like any other.
Partitions with a committed offset are left alone: only `flinkfast lost --record` moves those, and
this past offsets that held only transaction markers, seen before retention cut them.
Called by flinkfast.pipeline.submit, the test suite's job server and flinkfast_job.py (compose, Kubernetes).
"""
from __future__ import annotations

from flinkfast.topics import retention
from flinkfast.config import Config


def commit_start_offsets(cfg: Config) -> dict[int, int]:
    """Before a submission that reads the group's offsets: commit a start on every partition the
    group has never committed (retention.start_offsets: the log start on the first run, offset 0 on
    a partition added since), so the job, which resets nothing, starts there. Partitions with a
    committed offset are left alone, but for one whose offsets between it and the log start held
    only transaction markers, read before they were cut (flinkfast/topics/markers.py): moved to the
    log start, no loss. What it committed."""
    from flinkfast.accounting.reconcile import kafka_offsets
    if cfg.scan_startup_mode != "group-offsets":
        return {}
    first, _, committed = kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    start = retention.start_offsets(first, committed)
    _, only_markers = retention.judge(cfg, cfg.kafka_topic, cfg.kafka_group_id, first, committed)
    start.update({gap.partition: gap.end_offset for gap in only_markers})   # past markers cut after being read
    retention.commit(cfg, start)
    return start
