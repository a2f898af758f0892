"""The chaos kit shared by the gauntlet (tests/e2e/test_gauntlet_e2e.py, `make test`) and the random
walk (tests/e2e/test_chaos_e2e.py, `make chaos`): a run of the real pipeline under a background load
(flinkfast/ops/load.py), the faults (FAULTS: one entry each), and the checker.

The checker compares the database with what the one placement model (tests/oracle.py Placement,
the placing test's too) makes of every message Kafka acknowledged, taken as the broker
acknowledged it (its partition, offset and timestamp: the append time on a LogAppendTime topic),
in every generation of the topic (a re-created topic's old generation under '<topic>~N', as
`flinkfast new-generation` archived it: one uuid's winner chosen across generations):
  - processed_events: per uuid exactly the model's winner, with its CONTENT (first_name,
    last_name, country, age, its Kafka position and timestamp), not only its position;
  - superseded_events: every other good message, with its uuid and timestamp;
  - dead_letter_events: every bad or skipped message, with the oracle's reason and its size;
  - reconcile OK, every consumed position acknowledged by us (nothing doubled, nothing unknown);
  - no negative stage latency where the broker's clock decides; the job RUNNING, status' verdict.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from flinkfast.accounting import health, reconcile, report
from flinkfast.pipeline import flinkrest, skip
from flinkfast.topics import scan as topicscan
from flinkfast.clients import kafka_consumer, wait_until
from flinkfast.ops import faults
from flinkfast.ops.load import Load
from tests.helpers import UNRESET, send_records, stopped_unreset
from tests.oracle import Placed, Placement, Row, classify, fingerprint

DRAIN_S = 300
# A pause of the load waits this long for its sends in flight: after Kafka's kill -9 those sent to
# the killed broker are never answered, and the producer's own bound (flush 40 s, close 10 s) held
# the check after it 50 s. One that landed all the same is read from the topic (unacknowledged).
SETTLE_S = 5
SKIPPED = "skipped by operator"
RECREATED = "holds another message than the one placed there: the topic was re-created or rewound"
BAD = [b"not JSON", b"", None, b"{\"uuid\": 1}", b"x" * 100_000, b"\xff\xfe"]


@dataclass
class Message:
    partition: int
    offset: int
    ts: int
    value: bytes | None
    asked_ts: int | None = None


@dataclass
class OldGeneration:
    """A re-created topic's old generation, as the model knows it: archived under `topic`
    ('<topic>~N'), what Kafka acknowledged there (less what was deleted before the job read it),
    the positions skipped, how many were recorded lost (retention) and how many went with the old
    topic unread."""
    topic: str
    messages: dict[tuple[int, int], Message]
    skipped: set[tuple[int, int]]
    recorded_lost: int
    gone_unread: int


class Run:
    """The pipeline under test: the stack, the job (submitted, resubmitted), the load, the model's input."""

    def __init__(self, stack, cfg, submit: Callable, rate: int, log: Callable[[str], None] = print):
        self.stack, self.cfg, self.submit_job, self.log = stack, cfg, submit, log
        self.skips = ""
        self.skipped: set[tuple[int, int]] = set()
        self.lost: set[tuple[int, int]] = set()   # deleted before the job read them, recorded lost
        self.extra: list[Message] = []          # sent by the run itself (bad messages)
        self.old: list[OldGeneration] = []      # the topic's archived generations (a re-creation)
        self.since = 0                          # the load's first message of the current generation
        self.drawn: list[str] = []
        self.faults: Counter = Counter()
        # What the check would otherwise redo for every message at every step (its cost grew with
        # the walk): the current generation's load messages by position, read once each, and each
        # message's classification (a message at a position of a generation never changes).
        self._loaded: dict[tuple[int, int], Message] = {}
        self._read = 0
        self.classified: dict[tuple, Any] = {}
        self.job_id = self.submit_job(self.job_cfg())
        # A fresh seed for the load's uuids: processed_events is keyed by uuid across topics, so a
        # uuid of an earlier run on the same database (stamped ahead) would win over this run's.
        self.load = Load(cfg, rate, seed=None, repeat=0.25, skew_ms=120_000, settle_s=SETTLE_S).start()

    def job_cfg(self):
        return self.cfg.replace(skip_messages=self.skips)

    def messages(self) -> dict[tuple[int, int], Message]:
        """The current generation's acknowledged messages by position, less those recorded lost."""
        acked = self.load.messages
        end = len(acked)
        for m in acked[max(self._read, self.since):end]:
            self._loaded[(m.partition, m.offset)] = Message(m.partition, m.offset, m.timestamp_ms, m.value, m.asked_ts_ms)
        self._read = end
        out = dict(self._loaded)
        out.update({(m.partition, m.offset): m for m in self.extra})
        for pos in self.lost:
            out.pop(pos, None)
        return out

    def new_generation(self) -> dict[tuple[int, int], Message]:
        """The topic is gone (deleted): what it held is the old generation from now on, and the
        load's messages from here on are the new one's. The old generation's messages (what the
        model knew of it)."""
        old = self.messages()
        self.since, self.extra, self._loaded = len(self.load.messages), [], {}
        return old

    def read_again(self, first: dict[int, int]) -> int:
        """A replay from the log's start reads what the log holds, recorded lost or not: a broker
        killed within a minute of a DeleteRecords forgets the new log start (Kafka checkpoints it
        once a minute), so deleted messages can be there again (found by this walk, seed
        1856845980). Those the load acknowledged are expected placed from now on; how many."""
        self.messages()                       # the load's messages read so far
        known = set(self._loaded) | {(m.partition, m.offset) for m in self.extra}
        back = {pos for pos in self.lost if pos[1] >= first.get(pos[0], pos[1] + 1) and pos in known}
        self.lost -= back
        return len(back)

    def send_bad(self, rnd) -> int:
        values = [rnd.choice(BAD) for _ in range(rnd.randint(2, 6))]
        acked = send_records(self.cfg, [(v, rnd.randrange(self.cfg.kafka_partitions), None) for v in values])
        self.extra += [Message(p, o, ts, v) for (p, o, ts), v in zip(acked, values)]
        return len(values)

    def cancel(self) -> None:
        flinkrest.cancel(self.cfg, self.job_id)
        h = health.job_health(self.cfg)
        assert not h.ok and any("CANCELED" in p for p in h.problems), f"status with the job cancelled: {h.problems}"

    def flowing(self, seconds: float = 2) -> None:
        """Until the load has sent for a while (a fault strikes while events flow)."""
        n = len(self.load.messages)
        wait_until(lambda: len(self.load.messages) > n, 60, "the load sending again", interval=0.2)
        time.sleep(seconds)


