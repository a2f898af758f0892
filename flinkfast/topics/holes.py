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
    """The offsets in [first, upto) that hold no committed record, as far as the log has been read:
    up to the last stable offset the read saw (the caller judges the rest: committed.account takes
    what lies past the last stable offset as holding no record yet). Only offsets a completed read
    passed are ever called holes. A log cut past `first` while it is read raises LogCut (scan: a
    strict consumer), and nothing is remembered. Without a topic id (not known) nothing is
    remembered."""
    key = (cfg.kafka_bootstrap_servers, topic, topic_id or "", partition)
    with _lock:
        start, end, found = _read.get(key, (first, first, frozenset())) if topic_id else (first, first, frozenset())
    if not start <= first <= end:     # before what was read, or past a range never read: read anew
        start, end, found = first, first, frozenset()
    if upto > end:
        read: dict = {}
        records = [r.offset for r in topicscan.scan(cfg, topic, partition, end, upto, read=read)]
        if read.get("upto", end) > end:        # read to there, every offset below it seen
            found, end = found | between(end, read["upto"], records), read["upto"]
        if topic_id:
            with _lock:
                _read[key] = (start, end, found)
    return {o for o in found if first <= o < min(upto, end)}


def forget() -> None:
    """Remember nothing (tests)."""
    with _lock:
        _read.clear()
