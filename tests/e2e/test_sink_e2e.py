"""The sinks under what a database does to its clients (issue 20): sessions cut under them.

Both sinks (SINK_MODE copy, the default, and jdbc) must lose nothing and double nothing when
their connections die between or during flushes; the COPY sink retries a failed flush on a new
connection (udf/.../sink/CopyWriter.java), and says so in the TaskManager's log.
"""
from __future__ import annotations

import time
import uuid as uuidlib

import pytest

from flinkfast.accounting import reconcile, report
from flinkfast.pipeline import flinkrest
from flinkfast.clients import wait_until
from flinkfast.stack import process
from tests.helpers import cut_sessions, event, send_records

pytestmark = pytest.mark.e2e
ROUNDS = 4
PER_ROUND = 300


def landed(cfg) -> int:
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM processed_events WHERE kafka_topic = %s", (cfg.kafka_topic,))
        return cur.fetchone()[0]


@pytest.mark.parametrize("sink_mode", ["copy", "jdbc"])
def test_nothing_is_lost_when_the_sink_sessions_are_cut(stack, run_job, sink_mode):
    log = stack.service("taskmanager").log
    start = log.stat().st_size
    cfg, job_id = run_job({"SINK_MODE": sink_mode})
    t0 = int(time.time() * 1000) - 60_000
    sent, cut = 0, 0
    for _ in range(ROUNDS):
        records = [(event(str(uuidlib.uuid4())), i % cfg.kafka_partitions, t0 + sent + i) for i in range(PER_ROUND)]
        send_records(cfg, records)
        sent += len(records)
        # the rows so far are in: the sink holds an open session, which is cut before the next round
        wait_until(lambda n=sent: landed(cfg) == n, 120, f"{sent} rows in processed_events")
        cut += cut_sessions(cfg, cfg.flink_db_user)
    assert cut >= ROUNDS, "the sink had a session to cut each round"
    reconcile.wait_placed(cfg, cfg.kafka_topic, 120)
    result = reconcile.reconcile(cfg, to_end=True)
    assert result.ok, result.text()
    assert landed(cfg) == sent
    assert flinkrest.rest(cfg, f"/jobs/{job_id}")["state"] == "RUNNING"
    if sink_mode == "copy":
        text = process.read_from(log, start)
        assert "failed (attempt 1), retrying" in text, "the cut sessions were met and retried"
        assert int(flinkrest.metric(cfg, job_id, "numRestarts") or 0) == 0, "a retry, not a failover"