# ----------------------------------------------------------------------------- the faults
# One entry each: a name, strike(run) -> (what happened, a recovery or None) that does it while
# events flow, and what the model does about it (`model`, said in the printout; a fault that
# changes what the model expects does it in strike, e.g. skip marks its position). `needs`: a
# function of flinkfast/ops/faults.py the fault calls; while it does not exist the fault is
# skipped with a printed note.

@dataclass(frozen=True)
class Fault:
    name: str
    strike: Callable[[Run], tuple[str, Callable[[], None] | None]]
    model: str = "unchanged: every message placed as if nothing happened"
    job_control: bool = False     # uses the JobManager's REST: never while another fault recovers
    touches: str | None = None    # the service it needs running (two faults overlap only on two services)
    needs: str | None = None

    def available(self) -> bool:
        return self.needs is None or hasattr(faults, self.needs)


def _crash(name: str, then: Callable[[Run], None] | None = None):
    def strike(run: Run):
        pid = faults.crash(run.stack, name)

        def recover():
            faults.recovered(run.stack, name, pid)
            if then:
                then(run)
        return f"kill -9 {name} (pid {pid})", recover
    return strike


def _job_back(run: Run) -> None:
    wait_until(lambda: any(j["jid"] == run.job_id for j in flinkrest.running_jobs(run.cfg)), 180,
               "the job recovered by the new JobManager (HA)")


def _cut(run: Run):
    return f"{faults.cut_sessions(run.cfg, run.cfg.flink_db_user)} sink sessions cut", None


def _pause(run: Run):
    pid = faults.pause(run.stack.service("taskmanager"), 5)
    return f"SIGSTOP taskmanager (pid {pid}) 5 s, SIGCONT", None


def _cancel_resubmit(run: Run):
    run.cancel()
    run.job_id = run.submit_job(run.job_cfg())
    return "cancel behind the job's back (status says CANCELED), resubmit", None


