"""A stateful chaos test, in the manner of Jepsen: a seeded random walk drives the real stack
through events, duplicates, bad messages and faults (the nemesis, flinkfast/ops/faults.py), and a
checker compares what the database holds with where the one placement model (tests/oracle.py, the
placing test's too) puts every message Kafka acknowledged.

Operations (weights in OPS): good events; the same uuids again (same partition, another one, two
in one flush, one from long ago, with an older or a newer timestamp); bad messages (not JSON,
empty, a tombstone, 100 kB); kill -9 of the TaskManager; kill -9 of the JobManager (HA brings the
job back); PostgreSQL stopped and started; the Kafka broker stopped and started; the job
cancelled behind its back (status must say so) and resubmitted; the group's offsets reset to the
beginning (a full replay, which must leave every table as it was, to the byte); `skip` of a
position the stopped job has not read.

After every step, once the job has caught up and checkpointed, the checker asserts:
  - reconciliation OK: every offset of the topic in exactly one table, the winner rule holds;
  - every acknowledged message where the model puts it: per uuid the greatest (Kafka timestamp,
    partition, offset) in processed_events, every other good one in superseded_events, bad and
    skipped ones in dead_letter_events with payload_size = the bytes sent;
  - no negative stage latency in any row;
  - the job RUNNING, status' verdict matching (nothing but a recent failure to report) and no
    restart loop (no restart while we watch).

    make chaos                              CHAOS_STEPS (default 200), a fresh seed, printed
    CHAOS_SEED=123 CHAOS_STEPS=40 make chaos    replay a walk
`make test` runs a short walk with a fixed seed. A failure prints the seed and the steps that led
to it; a walk that found a bug becomes a regression test by adding its seed to REGRESSION_SEEDS.
`make chaos` runs on a stack of its own (.state/chaos): it kills services.
"""
from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from flinkfast import flinkrest, health, reconcile, report, skip
from flinkfast.clients import kafka_consumer, wait_until
from flinkfast.ops import faults, lookup
from tests.helpers import event, send_records
from tests.oracle import Placed, Placement

STEPS = int(os.environ.get("CHAOS_STEPS") or 8)
SEED = int(os.environ.get("CHAOS_SEED") or (random.randrange(2 ** 31) if os.environ.get("CHAOS_STEPS") else 20261201))
REGRESSION_SEEDS: list[int] = []   # walks that once found a bug, replayed with STEPS steps
DRAIN_S = 300
# A step takes 15-30 s on two cores (a fault and the check after it); the suite's 900 s per test
# would stop a long walk half way.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900 + STEPS * 120)]
OPS = {"produce": 4, "duplicates": 3, "bad": 1, "kill_taskmanager": 1, "kill_jobmanager": 1, "restart_postgres": 1,
       "cut_sink_sessions": 1, "restart_kafka": 1, "cancel_resubmit": 1, "full_replay": 1, "skip": 1}
FAULTS = {"kill_taskmanager", "kill_jobmanager", "restart_postgres", "cut_sink_sessions", "restart_kafka",
          "cancel_resubmit", "full_replay", "skip"}


@dataclass
class Message:
    partition: int
    offset: int
    ts: int
    uuid: str | None          # None: a bad message
    size: int | None          # bytes sent (None: a tombstone)
    skipped: bool = False


@dataclass
class Sent:
    """Every message Kafka acknowledged, by (partition, offset): the client's history."""
    messages: dict[tuple[int, int], Message] = field(default_factory=dict)

    def add(self, acked, uuids, sizes) -> None:
        for (p, o, ts), u, size in zip(acked, uuids, sizes):
            self.messages[(p, o)] = Message(p, o, ts, u, size)

    def expected(self, topic: str) -> tuple[dict, set, dict]:
        """(uuid -> winner position, superseded positions, dead-letter position -> (size, skipped)),
        as the one placement model (tests/oracle.py) puts these messages."""
        model = Placement()
        for m in self.messages.values():
            model.place(Placed((topic, m.partition, m.offset), m.ts, None if m.skipped else m.uuid, m))
        winners, superseded, dead = model.expected()
        return ({u: w.pos[1:] for u, w in winners.items()}, {pos[1:] for pos in superseded},
                {pos[1:]: (d.what.size, d.what.skipped) for pos, d in dead.items()})

    def uuids(self) -> list[str]:
        return sorted({m.uuid for m in self.messages.values() if m.uuid})


