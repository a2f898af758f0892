"""Every message accounted for (issue 18): each defect found in the accounting, on the real stack.

Each test has its own topic, consumer group and job. The rules themselves are checked against a
model in tests/e2e/test_placing_e2e.py (the database alone) and tests/e2e/test_chaos_e2e.py (the whole
stack under faults); here: the paths through Kafka and Flink that broke them.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from flinkfast.accounting import reconcile, report
from flinkfast.pipeline import flinkrest
from flinkfast.clients import kafka_consumer
from tests.helpers import event, send_records

pytestmark = pytest.mark.e2e
T0 = int(time.time() * 1000) - 60_000  # stamps a producer sets: the broker replaces them (LogAppendTime)


def winner(acked: list[tuple[int, int, int]]) -> tuple[int, int]:
    """The position of the greatest message by (Kafka timestamp, partition, offset), as the broker
    acknowledged them: its append time, whatever the producer stamped."""
    return max(acked, key=lambda m: (m[2], m[0], m[1]))[:2]


def placed(cfg) -> dict[str, dict]:
    """table -> {(partition, offset): first column of interest} for the topic."""
    out = {}
    with report.connect(cfg) as conn, conn.cursor() as cur:
        for table, column in (("processed_events", "first_name"), ("superseded_events", "uuid"),
                              ("dead_letter_events", "reason")):
            cur.execute(f"SELECT kafka_partition, kafka_offset, {column} FROM {table} WHERE kafka_topic = %s",
                        (cfg.kafka_topic,))
            out[table] = {(p, o): v for p, o, v in cur.fetchall()}
    return out


def drained(cfg, timeout: float = 120) -> reconcile.Result:
    """The group has committed everything: for claims about committed positions."""
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, timeout)
    return reconcile.reconcile(cfg)


def all_placed(cfg, timeout: float = 120) -> reconcile.Result:
    """Every record of the topic placed, reconciled up to the end of the log: for claims about
    where messages are (the commit lags the last row by Flink's 10 s poll: reconcile.wait_placed)."""
    reconcile.wait_placed(cfg, cfg.kafka_topic, timeout)
    return reconcile.reconcile(cfg, to_end=True)


@pytest.mark.parametrize("sink_mode", ["copy", "jdbc"])
def test_one_uuid_twice_in_one_flush_on_two_partitions_is_placed_twice(run_job, sink_mode):
    """The JDBC sink used to fold two messages with one key in its buffer into one row, so the
    earlier reached no table ("GAP: 1 missing" when they came from two partitions). Now both
    positions are placed, with either sink: the greater message by (append time, partition,
    offset) wins, the other is superseded."""
    cfg, _ = run_job({"SINK_MODE": sink_mode})
    # A uuid of this test's own: uuids are global, so the same one from another parametrization
    # (another topic, the same timestamps and positions) would compete with these messages.
    uuid = f"twice-{cfg.kafka_topic}"
    a, b = send_records(cfg, [(event(uuid, "Ann"), 2, T0), (event(uuid, "Bea"), 0, T0 + 1)])
    result = all_placed(cfg)
    assert result.ok, result.text()
    where = placed(cfg)
    win, lose = (b, a) if winner([a, b]) == b[:2] else (a, b)
    name = {a[:2]: "Ann", b[:2]: "Bea"}
    assert where["processed_events"] == {win[:2]: name[win[:2]]} and where["superseded_events"] == {lose[:2]: uuid}, \
        (where, result.text())


def test_the_winner_is_the_greatest_message_not_the_last_read(run_job):
    """Which message with a uuid wins depends on the messages, not on the order the job reads its
    partitions: the greatest by (Kafka timestamp, partition, offset). The timestamp is the broker's
    append time: the one appended last wins although its producer stamped it the oldest, and the
    first appended loses although stamped the newest."""
    cfg, _ = run_job()
    uuid = f"order-{cfg.kafka_topic}"
    first = send_records(cfg, [(event(uuid, "Older"), 1, T0 + 5_000)])
    time.sleep(1)
    later = send_records(cfg, [(event(uuid, "Newest"), 0, T0), (event(uuid, "Newest"), 3, T0 - 1)])
    result = all_placed(cfg)
    assert result.ok, result.text()
    where = placed(cfg)
    assert where["processed_events"] == {winner(first + later): "Newest"}
    assert set(where["superseded_events"]) == {m[:2] for m in first + later} - {winner(first + later)}
    assert first[0][:2] in where["superseded_events"]


def test_reconcile_reports_a_partition_never_consumed(database, cfg, topic):
    """A partition with messages and no committed offset used to pass as "OK, 0 consumed"."""
    from kafka import TopicPartition
    from kafka.structs import OffsetAndMetadata
    send_records(cfg, [(event("p3-a"), 3, None), (event("p3-b"), 3, None)], topic=topic)
    group = f"{topic}-never"
    committer = kafka_consumer(cfg, role="job", group_id=group)
    try:  # a commit on partition 0 only, as a job that checkpointed before partition 3 existed
        committer.commit({TopicPartition(topic, 0): OffsetAndMetadata(0, "", -1)})
    finally:
        committer.close()
    result = reconcile.reconcile(cfg, topic=topic, group=group)
    assert not result.ok
    p3 = result.partitions[3]
    assert p3.not_consumed and p3.consumed == 0
    assert "NOT CONSUMED: 2 messages and no committed offset" in result.text()
    assert "partition(s) 3 not consumed" in result.text()


def test_skip_refuses_a_position_already_committed(run_job):
    """`make skip` of a position the job has read and checkpointed used to be accepted: the
    promised dead letter never came. Refused now, in one line, and the job left as it was."""
    cfg, job_id = run_job()
    positions = send_records(cfg, [(event(f"skip-{i}"), 0, None) for i in range(5)])
    drained(cfg)
    p, o, _ = positions[1]
    env = dict(os.environ, KAFKA_TOPIC=cfg.kafka_topic, KAFKA_GROUP_ID=cfg.kafka_group_id, JOB_NAME=cfg.job_name)
    r = subprocess.run([sys.executable, "-m", "flinkfast.pipeline.skip", f"{p}:{o}"], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert f"{p}:{o} is committed already" in r.stderr
    assert [j["jid"] for j in flinkrest.running_jobs(cfg, cfg.job_name)] == [job_id], "the job was not touched"


def status(cfg, **env) -> subprocess.CompletedProcess:
    env = {**os.environ, "JOB_NAME": cfg.job_name, "KAFKA_TOPIC": cfg.kafka_topic,
           "KAFKA_GROUP_ID": cfg.kafka_group_id, **env}
    return subprocess.run([sys.executable, "-m", "flinkfast.stack", "status"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_status_is_not_ok_when_nothing_is_delivered(run_job):
    """`make status` used to exit 0 with the job cancelled, never submitted, or Flink unreachable,
    messages waiting. Each is exit 1 now, with the reason on one line; a running job is OK."""
    cfg, job_id = run_job()
    send_records(cfg, [(event(f"st-{i}"), i % 4, None) for i in range(20)])
    drained(cfg)
    ok = status(cfg)
    assert ok.returncode == 0 and "OK: the pipeline is delivering" in ok.stdout, ok.stdout + ok.stderr
    flinkrest.cancel(cfg, job_id)
    send_records(cfg, [(event(f"st-late-{i}"), 0, None) for i in range(5)])
    cancelled = status(cfg)
    assert cancelled.returncode == 1, cancelled.stdout
    assert f"PROBLEM: job {cfg.job_name} is CANCELED, not delivering, 5 messages wait on the topic" in cancelled.stdout
    never = status(cfg, JOB_NAME=cfg.job_name + "-never")
    assert never.returncode == 1 and f"PROBLEM: no job {cfg.job_name}-never on the cluster" in never.stdout
    from flinkfast.stack.isolated import free_port
    gone = status(cfg, FLINK_REST_URL=f"https://127.0.0.1:{free_port()}")  # a cluster that does not answer
    assert gone.returncode == 1 and "does not answer: nothing can be delivered" in gone.stdout, gone.stdout