def _full_replay(run: Run):
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata
    run.cancel()
    first, _, _ = reconcile.kafka_offsets(run.cfg, run.cfg.kafka_topic, run.cfg.kafka_group_id)
    committer = kafka_consumer(run.cfg, role="job", group_id=run.cfg.kafka_group_id)
    try:
        committer.commit({TopicPartition(run.cfg.kafka_topic, p): OffsetAndMetadata(o, "", -1) for p, o in first.items()})
    finally:
        committer.close()
    back = run.read_again(first)
    run.job_id = run.submit_job(run.job_cfg())
    return (f"full replay from the beginning ({len(run.messages())} messages so far"
            f"{f', {back} of them recorded lost and in the log again' if back else ''})"), None


def _skip(run: Run):
    run.cancel()   # as if the job had stopped at a message it cannot process
    n = len(run.load.messages)   # acknowledged after the cancel: the stopped job cannot have read them
    wait_until(lambda: len(run.load.messages) > n, 60, "a message sent after the cancel", interval=0.2)
    m = run.load.messages[n]
    run.job_id, run.skips = skip.skip(run.job_cfg(), [(m.partition, m.offset)])
    run.skipped.add((m.partition, m.offset))
    return f"skip {m.partition}:{m.offset} (the job stopped, resubmitted with it skipped)", None


def _abort(run: Run):
    """A transactional producer writes, then aborts: events of fresh uuids and of uuids placed
    already, stamped later (had they been read, they would win), over every partition."""
    import json
    import random
    import uuid
    from tests.helpers import event
    rnd = random.Random(len(run.load.messages))
    placed = []
    for m in list(run.load.messages)[-50:]:
        try:
            placed.append(json.loads(m.value)["uuid"])
        except (TypeError, ValueError, KeyError):
            pass
    uuids = rnd.sample(placed, min(3, len(placed))) + [f"aborted-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    n = faults.abort_transaction(run.cfg, [(event(u, first_name="aborted"), rnd.randrange(run.cfg.kafka_partitions))
                                           for u in uuids])
    return f"a transaction of {n} records aborted ({len(uuids) - 3} of them repeating placed uuids)", None


def _retention(run: Run):
    """The job stopped (cancelled) while events flow; then every partition's log is cut at its end
    (what retention does to a stopped job's backlog): the messages acknowledged after the last
    commit and not placed when the job stopped are deleted unread. The resubmitted job would stop
    at the gap; `lost --record` records it and goes on."""
    from flinkfast.accounting import lost
    run.cancel()
    n = len(run.load.messages)
    wait_until(lambda: len(run.load.messages) > n + 10, 60, "messages sent after the cancel", interval=0.2)
    cfg = run.cfg
    _, end, _ = reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    placed = {(r["kafka_partition"], r["kafka_offset"]) for rows in tables(cfg).values() for r in rows
              if r["kafka_topic"] == cfg.kafka_topic}
    faults.delete_records(cfg, end)
    found = lost.found(cfg)
    assert found, "records deleted before the job read them, and `flinkfast lost` finds nothing"
    run.job_id, recorded = lost.record(run.job_cfg(), resubmit=run.submit_job)
    gone = {(loss.partition, o) for loss in recorded for o in range(loss.first_offset, loss.end_offset)}
    run.lost |= gone - placed          # a message placed before the job stopped is placed, deleted or not
    return (f"DeleteRecords up to the end of every partition: {len(gone - placed)} messages deleted unread "
            f"({', '.join(f'{x.partition}:{x.first_offset}-{x.end_offset - 1}' for x in recorded)}), "
            f"`lost --record`, resubmitted"), None


