"""The pipeline end to end on the local stack: producer -> Kafka -> Flink job -> PostgreSQL.

Each test gets its own topic, consumer group and job, and checks rows by the uuids it produced.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from flinkfast.accounting import reconcile, report
from flinkfast.events import producer
from flinkfast.pipeline import flinkrest
from flinkfast.stack import process
from flinkfast.accounting.verify import Landing
from tests.helpers import environment, send_raw

pytestmark = pytest.mark.e2e
N = 3000


def db_now(cfg) -> dt.datetime:
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        return cur.fetchone()[0]


def rows_for(cfg, uuids, timezone="UTC"):
    conn = report.connect(cfg)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SET TimeZone = '{timezone}'")
            cur.execute("""
                SELECT uuid, first_name, last_name, country, age, birth_year, kafka_ts_ms, flink_ts_ms,
                       EXTRACT(EPOCH FROM kafka_timestamp) * 1000,
                       EXTRACT(EPOCH FROM postgres_timestamp) * 1000,
                       EXTRACT(EPOCH FROM postgres_timestamp - kafka_timestamp) * 1000
                  FROM processed_events WHERE uuid = ANY(%s)""", (list(uuids),))
            return cur.fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("sink_mode", ["copy", "jdbc"])
def test_every_event_lands_once_with_its_birth_year(stack, job_cfg, run_job, sink_mode):
    """Both sinks (SINK_MODE: the COPY connector, the default, and Flink's JDBC connector) write
    every field of every row."""
    log = stack.service("taskmanager").log
    start = log.stat().st_size
    cfg, job_id = run_job({"SINK_MODE": sink_mode})
    # Rows handed on without copies (FLINK_OBJECT_REUSE, on by default): the checks below cover it.
    reuse = flinkrest.rest(cfg, f"/jobs/{job_id}/config")["execution-config"]["object-reuse-mode"]
    assert reuse is (cfg.flink_object_reuse == "true")
    events = list(producer.generate_events(N, seed=7))
    summary = producer.produce(cfg, events, progress=False)
    assert summary.sent == N and summary.failed == 0
    with Landing(cfg, summary.uuids) as landing:
        landing.wait(timeout=180, progress=False)
        assert landing.landed() == N
    rows = rows_for(cfg, summary.uuids)
    assert len(rows) == N and len({r[0] for r in rows}) == N
    by_uuid = {e["uuid"]: e for e in events}
    year = dt.datetime.now(dt.timezone.utc).year
    for uuid, first, last, country, age, birth_year, kafka_ms, flink_ms, kafka_epoch, pg_epoch, latency in rows:
        e = by_uuid[uuid]
        assert (first, last, country, age) == (e["first_name"], e["last_name"], e["country"], e["age"])
        assert birth_year in (year - age, year - age - 1)  # the job's CURRENT_DATE may sit across New Year
        assert float(kafka_epoch) == pytest.approx(kafka_ms, abs=1)
        assert 0 <= float(latency) < 120_000, "latency non-negative and sane"
        assert kafka_ms <= flink_ms + 5 and flink_ms <= float(pg_epoch) + 5, "Kafka, then Flink, then Postgres"
    text = process.read_from(log, start)
    copying = "flinkfast-postgres: COPY into processed_events_in" in text
    assert copying is (sink_mode == "copy"), "the sink the mode names wrote the rows"
    # The COPY sink skips the view's row trigger: its rows go to the session's batch table.
    staged = "rows for processed_events_in go to pg_temp.processed_events_batch" in text
    assert staged is (sink_mode == "copy")


def tables_of(cfg, topic: str) -> dict[str, list[tuple]]:
    """Every column of every row the topic left in the three tables, in a fixed order."""
    out = {}
    with report.connect(cfg) as conn, conn.cursor() as cur:
        for table in ("processed_events", "superseded_events", "dead_letter_events"):
            cur.execute(f"SELECT * FROM {table} WHERE kafka_topic = %s ORDER BY kafka_partition, kafka_offset", (topic,))
            out[table] = cur.fetchall()
    return out


def test_a_full_replay_leaves_every_table_as_it_was(job_cfg, run_job):
    """Replays change nothing: the whole topic read again from offset 0 (another group, so every
    record), duplicates and dead letters included, leaves the three tables identical to the
    last byte: no row rewritten, no timestamp moved, no dead letter's size recomputed. (A replay
    used to overwrite flink_ts_ms but keep postgres_timestamp: latencies went negative.)"""
    cfg, job_id = run_job()
    events = list(producer.generate_events(N, seed=11))
    producer.produce(cfg, events, progress=False)
    again = [(e["uuid"].encode(), json.dumps(e).encode()) for e in events[:50]]    # the same uuids once more
    bad = [(b"bad", b"not JSON " + bytes(100_000)), (b"bad", b"\xff\xfe"), (b"bad", None)]
    send_raw(cfg, again + bad)
    reconcile.wait_placed(cfg, cfg.kafka_topic, 180)
    before = tables_of(cfg, cfg.kafka_topic)
    assert len(before["processed_events"]) == N and len(before["superseded_events"]) == 50
    assert [r[5] for r in before["dead_letter_events"]] == [100_009, 2, None], "payload_size: the bytes sent"
    flinkrest.cancel(cfg, job_id)

    replay_cfg, _ = run_job({"SCAN_STARTUP_MODE": "earliest-offset", "KAFKA_GROUP_ID": cfg.kafka_group_id + "-replay",
                             "JOB_NAME": cfg.job_name + "-replay"})
    reconcile.wait_drained(replay_cfg, cfg.kafka_topic, replay_cfg.kafka_group_id, 180)
    after = tables_of(cfg, cfg.kafka_topic)
    for table in before:
        assert after[table] == before[table], f"{table} changed by the replay"
    assert reconcile.reconcile(replay_cfg).ok
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("""SELECT count(*) FILTER (WHERE flink_timestamp < kafka_timestamp),
                              count(*) FILTER (WHERE postgres_timestamp < flink_timestamp), count(*)
                         FROM processed_events WHERE kafka_topic = %s""", (cfg.kafka_topic,))
        assert cur.fetchone() == (0, 0, N), "every stage's latency stays positive through the replay"


def test_a_record_stamped_60s_ago_by_its_producer_shows_no_more_latency(job_cfg, run_job):
    """The latency starts at the broker's append time (the topic is LogAppendTime): a producer's
    stamp a minute back changes neither the record's latency nor the report's figures."""
    cfg, _ = run_job()
    since = db_now(cfg)
    events = list(producer.generate_events(200, seed=3))
    late = events[100]["uuid"]
    now_ms = int(time.time() * 1000)
    summary = producer.produce(cfg, events, progress=False,
                               timestamp_ms=lambda e: now_ms - 60_000 if e["uuid"] == late else None)
    with Landing(cfg, summary.uuids) as landing:
        landing.wait(timeout=120, progress=False)
    rows = {r[0]: r for r in rows_for(cfg, summary.uuids)}
    latency = {u: float(r[10]) for u, r in rows.items()}
    assert rows[late][6] >= now_ms, "the row's Kafka timestamp is the append time, not the producer's stamp"
    assert 0 <= latency[late] < 30_000
    with report.connect(cfg) as conn:
        data = report.collect(conn, since=since)
    assert data["summary"]["total_rows"] == 200
    end_to_end = data["latency"]["kafka_to_postgres"]
    assert end_to_end["max_ms"] == pytest.approx(max(latency.values()), abs=1)
    assert end_to_end["max_ms"] < 30_000
    assert all(b["rows"] == 0 for b in data["buckets"] if b["bucket"] == "30 s and more")


def test_figures_do_not_move_under_a_non_utc_zone(stack, job_cfg, run_job):
    """TaskManager JVM, Flink client (session zone) and the Postgres session all in Asia/Kolkata."""
    zone = "Asia/Kolkata"
    stack.stop("taskmanager")
    try:
        with environment(TZ=zone):  # what the TaskManager starts with (its supervisor too)
            stack.start("taskmanager")
        jvm = Path(f"/proc/{stack.service('taskmanager').main_pid()}/environ").read_bytes().split(b"\0")
        assert f"TZ={zone}".encode() in jvm, "the TaskManager's JVM runs in the zone"
        cfg, _ = run_job(extra_env={"TZ": zone})
        events = list(producer.generate_events(500, seed=5))
        base_ms = int(time.time() * 1000) - 2_000
        stamps = {e["uuid"]: base_ms + i for i, e in enumerate(events)}
        summary = producer.produce(cfg, events, progress=False, timestamp_ms=lambda e: stamps[e["uuid"]])
        with Landing(cfg, summary.uuids) as landing:
            landing.wait(timeout=180, progress=False)
        for _uuid, *_, kafka_ms, flink_ms, kafka_epoch, pg_epoch, latency in rows_for(cfg, summary.uuids, timezone=zone):
            # The broker's append time (LogAppendTime), after the producer's stamps, and arriving unchanged.
            assert base_ms <= kafka_ms <= int(time.time() * 1000), "the Kafka timestamp is an instant, not shifted"
            assert float(kafka_epoch) == pytest.approx(kafka_ms, abs=1)
            # A zone bug shifts by 5.5 hours; real latency here is seconds.
            assert 0 <= float(latency) < 60_000
            assert abs(float(pg_epoch) - flink_ms) < 60_000
    finally:
        stack.stop("taskmanager")
        stack.start("taskmanager")


@pytest.mark.slow
def test_the_job_runs_on_an_embedded_mini_cluster_too(job_cfg):
    """`python flinkfast_job.py` (no cluster): the connector jars are shipped with the job; its own
    client checks the topic's generation as the writer, as in compose and Kubernetes."""
    import os
    import signal
    import subprocess
    import sys
    from flinkfast.paths import REPO_ROOT
    env = dict(os.environ, KAFKA_TOPIC=job_cfg.kafka_topic, KAFKA_GROUP_ID=job_cfg.kafka_group_id,
               JOB_NAME=job_cfg.job_name, FLINK_PARALLELISM="1")
    proc = subprocess.Popen([sys.executable, "flinkfast_job.py"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        summary = producer.produce(job_cfg, producer.generate_events(500, seed=13), progress=False)
        with Landing(job_cfg, summary.uuids) as landing:
            landing.wait(timeout=240, progress=False)
            assert landing.landed() == 500
        # Its own client recorded the topic's generation as compose's and Kubernetes' JobManager do:
        # through the writer's topic_generations_in, with the job's Kafka login (nothing else submitted here).
        from flinkfast.clients import pg_connect
        from flinkfast.topics import generations
        with pg_connect(job_cfg) as conn, conn.cursor() as cur:
            cur.execute("SELECT generation, topic_id FROM topic_generations WHERE kafka_topic = %s", (job_cfg.kafka_topic,))
            assert cur.fetchall() == [(1, generations.topic_id(job_cfg, job_cfg.kafka_topic))]
        conn.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
