"""`make bench-growth`: does an event cost more as the table grows?

GROWTH_EVENTS events (default 10,000,000, and one step more, unmeasured) are preloaded into a
fresh topic; the pipeline then drains them into one table of the benchmark's database (BENCH_DB,
emptied first), and every GROWTH_STEP rows (default 1,000,000) the CPU each part of the stack
used for those rows is read from /proc (flinkfast.bench.profile.CpuMeter, as `make bench` does),
with the rows already in the table, its size on disk, the WAL the step took (bytes and full-page
images per event) and its buffer hit ratio (sql/bench/007_growth_step.sql). The first step is the
warm-up (a fresh TaskManager's JIT, cold caches): shown, not fitted. The verdict: a straight line
fitted (least squares, against the rows in the table) to the CPU per event of steps 2 to the
last; its rise from the first of them to the last is within 10 % of its value at the first. One
noisy step cannot decide it, as it did when the last step was set against the second.
Results: benchmarks/<timestamp>-growth.json and .png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from contextlib import closing
from pathlib import Path

from flinkfast import config
from flinkfast.events import producer
from flinkfast.pipeline import flinkrest, submit
from flinkfast.bench.drain import Watch, bench_cfg, create_topic, delete_topics, say, truncate
from flinkfast.bench.results import machine, postgres_settings, stamp, write_json
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
FLAT = 0.10  # the bound: the fitted line's rise over steps 2.. within 10 % of its start


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


def reading(cfg: Config) -> dict[str, int]:
    """The table's size and the database's WAL and buffer counters now (sql/bench/007_growth_step.sql)."""
    with closing(pg_connect(cfg, "admin")) as conn, conn.cursor() as cur:
        cur.execute(query("bench/007_growth_step.sql"))
        return {d.name: int(v) for d, v in zip(cur.description, cur.fetchone())}


def step_io(before: dict[str, int], after: dict[str, int], events: int) -> dict:
    """A step's WAL and buffer figures, from the readings at its start and end: WAL bytes and
    full-page images per event, and the share of block reads shared buffers served (None when
    nothing was read)."""
    hit, read = after["blks_hit"] - before["blks_hit"], after["blks_read"] - before["blks_read"]
    fpi = after["wal_fpi"] - before["wal_fpi"]
    return {"table_bytes": after["table_bytes"],
            "wal_bytes_per_event": round((after["wal_lsn"] - before["wal_lsn"]) / events, 1),
            "wal_fpi": fpi, "wal_fpi_per_1k_events": round(fpi * 1000 / events, 2),
            "buffer_hit_ratio": round(hit / (hit + read), 4) if hit + read > 0 else None}


def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line through the points; needs two distinct xs."""
    if len(xs) < 2 or len(set(xs)) < 2:
        raise ValueError("a line needs at least two points at different x")
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return my - slope * mx, slope


def trend(steps: list[dict], first: int) -> dict | None:
    """The line fitted to the whole stack's CPU per event of steps[first:], against the rows in
    the table at each step's middle: its value at the first and last of them, and its rise
    between the two as a share of the first. None with fewer than two steps to fit."""
    fitted = steps[first:]
    if len(fitted) < 2:
        return None
    xs = [(s["rows_before"] + s["rows_after"]) / 2 for s in fitted]
    intercept, slope = fit_line(xs, [s["cpu_us_per_event"]["total"] for s in fitted])
    start, end = intercept + slope * xs[0], intercept + slope * xs[-1]
    rise = (end - start) / start
    return {"steps": [first + 1, len(steps)], "start_us": round(start, 2), "end_us": round(end, 2),
            "us_per_million_rows": round(slope * 1e6, 3), "rise": round(rise, 3), "within": rise <= FLAT}


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
            meter, since, done, before = CpuMeter(stack), time.monotonic(), 0, reading(cfg)
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
                meter, after = CpuMeter(stack), reading(cfg)
                steps.append({"rows_before": done, "rows_after": seen, "seconds": round(now - since, 2),
                              "events_per_s": round((seen - done) / (now - since)), "cpu_us_per_event": cpu,
                              **step_io(before, after, seen - done)})
                say(f"   {seen:>12,} rows: {steps[-1]['events_per_s']:>8,} events/s, "
                    f"{cpu['total']:6.1f} µs/event (PostgreSQL {cpu['postgres']:.1f}, TaskManager {cpu['taskmanager']:.1f}), "
                    f"{steps[-1]['wal_bytes_per_event']:.0f} B of WAL per event")
                done, since, before = seen, now, after
            watch.wait(total, 600, steady=False)  # every row there in the end (an exact count, after the measurement)
        finally:
            flinkrest.cancel(job_cfg, job_id)
    finally:
        watch.close()
        delete_topics(cfg, [topic])
    peak = stack.stack_memory()
    truncate(cfg)
    first = 1 if len(steps) > 1 else 0  # the warm-up: shown, never fitted
    reference, last = steps[first], steps[-1]
    change = last["cpu_us_per_event"]["total"] / reference["cpu_us_per_event"]["total"] - 1
    line = trend(steps, first)
    return {"timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "events": n, "step": step,
            "preload_events_per_s": round(loaded.events_per_s), "steps": steps,
            "reference_step": first, "last_vs_reference": round(change, 3), "trend": line,
            "flat": line["within"] if line else None, "peak_rss_mib": peak,
            "settings": {k: cfg.get(k) for k in ("SINK_MODE", "FLINK_PARALLELISM", "SINK_FLUSH_MAX_ROWS",
                                                  "SINK_FLUSH_INTERVAL_MS", "CHECKPOINT_INTERVAL_MS", "KAFKA_PARTITIONS")},
            "postgres_settings": postgres_settings(cfg), "machine": machine()}