def _recreate(run: Run):
    """An operator deletes the topic while the load sends and creates it again under its name (a new
    topic id, offsets from 0). The documented path (docs/guarantees.md): the job stops on one line,
    status names the re-creation, `flinkfast new-generation` archives the old generation's rows as
    '<topic>~N' and sets the group to the start of the new one; the job is resubmitted. What the
    old topic held and the job had not placed when it stopped went with it: no table holds it."""
    from flinkfast.topics import newgeneration
    cfg = run.cfg
    old: dict = {}
    errors = len(run.load.errors)
    old_id, new_id = faults.recreate_topic(cfg, on_deleted=lambda: old.update(run.new_generation()))
    job = run.job_id

    def stopped():
        line, _ = flinkrest.last_failure(cfg, job)
        return stopped_unreset(line, RECREATED)
    line = wait_until(stopped, 180, "the job's failure at the re-created topic")
    said = [p for p in health.job_health(cfg).problems if f"topic {cfg.kafka_topic} was re-created" in p]
    assert said and "flinkfast new-generation" in said[0], f"status on a re-created topic: {said}"
    # What the old generation placed, read by the kit itself (not from what new-generation archives):
    # the job stopped for good, each row under the topic's name that holds its old message.
    if flinkrest.rest(cfg, f"/jobs/{job}")["state"] not in flinkrest.ENDED:
        flinkrest.cancel(cfg, job)
    placed = {(r["kafka_partition"], r["kafka_offset"]) for rows in tables(cfg, cfg.kafka_topic).values() for r in rows
              if (r["kafka_partition"], r["kafka_offset"]) in old
              and r["fingerprint"] == fingerprint(old[r["kafka_partition"], r["kafka_offset"]].value,
                                                  old[r["kafka_partition"], r["kafka_offset"]].ts)}
    skipped, run.skipped, run.skips = run.skipped, set(), ""   # SKIP_MESSAGES named the old generation's positions
    archived, moved, _ = newgeneration.new_generation(run.job_cfg(), resubmit=False)
    gone = set(old) - placed
    run.old.append(OldGeneration(archived, {pos: m for pos, m in old.items() if pos in placed}, skipped,
                                 len(run.lost), len(gone)))
    run.lost = set()
    run.job_id = run.submit_job(run.job_cfg())
    failed = run.load.errors[errors:]
    return (f"topic deleted and re-created (id {old_id} -> {new_id}) while the load sent "
            f"({len(failed)} of its producers gave up{': ' + failed[0] if failed else ''}); the job stopped "
            f"({'the placing refused' if RECREATED in line else next(u for u in UNRESET if u in line)}); `new-generation` archived "
            f"{moved} rows as {archived}, {len(gone)} acknowledged messages went with the old topic unread; "
            f"resubmitted"), None


FAULTS = {f.name: f for f in [
    Fault("kill_taskmanager", _crash("taskmanager"), "unchanged: the job restarts from its last checkpoint",
          touches="taskmanager"),
    Fault("cut_sink_sessions", _cut, "unchanged: the sink retries on a new connection", touches="postgres"),
    Fault("pause_taskmanager", _pause, "unchanged: the paused writer goes on where it stopped",
          touches="taskmanager"),
    Fault("kill_postgres", _crash("postgres"), "unchanged: the sink fails over until PostgreSQL is back",
          touches="postgres"),
    Fault("kill_kafka", _crash("kafka"), "unchanged: the source reconnects, the load's sends are retried",
          touches="kafka"),
    Fault("kill_jobmanager", _crash("jobmanager", _job_back), "unchanged: HA recovers the job",
          touches="jobmanager"),
    Fault("cancel_resubmit", _cancel_resubmit, "unchanged: the resubmitted job resumes from the group's offsets",
          job_control=True),
    Fault("full_replay", _full_replay, "unchanged: a replay places nothing anew", job_control=True),
    Fault("skip", _skip, "the skipped position is a dead letter ('skipped by operator'), not its uuid's",
          job_control=True),
    Fault("retention_deletion", _retention,
          "the messages deleted unread are recorded losses, in no table", job_control=True),
    Fault("topic_recreation", _recreate,
          "a new generation: the old one's rows relabelled '<topic>~N', the new messages placed as themselves, "
          "one uuid's winner across both; what the old topic held unread went with it", job_control=True,
          needs="recreate_topic"),
    Fault("aborted_transaction", _abort,
          "the aborted records are never placed; their offsets and the marker are no gap", touches="kafka"),
]}


# ----------------------------------------------------------------------------- the checker

@dataclass
class Checked:
    messages: int
    processed: int
    superseded: int
    dead_letters: int
    across: int = 0   # superseded rows of an archived generation whose uuid's winner is a newer generation's


