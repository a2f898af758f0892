"""`make bench-scaling`: what an event costs at parallelism 1, 2 and 4 (docs/scaling.md).

On a stack of its own (.state/scaling, free ports: 2 TaskManagers x 2 slots, one broker, a topic
of 4 partitions so that every parallelism reads them evenly) SCALING_EVENTS events (default
500,000) are preloaded once; the pipeline drains them once unmeasured (the warm-up: a fresh
TaskManager's JIT, cold caches), then once at each parallelism, each drain watched and its CPU
per event per process read from /proc as `make bench` does (flinkfast.bench.drain.drain_job). The
stack is stopped at the end. Results: benchmarks/<timestamp>-scaling.json and a table.

What it shows is the cost of parallelism on one machine (more subtasks, more connections, more
checkpoint barriers for the same events), not a speed-up: the two cores are shared by every
process at any parallelism. docs/scaling.md projects from it, marked as projection.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from flinkfast import config
from flinkfast.events import producer
from flinkfast.bench.drain import bench_cfg, create_topic, drain_job, say
from flinkfast.bench.results import CPU_KEYS, machine, stamp, write_json
from flinkfast.cli.command import Command
from flinkfast.paths import REPO_ROOT

OUT_DIR = REPO_ROOT / "benchmarks"
STATE = REPO_ROOT / ".state" / "scaling"
PARALLELISMS = (1, 2, 4)
SHAPE = {"FLINK_TASKMANAGERS": 2, "TASKMANAGER_SLOTS": 2, "KAFKA_BROKERS": 1, "KAFKA_PARTITIONS": 4}


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated events (default 1)")
    parser.add_argument("--state", type=Path, default=STATE, help="its stack's folder (default .state/scaling)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the JSON (default benchmarks/)")


def measure(cfg: config.Config, stack, n: int, seed: int) -> dict:
    """The drains on a running stack: the warm-up, then one per parallelism."""
    stack.init_database()
    topic = f"bench-scaling-{int(dt.datetime.now().timestamp())}"
    create_topic(cfg, topic)
    say(f"preloading {n:,} events into {topic} ({cfg.kafka_partitions} partitions)")
    loaded = producer.produce(cfg.replace(kafka_topic=topic), producer.generate_events(n, seed=seed))
    say(f"preloaded: {loaded.line()}")
    timeout = 300 + n / 500
    say("warm-up at parallelism 2, not compared")
    warmup = drain_job(cfg, stack, topic, n, "scaling-warmup", {"FLINK_PARALLELISM": "2"}, timeout)
    drains = {}
    for i, p in enumerate(PARALLELISMS, 1):
        say(f"drain {i}/{len(PARALLELISMS)}: parallelism {p}")
        drains[str(p)] = drain_job(cfg, stack, topic, n, f"scaling-p{p}", {"FLINK_PARALLELISM": str(p)}, timeout)
        say(f"   {drains[str(p)]['events_per_s']:,} events/s, "
            f"{drains[str(p)]['cpu_us_per_event']['total']} µs of CPU per event")
    return {"events": n, "topic": topic, "warmup": warmup, "parallelism": drains}


def table(result: dict) -> str:
    keys = [k for k in CPU_KEYS if k != "peer"]
    lines = [f"Drain of {result['events']:,} events at each parallelism ({result['machine']['cores']} cores, "
             f"{result['settings']['FLINK_TASKMANAGERS']} TaskManagers x {result['settings']['TASKMANAGER_SLOTS']} "
             f"slots, {result['settings']['KAFKA_PARTITIONS']} partitions); CPU per event in µs, from /proc",
             f"  {'parallelism':<12}{'events/s':>10}" + "".join(f"{k:>13}" for k in keys)]
    for p, d in result["parallelism"].items():
        cpu = d["cpu_us_per_event"]
        lines.append(f"  {p:<12}{d['events_per_s']:>10,}" + "".join(f"{cpu.get(k, 0):>13}" for k in keys))
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    from flinkfast.stack import Stack
    from flinkfast.stack.cli import ProgressPrinter
    from flinkfast.stack.isolated import enter_fresh
    base = config.from_args(args)
    enter_fresh(args.state, say, **SHAPE)  # its own ports and shape, for every child too
    cfg = bench_cfg(config.load(), base.bench_db)
    stack = Stack(cfg)
    say(f"starting a stack of its own in {cfg.state_dir}: {cfg.flink_taskmanagers} TaskManagers x "
        f"{cfg.taskmanager_slots} slots, {cfg.kafka_brokers} broker")
    try:
        stack.up(ProgressPrinter())
        result = measure(cfg, stack, base.scaling_events, args.seed)
    finally:
        say("stopping its stack (down)")
        stack.down(report=ProgressPrinter())
    result.update(timestamp=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), machine=machine(),
                  settings={**SHAPE, **{k: cfg.get(k) for k in ("SINK_MODE", "SINK_FLUSH_MAX_ROWS",
                                                               "SINK_FLUSH_INTERVAL_MS", "CHECKPOINT_INTERVAL_MS")}})
    path = write_json(args.out, f"{stamp()}-scaling", result)
    print()
    print(table(result))
    print(f"written: {path}")
    return 0


COMMAND = Command("bench-scaling", "the cost per event at parallelism 1, 2 and 4, on a stack of its own",
                  "flinkfast bench-scaling --scaling-events 200000   (make bench-scaling)", _run, _arguments,
                  settings=("SCALING_EVENTS", "BENCH_DB"), description=__doc__.strip(),
                  flag_names={"BENCH_DB": ("--db",)})
main = COMMAND.main


if __name__ == "__main__":
    from flinkfast.errors import run
    run(main, "bench-scaling")
