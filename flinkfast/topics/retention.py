"""Messages deleted from the topic before the job read them (retention, DeleteRecords), as data:
which ranges are lost (a partition's log starts past the group's committed offset), how they are
worded, how many are recorded (lost_messages), and the one way the group's offsets are moved.
`flinkfast lost` (flinkfast/accounting/lost.py) is the command; reconcile, status and the dashboard read this.
"""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.config import Config
from flinkfast.pipeline.sqlfiles import query

REASON = "deleted from the topic before the job read it (retention or DeleteRecords)"


@dataclass(frozen=True)
class Loss:
    topic: str
    partition: int
    first_offset: int   # the group's committed offset: the first message the job never read
    end_offset: int     # the log start now: the first message still there (exclusive end)

    @property
    def count(self) -> int:
        return self.end_offset - self.first_offset

    @property
    def offsets(self) -> str:
        return f"{self.first_offset}-{self.end_offset - 1}"

    def line(self) -> str:
        return (f"partition {self.partition} of {self.topic}: offsets {self.offsets} ({self.count:,} messages) were "
                f"deleted before the job read them (retention or DeleteRecords), so the job stops with "
                f"OffsetOutOfRange: record the loss and go on with `flinkfast lost --record`")


def losses(topic: str, first: dict[int, int], committed: dict[int, int]) -> list[Loss]:
    """The ranges between a partition's committed offset and its log start, when the log starts later."""
    return [Loss(topic, p, committed[p], first[p]) for p in sorted(first) if p in committed and committed[p] < first[p]]


def commit(cfg: Config, offsets: dict[int, int], topic: str | None = None, group: str | None = None) -> None:
    """Set the group's committed offsets on these partitions (as the job's principal, whose group it is)."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata

    from flinkfast.clients import kafka_consumer
    if not offsets:
        return
    topic, group = topic or cfg.kafka_topic, group or cfg.kafka_group_id
    consumer = kafka_consumer(cfg, role="job", group_id=group, enable_auto_commit=False)
    try:  # never subscribes: commits as a simple group, as the Flink source does
        consumer.commit({TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in offsets.items()})
    finally:
        consumer.close()


def recorded(cur, topic: str) -> dict[int, int]:
    """Messages recorded lost per partition of the topic (lost_messages)."""
    cur.execute(query("lost/recorded.sql"), {"topic": topic})
    return dict(cur.fetchall())
