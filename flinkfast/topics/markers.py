"""Offsets past the job's committed offset that held only transaction markers, seen before
retention or DeleteRecords cut them: no message was lost there.

The job commits "last record read + 1" (Flink's Kafka source), so when a transaction's commit
marker ends a partition, the group's committed offset stays on the marker. Once the log is cut at
its end, it starts past the committed offset, which looks like messages deleted unread -- but
what the cut range held can no longer be read, and a range of offsets is not a count of messages.

The rule: a gap is markers only when its range was *read before the cut* and held no committed
record. Whoever reads the range past the committed offset anyway -- `status` and reconcile's
wait (flinkfast/accounting/committed.py::behind, which asks whether a committed record is left)
-- writes down what it found: the range [committed, last stable offset) held only
markers, as an offset commit of a group of its own, `<group>.markers` (offset: the range's end;
metadata: the topic id and the range's start), which the job never touches. A gap inside such a
range is no loss: `lost`, `status` and reconcile do not report it as one; `submit` moves the
group past it. A gap nobody read before the
cut is reported as a loss as before: the rule never hides one, it can only leave a false one
standing when nothing looked at the partition in between (then `lost --record` records a range
that held only markers).

A range written down is signed (an HMAC keyed with the Kafka admin's password, which only the
operator's own tools hold): the job's principal may commit to any group named after the job's,
so with a leaked job's password a forged range would otherwise make a later real loss there
silent (found by review). A range without a valid signature is not honoured.
"""
from __future__ import annotations

import hashlib
import hmac

from flinkfast.config import Config

SUFFIX = ".markers"


def signature(key: str, topic: str, topic_id: str, partition: int, start: int, end: int) -> str:
    """The HMAC-SHA256 of one range seen to hold only markers (a pure step)."""
    text = f"{topic}|{topic_id}|{partition}|{start}|{end}"
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def metadata(key: str, topic: str, topic_id: str, partition: int, start: int, end: int) -> str:
    return f"{topic_id} {start} {signature(key, topic, topic_id, partition, start, end)}"


def parse(key: str, topic: str, topic_id: str, partition: int, end: int, text: str) -> tuple[int, int] | None:
    """The range [start, end) a commit's metadata vouches for, or None when it is not this
    generation's or its signature is not ours (forged, or written before ranges were signed)."""
    fields = (text or "").split(" ")
    if len(fields) != 3 or fields[0] != topic_id or not fields[1].isdigit():
        return None
    start = int(fields[1])
    if not hmac.compare_digest(fields[2], signature(key, topic, topic_id, partition, start, end)):
        return None
    return start, end


def side_group(group: str) -> str:
    """The group that keeps what was seen: a name beginning with the job's, under the job's ACLs."""
    return group + SUFFIX


def covers(seen: dict[int, tuple[int, int]], partition: int, first: int, end: int) -> bool:
    """Whether [first, end) lies inside a range seen to hold only markers: a pure step."""
    start, stop = seen.get(partition, (0, -1))
    return start <= first and end <= stop


def note(cfg: Config, topic: str, group: str, ranges: dict[int, tuple[int, int]], topic_id: str) -> None:
    """Write down that each [start, end) of these partitions held only markers (best effort: a
    broker that refuses it leaves such a gap reported as a loss, the safe side)."""
    from kafka import TopicPartition
    from kafka.errors import KafkaError
    from kafka.structs import OffsetAndMetadata

    from flinkfast.clients import kafka_consumer
    from flinkfast.errors import ConfigError
    if not ranges:
        return
    try:
        key = cfg.require("KAFKA_ADMIN_PASSWORD")
        consumer = kafka_consumer(cfg, role="job", group_id=side_group(group))
        try:
            # Read after the ranges were: a log cut past a range's start meanwhile may have made its
            # reader skip to the end (what it read is not the range), so such a range is not written.
            starts = consumer.beginning_offsets([TopicPartition(topic, p) for p in ranges])
            whole = {p: r for p, r in ranges.items() if starts[TopicPartition(topic, p)] <= r[0]}
            if whole:
                consumer.commit({TopicPartition(topic, p):
                                 OffsetAndMetadata(end, metadata(key, topic, topic_id, p, start, end), -1)
                                 for p, (start, end) in whole.items()})
        finally:
            consumer.close()
    except (KafkaError, OSError, ConfigError):
        pass


def seen(cfg: Config, topic: str, group: str, partitions, topic_id: str) -> dict[int, tuple[int, int]]:
    """The ranges written down for this generation of the topic (its topic id), per partition (none
    when the broker refuses the group: such gaps stay losses, the safe side)."""
    from kafka import TopicPartition
    from kafka.errors import KafkaError

    from flinkfast.clients import kafka_consumer
    from flinkfast.errors import ConfigError
    out: dict[int, tuple[int, int]] = {}
    try:
        key = cfg.require("KAFKA_ADMIN_PASSWORD")
    except ConfigError:
        return {}
    consumer = kafka_consumer(cfg, group_id=side_group(group))
    try:
        for p in partitions:
            found = consumer.committed(TopicPartition(topic, p), metadata=True)
            if found is None or found.offset < 0:
                continue
            vouched = parse(key, topic, topic_id, p, found.offset, found.metadata)
            if vouched:
                out[p] = vouched
    except KafkaError:
        return {}
    finally:
        consumer.close()
    return out
