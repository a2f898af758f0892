"""The short form of `make drill`'s rescale (docs/drill.md), on the suite's stack: under a steady
load, the running job is stopped with a savepoint and resubmitted from it at another
parallelism, and nothing is lost or doubled. The restore must take every operator's state (no
--allowNonRestoredState): the trap of FLINK-35336, SQL jobs whose operator ids change with the
parallelism."""
from __future__ import annotations

import time

import pytest

from flinkfast.accounting import reconcile
from flinkfast.pipeline import flinkrest
from flinkfast.ops import drill, rescale, watch
from flinkfast.ops.load import Load
from flinkfast.accounting.verify import Landing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_one_rescale_under_load_keeps_the_accounting(run_job):
    job_cfg, job_id = run_job({"FLINK_PARALLELISM": 1, "CHECKPOINT_INTERVAL_MS": 1000})
    load = Load(job_cfg, rate=500).start()
    try:
        time.sleep(5)  # events in flight and a checkpoint or more before the savepoint
        new_id, info = rescale.rescale(job_cfg, job_id, 2)
        assert info["restored_from_savepoint"], info
        assert info["parallelism_after"] == [2], info
        assert flinkrest.rest(job_cfg, f"/jobs/{job_id}")["state"] == "FINISHED", "stopped, not cancelled"
        time.sleep(5)  # the rescaled job under the load
    finally:
        load.stop()
    assert load.acked and not load.errors, load.errors

    reconcile.wait_drained(job_cfg, job_cfg.kafka_topic, job_cfg.kafka_group_id, timeout=120)
    final = watch.accounting(job_cfg)
    final["messages"] = watch.messages(job_cfg)
    with Landing(job_cfg, load.acked) as landing:
        final["acknowledged"], final["acknowledged_landed"] = landing.expected, landing.landed()
    assert drill.verdict(final) is None, (drill.verdict(final), final)
