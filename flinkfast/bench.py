"""`make bench`: throughput and latency of the pipeline, side by side with the alternatives.

One run, one machine, the same events:
  1. drain: BENCH_EVENTS events are preloaded into a fresh topic; then each contender reads the
     whole topic into PostgreSQL and is timed from its start until the last row is inserted:
       - the pipeline with this project's settings,
       - the same job with the original design's settings (flush every 100 rows or 2 s, parallelism 1),
       - a plain Python consumer (kafka-python -> psycopg2 batch upserts), what a user would write instead,
       - the ceiling: COPY of the same rows straight into the same table;
  2. latency at a fixed offered load: the pipeline running, events produced at 1,000 and 10,000
     events/s for BENCH_DURATION seconds; percentiles of postgres_timestamp - kafka_timestamp.

Everything is written to a separate database (BENCH_DB, default flink_bench) with the same schema,
so the benchmark never touches the pipeline's own results. Results: a table on the terminal,
benchmarks/<timestamp>.json and benchmarks/<timestamp>.png.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import subprocess
import threading
import time
from pathlib import Path

from flinkfast import clients, config, producer, report, submit
from flinkfast.clients import pg_connect as connect
from flinkfast.config import REPO_ROOT, SQL_DIR, Config
from flinkfast.errors import TimedOut, run
from flinkfast.profile import CpuMeter, FlightRecording
from flinkfast.sqlfiles import REPORT_DIR, strip_comments as strip_sql_comments
from flinkfast.stack.cli import up as stack_up

OUT_DIR = REPO_ROOT / "benchmarks"
BENCH_DIR = SQL_DIR / "bench"


def bench_sql(name: str) -> str:
    """A statement of sql/bench/ (comments dropped: psycopg2 would read a % in them)."""
    return strip_sql_comments((BENCH_DIR / name).read_text()).rstrip().rstrip(";")


# The original design's sink and job settings: flush every 100 rows or 2 s, parallelism 1.
SEED_SETTINGS = {"SINK_FLUSH_MAX_ROWS": "100", "SINK_FLUSH_INTERVAL_MS": "2000", "FLINK_PARALLELISM": "1"}
RATES = (1000, 10000)
CPU_KEYS = ("taskmanager", "postgres", "kafka", "client", "rest", "total")
WARMUP_S = 3  # latency rows of the first seconds of each load are left out (the job's fetch warms up)


def say(msg: str) -> None:
    print(f"bench: {msg}", flush=True)


def bench_cfg(cfg: Config, db: str, **overrides) -> Config:
    return config.load({**cfg.as_env(), "POSTGRES_DB": db, **overrides})


def create_topic(cfg: Config, name: str) -> None:
    clients.create_topic(cfg, name)


def delete_topics(cfg: Config, names: list[str]) -> None:
    try:
        clients.delete_topics(cfg, names)
    except Exception as e:  # cleanup only: a leftover topic is not worth failing a finished benchmark
        say(f"note: could not delete topics {names}: {e}")


def truncate(cfg: Config) -> None:
    with connect(cfg) as conn, conn.cursor() as cur:
        cur.execute(bench_sql("001_truncate.sql"))


class Watch:
    """The same cheap progress signal for every contender: the table's statistics counters
    (sql/bench/002_progress.sql) twice a second, then one exact count (006_exact.sql)."""

    def __init__(self, cfg: Config, topic: str):
        self.topic = topic
        self.conn = connect(cfg)
        self.conn.autocommit = True  # each poll its own transaction: fresh statistics
        self.base = self.written()

    def written(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute(bench_sql("002_progress.sql"))
            return int(cur.fetchone()[0] or 0)

    def exact(self) -> tuple[int, float | None]:
        with self.conn.cursor() as cur:
            cur.execute(bench_sql("006_exact.sql"), {"topic": self.topic})
            n, last = cur.fetchone()
            return n, float(last) if last is not None else None

    def wait(self, n: int, timeout: float) -> float:
        """Until n rows of the topic are in; returns the epoch time of the last insert."""
        from tqdm import tqdm
        deadline = time.monotonic() + timeout
        exact_at = time.monotonic() + 10
        with tqdm(total=n, unit=" rows", desc="   rows", leave=False, disable=not os.isatty(2)) as bar:
            while True:
                written = self.written()
                seen = written - self.base
                bar.update(max(0, min(n, seen) - bar.n))
                if seen >= n or time.monotonic() >= exact_at:  # and an exact look every 10 s, whatever the counters say
                    exact_at = time.monotonic() + 10
                    got, last = self.exact()
                    if got >= n:
                        return last
                    if seen >= n:
                        self.base = written - got  # replays were counted too: wait for the rest
                if time.monotonic() > deadline:
                    raise TimedOut(f"only {self.exact()[0]:,} of {n:,} rows after {timeout:.0f}s")
                time.sleep(0.5)

    def close(self) -> None:
        self.conn.close()



def drain_job(cfg: Config, stack, topic: str, n: int, label: str, overrides: dict, timeout: float,
              profile: Path | None = None) -> dict:
    truncate(cfg)
    job_cfg = config.load({**cfg.as_env(), "KAFKA_TOPIC": topic, "KAFKA_GROUP_ID": f"{topic}-{label}",
                           "JOB_NAME": f"bench-{label}", "SCAN_STARTUP_MODE": "earliest-offset", **overrides})
    watch = Watch(job_cfg, topic)
    meter = CpuMeter(stack)
    recording = FlightRecording(stack.taskmanager_java_pid(), profile) if profile else contextlib.nullcontext()
    submitted = time.time()
    try:
        with recording:
            job_id = submit.submit(job_cfg)  # returns once every task of the job is RUNNING
            # Timed from the moment the job's tasks started (Flink's own record of it: a small topic
            # can be drained before submit() has even seen the job running). The client's start-up,
            # a JVM and a Python process, is a one-off cost reported apart: a naive consumer has none.
            running = min(v["start-time"] for v in submit.rest(job_cfg, f"/jobs/{job_id}")["vertices"]) / 1000
            try:
                last = watch.wait(n, timeout)
                cpu = meter.per_event(n)
            finally:
                submit.cancel(job_cfg, job_id)
    finally:
        watch.close()
    elapsed = last - running
    out = {"events": n, "seconds": round(elapsed, 2), "events_per_s": round(n / elapsed),
           "submit_to_running_s": round(running - submitted, 2), "cpu_us_per_event": cpu,
           "settings": overrides or "defaults"}
    if profile:
        out["profile"] = {"file": str(profile), "top_frames": recording.top(15),
                          "project_and_connector_frames": recording.top_inclusive(
                              r"flinkfast|jdbc|postgresql|kafka\.clients|JsonRowData|StreamExecCalc|Correlate", 12)}
    return out


def naive_consume(cfg: Config, topic: str, n: int, stop: threading.Event, errors: list) -> None:
    """What a user would write without Flink, given the pipeline's batching rule: rows are
    upserted and committed in PostgreSQL every SINK_FLUSH_MAX_ROWS rows or SINK_FLUSH_INTERVAL_MS,
    Kafka offsets committed every CHECKPOINT_INTERVAL_MS (as the job's checkpoints do)."""
    from psycopg2.extras import execute_values
    try:
        consumer = clients.kafka_consumer(cfg, topic, group_id=f"{topic}-naive", auto_offset_reset="earliest",
                                          max_poll_records=cfg.sink_flush_max_rows)
        year = dt.date.today().year
        sql = bench_sql("003_naive_upsert.sql")
        conn = connect(cfg)
        rows: list[tuple] = []
        done, flushed, committed = 0, time.monotonic(), time.monotonic()
        try:
            with conn.cursor() as cur:
                while done < n and not stop.is_set():
                    for records in consumer.poll(timeout_ms=cfg.sink_flush_interval_ms).values():
                        for r in records:
                            e = json.loads(r.value)
                            rows.append((e["uuid"], e["first_name"], e["last_name"], e["country"], e["age"],
                                         year - e["age"], r.topic, r.partition, r.offset, r.timestamp,
                                         int(time.time() * 1000)))
                    now = time.monotonic()
                    if rows and (len(rows) >= cfg.sink_flush_max_rows or now - flushed >= cfg.sink_flush_interval_ms / 1000):
                        execute_values(cur, sql, rows, page_size=len(rows))
                        conn.commit()
                        done += len(rows)
                        rows, flushed = [], now
                        if now - committed >= cfg.checkpoint_interval_ms / 1000 or done >= n:
                            consumer.commit()
                            committed = now
        finally:
            consumer.close()
            conn.close()
    except Exception as e:  # reported by the waiting thread
        errors.append(e)


def drain_naive(cfg: Config, stack, topic: str, n: int, timeout: float) -> dict:
    truncate(cfg)
    watch = Watch(cfg, topic)
    meter = CpuMeter(stack)
    stop, errors = threading.Event(), []
    worker = threading.Thread(target=naive_consume, args=(cfg, topic, n, stop, errors), daemon=True)
    started = time.time()
    worker.start()
    try:
        last = watch.wait(n, timeout)
        cpu = meter.per_event(n)
    except TimedOut:
        if errors:
            raise errors[0] from None
        raise
    finally:
        stop.set()
        worker.join(timeout=30)
        watch.close()
    elapsed = last - started
    return {"events": n, "seconds": round(elapsed, 2), "events_per_s": round(n / elapsed), "cpu_us_per_event": cpu,
            "settings": f"kafka-python + psycopg2 execute_values upsert; flush every {cfg.sink_flush_max_rows} rows "
                        f"or {cfg.sink_flush_interval_ms} ms, offsets committed every {cfg.checkpoint_interval_ms} ms "
                        "(the pipeline's rule)"}


def copy_ceiling(cfg: Config, stack, events: list[dict], topic: str) -> dict:
    """COPY of the same rows into the same table: what PostgreSQL alone can take."""
    truncate(cfg)
    year, now_ms = dt.date.today().year, int(time.time() * 1000)
    buf = io.StringIO()
    for i, e in enumerate(events):
        buf.write(f"{e['uuid']}\t{e['first_name']}\t{e['last_name']}\t{e['country']}\t{e['age']}\t"
                  f"{year - e['age']}\t{topic}\t{i % cfg.kafka_partitions}\t{i}\t{now_ms}\t{now_ms}\n")
    buf.seek(0)
    watch = Watch(cfg, topic)
    meter = CpuMeter(stack)
    try:
        with connect(cfg) as conn, conn.cursor() as cur:
            started = time.time()
            cur.copy_expert(bench_sql("004_copy.sql"), buf)
            conn.commit()
        last = watch.wait(len(events), 60)  # the same end signal as the others (it is already there)
        cpu = meter.per_event(len(events))
    finally:
        watch.close()
    elapsed = last - started
    return {"events": len(events), "seconds": round(elapsed, 2), "events_per_s": round(len(events) / elapsed),
            "cpu_us_per_event": cpu, "settings": "one COPY FROM STDIN, one transaction"}


def latency_at(cfg: Config, rate: int, duration: float, seed: int) -> dict:
    topic = f"bench-latency-{rate}-{int(time.time())}"
    create_topic(cfg, topic)
    truncate(cfg)
    job_cfg = config.load({**cfg.as_env(), "KAFKA_TOPIC": topic, "KAFKA_GROUP_ID": topic,
                           "JOB_NAME": f"bench-latency-{rate}"})
    watch = Watch(job_cfg, topic)  # before the first row, so the counters' base is right
    job_id = submit.submit(job_cfg)
    try:
        summary = producer.produce(job_cfg, producer.generate_events(None, seed=seed), rate=rate, duration=duration,
                                   progress=False)
        watch.wait(summary.sent, timeout=120)
    finally:
        submit.cancel(job_cfg, job_id)
        watch.close()
    with connect(cfg) as conn, conn.cursor() as cur:
        # The bench database holds only this run's rows (truncated above): the report's scope
        # by insert time and its percentile query are the whole measurement.
        cur.execute(bench_sql("005_warmup_end.sql"), {"topic": topic, "warmup": WARMUP_S})
        report.scope(cur, cur.fetchone()[0], 60)
        cur.execute((REPORT_DIR / "003_latency_percentiles.sql").read_text())
        end_to_end = next(r for r in cur.fetchall() if r[0] == "kafka_to_postgres")
        rows, p50, p95, p99, mx = end_to_end[1], end_to_end[2], end_to_end[4], end_to_end[5], end_to_end[6]
    delete_topics(cfg, [topic])
    return {"offered_events_per_s": rate, "achieved_events_per_s": round(summary.events_per_s),
            "duration_s": duration, "rows": rows, "warmup_excluded_s": WARMUP_S,
            **{k: (round(float(v), 1) if v is not None else None)
               for k, v in (("p50", p50), ("p95", p95), ("p99", p99), ("max", mx))}}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(), "java": java}


