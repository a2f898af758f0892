"""Retention: a message deleted from the topic before the job read it is never skipped silently.

Kafka deletes old segments (retention.ms, retention.bytes) or whatever DeleteRecords asks, whether
the job has read them or not. The job resumes from its group's committed offsets with no automatic
reset (sql/flink/001_source_kafka.sql), so it stops at the gap with OffsetOutOfRange, `status`,
`reconcile` and `flinkfast lost` name the partition and offsets, and `flinkfast lost --record`
records them (lost_messages) and lets the job go on (flinkfast/accounting/lost.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from flinkfast.accounting import lost, reconcile, report
from flinkfast.pipeline import flinkrest
from flinkfast.topics import retention
from flinkfast.clients import wait_until
from tests.helpers import event, send_records

pytestmark = pytest.mark.e2e

FAILS_S = 120     # the resubmitted job reaches the gap and fails
PLACED_S = 180


def rows(cfg) -> dict[tuple[int, int], str]:
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT kafka_partition, kafka_offset, uuid FROM processed_events WHERE kafka_topic = %s",
                    (cfg.kafka_topic,))
        return {(p, o): u for p, o, u in cur.fetchall()}


def wait_rows(cfg, count: int) -> dict:
    deadline = time.monotonic() + PLACED_S
    while len(found := rows(cfg)) < count and time.monotonic() < deadline:
        time.sleep(1)
    return found


def produce(cfg, names: list[str]) -> list[tuple[int, int, int]]:
    """One event per name, all on partition 0; (partition, offset, timestamp) of each."""
    return send_records(cfg, [(event(f"{n}-{uuid.uuid4().hex[:8]}", first_name=n), 0, None) for n in names])


def delete_records(cfg, partition: int, before: int) -> None:
    """What retention does: the log of the partition starts at `before` (DeleteRecords, as the admin)."""
    from kafka import TopicPartition

    from flinkfast.clients import kafka_admin
    admin = kafka_admin(cfg)
    try:
        admin.delete_records({TopicPartition(cfg.kafka_topic, partition): before})
    finally:
        admin.close()


def dashboard(cfg) -> dict:
    """One poll of the dashboard's poller: the snapshot its page and banner show."""
    from flinkfast.dashboard.snapshot import Poller
    poller = Poller(cfg)
    try:
        poller.poll_once()
        return poller.snapshot()
    finally:
        poller.stop()


def cli(cfg, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, JOB_NAME=cfg.job_name, KAFKA_TOPIC=cfg.kafka_topic, KAFKA_GROUP_ID=cfg.kafka_group_id)
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)


def test_messages_deleted_before_the_job_read_them_stop_it_until_recorded(run_job, jobserver):
    cfg, job_id = run_job()
    first, _, committed = reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)
    assert committed == first, "a fresh group: submit commits the log start (the job resets nothing)"
    produce(cfg, ["Ada", "Bo"])
    assert len(wait_rows(cfg, 2)) == 2
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 60)
    flinkrest.cancel(cfg, job_id)

    # While the job is stopped: 5 acknowledged messages, then retention takes the first 3 of them.
    unread = produce(cfg, ["Cy", "Di", "Ed", "Flo", "Gus"])
    assert [o for _, o, _ in unread] == [2, 3, 4, 5, 6]
    delete_records(cfg, 0, 5)

    cfg, job_id = run_job(wait=False)
    produce(cfg, ["Hal"])   # later messages: none may be placed past the gap
    wait_failure(cfg, job_id, 2)

    assert lost.found(cfg) == [retention.Loss(cfg.kafka_topic, 0, 2, 5)]
    result = reconcile.reconcile(cfg)
    assert not result.ok and result.partitions[0].lost == "2-4", result.text()
    assert "LOST: offsets 2-4 deleted before the job read them" in result.text()
    status = cli(cfg, "-m", "flinkfast.stack", "status")
    assert status.returncode == 1, status.stdout + status.stderr
    assert f"PROBLEM: partition 0 of {cfg.kafka_topic}: offsets 2-4 (3 messages) were deleted" in status.stdout
    banner = dashboard(cfg)["problems"]
    assert f"partition 0 of {cfg.kafka_topic}: offsets 2-4 (3 messages) were deleted" in "\n".join(banner), banner
    shown = cli(cfg, "-m", "flinkfast.cli", "lost")
    assert shown.returncode == 1 and shown.stdout.count("LOST: ") == 1 and "flinkfast lost --record" in shown.stdout

    job_id, recorded = lost.record(cfg, resubmit=jobserver.submit)   # `flinkfast lost --record`, warm client
    assert recorded == [retention.Loss(cfg.kafka_topic, 0, 2, 5)]

    placed = wait_rows(cfg, 5)
    assert sorted(o for _, o in placed) == [0, 1, 5, 6, 7], "the messages after the gap are placed, once"
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 120)
    result = reconcile.reconcile(cfg)
    assert result.ok, result.text()
    assert result.partitions[0].lost_recorded == 3 and "3 lost, recorded" in result.text()
    assert lost.found(cfg) == []
    assert dashboard(cfg)["headline"]["lost_recorded"] >= 3   # every topic's recorded losses: this test's 3 at least
    with report.connect(cfg) as conn, conn.cursor() as cur:   # the reader reads the record
        cur.execute("SELECT kafka_partition, first_offset, end_offset, reason FROM lost_messages WHERE kafka_topic = %s",
                    (cfg.kafka_topic,))
        assert cur.fetchall() == [(0, 2, 5, retention.REASON)]
    with report.connect(cfg) as conn:
        assert "lost, recorded  " in report.format_text(report.collect(conn))
    again = cli(cfg, "-m", "flinkfast.cli", "lost", "--record")   # nothing left: the job is left alone
    assert again.returncode == 0 and "nothing lost" in again.stdout, again.stdout + again.stderr
    assert flinkrest.rest(cfg, f"/jobs/{job_id}")["state"] == "RUNNING"


