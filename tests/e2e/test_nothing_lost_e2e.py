"""Nothing lost: bad messages become dead letters, every message is accounted for (faults: the gauntlet).

All on the real local stack: each test has its own topic, consumer group and job.
"""
from __future__ import annotations

import json
import os

import pytest

from flinkfast.accounting import reconcile, report
from flinkfast.events import producer
from flinkfast.pipeline import flinkrest
from flinkfast.clients import wait_until
from flinkfast.accounting.verify import Landing
from tests.helpers import send_raw

pytestmark = pytest.mark.e2e

GOOD = {"first_name": "Ada", "last_name": "Lovelace", "country": "United Kingdom", "age": 36}
NEAR_1_MB = 1_000_000


def js(**fields) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


# (key, value, reason); a None value is a tombstone.
BAD = [
    (b"k1", b"this is not JSON", "not JSON"),
    (b"k2", b"\xc3\x28\xa0\xa1", "not UTF-8"),
    (b"k3", b"[1, 2, 3]", "JSON is not an object"),
    (b"k4", b"", "empty message"),
    (b"k5", None, "empty message"),
    (b"k6", js(**GOOD), "uuid missing or null"),
    (b"k7", js(uuid=None, **GOOD), "uuid missing or null"),
    (b"k8", js(uuid="u-age-missing", **{k: v for k, v in GOOD.items() if k != "age"}), "age missing or null"),
    (b"k9", js(uuid="u-age-null", **{**GOOD, "age": None}), "age missing or null"),
    (b"k10", js(uuid="u-age-text", **{**GOOD, "age": "old"}), "age not an integer"),
    (b"k11", js(uuid="u-age-float", **{**GOOD, "age": 36.6}), "age not an integer"),
    (b"k12", js(uuid="u-age-neg", **{**GOOD, "age": -1}), "age out of range 0-150"),
    (b"k13", js(uuid="u-age-151", **{**GOOD, "age": 151}), "age out of range 0-150"),
    (b"k14", js(uuid="u-nul", **{**GOOD, "first_name": "A\u0000da"}), "NUL character in a text field"),
    (b"k15", js(uuid="u-big", pad="x" * NEAR_1_MB, **GOOD), "longer than 65536 characters"),
]


def dead_letters(cfg) -> dict[int, tuple]:
    with report.connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("""SELECT kafka_offset, reason, payload, payload_size FROM dead_letter_events
                        WHERE kafka_topic = %s AND kafka_partition = 0""", (cfg.kafka_topic,))
        return {o: (reason, bytes(p) if p is not None else None, size) for o, reason, p, size in cur.fetchall()}


def job_state(cfg, job_id) -> str:
    return flinkrest.rest(cfg, f"/jobs/{job_id}")["state"]


def test_bad_messages_become_dead_letters_and_the_job_keeps_running(run_job):
    cfg, job_id = run_job()
    before = producer.produce(cfg, producer.generate_events(1000, seed=21), progress=False)
    send_raw(cfg, BAD)
    duplicate = dict(next(iter(producer.generate_events(1, seed=22))))
    send_raw(cfg, [(duplicate["uuid"].encode(), js(**duplicate))] * 2)  # the same uuid twice: one row
    after = producer.produce(cfg, producer.generate_events(1000, seed=23), progress=False)
    with Landing(cfg, before.uuids + after.uuids + [duplicate["uuid"]]) as landing:
        landing.wait(timeout=180, progress=False)

    letters = wait_until(lambda: (d := dead_letters(cfg)) and len(d) >= len(BAD) and d, 120, "the dead letters",
                         interval=1)
    assert len(letters) == len(BAD)
    by_reason = sorted(reason for reason, *_ in letters.values())
    assert by_reason == sorted(reason for *_, reason in BAD)
    for (_key, value, reason), (got_reason, payload, size) in zip(BAD, [letters[o] for o in sorted(letters)]):
        assert got_reason == reason
        if value is None:
            assert payload is None and size is None
        else:
            assert size == len(value), "the original size is recorded"
            assert payload == value[:65536], "the raw bytes are kept, capped at 64 KiB"
    assert job_state(cfg, job_id) == "RUNNING", "bad input does not stop the job"

    reconcile.wait_placed(cfg, cfg.kafka_topic, 120)
    result = reconcile.reconcile(cfg, to_end=True)
    assert result.ok, result.text()
    assert sum(p.dead_letters for p in result.partitions) == len(BAD)
    assert sum(p.superseded for p in result.partitions) == 1, "the first duplicate"


def test_reconcile_cli_finds_a_gap(run_job):
    import subprocess
    import sys
    cfg, _ = run_job()
    summary = producer.produce(cfg, producer.generate_events(500, seed=31), progress=False)
    with Landing(cfg, summary.uuids) as landing:
        landing.wait(timeout=120, progress=False)
    reconcile.wait_drained(cfg, cfg.kafka_topic, cfg.kafka_group_id, 120)
    env = dict(os.environ, KAFKA_TOPIC=cfg.kafka_topic, KAFKA_GROUP_ID=cfg.kafka_group_id)
    cli = [sys.executable, "print_data_postgres.py", "--reconcile"]
    ok = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "OK: all 500 messages accounted for" in ok.stdout, ok.stdout + ok.stderr
    with report.connect(cfg, "admin") as conn, conn.cursor() as cur:  # lose two rows behind the pipeline's back
        cur.execute("DELETE FROM processed_events WHERE uuid = ANY(%s)", (summary.uuids[:2],))
    gap = subprocess.run(cli + ["--json"], env=env, capture_output=True, text=True, timeout=120)
    assert gap.returncode == 1
    data = json.loads(gap.stdout)
    assert data["ok"] is False and sum(p["missing"] for p in data["partitions"]) == 2
    assert "reconciliation found a gap" in gap.stderr


# The fault tests (kill -9 of the TaskManager and the JobManager, PostgreSQL and Kafka restarted,
# each during 30,000 events) are in the gauntlet now (tests/e2e/test_gauntlet_e2e.py): the same
# faults as kill -9, under a load with duplicates and skewed clocks, checked by content.