def table(result: dict) -> str:
    d = result["drain"]
    pipeline = d["pipeline"]["events_per_s"]
    lines = [f"Drain of {result['events']:,} preloaded events into PostgreSQL "
             f"({result['machine']['cores']} cores, {result['machine']['cpu']})",
             f"  {'contender':<44}{'events/s':>12}{'seconds':>10}{'vs pipeline':>13}"]
    cpu_lines = ["CPU per event (µs, from /proc; client = the benchmark's process: the Python consumer, "
                 "the COPY sender, the progress poll; rest = JobManager + ZooKeeper)",
                 f"  {'contender':<44}" + "".join(f"{k:>12}" for k in CPU_KEYS)]
    names = {"pipeline": "Flink pipeline (this project's settings)",
             "seed_settings": "Flink, original settings (100 rows/2 s, p=1)",
             "naive_consumer": "plain Python consumer (kafka-python+psycopg2)",
             "copy_ceiling": "COPY ceiling (PostgreSQL alone)"}
    for key, name in names.items():
        r = d[key]
        lines.append(f"  {name:<44}{r['events_per_s']:>12,}{r['seconds']:>10.1f}{r['events_per_s'] / pipeline:>12.2f}x")
        cpu = r.get("cpu_us_per_event", {})
        cpu_lines.append(f"  {name:<44}" + "".join(f"{cpu.get(k, 0):>12.1f}" for k in CPU_KEYS))
    lines += ["", *cpu_lines]
    top = d["pipeline"].get("profile", {}).get("top_frames", [])
    if top:
        lines += ["", "TaskManager CPU profile during the pipeline's drain (JFR; self % of samples)"]
        lines += [f"  {f['self_pct']:>5.1f}%  {f['frame']}" for f in top[:10]]
    lines.append("")
    lines.append(f"Latency (postgres_timestamp - kafka_timestamp, ms) at a fixed offered load, first {WARMUP_S} s left out")
    lines.append(f"  {'offered':>10}{'achieved':>10}{'rows':>9}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for rate, r in result["latency_ms"].items():
        lines.append(f"  {int(rate):>10,}{r['achieved_events_per_s']:>10,}{r['rows']:>9,}{r['p50']:>9.0f}"
                     f"{r['p95']:>9.0f}{r['p99']:>9.0f}{r['max']:>9.0f}")
    lines.append("")
    lines.append("Peak RSS per component (MiB): " + ", ".join(
        f"{k} {v['peak_rss_mib']:.0f}" for k, v in result["peak_rss_mib"].items()))
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels = ["Flink\n(ours)", "Flink\n(original)", "Python\nconsumer", "COPY\nceiling"]
    keys = ["pipeline", "seed_settings", "naive_consumer", "copy_ceiling"]
    values = [result["drain"][k]["events_per_s"] for k in keys]
    bars = left.bar(labels, values, color=["#3b75af", "#9dbbd9", "#e1812c", "#999999"])
    left.bar_label(bars, labels=[f"{v:,}" for v in values])
    left.set_ylabel("events/s")
    left.set_title(f"drain of {result['events']:,} events into PostgreSQL")
    width = 0.38
    stats = ["p50", "p95", "p99", "max"]
    for i, (rate, r) in enumerate(result["latency_ms"].items()):
        xs = [j + (i - 0.5) * width for j in range(len(stats))]
        b = right.bar(xs, [r[s] for s in stats], width, label=f"{int(rate):,} events/s")
        right.bar_label(b, labels=[f"{r[s]:.0f}" for s in stats], fontsize=8)
    right.set_xticks(range(len(stats)), stats)
    right.set_ylabel("ms")
    right.set_title("latency Kafka → PostgreSQL at a fixed load")
    right.legend()
    fig.suptitle(f"flinkfast benchmark, {result['machine']['cores']} cores, {result['machine']['cpu']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog or "python -m flinkfast.bench", description=__doc__.split("\n\n")[0],
                                     epilog="example: BENCH_EVENTS=100000 BENCH_DURATION=20 make bench",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", 1_000_000)),
                        help="events preloaded for the drain [env BENCH_EVENTS; default 1000000]")
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 30)),
                        help="seconds of load at each fixed rate [env BENCH_DURATION; default 30]")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "flink_bench"),
                        help="database the benchmark writes to [env BENCH_DB; default flink_bench]")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated events (default 1)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for the JSON and PNG (default benchmarks/)")
    parser.add_argument("--profile", action="store_true",
                        help="record the TaskManager with JDK Flight Recorder during the pipeline's drain; "
                             "the top frames go into the JSON, the .jfr next to it")
    config.add_flags(parser, "FLINK_PARALLELISM", "SINK_FLUSH_MAX_ROWS", "SINK_FLUSH_INTERVAL_MS")
    args = parser.parse_args(argv)
    base = config.from_args(args)
    cfg = bench_cfg(base, args.db)
    say("starting the local stack")
    stack = stack_up(cfg)
    # The benchmark needs the task slots. Jobs found running are cancelled, and the user's
    # pipeline (JOB_NAME) is resubmitted at the end, however the benchmark ends: it resumes
    # from its committed offsets, and replayed rows upsert.
    found = submit.running_jobs(cfg)
    for job in found:
        submit.cancel(cfg, job["jid"])
    resubmit = any(j["name"] == base.job_name for j in found)
    if found:
        say(f"cancelled {len(found)} running job(s) for the slots"
            + (f"; {base.job_name} is resubmitted at the end" if resubmit else ""))
    try:
        return _bench(args, base, cfg, stack)
    finally:
        if resubmit:
            say(f"resubmitting {base.job_name}")
            submit.submit(base)


