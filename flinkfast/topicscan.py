"""Reading a range of one partition of the topic, committed records only (read_committed), as the
job reads it: (partition, offset, timestamp_ms, timestamp_type, value bytes) per record. Control
markers and aborted records are never yielded, so offsets may have holes.

    for partition, offset, ts_ms, ts_type, value in scan(cfg, topic, 0, first, end): ...

As the job's principal (it may read the topic), with no group: nothing is committed.
"""
from __future__ import annotations

import time
from typing import Iterator

from flinkfast.clients import kafka_consumer
from flinkfast.config import Config
from flinkfast.errors import TimedOut

SCAN_IDLE_S = 30   # a scan that receives nothing for this long while short of `end` gives up


def scan(cfg: Config, topic: str, partition: int, start: int, end: int) -> Iterator[tuple[int, int, int, int, bytes | None]]:
    """The committed records of topic/partition at offsets [start, end)."""
    from kafka import TopicPartition
    if end <= start:
        return
    tp = TopicPartition(topic, partition)
    consumer = kafka_consumer(cfg, role="job", group_id=None, isolation_level="read_committed",
                              auto_offset_reset="none", max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        consumer.assign([tp])
        consumer.seek(tp, start)
        last = time.monotonic()
        while consumer.position(tp) < end:
            batch = consumer.poll(timeout_ms=500).get(tp, [])
            for r in batch:
                if r.offset >= end:
                    return
                yield r.partition, r.offset, r.timestamp, r.timestamp_type, r.value
            if batch:
                last = time.monotonic()
            elif time.monotonic() - last > SCAN_IDLE_S:
                raise TimedOut(f"reading {topic}/{partition} stopped at offset {consumer.position(tp)} short of {end} "
                               f"for {SCAN_IDLE_S}s (an open transaction holds it?)")
    finally:
        consumer.close()
