"""The gauntlet: every fault of the chaos kit (tests/chaos.py FAULTS), each once, in a fixed order,
each WHILE events flow, against the one placement model -- in `make test`.

A background load (flinkfast/ops/load.py) produces all along: a quarter of its events repeat an
earlier uuid with new content on any partition, a third carry a producer timestamp up to two
minutes ahead or behind; a few bad messages go in too. Each fault strikes while the load sends
and recovers while it goes on sending; then the load pauses, the job catches up, and the checker
(tests/chaos.py check) compares every row's content and position with the model: processed,
superseded and dead-letter rows, reconcile OK, nothing lost, nothing doubled, the job RUNNING and
status' verdict clean. The last check also watches for a restart loop. A failure names the fault
after which it happened; the printout lists the faults drawn, the messages sent, the rows per
table.

It replaces, in `make test`, the chaos walk's 8 seeded steps (the walk runs under `make chaos`
only, now with overlapping faults and the same checker) and the four fault tests of
tests/e2e/test_nothing_lost_e2e.py (30,000 events each, checked by count):
  - the TaskManager killed with SIGKILL        -> kill_taskmanager here
  - the JobManager killed with SIGKILL         -> kill_jobmanager here (HA recovers the job, nobody resubmits)
  - PostgreSQL stopped and restarted           -> kill_postgres here (kill -9, harsher than a stop)
  - the Kafka broker restarted                 -> kill_kafka here (kill -9, the load's sends retried)
each then under a load with duplicates and skewed clocks, and checked by content, not by count.
"""
from __future__ import annotations

import json
import random
import time

import pytest

from tests import chaos

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1200)]
SEED = 20261206
RATE = 100   # events/s: every flush has repeats in it, and the checks stay cheap
ORDER = ["kill_taskmanager", "cut_sink_sessions", "pause_taskmanager", "kill_postgres", "kill_kafka",
         "kill_jobmanager", "cancel_resubmit", "skip", "full_replay",
         "retention_deletion", "topic_recreation", "aborted_transaction"]


def test_every_fault_while_events_flow_loses_and_doubles_nothing(stack, job_cfg, jobserver):
    assert set(ORDER) == set(chaos.FAULTS), "a fault of the kit missing from the gauntlet"
    cfg = job_cfg.replace(checkpoint_interval_ms=1000)
    rnd = random.Random(SEED)
    t0 = time.monotonic()
    log = lambda line: print(f"gauntlet: {line} ({time.monotonic() - t0:.0f}s)", flush=True)  # noqa: E731
    run = None
    try:
        run = chaos.Run(stack, cfg, jobserver.submit, RATE)
        run.flowing()
        log(f"{run.send_bad(rnd)} bad messages")
        for name in ORDER:
            fault = chaos.FAULTS[name]
            if not fault.available():
                log(f"{name} SKIPPED: flinkfast.ops.faults.{fault.needs} does not exist yet")
                continue
            run.flowing()
            what, recover = fault.strike(run)
            if recover:
                recover()
            run.drawn.append(name)
            try:
                checked = chaos.check(run)
            except AssertionError as e:
                raise AssertionError(f"after {name} ({what}; faults so far {run.drawn}): {e}") from e
            log(f"{what}; model: {fault.model}; checked {checked.messages} messages")
        run.flowing()
        run.load.stop()
        checked = chaos.check(run, final=True)
        assert not set(ORDER[:9]) - set(run.drawn)
        log(json.dumps(chaos.summary(run, checked, time.monotonic() - t0, seed=SEED)))
    finally:
        chaos.restore(run, stack, cfg)
