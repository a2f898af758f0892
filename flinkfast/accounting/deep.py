"""`reconcile --deep`: each placed row against the message at its position in the topic.

Reconciliation counts positions; this reads the topic (read_committed, flinkfast/topics/scan.py)
and compares what each row says the message was with the message there: its fingerprint
(flinkfast/events/fingerprint.py) and, for a good event, its uuid. Findings, per partition:
  - stray: a row at a position where the topic holds no record (past its end, a control marker);
  - wrong: a row whose fingerprint or uuid is not the message's at its position (a forged row, or
    an old generation's row the topic's re-creation left under its name).
Rows at offsets the log no longer holds (retention) cannot be compared: counted as aged out; so
are, apart, rows inside the log of a compacted topic where the cleaner left no record: the topic
was compacted and the row cannot be verified, which is no finding (status names the compaction).
A NULL fingerprint (a row placed before fingerprints, or by the benchmark's peers) checks the uuid only.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from flinkfast.config import Config
from flinkfast.events.fingerprint import fingerprint
from flinkfast.pipeline.sqlfiles import query
from flinkfast.topics.scan import scan

SHOWN = 10


@dataclass
class DeepPartition:
    partition: int
    compared: int = 0
    aged_out: int = 0
    no_fingerprint: int = 0
    stray: list = field(default_factory=list)      # offsets (the first SHOWN)
    wrong: list = field(default_factory=list)      # "offset (table: why)" (the first SHOWN)
    strays: int = 0
    wrongs: int = 0
    compacted: int = 0                                  # rows where a compacted topic holds no record any more
    compacted_offsets: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.strays == 0 and self.wrongs == 0

    def as_dict(self) -> dict:
        return dict(asdict(self), ok=self.ok)


def uuid_of(value: bytes | None) -> str | None:
    """The top-level uuid of a JSON object message (None for anything else)."""
    try:
        doc = json.loads(value) if value is not None else None
    except ValueError:
        return None
    return doc.get("uuid") if isinstance(doc, dict) and isinstance(doc.get("uuid"), str) else None


def check_partition(cfg: Config, cur, topic: str, partition: int, first: int, end: int,
                    compacted: bool = False) -> DeepPartition:
    """compacted: the topic's cleanup.policy has compact now, so offsets inside the log may hold no
    record any more (the cleaner removed them)."""
    cur.execute(query("reconcile/deep_rows.sql"), {"topic": topic, "partition": partition})
    rows = cur.fetchall()
    wanted = [row for row in rows if row[0] >= first]
    if not wanted:
        return compare(partition, rows, first, end, {}, compacted)
    upto = min(end, max(row[0] for row in wanted) + 1)
    messages = {o: (fingerprint(v, ts), v) for _, o, ts, _, v in scan(cfg, topic, partition, first, upto)}
    return compare(partition, rows, first, end, messages, compacted)


def compare(partition: int, rows: list, first: int, end: int, messages: dict, compacted: bool) -> DeepPartition:
    """Each row (offset, table, uuid, fingerprint) against the message at its offset ({offset:
    (fingerprint, value)}, committed records of [first, end)): a pure step. A row inside the log
    where no record is left is stray -- unless the topic is compacted: then the cleaner may have
    removed the message (a superseded one, say), and the row cannot be verified, which is said as
    such, not as a wrong row."""
    r = DeepPartition(partition)
    wanted = [row for row in rows if row[0] >= first]
    r.aged_out = len(rows) - len(wanted)
    for offset, table, uuid, fp in wanted:
        msg = messages.get(offset)
        if msg is None and compacted and offset < end:
            r.compacted += 1
            if len(r.compacted_offsets) < SHOWN:
                r.compacted_offsets.append(offset)
            continue
        if msg is None:
            r.strays += 1
            if len(r.stray) < SHOWN:
                r.stray.append(offset)
            continue
        r.compared += 1
        why = []
        if fp is None:
            r.no_fingerprint += 1
        elif fp != msg[0]:
            why.append("another fingerprint")
        if uuid is not None and uuid != uuid_of(msg[1]):
            why.append(f"uuid {uuid!r}, the message's {uuid_of(msg[1])!r}")
        if why:
            r.wrongs += 1
            if len(r.wrong) < SHOWN:
                r.wrong.append(f"{offset} ({table}: {', '.join(why)})")
    return r


def text(parts: list[DeepPartition]) -> list[str]:
    lines = []
    for p in parts:
        notes = []
        if p.strays:
            notes.append(f"{p.strays:,} stray (no message there): {p.stray}")
        if p.wrongs:
            notes.append(f"{p.wrongs:,} wrong (another message there): {p.wrong}")
        if p.compacted:
            notes.append(f"{p.compacted:,} at offsets the log cleaner removed (the topic is compacted, "
                         f"cleanup.policy=compact): cannot be verified, {p.compacted_offsets}")
        if p.aged_out:
            notes.append(f"{p.aged_out:,} before the log's start (not compared)")
        if p.no_fingerprint:
            notes.append(f"{p.no_fingerprint:,} without fingerprint (uuid compared only)")
        lines.append(f"  deep {p.partition:>4}: {p.compared:,} rows compared with their messages"
                     + "".join(f"; {n}" for n in notes))
    return lines