def wait_failure(cfg, job_id: str, placed: int) -> None:
    """Until the job fails with OffsetOutOfRange; meanwhile nothing past the gap may be placed."""
    deadline = time.monotonic() + FAILS_S
    while "OffsetOutOfRange" not in (flinkrest.last_failure(cfg, job_id)[0] or ""):
        assert len(rows(cfg)) == placed, "messages past the gap were placed: the job skipped them silently"
        assert time.monotonic() < deadline, f"the job did not fail at the gap within {FAILS_S}s"
        time.sleep(1)
    assert len(rows(cfg)) == placed


def test_a_job_restored_from_its_state_stops_at_the_gap_too(run_job):
    """Restored from a savepoint, the source starts from the offsets in its state, not the group's:
    those are checked as strictly (the reset strategy is the consumer's either way)."""
    from flinkfast.pipeline import submit
    cfg, job_id = run_job()
    produce(cfg, ["Ada", "Bo"])
    assert len(wait_rows(cfg, 2)) == 2
    savepoints = cfg.state_dir.resolve() / "flink" / "savepoints"
    savepoints.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = flinkrest.stop_with_savepoint(cfg, job_id, savepoints)
    produce(cfg, ["Cy", "Di", "Ed"])
    delete_records(cfg, 0, 4)
    job_id = submit.submit(cfg, savepoint=path, wait=False)
    assert flinkrest.restored_from(cfg, job_id)["is_savepoint"]
    produce(cfg, ["Flo"])
    wait_failure(cfg, job_id, 2)


def add_partition(cfg) -> int:
    """One more partition for the topic (a rescale, as the admin), once the broker lists it; its number."""
    from kafka.admin import NewPartitions

    from flinkfast.clients import kafka_admin
    added = len(reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)[0])
    admin = kafka_admin(cfg)
    try:
        admin.create_partitions({cfg.kafka_topic: NewPartitions(total_count=added + 1)})
    finally:
        admin.close()
    deadline = time.monotonic() + 30
    while added not in reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)[0]:
        assert time.monotonic() < deadline, f"partition {added} did not appear within 30s"
        time.sleep(0.5)
    return added