def expected(run: Run) -> tuple[dict, dict, dict]:
    """(uuid -> the winner's row content, superseded (topic, partition, offset) -> (uuid, ts), dead-letter
    (topic, partition, offset) -> (reason, size)), as the one placement model puts the acknowledged
    messages of every generation (an old one under its archived name)."""
    cfg = run.cfg
    model = Placement()
    generations = [(g.topic, g.messages, g.skipped) for g in run.old] + [(cfg.kafka_topic, run.messages(), run.skipped)]
    for number, (topic, messages, skipped) in enumerate(generations):
        for pos, m in messages.items():
            key = (number, *pos, m.ts, m.value)   # the message itself: one position of one generation
            if key not in run.classified:
                run.classified[key] = classify(m.value, m.ts, cfg.max_event_chars)
            what = SKIPPED if pos in skipped else run.classified[key]
            model.place(Placed((topic, m.partition, m.offset), m.ts, what.uuid if isinstance(what, Row) else None, (m, what)))
    winners, superseded, dead = model.expected()
    rows = {u: (w.what[1].first_name, w.what[1].last_name, w.what[1].country, w.what[1].age, *w.pos, w.kafka_ts_ms)
            for u, w in winners.items()}
    return (rows, {pos: (p.uuid, p.kafka_ts_ms) for pos, p in superseded.items()},
            {pos: (d.what[1], None if d.what[0].value is None else len(d.what[0].value)) for pos, d in dead.items()})


def check(run: Run, final: bool = False, committed: bool = True) -> Checked:
    """The load paused, the job caught up: every acknowledged message where the model puts it,
    with its content. final: also no restart loop (a failure after the job caught up).
    committed (always when final): the job has read and checkpointed up to the end (the group's
    commit), so what it re-reads (a replay: rows placed already) is read again before the check;
    without, every record placed is enough (the commit lags the last row by Flink's 10 s poll on
    a quiet topic: reconcile.wait_placed), and the tables are reconciled up to the end of the log.
    Either way every later check, and the final one with the commit, checks the whole tables again."""
    cfg = run.cfg
    run.load.pause()
    try:
        flinkrest.wait_running(cfg, run.job_id, DRAIN_S)
        if committed or final:
            reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, DRAIN_S)
            result = reconcile.reconcile(cfg)
        else:
            reconcile.wait_placed(cfg, cfg.kafka_topic, DRAIN_S)
            result = reconcile.reconcile(cfg, to_end=True)
        assert result.ok, result.text()
        recorded = sum(p.lost_recorded for p in result.partitions)
        assert recorded == len(run.lost), f"reconcile counts {recorded} messages recorded lost, the model {len(run.lost)}"
        unacknowledged(run, result)
        sent = run.messages()
        consumed = sum(p.consumed for p in result.partitions)   # committed records: no marker, no aborted record
        firsts = {p.partition: p.first_offset for p in result.partitions}
        in_log = [pos for pos in sent if pos[1] >= firsts[pos[0]]]   # what retention left of the log
        assert consumed == len(in_log), f"{consumed} messages consumed, {len(in_log)} acknowledged to the load"
        winners, superseded, dead = expected(run)
        t = tables(cfg)
        got = {r["uuid"]: (r["first_name"], r["last_name"], r["country"], r["age"], r["kafka_topic"],
                           r["kafka_partition"], r["kafka_offset"], r["kafka_ts_ms"]) for r in t["processed_events"]}
        assert len(got) == len(t["processed_events"])
        assert got == winners, diff("processed_events (content and position)", winners, got)
        got_sup = {(r["kafka_topic"], r["kafka_partition"], r["kafka_offset"]): (r["uuid"], r["kafka_ts_ms"])
                   for r in t["superseded_events"]}
        assert got_sup == superseded, diff("superseded_events", superseded, got_sup)
        got_dead = {(r["kafka_topic"], r["kafka_partition"], r["kafka_offset"]): (r["reason"], r["payload_size"])
                    for r in t["dead_letter_events"]}
        assert got_dead == dead, diff("dead_letter_events (reason, size)", dead, got_dead)
        if broker_clock(sent.values()):
            negative = [r["uuid"] for r in t["processed_events"]
                        if r["flink_timestamp"] < r["kafka_timestamp"] or r["postgres_timestamp"] < r["flink_timestamp"]]
            assert not negative, f"negative stage latency: {negative[:5]}"
        if final:
            running_at = time.time()
            time.sleep(4)   # Flink's REST caches the exception history up to 3 s
            _, age = flinkrest.last_failure(cfg, run.job_id)
            assert age is None or time.time() - age < running_at, f"a failure {age:.0f}s ago, after the job caught up"
        h = health.job_health(cfg)
        unexpected = [p for p in h.problems if "last failure" not in p]
        assert not unexpected, f"status' verdict on a running, caught-up job: {unexpected}"
        across = sum(1 for (topic, _, _), (u, _) in got_sup.items() if topic != got[u][4])
        return Checked(len(sent) + sum(len(g.messages) for g in run.old), len(got), len(got_sup), len(got_dead), across)
    finally:
        run.load.resume()


