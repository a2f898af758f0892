"""Which offsets of a partition range hold committed records, and are they the ones placed?

A transactional producer leaves offsets that hold no record the job reads: one control marker
per partition and transaction, and the records of an aborted transaction. The job reads committed
records only, so those offsets are never placed, and a range of offsets is not a count of
messages. reconcile asks here only when the placed offsets do not fill the range (a range without
transactions is filled): then Kafka is read (flinkfast.topics.scan) and exactly its committed
records are expected. An offset placed that holds no committed record is stray: an aborted
record that reached a table. What a range holds is read from Kafka once per process and
remembered (flinkfast/topics/holes.py), so a reconcile of a long log reads only what is new.
"""
from __future__ import annotations

from dataclasses import dataclass

from flinkfast.config import Config
from flinkfast.pipeline.sqlfiles import query
from flinkfast.topics import holes as topicholes, retention
from flinkfast.topics import scan as topicscan


@dataclass
class Accounting:
    records: int            # committed records in the range, less those recorded lost (back)
    missing: list[int]      # record offsets in no table
    stray: list[int]        # placed offsets that hold no committed record
    back: int = 0           # offsets recorded lost, in the log again (a broker forgot the log start), in no table


def account(cfg: Config, cur, params: dict, topic_id: str | None = None, stable: int | None = None) -> Accounting:
    """params: topic, partition, first_offset, upto_offset (those of sql/reconcile/*.sql); stable:
    the partition's last stable offset, past which no offset holds a record yet (a row placed there
    is a stray, none is missing there). What Kafka holds no record at is read once per process
    (flinkfast/topics/holes.py, remembered by the topic's id); the database sends back only the
    offsets no table holds and which of those holes are placed, not every placed offset."""
    first, upto = params["first_offset"], params["upto_offset"]
    holes = topicholes.offsets(cfg, params["topic"], topic_id, params["partition"], first, upto)
    if stable is not None:   # past the last stable offset (the group committed past an open transaction): no record yet
        holes |= set(range(max(first, stable), upto))
    back, missing = unplaced_records(cur, params, holes)
    if missing:   # read again, not remembered: the only way a record can become a hole is compaction
        records = set(topicscan.record_offsets(cfg, params["topic"], params["partition"], missing[0], missing[-1] + 1))
        missing = [o for o in missing if o in records]
    cur.execute(query("reconcile/placed_among.sql"), {**params, "offsets": sorted(holes)})
    stray = [row[0] for row in cur.fetchall()]
    return Accounting(upto - first - len(holes) - len(back), missing, stray, len(back))


def unplaced_records(cur, params: dict, holes: set[int]) -> tuple[list[int], list[int]]:
    """The offsets of the range (params as account's) that no table holds and that are not holes,
    split in two: those inside a recorded loss (back in the log: accounted for by the record) and
    the rest (missing, unless Kafka no longer holds a record there). The database sends back only
    the unplaced offsets; what account() and wait_placed() both judge by."""
    cur.execute(query("reconcile/unplaced_offsets.sql"), params)
    unplaced = [row[0] for row in cur.fetchall() if row[0] not in holes]
    lost = retention.recorded_ranges(cur, params["topic"], params["partition"],
                                     params["first_offset"], params["upto_offset"])
    back = [o for o in unplaced if retention.within(lost, o)]
    missing = [o for o in unplaced if not retention.within(lost, o)]
    return back, missing


def behind(cfg: Config, topic: str, first: dict[int, int], end: dict[int, int],
           committed: dict[int, int], group: str | None = None) -> dict[int, int]:
    """Per partition, the offsets from the group's committed one (the log's first without one) to
    the end (the last stable offset) -- only where a committed record is among them: offsets that
    hold only transaction markers or aborted records are never read, so they are no lag (the job
    commits no offset past a marker it has no record after). One consumer reads the first record
    of each such partition, no more. With `group`, the ranges past its committed offsets found to
    hold only markers are written down (flinkfast/topics/markers.py): cut later by retention, they
    are no loss."""
    gaps = {p: (max(first[p], committed.get(p, first[p])), e) for p, e in end.items()
            if e > max(first[p], committed.get(p, first[p]))}
    if not gaps:
        return {}
    consumer = topicscan.committed_consumer(cfg)
    try:
        found = {p: topicscan.first_record(cfg, topic, p, c, e, consumer=consumer) for p, (c, e) in gaps.items()}
    finally:
        consumer.close()
    only_markers = {p: gaps[p] for p, record in found.items() if record is None and p in committed}
    if group and only_markers:
        from flinkfast.topics import generations, markers
        topic_id = generations.topic_id(cfg, topic)
        if topic_id:
            markers.note(cfg, topic, group, only_markers, topic_id)
    return {p: e - c for p, (c, e) in gaps.items() if found[p] is not None}
