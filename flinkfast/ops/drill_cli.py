"""`make drill`: faults and a rescale under a steady load, on a stack of its own with three
TaskManagers and three brokers; a JSON report, and exit 0 only if nothing was lost or doubled.

A thread produces DRILL_RATE events/s (acks=all, each event a uuid of its own) from the start to
the end; the job runs at parallelism 2 on a topic of 4 partitions (planned for the rescale: at 4
each subtask reads one partition, at 2 two each). After a steady baseline, in turn:
  1. kill -9 of a TaskManager running the job's tasks (its supervisor starts a new one): does
     the job restart on the other TaskManagers' free slots, or wait for the new one?
  2. kill -9 of a broker leading partitions of the topic (not the controller): the leaders move
     to the other replicas (RF 3, min.insync.replicas 2); then the broker is started again;
  3. the rescale in place: the stack runs Flink's adaptive scheduler (FLINK_SCHEDULER=adaptive),
     which, asked through the REST API (PUT /jobs/:id/resource-requirements), rescales the
     running job (the same id) from its last checkpoint: to parallelism 4, and back to 2;
  4. the rescale by savepoint: stop-with-savepoint and resubmission from the savepoint at
     parallelism 4, and back to 2 the same way (no --allowNonRestoredState: every operator's
     state must be restored, the trap of FLINK-35336);
  5. kill -9 of the JobManager (its supervisor restarts it; HA on ZooKeeper brings the job back).
Per fault: the seconds until the job runs again (for a rescale: at the new parallelism) and
until every partition delivers events made after the fault within 2 s again (recovery),
p50/p99/max latency (PostgreSQL's clock minus the Kafka timestamp) of the events made from
DRILL_WINDOW_S before the fault to DRILL_WINDOW_S after the recovery, the messages the topic took meanwhile, and reconcile up to the committed offsets.
At the end the load stops, the job drains, and the accounting must hold: reconcile OK, every
message of the topic in processed_events once (nothing superseded, no dead letter) and every
event Kafka acknowledged among them.

Results: benchmarks/<timestamp>-drill.json and a table; the stack is stopped by its own `down`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from flinkfast import clients, config
from flinkfast.cli.command import Command
from flinkfast.config import Config
from flinkfast.errors import CheckFailed, UserError, one_line
from flinkfast.ops.drill import (BUDGET_S, CHECKPOINT_MS, PARALLELISM, PARTITIONS, RESCALED, SHAPE, Drill, say,
                                 verdict)
from flinkfast.paths import REPO_ROOT

OUT_DIR = REPO_ROOT / "benchmarks"
STATE = REPO_ROOT / ".state" / "drill"


def table(result: dict) -> str:
    lines = [f"{'fault':<28}{'job back s':>11}{'recovered s':>12}{'p99 ms':>8}{'max ms':>8}{'messages':>10}"
             f"{'reconcile':>11}"]
    if result["baseline"]:
        base = result["baseline"]["latency"]
        lines.append(f"{'(baseline)':<28}{'':>11}{'':>12}{base['p99_ms'] or 0:>8}{base['max_ms'] or 0:>8}{'':>10}"
                     f"{'OK' if result['baseline']['reconcile']['ok'] else 'GAP':>11}")
    for f in result["faults"]:
        back = f.get("job_running_again_s", "-")
        lines.append(f"{f['fault']:<28}{back!s:>11}{f['recovered_s']:>12}{f['latency']['p99_ms'] or 0:>8}"
                     f"{f['latency']['max_ms'] or 0:>8}{f['messages']:>10,}{'OK' if f['reconcile']['ok'] else 'GAP':>11}")
    final, in_place = result["final"], result["in_place_rescale"]
    lines.append("")
    if final:
        lines.append(f"final: {final['messages']:,} messages, {final['processed']:,} processed, {final['missing']} "
                     f"missing, {final['doubled']} doubled; {final['acknowledged_landed']:,} of "
                     f"{final['acknowledged']:,} acknowledged events landed ({final['send_failures']} sends failed, "
                     "never acknowledged)")
    if in_place:
        lines.append(f"in-place rescale: {in_place['answer']}")
    lines.append(f"{result['verdict']} in {result['elapsed_s']:.0f} s")
    return "\n".join(lines)


def drill(cfg: Config, rate: int, window_s: float, budget_s: float = BUDGET_S) -> dict:
    """The whole drill on the stack `cfg` describes (started here, stopped here); the result."""
    from flinkfast.stack import Stack
    from flinkfast.stack.cli import ProgressPrinter
    t0 = time.monotonic()
    deadline = t0 + budget_s
    stack = Stack(cfg)
    say(f"starting a stack of its own in {cfg.state_dir}: {cfg.flink_taskmanagers} TaskManagers "
        f"x {cfg.taskmanager_slots} slots, {cfg.kafka_brokers} brokers (RF {cfg.kafka_replication_factor}, "
        f"min ISR {cfg.kafka_min_insync_replicas})")
    try:
        stack.up(ProgressPrinter())
        topic = f"drill-{int(time.time())}"
        clients.create_topic(cfg, topic, partitions=PARTITIONS)
        job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic, job_name="drill",
                              flink_parallelism=PARALLELISM, checkpoint_interval_ms=CHECKPOINT_MS)
        run = Drill(stack, job_cfg, rate, window_s, deadline)
        try:
            out = run.run()
            reason = verdict(out["final"])
        except Exception as e:  # noqa: BLE001 (what was measured until then is still reported)
            reason = f"{type(e).__name__}: {one_line(e, 300)}" if not isinstance(e, UserError) else one_line(e, 300)
            out = {"baseline": run.baseline, "in_place_rescale": run.in_place, "faults": run.faults, "final": None}
        finally:
            run.load.stop()
        out["passed"] = reason is None
        out["verdict"] = "PASS: nothing lost, nothing doubled" if reason is None else f"FAILED: {reason}"
    finally:
        say("stopping the drill's stack (down)")
        stack.down(report=ProgressPrinter())
    from flinkfast.bench.results import machine
    out.update(timestamp=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               elapsed_s=round(time.monotonic() - t0, 1), topic=topic,
               settings={"FLINK_TASKMANAGERS": cfg.flink_taskmanagers, "TASKMANAGER_SLOTS": cfg.taskmanager_slots,
                         "FLINK_SCHEDULER": cfg.flink_scheduler, "KAFKA_BROKERS": cfg.kafka_brokers, "KAFKA_REPLICATION_FACTOR": cfg.kafka_replication_factor,
                         "KAFKA_MIN_INSYNC_REPLICAS": cfg.kafka_min_insync_replicas, "partitions": PARTITIONS,
                         "parallelism": [PARALLELISM, RESCALED, PARALLELISM], "CHECKPOINT_INTERVAL_MS": CHECKPOINT_MS,
                         "DRILL_RATE": rate, "DRILL_WINDOW_S": window_s, "SINK_MODE": cfg.sink_mode},
               machine=machine())
    return out


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", type=Path, default=STATE, help="the drill's stack's folder (default .state/drill)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the JSON (default benchmarks/)")


def _run(args: argparse.Namespace) -> int:
    from flinkfast.stack.isolated import enter_fresh
    base = config.from_args(args)
    # Every drill on an empty stack (no job of an earlier one recovered by HA), with its own ports
    # and shape for every child too.
    enter_fresh(args.state, say, **SHAPE)
    cfg = config.load({"DRILL_RATE": base.drill_rate, "DRILL_WINDOW_S": base.drill_window_s})
    result = drill(cfg, cfg.drill_rate, cfg.drill_window_s)
    from flinkfast.bench.results import stamp, write_json
    path = write_json(args.out, f"{stamp()}-drill", result)
    print()
    print(table(result))
    print(f"written: {path}")
    if not result["passed"]:
        raise CheckFailed(result["verdict"].removeprefix("FAILED: "))
    return 0


COMMAND = Command("drill", "faults and rescales (in place, by savepoint) under load on a stack of its own "
                           "(3 TaskManagers, 3 brokers, the adaptive scheduler): "
                           "exit 0 only if nothing was lost or doubled",
                  "flinkfast drill --drill-rate 2000   (make drill)", _run, _arguments,
                  settings=("DRILL_RATE", "DRILL_WINDOW_S"), description=__doc__.strip())
main = COMMAND.main


if __name__ == "__main__":
    from flinkfast.errors import run as _main_run
    _main_run(main, "drill")
