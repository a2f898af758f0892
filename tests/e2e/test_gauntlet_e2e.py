"""The gauntlet: every fault of the chaos kit (tests/chaos.py FAULTS), each once, in a fixed order,
each WHILE events flow, against the one placement model -- in `make test`.

A background load (flinkfast/ops/load.py) produces all along: a quarter of its events repeat an
earlier uuid with new content on any partition, a third carry a producer timestamp up to two
minutes ahead or behind; a few bad messages go in too. Each fault strikes while the load sends
and recovers while it goes on sending; then the load pauses, the job catches up, and the checker
(tests/chaos.py check) compares every row's content and position with the model: processed,
superseded and dead-letter rows, reconcile OK, nothing lost, nothing doubled, the job RUNNING and
status' verdict clean. The last check also watches for a restart loop. A failure names the step
after which it happened; the printout lists the faults drawn, the messages sent, the rows per
table, and per step the seconds to recover and to check.

The topic re-creation (the last step) deletes the topic under the load and creates it again under
its name; the job stops on one line, `flinkfast new-generation` archives the old generation's rows
as '<topic>~1' and the job is resubmitted. From then on the checker reads both generations' rows
and predicts them by content, one uuid's winner chosen across both (a newer message of a uuid
whose winner was archived supersedes it there). It restarts the job itself, so it shares its step
with nothing.

Two steps strike two faults each, on two services, the second while the first recovers (as the
chaos walk overlaps them): PostgreSQL and Kafka killed together, and a transaction aborted just
before the TaskManager is paused. Neither second fault restarts the job, so neither can heal what
the first broke before the check looks; each check costs a drain (about 10 s: the Kafka source
commits the last offsets when its idle poll returns), so fewer checks are a shorter gauntlet.

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
# The steps, in order: each strikes its faults while events flow (a later one while the earlier
# recover), then one check. Two faults share a step only on two services and without job control.
STEPS = [("kill_taskmanager",), ("cut_sink_sessions",), ("aborted_transaction", "pause_taskmanager"),
         ("kill_postgres", "kill_kafka"), ("kill_jobmanager",), ("cancel_resubmit",), ("skip",), ("full_replay",),
         ("retention_deletion",), ("topic_recreation",)]
ORDER = [name for step in STEPS for name in step]


def test_every_fault_while_events_flow_loses_and_doubles_nothing(stack, job_cfg, jobserver):
    assert sorted(ORDER) == sorted(chaos.FAULTS), "a fault of the kit missing from the gauntlet, or there twice"
    for step in STEPS:
        faults = [chaos.FAULTS[name] for name in step]
        assert len(step) == 1 or (len({f.touches for f in faults}) == len(step) and not any(f.job_control for f in faults)), \
            f"{step}: faults share a step only on services of their own and without job control"
    cfg = job_cfg.replace(checkpoint_interval_ms=1000)
    rnd = random.Random(SEED)
    t0 = time.monotonic()
    log = lambda line: print(f"gauntlet: {line} ({time.monotonic() - t0:.0f}s)", flush=True)  # noqa: E731
    run = None
    try:
        run = chaos.Run(stack, cfg, jobserver.submit, RATE)
        run.flowing()
        log(f"{run.send_bad(rnd)} bad messages")
        for step in STEPS:
            faults = [chaos.FAULTS[name] for name in step]
            for f in faults:
                if not f.available():
                    log(f"{f.name} SKIPPED: flinkfast.ops.faults.{f.needs} does not exist yet")
            faults = [f for f in faults if f.available()]
            if not faults:
                continue
            run.flowing()
            struck, pending = [], []
            for f in faults:   # the second strikes while the first has still to recover
                what, recover = f.strike(run)
                struck.append(f"{what}; model: {f.model}")
                pending += [recover] if recover else []
                run.drawn.append(f.name)
            t = time.monotonic()
            for recover in pending:
                recover()
            recovered_s, t = time.monotonic() - t, time.monotonic()
            try:
                # The commit waited for only after a replay: its claim is what re-reading does.
                checked = chaos.check(run, committed="full_replay" in step)
            except AssertionError as e:
                raise AssertionError(f"after {' + '.join(step)} ({' | '.join(struck)}; faults so far {run.drawn}): {e}") from e
            log(f"{' | '.join(struck)}; recovered in {recovered_s:.0f}s, checked {checked.messages} messages "
                f"in {time.monotonic() - t:.0f}s")
        run.flowing()
        run.load.stop()
        checked = chaos.check(run, final=True)
        assert not {f.name for f in chaos.FAULTS.values() if f.available()} - set(run.drawn)
        log(json.dumps(chaos.summary(run, checked, time.monotonic() - t0, seed=SEED)))
    finally:
        chaos.restore(run, stack, cfg)
