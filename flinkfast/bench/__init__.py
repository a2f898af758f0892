"""`make bench`: throughput and latency of the pipeline, side by side with the alternatives.

One run, one machine, the same events:
  1. drain: BENCH_EVENTS events are preloaded into a fresh topic; the pipeline drains it once
     unmeasured first (its figure is kept as the warm-up: the TaskManager's JIT compiles the hot
     paths and PostgreSQL's caches fill, which the contenders drained later would otherwise get
     for free); then each contender reads the whole topic into PostgreSQL and is timed from its
     start until the last row is inserted:
       - the pipeline with this project's settings,
       - the same job with the original design's settings (flush every 100 rows or 2 s, parallelism 1),
       - a plain Python consumer (kafka-python -> psycopg2 batch inserts into the same intake view), what a user would write
         instead, given the pipeline's batching and commit rule,
       - the peers (BENCH_PEERS): the frameworks a Python user would pick instead, quixstreams and pathway, each
         upserting into the same table with the pipeline's batching and commit rule as far as it allows, each in a
         venv of its own (flinkfast/bench/peers),
       - the ceiling: COPY of the same rows straight into the same table;
     every contender is watched the same way (the table's statistics counters, one exact count
     at the end) and gets its CPU per event per process measured from /proc;
  2. latency at a fixed offered load: the pipeline running, events produced at 1,000 and 10,000
     events/s for BENCH_DURATION seconds; percentiles of postgres_timestamp - kafka_timestamp.

Everything is written to a separate database (BENCH_DB, default flink_bench) with the same schema,
so the benchmark never touches the pipeline's own results; a pipeline found running is
cancelled for the slots and resubmitted at the end. --profile records the TaskManager with JDK
Flight Recorder during the pipeline's drain. Results: a table on the terminal,
benchmarks/<timestamp>.json and benchmarks/<timestamp>.png.
"""
from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from flinkfast import config, producer
from flinkfast.command import Command
from flinkfast.bench import peers
from flinkfast.bench.drain import (RATES_DEFAULT as RATES, bench_cfg, copy_ceiling, create_topic, delete_topics,
                                   drain_job, drain_naive, drain_peer, latency_at, say, truncate)
from flinkfast.bench.slots import claimed
from flinkfast.bench.results import machine, plot, stamp, table, write_json
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
                        help="record the TaskManager with JDK Flight Recorder during the pipeline's drain; "
                             "the top frames go into the JSON, the .jfr next to it")


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
                            "FLINKFAST_STATE_DIR", "BENCH_PEERS"),
                  description=__doc__.strip(),
                  flag_names={"BENCH_EVENTS": ("--events",), "BENCH_DURATION": ("--duration",), "BENCH_DB": ("--db",),
                              "BENCH_PEERS": ("--peers",)})
main = COMMAND.main


