"""Reconciliation: every message the job consumed from Kafka is in exactly one place.

For each partition of the topic, the offsets from the first one still in the log up to the
consumer group's committed offset (what the job has checkpointed as done) — or up to the end
of the log with `to_end` — must each be found once in processed_events, superseded_events or
dead_letter_events. One found twice is a double count.

An offset found in none of them is read back from Kafka: if its uuid's row came from a later
offset of the same partition, the message was replaced inside one sink batch (the JDBC sink
keeps only the last row per key in its buffer, so the database never saw the first) and counts
as superseded. Anything else is a lost message.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from flinkfast.config import SQL_DIR, Config
from flinkfast.errors import Unavailable
from flinkfast.clients import kafka_consumer, pg_connect as connect, wait_until

PLACED = (SQL_DIR / "reconcile" / "placed.sql").read_text
MISSING = (SQL_DIR / "reconcile" / "missing.sql").read_text
REPLACED_BY = (SQL_DIR / "reconcile" / "replaced_by.sql").read_text


@dataclass
class PartitionResult:
    partition: int
    first_offset: int
    upto_offset: int
    processed: int = 0
    superseded: int = 0
    replaced_in_batch: int = 0
    dead_letters: int = 0
    doubled: int = 0
    missing: int = 0
    missing_offsets: list[int] = field(default_factory=list)

    @property
    def consumed(self) -> int:
        return self.upto_offset - self.first_offset

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.doubled == 0


@dataclass
class Result:
    topic: str
    group: str
    upto: str  # "committed" or "end"
    partitions: list[PartitionResult]

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.partitions)

    def as_dict(self) -> dict:
        return {"topic": self.topic, "group": self.group, "upto": self.upto, "ok": self.ok,
                "partitions": [dict(vars(p), consumed=p.consumed, ok=p.ok) for p in self.partitions]}

    def text(self) -> str:
        lines = [f"Reconciliation of topic {self.topic} (group {self.group}, up to the {self.upto} offsets)",
                 f"  {'partition':>9} {'offsets':>17} {'consumed':>9} {'processed':>10} {'superseded':>11} "
                 f"{'dead':>6} {'missing':>8} {'doubled':>8}"]
        # superseded = replaced by a later message with the same uuid (recorded by the database,
        # or replaced inside one sink batch and found by reading the message back from Kafka)
        for p in self.partitions:
            lines.append(f"  {p.partition:>9} {f'{p.first_offset}-{p.upto_offset}':>17} {p.consumed:>9,} {p.processed:>10,} "
                         f"{p.superseded + p.replaced_in_batch:>11,} {p.dead_letters:>6,} {p.missing:>8,} {p.doubled:>8,}"
                         + (f"   first missing: {p.missing_offsets}" if p.missing_offsets else ""))
        total = sum(p.consumed for p in self.partitions)
        if self.ok:
            lines.append(f"OK: all {total:,} messages accounted for, each in exactly one place.")
        else:
            missing, doubled = sum(p.missing for p in self.partitions), sum(p.doubled for p in self.partitions)
            lines.append(f"GAP: {missing:,} of {total:,} messages missing, {doubled:,} found twice.")
        return "\n".join(lines)


def kafka_offsets(cfg: Config, topic: str, group: str) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """(first offset, end offset, committed offset) per partition, from the broker."""
    from kafka import TopicPartition
    from kafka.errors import KafkaError
    try:
        # group_id only to read the group's committed offsets: this consumer never subscribes,
        # so it does not join the group (the Flink source assigns partitions itself anyway).
        consumer = kafka_consumer(cfg, group_id=group)
    except (KafkaError, OSError) as e:
        raise Unavailable(f"Kafka at {cfg.kafka_bootstrap_servers} is not reachable: {e}; is the stack up?") from None
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise Unavailable(f"topic {topic} does not exist on Kafka at {cfg.kafka_bootstrap_servers}")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        first = {tp.partition: o for tp, o in consumer.beginning_offsets(tps).items()}
        end = {tp.partition: o for tp, o in consumer.end_offsets(tps).items()}
        committed = {tp.partition: consumer.committed(tp) for tp in tps}
        return first, end, {p: o for p, o in committed.items() if o is not None and o >= 0}
    finally:
        consumer.close()


def wait_drained(cfg: Config, topic: str, group: str, timeout: float) -> None:
    """Until the group's committed offsets reach the end of every partition (the job caught up
    and checkpointed), so that 'committed' covers everything produced."""
    behind: dict[int, int] = {}

    def caught_up() -> bool:
        _, end, committed = kafka_offsets(cfg, topic, group)
        behind.clear()
        behind.update({p: e - committed.get(p, 0) for p, e in end.items() if committed.get(p, 0) < e})
        return not behind

    wait_until(caught_up, timeout, lambda: f"group {group} is still {sum(behind.values()):,} messages behind on "
                                           f"{topic} after {timeout:.0f}s; is the job running (Flink Web UI)?",
               interval=1)


def read_uuids(cfg: Config, topic: str, partition: int, offsets: list[int]) -> dict[int, str | None]:
    """The uuid in the payload of each message at these offsets (None: unreadable or not JSON)."""
    from kafka import TopicPartition
    wanted, found = set(offsets), {}
    tp = TopicPartition(topic, partition)
    consumer = kafka_consumer(cfg)
    try:
        consumer.assign([tp])
        consumer.seek(tp, min(offsets))
        deadline = time.monotonic() + 60
        while len(found) < len(wanted) and time.monotonic() < deadline:
            for record in consumer.poll(timeout_ms=1000).get(tp, []):
                if record.offset in wanted:
                    try:
                        found[record.offset] = json.loads(record.value)["uuid"]
                    except (TypeError, ValueError, KeyError):
                        found[record.offset] = None
                if record.offset >= max(offsets):
                    break
            else:
                continue
            break
    finally:
        consumer.close()
    return found


def _explain(cfg: Config, cur, topic: str, partition: int, unplaced: list[int]) -> list[int]:
    """The unplaced offsets that are really lost (not replaced by a later message in-batch)."""
    if not unplaced:
        return []
    uuids = read_uuids(cfg, topic, partition, unplaced)
    cur.execute(REPLACED_BY(), {"uuids": [u for u in uuids.values() if u]})
    row_from = {uuid: (t, p, o) for uuid, t, p, o in cur.fetchall()}
    lost = []
    for offset in unplaced:
        origin = row_from.get(uuids.get(offset))
        if not (origin and origin[0] == topic and origin[1] == partition and origin[2] > offset):
            lost.append(offset)
    return lost


def reconcile(cfg: Config, topic: str | None = None, group: str | None = None, to_end: bool = False) -> Result:
    topic = topic or cfg.kafka_topic
    group = group or cfg.kafka_group_id
    first, end, committed = kafka_offsets(cfg, topic, group)
    if not to_end and not committed:
        raise Unavailable(f"consumer group {group} has no committed offsets on topic {topic}: the job has not "
                          "completed a checkpoint yet (or use --to-end once it has caught up)")
    upto = end if to_end else committed
    results = []
    with connect(cfg) as conn, conn.cursor() as cur:
        for p in sorted(first):
            r = PartitionResult(p, first[p], max(first[p], upto.get(p, first[p])))
            params = {"topic": topic, "partition": p, "first_offset": r.first_offset, "upto_offset": r.upto_offset}
            cur.execute(PLACED(), params)
            r.processed, r.superseded, r.dead_letters, distinct, placements = cur.fetchone()
            r.doubled = placements - distinct
            if r.consumed > distinct:
                cur.execute(MISSING(), params)
                unplaced = [row[0] for row in cur.fetchall()]
                lost = _explain(cfg, cur, topic, p, unplaced)
                r.replaced_in_batch = len(unplaced) - len(lost)
                r.missing = len(lost)
                r.missing_offsets = lost[:10]
            results.append(r)
    return Result(topic, group, "end" if to_end else "committed", results)
