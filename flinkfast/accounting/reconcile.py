"""Reconciliation: every message the job consumed from Kafka is in exactly one place.

For each partition of the topic, the offsets from the first one still in the log up to the
consumer group's committed offset (what the job has checkpointed as done) -- or up to the end
of the log with `to_end` -- must each be found exactly once in processed_events,
superseded_events or dead_letter_events. That holds by construction (sql/postgres/003_ingest.sql
places every message the sink writes, whatever flush, subtask or partition its uuid shares with
another), so anything else is a finding: an offset in no table is lost, one in two is doubled.
An offset is not always a message, though: a transaction's control marker or a record of an
aborted transaction is never placed (the job reads committed records only), so where the offsets
placed do not fill the range, it is read from Kafka (flinkfast.accounting.committed, read_committed) and
exactly its committed records are expected; an offset placed that holds none is a finding too.

More checks:
  - the winner rule: every superseded message lost to its uuid's row in processed_events, which
    must be greater by (Kafka timestamp, partition, offset, topic);
  - a partition that holds messages while the group has no committed offset for it has not been
    consumed at all: reported as such, never as "OK, 0 consumed";
  - a partition whose log starts past the group's committed offset lost messages the job never
    read (retention, DeleteRecords: flinkfast/accounting/lost.py): a finding, until `flinkfast lost --record`
    records them; recorded, they count as accounted for ("lost, recorded"), shown apart.

The topic's generations (flinkfast/topics/generations.py): the one checked (Kafka's topic id), the archived
ones with their rows, and "topic re-created" when Kafka's id is not the recorded one. With deep,
each placed row is compared with the message at its position (flinkfast/accounting/deep.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from flinkfast.accounting import committed as committed_records
from flinkfast.topics import generations, holes as topicholes, retention, scan as topicscan
from flinkfast.topics.scan import LogCut
from flinkfast.config import Config
from flinkfast.pipeline.sqlfiles import query
from flinkfast.errors import Unavailable
from flinkfast.clients import kafka_consumer, pg_connect as connect, wait_until

SHOWN = 10  # offsets listed per finding
CUT_RETRIES = 3  # reconciles again when the log was cut while it was read
METADATA_WAIT_S = 10  # how long a topic the broker does not list yet is waited for


@dataclass
class PartitionResult:
    partition: int
    first_offset: int
    upto_offset: int
    end_offset: int = 0
    committed: bool = True             # False: the group has no committed offset on this partition
    processed: int = 0
    superseded: int = 0
    dead_letters: int = 0
    doubled: int = 0
    missing: int = 0
    missing_offsets: list[int] = field(default_factory=list)
    wrong_winners: int = 0             # superseded messages that should have won
    wrong_winner_offsets: list[int] = field(default_factory=list)
    lost: str = ""                     # offsets deleted before the job read them, not recorded ("3-5")
    lost_count: int = 0
    lost_recorded: int = 0             # messages recorded lost (lost_messages): accounted for
    markers_cut: str = ""              # offsets past the committed one that held only markers, cut since ("3-3")
    records: int | None = None         # committed records in the range, when it was read (markers, aborts)
    stray: int = 0                     # placed offsets that hold no committed record (an aborted one)
    stray_offsets: list[int] = field(default_factory=list)
    lost_back: int = 0                 # recorded lost, read in the log again (a broker forgot the log start): no table holds them

    @property
    def consumed(self) -> int:
        """The messages to account for: every offset of the range, or its committed records when read."""
        return self.upto_offset - self.first_offset if self.records is None else self.records

    @property
    def not_records(self) -> int:
        """Offsets of the range that hold no committed record: control markers and aborted records."""
        return self.upto_offset - self.first_offset - self.consumed - self.lost_back

    @property
    def not_consumed(self) -> bool:
        """Messages on the partition and no committed offset: the job has not read it."""
        return not self.committed and self.end_offset > self.first_offset

    @property
    def ok(self) -> bool:
        return (self.missing == 0 and self.doubled == 0 and self.wrong_winners == 0 and self.stray == 0
                and not self.not_consumed and not self.lost_count)


@dataclass
class Result:
    topic: str
    group: str
    upto: str  # "committed" or "end"
    partitions: list[PartitionResult]
    topic_id: str | None = None            # Kafka's, now
    generations: list = field(default_factory=list)   # flinkfast.topics.generations.Generation, recorded
    deep: list | None = None               # flinkfast.accounting.deep.DeepPartition per partition, with --deep

    @property
    def recreated(self) -> bool:
        current = [g for g in self.generations if not g.archived]
        return bool(current) and self.topic_id is not None and current[0].topic_id != self.topic_id

    @property
    def ok(self) -> bool:
        return (all(p.ok for p in self.partitions) and not self.recreated
                and all(d.ok for d in self.deep or ()))

    def as_dict(self) -> dict:
        return {"topic": self.topic, "group": self.group, "upto": self.upto, "ok": self.ok,
                "partitions": [dict(vars(p), consumed=p.consumed, not_records=p.not_records, not_consumed=p.not_consumed,
                                    ok=p.ok)
                               for p in self.partitions],
                "topic_id": self.topic_id, "recreated": self.recreated,
                "generations": [vars(g) for g in self.generations],
                "deep": None if self.deep is None else [d.as_dict() for d in self.deep]}

    def text(self) -> str:
        lines = [f"Reconciliation of topic {self.topic} (group {self.group}, up to the {self.upto} offsets)",
                 f"  {'partition':>9} {'offsets':>17} {'consumed':>9} {'processed':>10} {'superseded':>11} "
                 f"{'dead':>6} {'missing':>8} {'doubled':>8}"]
        for p in self.partitions:
            notes = []
            if p.not_consumed:
                notes.append(f"NOT CONSUMED: {p.end_offset - p.first_offset:,} messages and no committed offset")
            if p.missing_offsets:
                notes.append(f"first missing: {p.missing_offsets}")
            if p.lost_count:
                notes.append(f"LOST: offsets {p.lost} deleted before the job read them: `flinkfast lost --record`")
            if p.markers_cut:
                notes.append(f"offsets {p.markers_cut} held only transaction markers, cut after they were read "
                             "(no message lost; `flinkfast submit` moves the group past them)")
            if p.lost_recorded:
                notes.append(f"{p.lost_recorded:,} lost, recorded (lost_messages)")
            if p.lost_back:
                notes.append(f"{p.lost_back:,} of them in the log again (a broker forgot the log start after a crash), "
                             "in no table: accounted for by their record")
            if p.wrong_winners:
                notes.append(f"{p.wrong_winners:,} superseded but greater than their uuid's row: {p.wrong_winner_offsets}")
            if p.not_records:
                notes.append(f"{p.not_records:,} offsets are transaction markers or aborted records")
            if p.stray:
                notes.append(f"{p.stray:,} placed but no committed record (aborted?): {p.stray_offsets}")
            lines.append(f"  {p.partition:>9} {f'{p.first_offset}-{p.upto_offset}':>17} {p.consumed:>9,} {p.processed:>10,} "
                         f"{p.superseded:>11,} {p.dead_letters:>6,} {p.missing:>8,} {p.doubled:>8,}"
                         + "".join(f"   {n}" for n in notes))
        lines += self.generation_lines()
        if self.deep is not None:
            from flinkfast.accounting import deep
            lines += deep.text(self.deep)
        total = sum(p.consumed for p in self.partitions)
        recorded = sum(p.lost_recorded for p in self.partitions)
        apart = f"; {recorded:,} lost, recorded (`flinkfast lost`)" if recorded else ""
        if self.ok:
            lines.append(f"OK: all {total:,} messages accounted for, each in exactly one place{apart}.")
        else:
            missing, doubled = sum(p.missing for p in self.partitions), sum(p.doubled for p in self.partitions)
            findings = [f"{missing:,} of {total:,} messages missing, {doubled:,} found twice"]
            wrong = sum(p.wrong_winners for p in self.partitions)
            if wrong:
                findings.append(f"{wrong:,} superseded by a lesser message")
            stray = sum(p.stray for p in self.partitions)
            if stray:
                findings.append(f"{stray:,} placed that Kafka holds as no committed record")
            idle = [str(p.partition) for p in self.partitions if p.not_consumed]
            if idle:
                findings.append(f"partition(s) {', '.join(idle)} not consumed (no committed offset)")
            deleted = [f"{p.partition}:{p.lost}" for p in self.partitions if p.lost_count]
            if deleted:
                findings.append(f"{sum(p.lost_count for p in self.partitions):,} deleted before the job read them "
                                f"({', '.join(deleted)}): `flinkfast lost --record` records them")
            if self.recreated:
                findings.append("topic re-created (run `flinkfast new-generation`)")
            strays, wrongs = sum(d.strays for d in self.deep or ()), sum(d.wrongs for d in self.deep or ())
            if strays or wrongs:
                findings.append(f"{strays:,} stray and {wrongs:,} wrong rows (--deep)")
            lines.append(f"GAP: {'; '.join(findings)}.")
        return "\n".join(lines)

    def generation_lines(self) -> list[str]:
        current = [g for g in self.generations if not g.archived]
        if not current:
            return [f"  generation: none recorded yet (Kafka's topic id {self.topic_id})"]
        lines = [f"  generation {current[0].generation} (topic id {current[0].topic_id}) checked"]
        if self.recreated:
            lines.append(f"  TOPIC RE-CREATED: Kafka's topic id is {self.topic_id}, not the recorded "
                         f"{current[0].topic_id}; its offsets started again: run `flinkfast new-generation`")
        lines += [f"  generation {g.generation} (topic id {g.topic_id}) archived as {self.topic}~{g.generation}: "
                  f"{g.rows:,} rows" for g in self.generations if g.archived]
        return lines


def kafka_offsets(cfg: Config, topic: str, group: str | None) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """(first offset, end offset, committed offset) per partition, from the broker. The end is the
    last stable offset, as the job sees it (read_committed): an open transaction's records and
    everything after them are not there yet. No group: no committed offsets ({})."""
    from kafka import TopicPartition
    from kafka.errors import KafkaError
    try:
        # group_id only to read the group's committed offsets: this consumer never subscribes,
        # so it does not join the group (the Flink source assigns partitions itself anyway).
        consumer = kafka_consumer(cfg, group_id=group, isolation_level="read_committed")
    except (KafkaError, OSError) as e:
        raise Unavailable(f"Kafka at {cfg.kafka_bootstrap_servers} is not reachable: {e}; is the stack up?") from None
    try:
        partitions = consumer.partitions_for_topic(topic)
        deadline = time.monotonic() + METADATA_WAIT_S
        while not partitions and time.monotonic() < deadline:  # a broker just (re)started knows no topic yet
            time.sleep(0.5)
            partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise Unavailable(f"topic {topic} does not exist on Kafka at {cfg.kafka_bootstrap_servers}")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        first = {tp.partition: o for tp, o in consumer.beginning_offsets(tps).items()}
        end = {tp.partition: o for tp, o in consumer.end_offsets(tps).items()}
        committed = {tp.partition: consumer.committed(tp) for tp in tps} if group else {}
        return first, end, {p: o for p, o in committed.items() if o is not None and o >= 0}
    finally:
        consumer.close()


def wait_drained(cfg: Config, topic: str, group: str, timeout: float) -> str | None:
    """Until the group's committed offsets cover every committed record up to the last stable
    offset of every partition (the job caught up and checkpointed), so that 'committed' covers
    everything produced and committed. Offsets behind the group's that hold only transaction
    markers or aborted records are not waited for (the job never commits past a marker it has
    no record after); neither is an open transaction, which holds the last stable offset: then
    one line says so, returned (None when there is none)."""
    behind: dict[int, int] = {}

    def caught_up() -> bool:
        behind.clear()
        behind.update(committed_records.behind(cfg, topic, *kafka_offsets(cfg, topic, group), group))
        return not behind

    wait_until(caught_up, timeout, lambda: f"group {group} is still {sum(behind.values()):,} offsets behind on "
                                           f"{topic} after {timeout:.0f}s; is the job running (Flink Web UI)?",
               interval=1)
    return open_transactions_note(cfg, topic)


def wait_placed(cfg: Config, topic: str, timeout: float) -> str | None:
    """Until every committed record up to the last stable offset of every partition is placed (in
    processed_events, superseded_events or dead_letter_events): what a check of the tables up to
    the end (`reconcile(..., to_end=True)`) needs, without waiting for the group's commit. Flink's
    Kafka reader commits a checkpoint's offsets only once its poll returns, and on a quiet topic
    that poll waits its whole 10 s (KafkaPartitionSplitReader.POLL_TIMEOUT; the commit task is
    queued behind it, SplitFetcher.enqueueTask wakes nothing): wait_drained takes 10-14 s where
    this one returns once the last row is in. Where the placed offsets do not fill a range
    (transaction markers, aborted records), what Kafka holds no record at is read once
    (flinkfast/topics/holes.py) and the database names the offsets no table holds. An open transaction is not waited for: one line says so, returned (None when none)."""
    unplaced: dict[int, int] = {}

    def all_placed() -> bool:
        first, end, _ = kafka_offsets(cfg, topic, None)
        unplaced.clear()
        topic_id = None
        with connect(cfg) as conn, conn.cursor() as cur:
            for p in sorted(end):
                params = {"topic": topic, "partition": p, "first_offset": first[p], "upto_offset": end[p]}
                cur.execute(query("reconcile/placed.sql"), params)
                distinct = cur.fetchone()[3]
                if distinct >= end[p] - first[p]:
                    continue
                topic_id = topic_id or generations.topic_id(cfg, topic)
                try:
                    holes = topicholes.offsets(cfg, topic, topic_id, p, first[p], end[p])
                except LogCut:          # cut while read: not known yet; the next poll reads the new first offsets
                    holes = set()
                _, left = committed_records.unplaced_records(cur, params, holes)
                if left:
                    unplaced[p] = len(left)
        return not unplaced

    wait_until(all_placed, timeout, lambda: f"{sum(unplaced.values()):,} committed records of {topic} are in no table "
                                            f"after {timeout:.0f}s; is the job running (Flink Web UI)?",
               interval=0.5)
    return open_transactions_note(cfg, topic)


def open_transactions_note(cfg: Config, topic: str) -> str | None:
    """One line when open transactions hold offsets beyond the last stable offset of the topic."""
    from kafka import TopicPartition
    consumer = kafka_consumer(cfg)  # read_uncommitted: its end offsets are the high watermarks
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        high = consumer.end_offsets(tps)
    finally:
        consumer.close()
    stable_consumer = topicscan.committed_consumer(cfg)
    try:
        stable = stable_consumer.end_offsets(tps)
    finally:
        stable_consumer.close()
    held = {tp.partition: high[tp] - stable[tp] for tp in tps if high[tp] > stable[tp]}
    if not held:
        return None
    return (f"not waited for: {sum(held.values()):,} offsets of {topic} held by open transactions "
            f"(partitions {', '.join(map(str, held))}), past the last stable offset; the job reads them once committed")


def reconcile(cfg: Config, topic: str | None = None, group: str | None = None, to_end: bool = False,
              deep: bool = False) -> Result:
    """The topic's partitions reconciled with the tables. A log cut by retention or DeleteRecords
    while Kafka is read (the first offsets read at the start are stale then) is reconciled again
    from the new first offsets, up to CUT_RETRIES times."""
    for attempt in range(CUT_RETRIES):
        try:
            return _reconcile(cfg, topic or cfg.kafka_topic, group or cfg.kafka_group_id, to_end, deep)
        except LogCut:
            if attempt == CUT_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _reconcile(cfg: Config, topic: str, group: str, to_end: bool, deep: bool) -> Result:
    first, end, committed = kafka_offsets(cfg, topic, group)
    upto = end if to_end else committed
    lost, only_markers = retention.judge(cfg, topic, group, first, committed)
    unrecorded = {loss.partition: loss for loss in lost}
    markers_cut = {gap.partition: gap for gap in only_markers}
    results = []
    topic_id = generations.topic_id(cfg, topic)
    with connect(cfg) as conn, conn.cursor() as cur:
        recorded = retention.recorded(cur, topic)
        for p in sorted(first):
            r = PartitionResult(p, first[p], max(first[p], upto.get(p, first[p])), end_offset=end[p],
                                committed=to_end or p in committed)
            params = {"topic": topic, "partition": p, "first_offset": r.first_offset, "upto_offset": r.upto_offset}
            cur.execute(query("reconcile/placed.sql"), params)
            r.processed, r.superseded, r.dead_letters, distinct, placements = cur.fetchone()
            r.doubled = placements - distinct
            if r.consumed > distinct:  # offsets unplaced: lost messages, or transaction markers / aborted records
                a = committed_records.account(cfg, cur, params, topic_id, stable=end[p])
                r.records, r.missing, r.missing_offsets = a.records, len(a.missing), a.missing[:SHOWN]
                r.stray, r.stray_offsets = len(a.stray), a.stray[:SHOWN]
                r.lost_back = a.back
            cur.execute(query("reconcile/wrong_winners.sql"), params)
            wrong = [row[0] for row in cur.fetchall()]
            r.wrong_winners, r.wrong_winner_offsets = len(wrong), wrong[:SHOWN]
            r.lost_recorded = recorded.get(p, 0)
            if p in unrecorded:
                r.lost, r.lost_count = unrecorded[p].offsets, unrecorded[p].count
            if p in markers_cut:
                r.markers_cut = markers_cut[p].offsets
            results.append(r)
        result = Result(topic, group, "end" if to_end else "committed", results)
        result.topic_id = topic_id
        result.generations = generations.describe(cur, topic)
        if deep:
            from flinkfast.accounting import deep as deep_check
            from flinkfast.clients import topic_config
            from flinkfast.topics.policy import CLEANUP_POLICY
            compacted = "compact" in (topic_config(cfg, topic, [CLEANUP_POLICY]).get(CLEANUP_POLICY) or "").split(",")
            result.deep = [deep_check.check_partition(cfg, cur, topic, p, first[p], end[p], compacted)
                           for p in sorted(first)]
    return result
