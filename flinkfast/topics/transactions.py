"""Open transactions that hold the topic: the job reads committed records only (read_committed), up
to each partition's last stable offset, so a transaction left open (its producer paused, hung, or
gone without aborting) holds every record after it undelivered -- the transactional producer's and
everyone else's -- until it is committed, aborted, or ended by the broker (transaction.timeout.ms,
at most transaction.max.timeout.ms: 15 min by default).

The lag `status` counts stops at the last stable offset, so such a stall would show as no lag.
`held` finds, per partition whose high watermark is past its last stable offset, the record at the
last stable offset: the first record of the oldest open transaction, whose timestamp (the broker's
append time: every topic of the project is LogAppendTime) says since when it is open. `problems_of`
says it, one line per partition, once it is older than HELD_S (health.py adds it to `status`).
"""
from __future__ import annotations

import time
from typing import NamedTuple

from flinkfast.config import Config

# A transaction open this long holds the records behind it undelivered: a stall, as health.STALL_S
# (30 s) is for a job that reads nothing. A producer's transactions normally last milliseconds to a
# few seconds; an exactly-once writer that commits at checkpoints (Flink's Kafka sink) holds each
# for its checkpoint interval, so a topic written that way with intervals over 30 s is said too.
HELD_S = 30


class Held(NamedTuple):
    partition: int
    stable: int          # the last stable offset: the open transaction's first record
    high: int            # the high watermark: offsets from `stable` on wait for the transaction
    since_ms: int        # the append time of that first record (-1: not read)


def held(cfg: Config, topic: str, partitions=None) -> list[Held]:
    """The partitions of the topic whose last stable offset is held by an open transaction."""
    from kafka import TopicPartition

    from flinkfast.clients import kafka_consumer
    from flinkfast.topics.scan import committed_consumer
    raw = kafka_consumer(cfg)   # read_uncommitted: its end offsets are the high watermarks; it reads open records
    try:
        tps = [TopicPartition(topic, p) for p in sorted(partitions or raw.partitions_for_topic(topic) or ())]
        high = raw.end_offsets(tps)
        stable_consumer = committed_consumer(cfg)
        try:
            stable = stable_consumer.end_offsets(tps)
        finally:
            stable_consumer.close()
        out = []
        for tp in tps:
            if high[tp] > stable[tp]:
                out.append(Held(tp.partition, stable[tp], high[tp], first_timestamp(raw, tp, stable[tp])))
        return out
    finally:
        raw.close()


def first_timestamp(consumer, tp, offset: int, timeout_s: float = 5) -> int:
    """The timestamp of the record at `offset` (read_uncommitted), -1 when none came in time."""
    consumer.assign([tp])
    consumer.seek(tp, offset)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for m in consumer.poll(timeout_ms=500).get(tp, []):
            if m.offset >= offset:
                return m.timestamp
    return -1


def problems_of(topic: str, found: list[Held], now_ms: int, bound_s: float = HELD_S) -> list[str]:
    """One line per partition an open transaction has held for more than bound_s: a pure step."""
    out = []
    for h in found:
        age_s = (now_ms - h.since_ms) / 1000
        if h.since_ms >= 0 and age_s <= bound_s:
            continue
        since = (time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(h.since_ms / 1000)) + f" ({age_s:.0f}s ago)"
                 if h.since_ms >= 0 else "an unknown time (its first record could not be read)")
        out.append(f"partition {h.partition} of {topic}: an open transaction, its first record at offset {h.stable}, "
                   f"has held the last stable offset since {since}: the job reads nothing of the partition past it "
                   f"({h.high - h.stable:,} offsets wait) until its producer commits or aborts it, or the broker "
                   f"ends it (transaction.timeout.ms); its producer is the one `kafka-transactions.sh --bootstrap-server "
                   f"... describe-producers --topic {topic} --partition {h.partition}` shows with "
                   f"CurrentTransactionStartOffset {h.stable}")
    return out


def problems(cfg: Config, topic: str | None = None) -> list[str]:
    """problems_of the topic as Kafka has it now."""
    topic = topic or cfg.kafka_topic
    return problems_of(topic, held(cfg, topic), int(time.time() * 1000), HELD_S)
