"""The offsets of a partition that hold no committed record (transaction markers, records of
aborted transactions), read from Kafka once and remembered for the life of the process.

Below the last stable offset a range never changes what it holds: a marker stays a marker, an
aborted record stays aborted (retention and compaction delete records, they never create one). So
what was read once is not read again: reconcile's account of a partition
(flinkfast/accounting/committed.py) and the wait for every record placed read only the offsets
past those they read before. Without this, every reconcile of a topic with transactions read the
whole log again (the chaos walk's check spent 3.7 s of its 57 doing so at 164,000 messages, and
it grew with the log). Remembered per topic id: a re-created topic is a new log, read anew.

    holes.offsets(cfg, topic, topic_id, partition, first, upto) -> set of offsets in [first, upto)
"""
from __future__ import annotations

import threading

from flinkfast.config import Config
from flinkfast.topics import scan as topicscan

_lock = threading.Lock()
# (servers, topic, topic id, partition) -> (start, end, the offsets in [start, end) holding no committed record)
_read: dict[tuple[str, str, str, int], tuple[int, int, frozenset[int]]] = {}


def between(start: int, end: int, records: list[int]) -> set[int]:
    """The offsets in [start, end) that are not among `records`: a pure step."""
    return set(range(start, end)).difference(records)


def offsets(cfg: Config, topic: str, topic_id: str | None, partition: int, first: int, upto: int) -> set[int]:
    """The offsets in [first, upto) that hold no committed record. Those at or past the last
    stable offset (an open transaction's, or past the end) hold none yet: they are returned too,
    never remembered, so that a row placed there is a stray and none is missing there. A log cut
    past `first` while it is read raises LogCut (scan: a strict consumer), and nothing is
    remembered. Without a topic id (not known) nothing is remembered."""
    key = (cfg.kafka_bootstrap_servers, topic, topic_id or "", partition)
    with _lock:
        start, end, found = _read.get(key, (first, first, frozenset())) if topic_id else (first, first, frozenset())
    if not start <= first <= end:     # before what was read, or past a range never read: read anew
        start, end, found = first, first, frozenset()
    past: set[int] = set()
    if upto > end:
        consumer = topicscan.committed_consumer(cfg, strict=True, max_partition_fetch_bytes=4 << 20)
        try:
            from kafka import TopicPartition
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            stable = consumer.end_offsets([tp])[tp]
            if min(upto, stable) > end:
                records = [r.offset for r in topicscan.scan(cfg, topic, partition, end, min(upto, stable), consumer=consumer)]
                found, end = found | between(end, min(upto, stable), records), min(upto, stable)
            past = set(range(max(first, stable, end), upto))
        finally:
            consumer.close()
        if topic_id:
            with _lock:
                _read[key] = (start, end, found)
    return {o for o in found if first <= o < min(upto, end)} | past


def forget() -> None:
    """Remember nothing (tests)."""
    with _lock:
        _read.clear()