class Walk:
    def __init__(self, stack, cfg, rnd: random.Random, submit_job):
        self.stack, self.rnd = stack, rnd
        self.submit_job = submit_job   # flinkfast.submit.submit, or the session's warm client
        self.cfg = cfg
        self.skips = ""
        self.model = Sent()
        self.history: list[str] = []
        self.faults: Counter = Counter()
        self.sent = 0
        self.serial = 0
        self.job_id = self.submit_job(self.job_cfg())
        self.restarts_seen = 0

    def job_cfg(self):
        return self.cfg.replace(skip_messages=self.skips)

    # ------------------------------------------------------------------ the client's operations
    def _send(self, records: list[tuple[bytes | None, int, int | None]], uuids: list[str | None]) -> list:
        acked = send_records(self.cfg, records)
        self.model.add(acked, uuids, [None if v is None else len(v) for v, _, _ in records])
        self.sent += len(records)
        return acked

    def _new_uuid(self) -> str:
        self.serial += 1
        return f"chaos-{self.serial:06d}"

    def produce(self) -> str:
        n = self.rnd.randint(20, 200)
        uuids = [self._new_uuid() for _ in range(n)]
        parts = self.cfg.kafka_partitions
        self._send([(event(u), self.rnd.randrange(parts), None) for u in uuids], uuids)
        return f"produce {n}"

    def duplicates(self) -> str:
        known = self.model.uuids()
        if not known:
            return self.produce()
        parts, now = self.cfg.kafka_partitions, int(time.time() * 1000)
        records, uuids = [], []
        for _ in range(self.rnd.randint(1, 20)):
            u = self.rnd.choice(known[:5] if self.rnd.random() < 0.2 else known)  # now and then one from long ago
            first = next(m for m in self.model.messages.values() if m.uuid == u)
            partition = first.partition if self.rnd.random() < 0.4 else self.rnd.randrange(parts)
            ts = None if self.rnd.random() < 0.5 else now - self.rnd.randint(1_000, 120_000)  # older: may lose
            copies = 2 if self.rnd.random() < 0.3 else 1      # two in one flush, on two partitions
            for c in range(copies):
                records.append((event(u, f"v{self.sent + len(records)}"), (partition + c) % parts, ts))
                uuids.append(u)
        self._send(records, uuids)
        return f"duplicates {len(records)}"

    def bad(self) -> str:
        kinds = [b"not JSON", b"", None, b"{\"uuid\": 1}", b"x" * 100_000, b"\xff\xfe"]
        values = [self.rnd.choice(kinds) for _ in range(self.rnd.randint(1, 8))]
        self._send([(v, self.rnd.randrange(self.cfg.kafka_partitions), None) for v in values], [None] * len(values))
        return f"bad {len(values)}"

    # ------------------------------------------------------------------ the nemesis
    def _kill(self, name: str) -> str:
        pid = faults.kill_and_replace(self.stack, name)
        return f"kill -9 {name} (pid {pid})"

    def kill_taskmanager(self) -> str:
        before = lookup.registered_taskmanagers(self.cfg)
        out = self._kill("taskmanager")
        # The JobManager notices a killed TaskManager by a failed heartbeat, a few seconds later;
        # until then the job still looks RUNNING on it. The fault is over when the old one is gone.
        wait_until(lambda: not before & lookup.registered_taskmanagers(self.cfg),
                   120, "the JobManager dropped the killed TaskManager")
        return out

    def kill_jobmanager(self) -> str:
        out = self._kill("jobmanager")
        wait_until(lambda: any(j["jid"] == self.job_id for j in flinkrest.running_jobs(self.cfg)), 180,
                   "the job recovered by the new JobManager (HA)")
        return out

    def _restart(self, name: str) -> str:
        down = self.rnd.uniform(1, 8)
        faults.restart(self.stack, name, down)
        return f"{name} stopped for {down:.1f}s"

    def restart_postgres(self) -> str:
        return self._restart("postgres")

    def restart_kafka(self) -> str:
        return self._restart("kafka")

    def cut_sink_sessions(self) -> str:
        """The sink's sessions killed under it, mid-flush if it is writing (a failover in front of
        PostgreSQL, an idle timeout): the sink retries on a new connection."""
        uuids = [self._new_uuid() for _ in range(self.rnd.randint(1, 50))]
        self._send([(event(u), self.rnd.randrange(self.cfg.kafka_partitions), None) for u in uuids], uuids)
        cut = faults.cut_sessions(self.cfg, self.cfg.flink_db_user)
        return f"{cut} sink sessions terminated"

    def _cancel(self) -> None:
        flinkrest.cancel(self.cfg, self.job_id)
        h = health.job_health(self.cfg)
        assert not h.ok and any("CANCELED" in p for p in h.problems), f"status with the job cancelled: {h.problems}"

    def cancel_resubmit(self) -> str:
        self._cancel()
        self.job_id = self.submit_job(self.job_cfg())
        return "cancel behind its back, resubmit"

    def full_replay(self) -> str:
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata
        before = tables(self.cfg)
        self._cancel()
        first, _, _ = reconcile.kafka_offsets(self.cfg, self.cfg.kafka_topic, self.cfg.kafka_group_id)
        committer = kafka_consumer(self.cfg, group_id=self.cfg.kafka_group_id)
        try:
            committer.commit({TopicPartition(self.cfg.kafka_topic, p): OffsetAndMetadata(o, "", -1)
                              for p, o in first.items()})
        finally:
            committer.close()
        self.job_id = self.submit_job(self.job_cfg())
        self.check()
        after = tables(self.cfg)
        changed = [t for t in before if after[t] != before[t]]
        assert not changed, f"a full replay changed {changed}"
        return f"full replay of {self.sent} messages: tables identical"

    def skip(self) -> str:
        self._cancel()  # as if the job had stopped at a message it cannot process
        uuids = [self._new_uuid() for _ in range(self.rnd.randint(1, 3))]
        acked = self._send([(event(u), self.rnd.randrange(self.cfg.kafka_partitions), None) for u in uuids], uuids)
        p, o, _ = self.rnd.choice(acked)
        self.job_id, self.skips = skip.skip(self.job_cfg(), [(p, o)])
        self.model.messages[(p, o)].skipped = True
        return f"skip {p}:{o}"

    # ------------------------------------------------------------------ the checker
    def check(self) -> None:
        cfg = self.cfg
        reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, DRAIN_S)
        result = reconcile.reconcile(cfg)
        assert result.ok, result.text()
        assert sum(p.consumed for p in result.partitions) == len(self.model.messages), "an unacknowledged message?"
        winners, superseded, dead = self.model.expected(cfg.kafka_topic)
        t = tables(cfg)
        got_winners = {r["uuid"]: (r["kafka_partition"], r["kafka_offset"]) for r in t["processed_events"]}
        assert got_winners == winners, diff("winners", winners, got_winners)
        got_superseded = {(r["kafka_partition"], r["kafka_offset"]) for r in t["superseded_events"]}
        assert got_superseded == superseded, diff("superseded", superseded, got_superseded)
        got_dead = {(r["kafka_partition"], r["kafka_offset"]): (r["payload_size"], r["reason"] == skip_reason())
                    for r in t["dead_letter_events"]}
        assert got_dead == dead, diff("dead letters (size, skipped)", dead, got_dead)
        negative = [r["uuid"] for r in t["processed_events"]
                    if r["flink_timestamp"] < r["kafka_timestamp"] or r["postgres_timestamp"] < r["flink_timestamp"]]
        assert not negative, f"negative stage latency: {negative[:5]}"
        flinkrest.wait_running(cfg, self.job_id, DRAIN_S)  # e.g. recovered by a new JobManager: INITIALIZING first
        # No restart loop: no failure after the job was seen running and caught up. (Read from the
        # exception history, which Flink's REST caches for up to 3 s; its metrics lag up to 10 s.)
        running_at = time.time()
        time.sleep(4)
        _, age = flinkrest.last_failure(cfg, self.job_id)
        assert age is None or time.time() - age < running_at, f"a failure {age:.0f}s ago, after the job caught up: a restart loop"
        h = health.job_health(cfg)
        unexpected = [p for p in h.problems if "last failure" not in p]
        assert not unexpected, f"status' verdict on a running, caught-up job: {unexpected}"

    def step(self) -> None:
        op = self.rnd.choices(list(OPS), weights=list(OPS.values()))[0]
        what = getattr(self, op)()
        if op in FAULTS:
            self.faults[op] += 1
        self.history.append(what)
        if op != "full_replay":  # it checks itself, between its two snapshots
            self.check()


