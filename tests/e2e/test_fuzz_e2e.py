"""Fuzzing the classification, tier 2: generated messages, mixed with valid events, through real
Kafka -> the job on the local Flink cluster -> PostgreSQL.

Each message must end in exactly one table, as tests/oracle.py says: a row whose text fields are
the very strings that were sent, or a dead letter with the reason and the raw bytes. Kafka
timestamps are generated too (a producer may stamp any instant, the year 10000 included): the
broker replaces each with its append time (the topic is LogAppendTime), the one the oracle is given.
Afterwards reconciliation is OK and the job never restarted: no message can stall it.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
from hypothesis import strategies as st

from tests import oracle
from tests.helpers import fuzz_examples, generate
from flinkfast.accounting import health, reconcile, report
from flinkfast.events import producer
from flinkfast.pipeline import flinkrest, skip
from tests.strategies import message

pytestmark = pytest.mark.e2e

LIMIT = 3000
CI_MESSAGES = 400
TIMESTAMPS = st.one_of(st.none(), st.none(), st.sampled_from([0, oracle.MAX_TS_MS, oracle.MAX_TS_MS + 1, 2 ** 62]),
                       st.integers(0, 4_000_000_000_000))


def encode(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode()


def send(cfg, messages) -> list[tuple[int, int, int]]:
    """Send (value, timestamp or None) pairs, spread over the partitions; (partition, offset,
    timestamp) of each, as the broker acknowledged it."""
    from flinkfast.clients import kafka_producer
    kafka = kafka_producer(cfg, linger_ms=5)
    # A key on every message: kafka-python sends a null value (a tombstone) only with a key.
    futures = [kafka.send(cfg.kafka_topic, key=b"k%d" % i, value=value, timestamp_ms=ts,
                          partition=i % cfg.kafka_partitions)
               for i, (value, ts) in enumerate(messages)]
    kafka.flush(timeout=60)
    kafka.close()
    return [(m.partition, m.offset, m.timestamp) for m in (f.get(timeout=10) for f in futures)]


def placed(cfg) -> tuple[dict, dict]:
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("""SELECT kafka_partition, kafka_offset, uuid, first_name, last_name, country, age, kafka_ts_ms
                         FROM processed_events WHERE kafka_topic = %s""", (cfg.kafka_topic,))
        rows = {(r[0], r[1]): r[2:] for r in cur.fetchall()}
        cur.execute("""SELECT kafka_partition, kafka_offset, reason, payload, kafka_ts_ms
                         FROM dead_letter_events WHERE kafka_topic = %s""", (cfg.kafka_topic,))
        letters = {(r[0], r[1]): (r[2], None if r[3] is None else bytes(r[3]), r[4]) for r in cur.fetchall()}
    return rows, letters


def wait_placed(cfg, count: int, timeout: float = 240) -> tuple[dict, dict]:
    deadline = time.monotonic() + timeout
    while True:
        rows, letters = placed(cfg)
        if len(rows) + len(letters) >= count or time.monotonic() > deadline:
            return rows, letters
        time.sleep(1)


def restarts(cfg, job_id) -> int:
    metrics = flinkrest.rest(cfg, f"/jobs/{job_id}/metrics?get=numRestarts")
    return int(float(next((m["value"] for m in metrics if m["id"] == "numRestarts"), 0)))


def distinct_keys(messages):
    """Drop a valid event whose uuid an earlier one has: a replaced row is another story
    (superseded_events, tested elsewhere), and this test checks every row's fields."""
    seen, out = set(), []
    for value, ts in messages:
        want = oracle.classify(value, 0, LIMIT)  # the broker stamps it (LogAppendTime): in range, whatever ts
        if isinstance(want, oracle.Row):
            if want.uuid in seen:
                continue
            seen.add(want.uuid)
        out.append((value, ts))
    return out