def _bench(args, base: Config, cfg: Config, stack) -> int:
    stack.init_database()  # the same schema files, in the benchmark's own database
    n = args.events
    timeout = 300 + n / 1000
    chosen = peers.selected(cfg)
    pythons = {p.name: peers.ensure_venv(p, say) for p in chosen}  # installed before anything is timed
    drains = 5 + len(chosen)

    topic = f"bench-drain-{int(time.time())}"
    create_topic(cfg, topic)
    say(f"preloading {n:,} events into {topic}")
    events = list(producer.generate_events(n, seed=args.seed))
    loaded = producer.produce(cfg.replace(kafka_topic=topic), events)
    say(f"preloaded: {loaded.line()}")
    drain = {}
    say("warm-up: the pipeline drains the topic once, not compared (a fresh TaskManager's JIT, cold caches)")
    warmup = drain_job(cfg, stack, topic, n, "warmup", {}, timeout)
    say(f"   {warmup['events_per_s']:,} events/s")
    say(f"drain 1/{drains}: the pipeline with this project's settings ({cfg.sink_mode} sink)")
    run = stamp()
    profile = args.out / f"{run}-taskmanager.jfr" if args.profile else None
    drain["pipeline"] = drain_job(cfg, stack, topic, n, "pipeline", {}, timeout, profile)
    say(f"   {drain['pipeline']['events_per_s']:,} events/s")
    other = "jdbc" if cfg.sink_mode == "copy" else "copy"
    say(f"drain 2/{drains}: the same job with the {other} sink (SINK_MODE={other})")
    drain["jdbc_sink" if other == "jdbc" else "copy_sink"] = drain_job(cfg, stack, topic, n, other,
                                                                       {"SINK_MODE": other}, timeout * 2)
    say(f"   {drain['jdbc_sink' if other == 'jdbc' else 'copy_sink']['events_per_s']:,} events/s")
    say(f"drain 3/{drains}: the same job with the original design's settings")
    drain["seed_settings"] = drain_job(cfg, stack, topic, n, "seed", SEED_SETTINGS, timeout * 4)
    say(f"   {drain['seed_settings']['events_per_s']:,} events/s")
    say(f"drain 4/{drains}: a plain Python consumer")
    drain["naive_consumer"] = drain_naive(cfg, stack, topic, n, timeout * 4)
    say(f"   {drain['naive_consumer']['events_per_s']:,} events/s")
    for i, peer in enumerate(chosen):
        say(f"drain {5 + i}/{drains}: the peer {peer.title}")
        drain[peer.name] = drain_peer(cfg, stack, peer, pythons[peer.name], topic, n, timeout * 4)
        say(f"   {drain[peer.name]['events_per_s']:,} events/s, peak RSS {drain[peer.name]['peak_rss_mib']:,.0f} MiB")
    say(f"drain {drains}/{drains}: COPY of the same rows")
    drain["copy_ceiling"] = copy_ceiling(cfg, stack, events, topic)
    say(f"   {drain['copy_ceiling']['events_per_s']:,} events/s")
    delete_topics(cfg, [topic])
    latency = {}
    for i, rate in enumerate(RATES):
        say(f"latency {i + 1}/{len(RATES)}: {rate:,} events/s for {args.duration:g} s")
        latency[str(rate)] = latency_at(cfg, rate, args.duration, seed=args.seed + 1 + i)
        say(f"   p50 {latency[str(rate)]['p50']:.0f} ms, p99 {latency[str(rate)]['p99']:.0f} ms")
    truncate(cfg)

    memory = stack.stack_memory()
    result = {
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "events": n,
        "preload_events_per_s": round(loaded.events_per_s),
        "pipeline_events_per_s": drain["pipeline"]["events_per_s"],
        "seed_settings_events_per_s": drain["seed_settings"]["events_per_s"],
        "naive_consumer_events_per_s": drain["naive_consumer"]["events_per_s"],
        "copy_ceiling_events_per_s": drain["copy_ceiling"]["events_per_s"],
        **{f"{p.name}_events_per_s": drain[p.name]["events_per_s"] for p in chosen},
        "peers": [p.name for p in chosen],
        "drain": drain,
        "warmup": warmup,
        "latency_ms": latency,
        "peak_rss_mib": memory,
        "peak_rss_peers_mib": {p.name: drain[p.name]["peak_rss_mib"] for p in chosen},
        # The stack's processes' peaks added up, and the largest peer's (they run one at a time).
        "peak_rss_whole_stack_mib": round(sum(v["peak_rss_mib"] for v in memory.values())
                                          + max((drain[p.name]["peak_rss_mib"] for p in chosen), default=0), 1),
        "settings": {k: cfg.get(k) for k in ("SINK_MODE", "FLINK_PARALLELISM", "TASKMANAGER_SLOTS", "SINK_FLUSH_MAX_ROWS",
                                              "SINK_FLUSH_INTERVAL_MS", "SINK_FLUSH_IDLE_MS", "CHECKPOINT_INTERVAL_MS",
                                              "KAFKA_PARTITIONS", "BENCH_PEERS")},
        "machine": machine(),
    }
    json_path, png_path = write_json(args.out, run, result), args.out / f"{run}.png"
    plot(result, png_path)
    print()
    print(table(result))
    print()
    print(f"written: {json_path}, {png_path}")
    return 0

