"""Messages deleted from the topic before the job read them (retention, DeleteRecords), as data:
which ranges are lost (a partition's log starts past the group's committed offset), how they are
worded, how many are recorded (lost_messages), and the one way the group's offsets are moved.
`flinkfast lost` (flinkfast/accounting/lost.py) is the command; reconcile, status and the dashboard read this.
"""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.config import Config
from flinkfast.pipeline.sqlfiles import query
from flinkfast.topics import markers

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
        return (f"partition {self.partition} of {self.topic}: offsets {self.offsets} ({self.count:,} message{'' if self.count == 1 else 's'}) were "
                f"deleted before the job read them (retention or DeleteRecords), so the job stops with "
                f"OffsetOutOfRange: record the loss and go on with `flinkfast lost --record`")


def start_offsets(first: dict[int, int], committed: dict[int, int],
                  placed: dict[int, int] | None = None) -> dict[int, int]:
    """Where the job starts on the partitions its group has never committed: a pure step.

    A partition the database placed (or recorded lost) messages of, though the group has no offset
    on it (the group's offsets expired, offsets.retention.minutes, while the pipeline was stopped;
    or an operator deleted the group): `placed`, the first offset the database has not seen
    (flinkfast/topics/placed.py), so what retention deleted since is a loss, named and recorded
    like any other, never skipped because the group forgot where it was.
    The first run (the group committed nothing on the topic and the database holds nothing of it):
    the log start. What was deleted before the pipeline ever read the topic was never the pipeline's.
    A partition added to a topic the group (or the database) already reads: offset 0, where its log
    began, so messages written to it and deleted before the job read them are a loss like any other
    (the job stops at the gap, `flinkfast lost` names it)."""
    placed = {p: o for p, o in (placed or {}).items() if o is not None}
    read_before = bool(committed) or bool(placed)
    return {p: placed.get(p, 0 if read_before else o) for p, o in first.items() if p not in committed}


def losses(topic: str, first: dict[int, int], committed: dict[int, int],
           seen: dict[int, tuple[int, int]] | None = None, placed: dict[int, int] | None = None) -> list[Loss]:
    """The ranges between a partition's committed offset (start_offsets' where it has none) and its
    log start, when the log starts later; but not those read before the cut and `seen` to hold only
    transaction markers (flinkfast/topics/markers.py): a pure step."""
    return [gap for gap in gaps(topic, first, committed, placed)
            if not markers.covers(seen or {}, gap.partition, gap.first_offset, gap.end_offset)]


def gaps(topic: str, first: dict[int, int], committed: dict[int, int],
         placed: dict[int, int] | None = None) -> list[Loss]:
    """Every range between where the job would start and the log start: losses and markers-only ones."""
    start = {**start_offsets(first, committed, placed), **committed}
    return [Loss(topic, p, start[p], first[p]) for p in sorted(first) if p in start and start[p] < first[p]]


def judge(cfg: Config, topic: str, group: str, first: dict[int, int], committed: dict[int, int],
          placed: dict[int, int] | None = None) -> tuple[list[Loss], list[Loss]]:
    """(losses, markers-only gaps) of the topic for the group: what was seen before the cut is read
    only when there is a gap at all. A partition the group has no offset on starts where the
    database's placing does (placed.starts_of_forgotten, read here unless given), as the next
    submission will: a group that forgot its offsets does not hide a gap."""
    from flinkfast.topics import generations, placed as database
    if placed is None:
        placed = database.starts_of_forgotten(cfg.replace(kafka_topic=topic), first, committed)
    found = gaps(topic, first, committed, placed)
    if not found:
        return [], []
    topic_id = generations.topic_id(cfg, topic)
    seen = markers.seen(cfg, topic, group, [g.partition for g in found], topic_id) if topic_id else {}
    lost = losses(topic, first, committed, seen, placed)
    return lost, [g for g in found if g not in lost]


def markers_line(gap: Loss) -> str:
    """A markers-only gap, one line: no message lost, but the job's position may still be on it."""
    return (f"partition {gap.partition} of {gap.topic}: offsets {gap.offsets} held only transaction markers, read "
            f"before retention or DeleteRecords cut them (no message lost), and the group's committed offset is "
            f"still on them: a restart of the job fails with OffsetOutOfRange; `flinkfast submit` moves it past")


def unplaced(loss: Loss, placed: set[int] | list[int]) -> list[Loss]:
    """The parts of a loss that hold no placed offset: a pure step. Offsets of the range that are
    placed were read and placed by the job, which stopped before the checkpoint that commits them
    (a cancel, a crash after a flush): they are in a table, so they are not lost, and recording
    them lost would count them twice."""
    out, start = [], loss.first_offset
    for o in sorted(o for o in placed if loss.first_offset <= o < loss.end_offset):
        if o > start:
            out.append(Loss(loss.topic, loss.partition, start, o))
        start = o + 1
    if start < loss.end_offset:
        out.append(Loss(loss.topic, loss.partition, start, loss.end_offset))
    return out


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


def placed_offsets(cur, topic: str, partition: int, first_offset: int, upto_offset: int) -> set[int]:
    """The offsets in [first_offset, upto_offset) of the partition placed in any of the three tables."""
    cur.execute(query("reconcile/placed_offsets.sql"), {"topic": topic, "partition": partition,
                                                        "first_offset": first_offset, "upto_offset": upto_offset})
    return {row[0] for row in cur.fetchall()}


def recorded(cur, topic: str) -> dict[int, int]:
    """Messages recorded lost per partition of the topic (lost_messages), less those a table holds
    after all (the records came back and a replay placed them: sql/lost/placed_in_lost.sql)."""
    cur.execute(query("lost/recorded.sql"), {"topic": topic})
    total = dict(cur.fetchall())
    cur.execute(query("lost/placed_in_lost.sql"), {"topic": topic})
    for partition, placed in cur.fetchall():
        total[partition] -= placed
    return total


def recorded_ranges(cur, topic: str, partition: int, first_offset: int, upto_offset: int) -> list[tuple[int, int]]:
    """The ranges [first, end) of the partition recorded lost that reach into [first_offset, upto_offset)."""
    cur.execute(query("lost/ranges.sql"), {"topic": topic, "partition": partition,
                                            "first_offset": first_offset, "upto_offset": upto_offset})
    return [(a, b) for a, b in cur.fetchall()]


def within(ranges: list[tuple[int, int]], offset: int) -> bool:
    """Whether the offset lies in one of the ranges [first, end): a pure step."""
    return any(a <= offset < b for a, b in ranges)