def test_placed_offsets_are_not_recorded_lost_and_an_added_partition_cut_unread_is_a_loss(run_job, jobserver):
    """The job placed 3 messages and was stopped short of its first checkpoint (none in the test): the
    group's offset is still 0. Retention then cuts partition 0 at 5 (2 unread among them), and a
    partition added meanwhile loses its first 2 messages unread. `lost --record` records 3-4 and
    the new partition's 0-1, never the placed 0-2; the job goes on."""
    cfg, job_id = run_job({"checkpoint_interval_ms": 600_000})
    produce(cfg, ["Ada", "Bo", "Cy"])
    assert len(wait_rows(cfg, 3)) == 3
    flinkrest.cancel(cfg, job_id)
    produce(cfg, ["Di", "Ed"])
    delete_records(cfg, 0, 5)
    new = add_partition(cfg)
    send_records(cfg, [(event(f"p{new}-{i}-{uuid.uuid4().hex[:8]}"), new, None) for i in range(3)])
    delete_records(cfg, new, 2)

    gaps = [retention.Loss(cfg.kafka_topic, 0, 0, 5), retention.Loss(cfg.kafka_topic, new, 0, 2)]
    assert lost.found(cfg) == gaps, "the added partition's messages deleted unread are named, not skipped"
    _, recorded = lost.record(cfg.replace(checkpoint_interval_ms=1000), resubmit=jobserver.submit)
    assert recorded == [retention.Loss(cfg.kafka_topic, 0, 3, 5), gaps[1]], "placed offsets are no loss"

    cfg = cfg.replace(checkpoint_interval_ms=1000)
    produce(cfg, ["Hal"])
    placed = wait_rows(cfg, 5)
    assert sorted(placed) == [(0, 0), (0, 1), (0, 2), (0, 5), (new, 2)], placed
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 120)
    result = reconcile.reconcile(cfg)
    assert result.ok, result.text()
    assert {p.partition: p.lost_recorded for p in result.partitions if p.lost_recorded} == {0: 2, new: 2}, result.text()


def two_placed_then_cancelled(run_job):
    """A job places Ada and Bo (offsets 0 and 1 of partition 0), commits them, and is cancelled; its cfg."""
    cfg, job_id = run_job()
    produce(cfg, ["Ada", "Bo"])
    assert len(wait_rows(cfg, 2)) == 2
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 60)
    cancelled(cfg, job_id)
    return cfg


def cancelled(cfg, job_id: str) -> None:
    flinkrest.cancel(cfg, job_id)
    wait_until(lambda: flinkrest.rest(cfg, f"/jobs/{job_id}")["state"] in flinkrest.ENDED, 60, "the job's cancel")


def test_a_group_offset_moved_past_unplaced_messages_or_the_logs_end_is_moved_back(run_job, capfd):
    """The job's Kafka principal may commit its group, so a leak of its password (or a job that lost
    its checkpoint) could move the offsets where the next start resumes: past messages never placed
    (skipped) or past the log's end (a job that can only fail). The submission checks them against
    the database and moves such an offset back to the one after the last placed: every message is
    placed once, nothing skipped (found by an attack on issue 24's claims)."""
    cfg = two_placed_then_cancelled(run_job)
    unread = produce(cfg, ["Cy", "Di", "Ed", "Flo"])
    assert [o for _, o, _ in unread] == [2, 3, 4, 5]
    send_records(cfg, [(event(f"Gus-{uuid.uuid4().hex[:8]}", first_name="Gus"), 1, None)])
    retention.commit(cfg, {0: 5, 1: 1_000_000})   # as the job's principal: Cy, Di and Ed skipped; past the end
    capfd.readouterr()

    cfg, job_id = run_job()
    said = capfd.readouterr().err
    assert "partition 0 of" in said and "committed offset 5 is past what was placed" in said, said
    assert "committed offset 1000000" in said, said
    placed = wait_rows(cfg, 7)
    assert sorted(placed) == [(0, 0), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 0)], placed
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 120)
    result = reconcile.reconcile(cfg)
    assert result.ok, result.text()


def delete_group(cfg) -> None:
    """The group and its committed offsets gone, as when they expire (offsets.retention.minutes, 7
    days by default, counted from the last commit: a pipeline stopped that long) or an operator
    deletes the group (as the admin)."""
    from flinkfast.clients import kafka_admin
    admin = kafka_admin(cfg)
    try:
        admin.delete_groups([cfg.kafka_group_id])
    finally:
        admin.close()


def forge_dead_letter(cfg, offset: int, value: bytes, ts_ms: int) -> None:
    """A dead letter at a position, with its message's true fingerprint, through the writer's intake
    view: what the dead letters' sink writes (it flushes on timers of its own, so it can have placed
    a bad message above good ones the other sink still held when the job was cancelled)."""
    from psycopg2.extras import execute_values

    from flinkfast.clients import pg_connect
    from flinkfast.events.fingerprint import fingerprint
    writer = pg_connect(cfg, "writer")
    try:
        with writer, writer.cursor() as cur:
            execute_values(cur, "INSERT INTO dead_letter_events_in (kafka_topic, kafka_partition, kafka_offset, reason, "
                                "payload, kafka_ts_ms, flink_ts_ms, fingerprint) VALUES %s",
                           [(cfg.kafka_topic, 0, offset, "not JSON", value, ts_ms, ts_ms, fingerprint(value, ts_ms))])
    finally:
        writer.close()


