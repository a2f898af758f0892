"""`make bench`: throughput and latency of the pipeline, side by side with the alternatives.

One run, one machine, the same events:
  1. drain: BENCH_EVENTS events are preloaded into a fresh topic; the pipeline drains it once
     unmeasured first (its figure is kept as the warm-up: the TaskManager's JIT compiles the hot
     paths and PostgreSQL's caches fill, which the contenders drained later would otherwise get
     for free); then, in each of BENCH_ROUNDS rounds, in a seeded order, reversed every second
     round (printed), each contender reads the whole topic into PostgreSQL:
       - the pipeline with this project's settings, and the same job with the other sink,
       - the same job with the original design's settings (flush every 100 rows or 2 s, parallelism 1),
       - a plain Python consumer (kafka-python -> psycopg2 batch inserts into the same intake view), what a user would write
         instead, given the pipeline's batching and commit rule,
       - the peers (BENCH_PEERS): the frameworks a Python user would pick instead (quixstreams, pathway, bytewax), each
         upserting into the same table with the pipeline's batching and commit rule as far as it allows, each in a
         venv of its own (flinkfast/bench/peers),
       - the ceilings: COPY of the same rows straight into the same table, over one connection and
         over as many as the job's parallelism;
     every drain starts after a vacuum and a checkpoint and is measured the same way over one
     window, its start to its last insert (flinkfast/bench/drain.py, meters.py): events/s, the
     steady rate of its middle 80 %, CPU per event per process, WAL, peak PSS; the job's
     submission before the window on a line of its own. Each figure is the median of the rounds,
     with its spread;
  2. latency at a fixed offered load: the pipeline running, events produced at 1,000 and 10,000
     events/s for BENCH_DURATION seconds; percentiles of postgres_timestamp - kafka_timestamp.

Everything is written to a separate database (BENCH_DB, default flink_bench) with the same schema,
so the benchmark never touches the pipeline's own results; a pipeline found running is
cancelled for the slots and resubmitted at the end. --profile adds one drain of the pipeline after
the rounds, counted nowhere, with the TaskManager under JDK Flight Recorder and the machine under
perf (PostgreSQL's hottest functions). Results: a table on the terminal,
benchmarks/<timestamp>.json and benchmarks/<timestamp>.png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path

from flinkfast import config
from flinkfast.events import producer
from flinkfast.cli.command import Command
from flinkfast.bench import peers
from flinkfast.bench.ceiling import copy_ceiling, copy_text
from flinkfast.bench.drain import (RATES_DEFAULT as RATES, bench_cfg, create_topic,
                                   delete_topics, drain_job, drain_naive, drain_peer, latency_at, say, truncate)
from flinkfast.bench.meters import orders, summarize
from flinkfast.bench.slots import claimed
from flinkfast.bench.results import machine, plot, postgres_settings, stamp, table, write_json
from flinkfast.config import Config
from flinkfast.paths import REPO_ROOT
from flinkfast.stack.cli import up as stack_up

OUT_DIR = REPO_ROOT / "benchmarks"
# The original design's sink and job settings: Flink's JDBC sink flushing every 100 rows or 2 s,
# parallelism 1.
SEED_SETTINGS = {"SINK_MODE": "jdbc", "SINK_FLUSH_MAX_ROWS": "100", "SINK_FLUSH_INTERVAL_MS": "2000",
                 "FLINK_PARALLELISM": "1"}


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated events (default 1)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the JSON and PNG (default benchmarks/)")
    parser.add_argument("--profile", action="store_true",
                        help="one more drain of the pipeline after the rounds, counted nowhere, under JDK Flight "
                             "Recorder (the TaskManager) and perf (PostgreSQL); the top frames and functions go into "
                             "the JSON, the recordings next to it")
    parser.add_argument("--order-seed", type=int, default=None,
                        help="seed of the contenders' order (default: a new one each run, printed)")


def _run(args: argparse.Namespace) -> int:
    base = config.from_args(args)
    args.events, args.duration = base.bench_events, base.bench_duration
    cfg = bench_cfg(base, base.bench_db)
    peers.selected(cfg)  # a misspelt BENCH_PEERS fails here, before anything runs
    say("starting the local stack")
    stack = stack_up(cfg)
    # The benchmark needs the task slots: bench/slots.py (the user's pipeline resubmitted at the end).
    with claimed(cfg, base):
        return _bench(args, base, cfg, stack)


COMMAND = Command("bench", "the benchmark: drain and latency, side by side with the alternatives",
                  "flinkfast bench --events 100000 --duration 20   (BENCH_EVENTS=100000 make bench)", _run, _arguments,
                  settings=("BENCH_EVENTS", "BENCH_DURATION", "BENCH_DB", "FLINK_PARALLELISM", "SINK_FLUSH_MAX_ROWS",
                            "SINK_FLUSH_INTERVAL_MS", "CHECKPOINT_INTERVAL_MS", "KAFKA_PARTITIONS", "JOB_NAME",
                            "FLINKFAST_STATE_DIR", "BENCH_PEERS", "BENCH_ROUNDS"),
                  description=__doc__.strip(),
                  flag_names={"BENCH_EVENTS": ("--events",), "BENCH_DURATION": ("--duration",), "BENCH_DB": ("--db",),
                              "BENCH_PEERS": ("--peers",), "BENCH_ROUNDS": ("--rounds",)})
main = COMMAND.main


def _bench(args, base: Config, cfg: Config, stack) -> int:
    stack.init_database()  # the same schema files, in the benchmark's own database
    n = args.events
    timeout = 300 + n / 1000
    chosen = peers.selected(cfg)
    pythons = {p.name: peers.ensure_venv(p, say) for p in chosen}  # installed before anything is timed
    rounds = base.bench_rounds
    order_seed = args.order_seed if args.order_seed is not None else random.SystemRandom().randrange(10 ** 6)

    topic = f"bench-drain-{int(time.time())}"
    create_topic(cfg, topic)
    say(f"preloading {n:,} events into {topic}")
    events = list(producer.generate_events(n, seed=args.seed))
    loaded = producer.produce(cfg.replace(kafka_topic=topic), events)
    say(f"preloaded: {loaded.line()}")
    lines = copy_text(events, topic, cfg.kafka_partitions)  # the COPY ceilings' rows, made before anything is timed
    del events
    run = stamp()
    profile = args.out / f"{run}-taskmanager.jfr" if args.profile else None
    contenders = _contenders(cfg, stack, chosen, pythons, topic, n, timeout, lines)

    say("warm-up: the pipeline drains the topic once, not compared (a fresh TaskManager's JIT, cold caches)")
    warmup = drain_job(cfg, stack, topic, n, "warmup", {}, timeout)
    say(f"   {_line(warmup)}")
    plan = orders(list(contenders), rounds, order_seed)
    say(f"{rounds} round(s) of {len(contenders)} drains in a seeded order, reversed every second round, "
        f"seed {order_seed} (--order-seed {order_seed} repeats it)")
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    done = 0
    for r, order in enumerate(plan):
        say(f"round {r + 1}/{rounds}: {', '.join(order)}")
        for name in order:
            done += 1
            title, drain_once = contenders[name]
            say(f"drain {done}/{rounds * len(contenders)}: {title}")
            runs[name].append(drain_once(r))
            say(f"   {_line(runs[name][-1])}")
    drain = {name: summarize(runs[name]) for name in contenders}
    profiled = None
    if profile:
        # One more drain of the pipeline, profiled and counted nowhere: a flight recording and perf
        # slow the drain they watch (seen: by half), so no round's figure may carry them.
        say("profile: the pipeline drains the topic once more under JFR and perf, not counted")
        profiled = drain_job(cfg, stack, topic, n, "profile", {}, timeout, profile)
        say(f"   {_line(profiled)}")
    delete_topics(cfg, [topic])
    latency = {}
    for i, rate in enumerate(RATES):
        say(f"latency {i + 1}/{len(RATES)}: {rate:,} events/s for {args.duration:g} s")
        latency[str(rate)] = latency_at(cfg, rate, args.duration, seed=args.seed + 1 + i)
        say(f"   p50 {latency[str(rate)]['p50']:.0f} ms, p99 {latency[str(rate)]['p99']:.0f} ms")
    truncate(cfg)

    measured = [warmup, *(fig for figs in runs.values() for fig in figs)]
    parts = sorted({k for fig in measured for k in fig["peak_pss_mib"] if k != "total"})
    result = {
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "events": n,
        "rounds": rounds,
        "order_seed": order_seed,
        "orders": plan,
        "preload_events_per_s": round(loaded.events_per_s),
        **{f"{name}_events_per_s": drain[name]["events_per_s"] for name in contenders},
        **{f"{name}_steady_events_per_s": drain[name]["steady_events_per_s"] for name in contenders},
        "peers": [p.name for p in chosen],
        "drain": drain,
        "warmup": warmup,
        **({"profiled_drain": profiled} if profiled else {}),
        "latency_ms": latency,
        # Memory by PSS (a shared page counts once in all), the peak of each part and of the whole
        # stack at one instant (the peer, while one ran, included), over every drain's window.
        "peak_pss_mib": {k: max(fig["peak_pss_mib"].get(k, 0) for fig in measured) for k in parts},
        "peak_pss_whole_stack_mib": max(fig["peak_pss_mib"]["total"] for fig in measured),
        "settings": {k: cfg.get(k) for k in ("SINK_MODE", "FLINK_PARALLELISM", "TASKMANAGER_SLOTS", "SINK_FLUSH_MAX_ROWS",
                                              "SINK_FLUSH_INTERVAL_MS", "SINK_FLUSH_IDLE_MS", "CHECKPOINT_INTERVAL_MS",
                                              "KAFKA_PARTITIONS", "BENCH_PEERS", "BENCH_ROUNDS")},
        "postgres_settings": postgres_settings(cfg),
        "machine": machine(),
    }
    json_path, png_path = write_json(args.out, run, result), args.out / f"{run}.png"
    plot(result, png_path)
    print()
    print(table(result))
    print()
    print(f"written: {json_path}, {png_path}")
    return 0


def _contenders(cfg: Config, stack, chosen, pythons, topic: str, n: int, timeout: float, lines: list[str]) -> dict:
    """name -> (what it is, drain(round) -> figures): every drain's job and consumer group is its own."""
    other = "jdbc" if cfg.sink_mode == "copy" else "copy"
    out = {
        "pipeline": (f"the pipeline with this project's settings ({cfg.sink_mode} sink)",
                     lambda r: drain_job(cfg, stack, topic, n, f"pipeline-r{r}", {}, timeout)),
        f"{other}_sink": (f"the same job with the {other} sink (SINK_MODE={other})",
                          lambda r: drain_job(cfg, stack, topic, n, f"{other}-r{r}", {"SINK_MODE": other}, timeout * 2)),
        "seed_settings": ("the same job with the original design's settings",
                          lambda r: drain_job(cfg, stack, topic, n, f"seed-r{r}", SEED_SETTINGS, timeout * 4)),
        "naive_consumer": ("a plain Python consumer",
                           lambda r: drain_naive(cfg, stack, topic, n, timeout * 4, group=f"{topic}-naive-r{r}")),
        **{p.name: (f"the peer {p.title}",
                    lambda r, p=p: drain_peer(cfg, stack, p, pythons[p.name], topic, n, timeout * 4,
                                              group=f"{topic}-{p.name}-r{r}")) for p in chosen},
        "copy_ceiling": ("one COPY of the same rows", lambda r: copy_ceiling(cfg, stack, lines, topic)),
    }
    if cfg.flink_parallelism > 1:
        out["copy_parallel"] = (f"COPY of the same rows over {cfg.flink_parallelism} connections (the job's parallelism)",
                                lambda r: copy_ceiling(cfg, stack, lines, topic, cfg.flink_parallelism))
    return out


def _line(fig: dict) -> str:
    steady = fig.get("steady_events_per_s")
    return (f"{fig['events_per_s']:,} events/s, steady {steady:,}" if steady else f"{fig['events_per_s']:,} events/s") + \
        f", {fig['cpu_us_per_event']['total']} µs of CPU per event, {fig['wal_bytes_per_event']:.0f} B of WAL per event" + \
        (f" (before it, the submission: {fig['submission']['seconds']:.1f} s, "
         f"{sum(fig['submission']['cpu_s'].values()):.1f} s of CPU)" if "submission" in fig else "")