def skip_reason() -> str:
    return "skipped by operator"


def tables(cfg) -> dict[str, list[dict]]:
    """Every column of every row of the topic, in a fixed order."""
    out = {}
    with report.connect(cfg) as conn, conn.cursor() as cur:
        for table in ("processed_events", "superseded_events", "dead_letter_events"):
            cur.execute(f"SELECT * FROM {table} WHERE kafka_topic = %s ORDER BY kafka_partition, kafka_offset",
                        (cfg.kafka_topic,))
            names = [c.name for c in cur.description]
            out[table] = [dict(zip(names, row)) for row in cur.fetchall()]
    return out


def diff(what: str, want, got) -> str:
    if isinstance(want, dict):
        keys = sorted(set(want) | set(got), key=str)
        bad = [(k, want.get(k), got.get(k)) for k in keys if want.get(k) != got.get(k)]
    else:
        bad = [("missing", sorted(want - got)[:10]), ("unexpected", sorted(got - want)[:10])]
    return f"{what} differ from the model: {bad[:10]}"


@pytest.mark.parametrize("seed", [SEED, *REGRESSION_SEEDS])
def test_a_random_walk_of_events_and_faults_loses_and_doubles_nothing(stack, job_cfg, jobserver, seed):
    job_cfg = job_cfg.replace(checkpoint_interval_ms=1000)  # the walk submits (and resubmits) the job itself
    print(f"chaos: seed {seed}, {STEPS} steps (replay: CHAOS_SEED={seed} CHAOS_STEPS={STEPS} make chaos)", flush=True)
    walk = Walk(stack, job_cfg, random.Random(seed), jobserver.submit)
    t0 = time.monotonic()
    try:
        for i in range(STEPS):
            walk.step()
            print(f"chaos: step {i + 1}/{STEPS} {walk.history[-1]} ({time.monotonic() - t0:.0f}s)", flush=True)
    except BaseException as e:
        raise AssertionError(f"chaos seed {seed} failed at step {len(walk.history) + 1} after "
                             f"{walk.history[-8:]}: {e}") from e
    finally:
        for svc in stack.services:  # leave the stack whole for whatever runs next
            if not svc.pid():
                stack.start(svc.name)
        for job in flinkrest.running_jobs(job_cfg, job_cfg.job_name):
            flinkrest.cancel(job_cfg, job["jid"])
    summary = {"seed": seed, "steps": STEPS, "seconds": round(time.monotonic() - t0), "messages": walk.sent,
               "faults": dict(walk.faults), "lost": 0, "doubled": 0}
    print("chaos: " + json.dumps(summary), flush=True)
