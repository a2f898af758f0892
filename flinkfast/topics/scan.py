"""Reading a partition range of the topic as the job reads it: committed records only.

An offset of a topic is a record, a transaction's control marker (commit or abort), or a record
of an aborted transaction. The job reads in read_committed (sql/flink/001_source_kafka.sql), so
only the first kind is ever placed; reconcile asks here which offsets those are, and the waits
ask whether any record is left before the last stable offset.

    for r in scan(cfg, topic, partition, first, upto): r.partition, r.offset, r.timestamp_ms,
                                                       r.timestamp_type, r.value
"""
from __future__ import annotations

import time
from typing import Iterator, NamedTuple

from flinkfast.clients import kafka_consumer
from flinkfast.config import Config
from flinkfast.errors import TimedOut, Unavailable

IDLE_S = 30          # a range whose records stop coming for this long is not waited for any more
POLL_MS = 500
# Kafka's TimestampType ids as the Flink source's 'timestamp-type' metadata spells them.
TIMESTAMP_TYPES = {-1: "NoTimestampType", 0: "CreateTime", 1: "LogAppendTime"}


class Record(NamedTuple):
    partition: int
    offset: int
    timestamp_ms: int
    timestamp_type: str   # LogAppendTime, CreateTime or NoTimestampType
    value: bytes | None


class LogCut(Unavailable):
    """The partition's log was cut (retention, DeleteRecords) past where a read began, while it read."""


def committed_consumer(cfg: Config, role: str = "monitor", strict: bool = False, **settings):
    """A consumer that sees what the job sees: committed records, end offsets at the last stable
    offset. strict: a position below the log's start is an error (LogCut), not a silent jump to
    the end, which would read nothing and look like a range without records (found by attack)."""
    if strict:
        settings["auto_offset_reset"] = "none"
    return kafka_consumer(cfg, role=role, isolation_level="read_committed", **settings)


def scan(cfg: Config, topic: str, partition: int, first: int, upto: int, role: str = "monitor",
         consumer=None, read: dict | None = None) -> Iterator[Record]:
    """The committed records of one partition with first <= offset < upto, in offset order. upto
    beyond the last stable offset is cut to it: what an open transaction holds is not read. With
    a strict consumer (the default one is), LogCut when the log starts past `first` by then.
    read: given, read["upto"] is set to where the range was cut (the last stable offset then) once
    every offset below it has been read: what a caller may judge, and no further."""
    from kafka import TopicPartition
    from kafka.errors import OffsetOutOfRangeError
    own = consumer is None
    consumer = consumer or committed_consumer(cfg, role, strict=True, max_partition_fetch_bytes=4 << 20)
    tp = TopicPartition(topic, partition)
    try:
        consumer.assign([tp])
        upto = min(upto, consumer.end_offsets([tp])[tp])
        if first >= upto:
            if read is not None:
                read["upto"] = first
            return
        consumer.seek(tp, first)
        idle_since = time.monotonic()
        while consumer.position(tp) < upto:
            try:
                batch = consumer.poll(timeout_ms=POLL_MS).get(tp, [])
            except OffsetOutOfRangeError:
                raise LogCut(f"the log of {topic}[{partition}] was cut past offset {first} (retention or "
                             f"DeleteRecords) while it was read; run the command again") from None
            if batch:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > IDLE_S:
                raise TimedOut(f"reading {topic}[{partition}] from offset {consumer.position(tp)} up to {upto}: "
                               f"nothing came for {IDLE_S}s; is Kafka at {cfg.kafka_bootstrap_servers} up?")
            for m in batch:
                if m.offset >= upto:
                    break
                yield Record(partition, m.offset, m.timestamp, TIMESTAMP_TYPES.get(m.timestamp_type, str(m.timestamp_type)),
                             m.value)
        if read is not None:
            read["upto"] = upto
    finally:
        if own:
            consumer.close()


def record_offsets(cfg: Config, topic: str, partition: int, first: int, upto: int) -> list[int]:
    """The offsets of the committed records in [first, upto): every other offset there is a
    control marker or a record of an aborted transaction."""
    return [r.offset for r in scan(cfg, topic, partition, first, upto)]


def first_record(cfg: Config, topic: str, partition: int, first: int, upto: int, consumer=None) -> int | None:
    """The offset of the first committed record in [first, upto), or None: nothing there but
    markers and aborted records (or nothing at all)."""
    return next((r.offset for r in scan(cfg, topic, partition, first, upto, consumer=consumer)), None)