def test_a_group_that_forgot_its_offsets_resumes_where_the_database_placed(run_job, capfd):
    """With no committed offset at all the group looks new, and a new group starts at the log start:
    had the submission taken it for one, the messages retention deleted while the job was stopped
    would be skipped silently. It reads what the database placed instead, and starts at the first
    offset it has not seen (not past the highest placed: here a dead letter above two good messages
    no table holds), and the job stops at the gap like any other (`lost` names it). A group that
    forgets again while the job is stopped there does not hide the gap either (found by an attack)."""
    cfg = two_placed_then_cancelled(run_job)
    unread = produce(cfg, ["Cy", "Di"])
    [(_, bad_offset, bad_ts)] = send_records(cfg, [(b"not JSON", 0, None)])
    assert [o for _, o, _ in unread] + [bad_offset] == [2, 3, 4]
    forge_dead_letter(cfg, 4, b"not JSON", bad_ts)
    delete_records(cfg, 0, 3)    # Cy, never read
    delete_group(cfg)
    assert reconcile.kafka_offsets(cfg, cfg.kafka_topic, cfg.kafka_group_id)[2] == {}, "the group forgot"
    assert lost.found(cfg) == [retention.Loss(cfg.kafka_topic, 0, 2, 3)], "named before the submission too"
    capfd.readouterr()

    cfg, job_id = run_job(wait=False)
    said = capfd.readouterr().err
    assert "has no committed offset, but the database holds every message of it up to offset 1" in said, said
    produce(cfg, ["Flo"])
    wait_failure(cfg, job_id, 2)
    assert lost.found(cfg) == [retention.Loss(cfg.kafka_topic, 0, 2, 3)]

    # Stopped at the gap, the job commits nothing; its group is forgotten (or deleted) again.
    cancelled(cfg, job_id)
    delete_group(cfg)
    assert lost.found(cfg) == [retention.Loss(cfg.kafka_topic, 0, 2, 3)], "still named"
    status = cli(cfg, "-m", "flinkfast.stack", "status")
    assert f"partition 0 of {cfg.kafka_topic}: offsets 2-2 (1 message) were deleted" in status.stdout, status.stdout


def test_messages_recorded_lost_and_read_again_are_accounted_for_by_their_record(stack, cfg, topic):
    """A broker killed within a minute of a DeleteRecords forgets the new log start (Kafka
    checkpoints it once a minute): the deleted messages, recorded lost, are in the log again
    (found by the chaos walk, seed 1856845980). In no table, they are accounted for by their
    record, not missing, and not waited for; placed after all (a replay read them), the table is
    their place and the record counts them no more. Here the broker's forgetting is stood for by
    a record of a range the log still holds."""
    from flinkfast.clients import pg_connect
    from tests.helpers import delete_rows
    tcfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic)
    send_records(tcfg, [(b"not JSON %d" % i, 0, None) for i in range(6)])
    now = int(time.time() * 1000)

    def place(*offsets):          # as the job would: dead letters, through the writer's view
        with pg_connect(tcfg, "writer") as conn, conn.cursor() as cur:
            for o in offsets:
                cur.execute("INSERT INTO dead_letter_events_in VALUES (%s, 0, %s, 'not JSON', 'x', %s, %s, %s)",
                            (topic, o, now, now, 7_000 + o))
    place(0, 1)
    admin = pg_connect(tcfg, "admin")
    try:
        with admin, admin.cursor() as cur:
            cur.execute("INSERT INTO lost_messages (kafka_topic, kafka_partition, first_offset, end_offset, reason) "
                        "VALUES (%s, 0, 2, 6, %s)", (topic, retention.REASON))
        result = reconcile.reconcile(tcfg, to_end=True)
        p0 = result.partitions[0]
        assert result.ok and (p0.missing, p0.lost_recorded, p0.lost_back, p0.consumed) == (0, 4, 4, 2), result.text()
        assert "4 of them in the log again" in result.text()
        reconcile.wait_placed(tcfg, topic, 10)              # nothing to wait for: no TimedOut
        place(3)                                            # a replay read one of them and placed it
        p0 = reconcile.reconcile(tcfg, to_end=True).partitions[0]
        assert p0.ok and (p0.lost_recorded, p0.lost_back, p0.consumed, p0.dead_letters) == (3, 3, 3, 3), p0
    finally:
        with admin, admin.cursor() as cur:
            cur.execute("DELETE FROM lost_messages WHERE kafka_topic = %s", (topic,))
        admin.close()
        delete_rows(tcfg, [topic])
