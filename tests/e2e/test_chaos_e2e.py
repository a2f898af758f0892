"""A stateful chaos test, in the manner of Jepsen: a seeded random walk of the chaos kit's faults
(tests/chaos.py FAULTS, the nemesis: flinkfast/ops/faults.py) against the real stack while the
background load (flinkfast/ops/load.py) produces: uuids repeated across partitions, producer
timestamps ahead and behind, now and then bad messages. Faults overlap: a fault may strike while
another's recovery is in progress (two services at once, e.g. the TaskManager killed while
PostgreSQL is down). After every step, once the job caught up, the gauntlet's checker
(tests/chaos.py check; every COMMITTED_EVERY-th step and the last also once the group committed):
every acknowledged message where the one placement model puts it, with
its content; reconcile OK; nothing lost, nothing doubled; the job RUNNING; at the end no restart
loop.

    make chaos                                  CHAOS_STEPS (default 200), a fresh seed, printed
    CHAOS_SEED=123 CHAOS_STEPS=40 make chaos    replay a walk (the faults drawn; the load's timing is the machine's)

`make test` runs the fixed gauntlet instead (tests/e2e/test_gauntlet_e2e.py: every fault once, in
order); this walk runs only with CHAOS_STEPS set, on a stack of its own (.state/chaos): it kills
services. A walk that found a bug becomes a regression test by adding its seed to REGRESSION_SEEDS, with the steps it needs.
"""
from __future__ import annotations

import json
import os
import random
import time

import pytest

from tests import chaos

STEPS = int(os.environ.get("CHAOS_STEPS") or 0)
# A fresh seed, the same in every pytest-xdist worker of one run (they must collect the same tests).
SEED = int(os.environ.get("CHAOS_SEED") or random.Random(os.environ.get("PYTEST_XDIST_TESTRUNUID")).randrange(2 ** 31))
# Walks that once found a bug, each replayed as far as the step that found it and a few more
# (at most STEPS), after the fresh walk: a make chaos of 200 steps is one walk of 200 steps and
# the regressions, not the regressions' 200 steps each too. 1856845980: at step 43 Kafka was
# killed within a minute of a DeleteRecords; restarted, it read the deleted records again (it
# checkpoints the log start once a minute), and reconcile took those recorded lost for missing.
REGRESSION_SEEDS: dict[int, int] = {1856845980: 50}
RATE = 200
OVERLAP = 0.4   # the chance that a second fault strikes while the first recovers
# Every step's check waits for every record placed; every COMMITTED_EVERY-th step's (and the final
# one's, and a full replay's: its rows are placed already) waits for the group's commit too, which
# on a quiet topic costs 10-14 s more (Flink's Kafka reader commits once its 10 s poll returns).
COMMITTED_EVERY = 10
# A step takes 15-40 s on two cores (a fault and the check after it).
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900 + STEPS * 120),
              pytest.mark.skipif(not STEPS, reason="the random walk runs under make chaos (CHAOS_STEPS); "
                                                   "make test runs the gauntlet")]


def step(run: chaos.Run, rnd: random.Random) -> str:
    """One fault (now and then two overlapping, or bad messages), struck while the load sends."""
    available = [f for f in chaos.FAULTS.values() if f.available()]
    if rnd.random() < 0.15:
        return f"{run.send_bad(rnd)} bad messages"
    first = rnd.choice(available)
    run.flowing(rnd.uniform(0.5, 3))
    what, recover = first.strike(run)
    run.drawn.append(first.name)
    done = [what]
    pending = [recover] if recover else []
    others = [f for f in available if not f.job_control and f.touches != first.touches]
    if recover and not first.job_control and others and rnd.random() < OVERLAP:
        second = rnd.choice(others)   # while the first one's recovery is still to come
        what, recover = second.strike(run)
        run.drawn.append(second.name)
        done.append(f"{what} (overlapping)")
        pending += [recover] if recover else []
    for r in pending:
        r()
    return "; ".join(done)


WALKS = {SEED: STEPS, **{s: min(n, STEPS) for s, n in REGRESSION_SEEDS.items() if s != SEED}}


@pytest.mark.parametrize("seed", list(WALKS))
def test_a_random_walk_of_events_and_faults_loses_and_doubles_nothing(stack, job_cfg, jobserver, seed):
    cfg = job_cfg.replace(checkpoint_interval_ms=1000)
    rnd = random.Random(seed)
    steps = WALKS[seed]
    print(f"chaos: seed {seed}, {steps} steps (replay: CHAOS_SEED={seed} CHAOS_STEPS={steps} make chaos)", flush=True)
    t0 = time.monotonic()
    history: list[str] = []
    run, at = None, "the start"
    try:
        run = chaos.Run(stack, cfg, jobserver.submit, RATE)
        for i in range(steps):
            at = i + 1
            history.append(step(run, rnd))
            committed = (i + 1) % COMMITTED_EVERY == 0 or "full replay" in history[-1]
            started = time.monotonic()
            checked = chaos.check(run, committed=committed)
            print(f"chaos: step {i + 1}/{steps} {history[-1]}; {checked.messages} messages checked"
                  f"{', the commit too' if committed else ''} in {time.monotonic() - started:.0f}s "
                  f"({time.monotonic() - t0:.0f}s)", flush=True)
        at = "the final check"
        run.load.stop()
        checked = chaos.check(run, final=True)
    except BaseException as e:
        raise AssertionError(f"chaos seed {seed} failed at step {at} (its fault or its check) after {history[-8:]}: {e}") from e
    finally:
        chaos.restore(run, stack, cfg)
    drawn = {name: run.drawn.count(name) for name in dict.fromkeys(run.drawn)}
    print("chaos: " + json.dumps({**chaos.summary(run, checked, time.monotonic() - t0, seed=seed, steps=steps),
                                  "faults": drawn}), flush=True)
