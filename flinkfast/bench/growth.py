"""`make bench-growth`: does an event cost more as the table grows?

GROWTH_EVENTS events (default 10,000,000, and one step more, unmeasured) are preloaded into a
fresh topic; the pipeline then drains them into one table of the benchmark's database (BENCH_DB, emptied first), and every
GROWTH_STEP rows (default 1,000,000) the CPU each part of the stack used for those rows is read
from /proc (flinkfast.bench.profile.CpuMeter, as `make bench` does), with the rows already in the table
and its size on disk. The first step is the warm-up (a fresh TaskManager's JIT, cold caches) and
is shown but not compared. The verdict: the last step's CPU per event against the second's.
Results: benchmarks/<timestamp>-growth.json and .png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from flinkfast import config
from flinkfast.events import producer
from flinkfast.pipeline import flinkrest, submit
from flinkfast.bench.drain import Watch, bench_cfg, create_topic, delete_topics, say, truncate
from flinkfast.bench.results import machine, stamp, write_json
from flinkfast.bench.slots import claimed
from flinkfast.clients import pg_connect
from flinkfast.cli.command import Command
from flinkfast.config import Config
from flinkfast.errors import TimedOut
from flinkfast.paths import REPO_ROOT
from flinkfast.bench.profile import CpuMeter
from flinkfast.pipeline.sqlfiles import query
from flinkfast.stack.cli import up as stack_up

OUT_DIR = REPO_ROOT / "benchmarks"
FLAT = 0.15  # the bound: the last step within 15 % of the reference step


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated events (default 1)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the JSON and PNG (default benchmarks/)")


def _run(args: argparse.Namespace) -> int:
    base = config.from_args(args)
    cfg = bench_cfg(base, base.bench_db)
    say("starting the local stack")
    stack = stack_up(cfg)
    with claimed(cfg, base):
        result = measure(cfg, stack, base.growth_events, base.growth_step, args.seed)
    run = f"{stamp()}-growth"
    json_path, png_path = write_json(args.out, run, result), args.out / f"{run}.png"
    plot(result, png_path)
    print()
    print(table(result))
    print()
    print(f"written: {json_path}, {png_path}")
    return 0


COMMAND = Command("bench-growth", "the cost per event as the table grows to GROWTH_EVENTS rows",
                  "flinkfast bench-growth --growth-events 2000000 --growth-step 500000   (make bench-growth)",
                  _run, _arguments,
                  settings=("GROWTH_EVENTS", "GROWTH_STEP", "BENCH_DB", "FLINK_PARALLELISM", "SINK_MODE",
                            "SINK_FLUSH_MAX_ROWS", "CHECKPOINT_INTERVAL_MS", "KAFKA_PARTITIONS", "JOB_NAME",
                            "FLINKFAST_STATE_DIR"),
                  description=__doc__.strip(), flag_names={"BENCH_DB": ("--db",)})
main = COMMAND.main


def table_size(cfg: Config) -> int:
    with pg_connect(cfg) as conn, conn.cursor() as cur:
        cur.execute(query("bench/007_table_size.sql"))
        return int(cur.fetchone()[0])


def measure(cfg: Config, stack, n: int, step: int, seed: int) -> dict:
    """Steps of `step` rows up to n: CPU µs per event of each part, rows before, table bytes after."""
    stack.init_database()
    truncate(cfg)
    topic = f"bench-growth-{int(time.time())}"
    create_topic(cfg, topic)
    # One step more than measured: the pipeline is still busy when the last step is read. (The
    # table's counters reach a reader about once a second while rows come, but up to 10 s after
    # the writers go idle: an end measured at the drain's end would count that idle time.)
    total = n + step
    say(f"preloading {total:,} events into {topic} ({n:,} measured, {step:,} more to keep the pipeline busy)")
    loaded = producer.produce(cfg.replace(kafka_topic=topic), producer.generate_events(total, seed=seed), total=total)
    say(f"preloaded: {loaded.line()}")
    job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=f"{topic}-growth", job_name="bench-growth",
                          scan_startup_mode="earliest-offset")
    watch = Watch(job_cfg, topic)
    steps = []
    try:
        job_id = submit.submit(job_cfg)
        try:
            meter, since, done = CpuMeter(stack), time.monotonic(), 0
            deadline = time.monotonic() + 600 + n / 1000
            while done < n:
                # A step ends where the counters are first seen past its target (they move about
                # once a second): its figures are for the rows it really holds.
                while (seen := min(n, watch.written() - watch.base)) < min(n, done + step):
                    if time.monotonic() > deadline:
                        raise TimedOut(f"the pipeline wrote {seen:,} of {n:,} rows")
                    time.sleep(0.2)
                now = time.monotonic()
                cpu = meter.per_event(seen - done)
                meter = CpuMeter(stack)
                steps.append({"rows_before": done, "rows_after": seen, "seconds": round(now - since, 2),
                              "events_per_s": round((seen - done) / (now - since)), "cpu_us_per_event": cpu,
                              "table_bytes": table_size(cfg)})
                say(f"   {seen:>12,} rows: {steps[-1]['events_per_s']:>8,} events/s, "
                    f"{cpu['total']:6.1f} µs/event (PostgreSQL {cpu['postgres']:.1f}, TaskManager {cpu['taskmanager']:.1f})")
                done, since = seen, now
            watch.wait(total, 600, steady=False)  # every row there in the end (an exact count, after the measurement)
        finally:
            flinkrest.cancel(job_cfg, job_id)
    finally:
        watch.close()
        delete_topics(cfg, [topic])
    peak = stack.stack_memory()
    truncate(cfg)
    reference, last = (steps[1] if len(steps) > 1 else steps[0]), steps[-1]
    change = last["cpu_us_per_event"]["total"] / reference["cpu_us_per_event"]["total"] - 1
    return {"timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "events": n, "step": step,
            "preload_events_per_s": round(loaded.events_per_s), "steps": steps,
            "reference_step": 1 if len(steps) > 1 else 0, "last_vs_reference": round(change, 3),
            "flat": abs(change) <= FLAT, "peak_rss_mib": peak,
            "settings": {k: cfg.get(k) for k in ("SINK_MODE", "FLINK_PARALLELISM", "SINK_FLUSH_MAX_ROWS",
                                                  "SINK_FLUSH_INTERVAL_MS", "CHECKPOINT_INTERVAL_MS", "KAFKA_PARTITIONS")},
            "machine": machine()}


def table(result: dict) -> str:
    lines = [f"Cost per event as the table grows: {result['events']:,} events, a step every {result['step']:,} rows",
             f"  {'rows in the table':>20}{'events/s':>10}{'total µs':>10}{'PostgreSQL':>12}{'TaskManager':>13}"
             f"{'Kafka':>8}{'table MiB':>11}"]
    for i, s in enumerate(result["steps"]):
        c = s["cpu_us_per_event"]
        mark = "  (warm-up)" if i == 0 and result["reference_step"] == 1 else ""
        lines.append(f"  {s['rows_before']:>9,}-{s['rows_after']:<10,}{s['events_per_s']:>10,}{c['total']:>10.1f}"
                     f"{c['postgres']:>12.1f}{c['taskmanager']:>13.1f}{c['kafka']:>8.1f}"
                     f"{s['table_bytes'] / 2 ** 20:>11,.0f}{mark}")
    verdict = "flat" if result["flat"] else "NOT flat"
    lines.append(f"  last step vs step {result['reference_step'] + 1}: {result['last_vs_reference']:+.1%} "
                 f"({verdict}: the bound is ±{FLAT:.0%})")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    steps = result["steps"]
    x = [s["rows_after"] / 1e6 for s in steps]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for key, label, color in (("total", "whole stack", "#333333"), ("postgres", "PostgreSQL", "#3b75af"),
                              ("taskmanager", "TaskManager", "#e1812c"), ("kafka", "Kafka", "#999999")):
        ax.plot(x, [s["cpu_us_per_event"][key] for s in steps], marker="o", label=label, color=color)
    ax.set_xlabel("rows in the table (millions)")
    ax.set_ylabel("CPU µs per event")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Cost per event as the table grows ({result['machine'].get('cpu', '')}, "
                 f"{result['machine'].get('cores', '?')} cores)", fontsize=10)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    from flinkfast.errors import run
    run(main, "bench-growth")