def test_generated_messages_each_land_in_exactly_one_place(run_job):
    cfg, job_id = run_job({"MAX_EVENT_CHARS": str(LIMIT)})
    fuzzed = distinct_keys(generate(st.tuples(message(LIMIT), TIMESTAMPS), fuzz_examples(CI_MESSAGES)))
    valid = [(encode(e), None) for e in producer.generate_events(200, seed=91)]
    messages = [m for pair in zip(fuzzed, valid) for m in pair] + fuzzed[len(valid):] + valid[len(fuzzed):]
    positions = send(cfg, messages)

    rows, letters = wait_placed(cfg, len(messages))
    wrong = []
    for (value, _), (partition, offset, ts) in zip(messages, positions):
        want = oracle.classify(value, ts, LIMIT)
        where = (partition, offset)
        if isinstance(want, oracle.Row):
            got = rows.get(where)
            expected = (want.uuid, want.first_name, want.last_name, want.country, want.age, ts)
            if got != expected or where in letters:
                wrong.append(f"{value!r} @ {ts}: want row {expected}, got {got} / {letters.get(where)}")
        else:
            got = letters.get(where)
            if got != (want, value, ts) or where in rows:
                wrong.append(f"{value!r} @ {ts}: want {want!r}, got {got and got[0]!r} / row {rows.get(where)}")
    assert len(rows) + len(letters) == len(messages), "each message in exactly one table"
    assert not wrong, f"{len(wrong)} of {len(messages)} messages:\n" + "\n".join(wrong[:20])

    reconcile.wait_placed(cfg, cfg.kafka_topic, 120)
    result = reconcile.reconcile(cfg, to_end=True)
    assert result.ok, result.text()
    assert flinkrest.rest(cfg, f"/jobs/{job_id}")["state"] == "RUNNING"
    assert restarts(cfg, job_id) == 0, "no message may make the job restart"


def test_skip_records_a_message_as_a_dead_letter_and_moves_the_job_past_it(run_job):
    """The operator's way out: the job resubmitted with a position in SKIP_MESSAGES."""
    cfg, job_id = run_job()
    events = list(producer.generate_events(6, seed=92))
    flinkrest.cancel(cfg, job_id)  # as if the job had stopped at a message it cannot process
    positions = send(cfg, [(encode(e), None) for e in events])
    stuck = positions[2][:2]
    new_id, skips = skip.skip(cfg, [stuck])
    assert skips == f"{stuck[0]}:{stuck[1]}"
    rows, letters = wait_placed(cfg, len(events), timeout=120)
    assert set(letters) == {stuck} and letters[stuck][0] == "skipped by operator"
    assert letters[stuck][1] == encode(events[2]), "the raw message is kept"
    assert {r[0] for r in rows.values()} == {e["uuid"] for i, e in enumerate(events) if i != 2}
    reconcile.wait_placed(cfg, cfg.kafka_topic, 120)
    assert reconcile.reconcile(cfg, to_end=True).ok
    assert flinkrest.rest(cfg, f"/jobs/{new_id}")["state"] == "RUNNING"


def test_skip_refuses_a_position_that_is_not_on_the_topic(job_cfg):
    cli = [sys.executable, "-m", "flinkfast.pipeline.skip", "0:999999"]
    env = dict(os.environ, KAFKA_TOPIC=job_cfg.kafka_topic, KAFKA_GROUP_ID=job_cfg.kafka_group_id)
    r = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "partition 0 of" in r.stderr and "not 999999" in r.stderr


def test_a_restart_loop_is_loud(run_job):
    """A job that cannot write (here: a wrong password) restarts again and again: `make status`
    and the report say so, with the cause, and status exits 1."""
    cfg, job_id = run_job({"FLINK_DB_PASSWORD": "not-the-password"}, wait=False)
    deadline = time.monotonic() + 120
    while (h := health.job_health(cfg)).restarts < 1 and time.monotonic() < deadline:
        time.sleep(1)
    assert h.restarts >= 1 and h.problems, h.as_dict()
    env = dict(os.environ, JOB_NAME=cfg.job_name, KAFKA_TOPIC=cfg.kafka_topic, KAFKA_GROUP_ID=cfg.kafka_group_id)
    status = subprocess.run([sys.executable, "-m", "flinkfast.stack", "status"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 1, status.stdout + status.stderr
    assert f"PROBLEM: job {cfg.job_name}" in status.stdout and "password authentication failed" in status.stdout
    rep = subprocess.run([sys.executable, "print_data_postgres.py", "--since", dt.datetime.now(dt.timezone.utc).isoformat()],
                         env=env, capture_output=True, text=True, timeout=120)
    assert rep.stderr.startswith(f"WARNING: job {cfg.job_name}"), rep.stderr