def unacknowledged(run: Run, result) -> None:
    """Messages the topic holds that the load's producer counted as failed (its acknowledgement lost
    when Kafka was killed, its delivery timeout passed before the broker was back): read from
    Kafka and added to the model as what they are (a producer is at least once). Printed, since
    each is one."""
    known = set(run.messages()) | run.lost   # recorded lost, and in the log again: not unacknowledged
    missing = {p.partition: {o for o in range(p.first_offset, p.upto_offset) if (p.partition, o) not in known}
               for p in result.partitions}
    missing = {p: offsets for p, offsets in missing.items() if offsets}
    if not missing:
        return
    # Committed records only, as the job reads: a marker or an aborted record is no message.
    found = 0
    for p, offsets in missing.items():
        for r in topicscan.scan(run.cfg, run.cfg.kafka_topic, p, min(offsets), max(offsets) + 1):
            if r.offset in offsets:
                run.extra.append(Message(p, r.offset, r.timestamp_ms, r.value))
                found += 1
    if not found:
        return
    run.log(f"{found} messages stored though the producer counted them failed: "
            f"placed by the model as they are")


def broker_clock(messages) -> bool:
    """The topic keeps the broker's append time (a skewed producer timestamp was not kept), so no
    latency may be negative; on CreateTime a producer's clock ahead makes one negative by design."""
    skewed = [m for m in messages if m.asked_ts is not None]
    return bool(skewed) and all(m.ts != m.asked_ts for m in skewed)


def tables(cfg, topic: str | None = None) -> dict[str, list[dict]]:
    """Every column of every row of the topic (default: the topic's every generation, the archived
    ones '<topic>~N' too), in a fixed order."""
    out = {}
    where = "kafka_topic = %(t)s" if topic else "(kafka_topic = %(t)s OR left(kafka_topic, length(%(t)s) + 1) = %(t)s || '~')"
    with report.connect(cfg) as conn, conn.cursor() as cur:
        for table in ("processed_events", "superseded_events", "dead_letter_events"):
            cur.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY kafka_topic, kafka_partition, kafka_offset",
                        {"t": topic or cfg.kafka_topic})
            names = [c.name for c in cur.description]
            out[table] = [dict(zip(names, row)) for row in cur.fetchall()]
    return out


def diff(what: str, want: dict, got: dict) -> str:
    keys = sorted(set(want) | set(got), key=str)
    bad = [(k, want.get(k), got.get(k)) for k in keys if want.get(k) != got.get(k)]
    return f"{what}: {len(bad)} differ from the model, e.g. (key, model, table) {bad[:5]}"


def restore(run: Run | None, stack, cfg) -> None:
    """Leave the stack whole for whatever runs next, and no job of ours running."""
    if run:
        run.load.stop()
    for svc in stack.services:
        if not svc.pid():
            stack.start(svc.name)
    for job in flinkrest.running_jobs(cfg, cfg.job_name):
        flinkrest.cancel(cfg, job["jid"])


def summary(run: Run, checked: Checked, seconds: float, **more: Any) -> dict:
    return {**more, "load seed": run.load.seed, "seconds": round(seconds), "faults": run.drawn, "messages sent": checked.messages,
            "rows": {"processed_events": checked.processed, "superseded_events": checked.superseded,
                     "dead_letter_events": checked.dead_letters},
            "superseded by another generation's message": checked.across, "deleted unread, recorded lost": len(run.lost) + sum(g.recorded_lost for g in run.old),
            "gone with a re-created topic unread": sum(g.gone_unread for g in run.old),
            "lost": 0, "doubled": 0}