def table(result: dict) -> str:
    lines = [f"Cost per event as the table grows: {result['events']:,} events, a step every {result['step']:,} rows",
             f"  {'rows in the table':>20}{'events/s':>10}{'total µs':>10}{'PostgreSQL':>12}{'TaskManager':>13}"
             f"{'Kafka':>8}{'table MiB':>11}{'WAL B/ev':>10}{'FPI/1k':>8}{'hit %':>7}"]
    for i, s in enumerate(result["steps"]):
        c, hit = s["cpu_us_per_event"], s.get("buffer_hit_ratio")
        mark = "  (warm-up)" if i == 0 and result["reference_step"] == 1 else ""
        lines.append(f"  {s['rows_before']:>9,}-{s['rows_after']:<10,}{s['events_per_s']:>10,}{c['total']:>10.1f}"
                     f"{c['postgres']:>12.1f}{c['taskmanager']:>13.1f}{c['kafka']:>8.1f}"
                     f"{s['table_bytes'] / 2 ** 20:>11,.0f}{s['wal_bytes_per_event']:>10,.0f}"
                     f"{s['wal_fpi_per_1k_events']:>8.1f}{'' if hit is None else f'{hit:.1%}':>7}{mark}")
    line = result["trend"]
    if line is None:
        lines.append("  too few steps for a line (two or more after the warm-up): no verdict")
    else:
        verdict = "within" if line["within"] else "NOT within"
        lines.append(f"  the line fitted to steps {line['steps'][0]}-{line['steps'][1]}: {line['start_us']:.1f} -> "
                     f"{line['end_us']:.1f} µs/event, {line['rise']:+.1%} ({verdict} the bound, +{FLAT:.0%}); "
                     f"the last step against step {result['reference_step'] + 1}: {result['last_vs_reference']:+.1%}")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    """Three panels over the rows in the table (each step at its middle): CPU per event by part
    with the fitted line, WAL bytes and full-page images per event, and the buffer hit ratio."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    steps = result["steps"]
    x = [(s["rows_before"] + s["rows_after"]) / 2e6 for s in steps]
    fig, (cpu, wal, hits) = plt.subplots(3, 1, figsize=(8, 9), sharex=True, height_ratios=(2, 1, 1))
    for key, label, color in (("total", "whole stack", "#333333"), ("postgres", "PostgreSQL", "#3b75af"),
                              ("taskmanager", "TaskManager", "#e1812c"), ("kafka", "Kafka", "#999999")):
        cpu.plot(x, [s["cpu_us_per_event"][key] for s in steps], marker="o", label=label, color=color)
    line = result.get("trend")
    if line:
        a, b = line["steps"][0] - 1, line["steps"][1] - 1
        cpu.plot([x[a], x[b]], [line["start_us"], line["end_us"]], linestyle="--", color="#c03d3e",
                 label=f"fitted, steps {a + 1}-{b + 1}: {line['rise']:+.1%}")
    cpu.set_ylabel("CPU µs per event")
    cpu.set_ylim(bottom=0)
    cpu.set_title(f"Cost per event as the table grows ({result['machine'].get('cpu', '')}, "
                  f"{result['machine'].get('cores', '?')} cores)", fontsize=10)
    cpu.legend(fontsize=8)
    wal.plot(x, [s["wal_bytes_per_event"] for s in steps], marker="o", color="#3b75af", label="WAL bytes per event")
    wal.set_ylabel("WAL B per event")
    wal.set_ylim(bottom=0)
    fpi = wal.twinx()
    fpi.plot(x, [s["wal_fpi_per_1k_events"] for s in steps], marker="s", color="#e1812c",
             label="full-page images per 1,000 events")
    fpi.set_ylabel("FPI per 1,000 events")
    fpi.set_ylim(bottom=0)
    wal.legend(handles=wal.get_lines() + fpi.get_lines(), fontsize=8, loc="lower right")
    ratio = [(xi, s["buffer_hit_ratio"] * 100) for xi, s in zip(x, steps) if s["buffer_hit_ratio"] is not None]
    hits.plot([p[0] for p in ratio], [p[1] for p in ratio], marker="o", color="#3a923a")
    hits.set_ylabel("buffer hit %")
    hits.set_xlabel("rows in the table (millions, each step at its middle)")
    for ax in (cpu, wal, hits):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    from flinkfast.errors import run
    run(main, "bench-growth")