def _bench(args, base: Config, cfg: Config, stack) -> int:
    stack.init_database()  # the same schema files, in the benchmark's own database
    n = args.events
    timeout = 300 + n / 1000

    topic = f"bench-drain-{int(time.time())}"
    create_topic(cfg, topic)
    say(f"preloading {n:,} events into {topic}")
    events = list(producer.generate_events(n, seed=args.seed))
    loaded = producer.produce(config.load({**cfg.as_env(), "KAFKA_TOPIC": topic}), events)
    say(f"preloaded: {loaded.line()}")
    drain = {}
    say("drain 1/4: the pipeline with this project's settings")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    profile = args.out / f"{stamp}-taskmanager.jfr" if args.profile else None
    drain["pipeline"] = drain_job(cfg, stack, topic, n, "pipeline", {}, timeout, profile)
    say(f"   {drain['pipeline']['events_per_s']:,} events/s")
    say("drain 2/4: the same job with the original design's settings")
    drain["seed_settings"] = drain_job(cfg, stack, topic, n, "seed", SEED_SETTINGS, timeout * 4)
    say(f"   {drain['seed_settings']['events_per_s']:,} events/s")
    say("drain 3/4: a plain Python consumer")
    drain["naive_consumer"] = drain_naive(cfg, stack, topic, n, timeout * 4)
    say(f"   {drain['naive_consumer']['events_per_s']:,} events/s")
    say("drain 4/4: COPY of the same rows")
    drain["copy_ceiling"] = copy_ceiling(cfg, stack, events, topic)
    say(f"   {drain['copy_ceiling']['events_per_s']:,} events/s")
    delete_topics(cfg, [topic])
    latency = {}
    for i, rate in enumerate(RATES):
        say(f"latency {i + 1}/{len(RATES)}: {rate:,} events/s for {args.duration:g} s")
        latency[str(rate)] = latency_at(cfg, rate, args.duration, seed=args.seed + 1 + i)
        say(f"   p50 {latency[str(rate)]['p50']:.0f} ms, p99 {latency[str(rate)]['p99']:.0f} ms")
    truncate(cfg)

    result = {
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "events": n,
        "preload_events_per_s": round(loaded.events_per_s),
        "pipeline_events_per_s": drain["pipeline"]["events_per_s"],
        "seed_settings_events_per_s": drain["seed_settings"]["events_per_s"],
        "naive_consumer_events_per_s": drain["naive_consumer"]["events_per_s"],
        "copy_ceiling_events_per_s": drain["copy_ceiling"]["events_per_s"],
        "drain": drain,
        "latency_ms": latency,
        "peak_rss_mib": stack.stack_memory(),
        "settings": {k: cfg.get(k) for k in ("FLINK_PARALLELISM", "TASKMANAGER_SLOTS", "SINK_FLUSH_MAX_ROWS",
                                              "SINK_FLUSH_INTERVAL_MS", "CHECKPOINT_INTERVAL_MS", "KAFKA_PARTITIONS")},
        "machine": machine(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    json_path, png_path = args.out / f"{stamp}.json", args.out / f"{stamp}.png"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    plot(result, png_path)
    print()
    print(table(result))
    print()
    print(f"written: {json_path}, {png_path}")
    return 0


if __name__ == "__main__":
    run(main, "bench")
