"""The benchmark's contenders and how each is watched: the pipeline's job, a plain Python
consumer, the peer frameworks (flinkfast/bench/peers), COPY, and the pipeline's latency at a fixed
load. Returns figures; prints nothing but progress bars."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import time
from pathlib import Path

from flinkfast import clients, flinkrest, report, submit
from flinkfast.bench import peers
from flinkfast.clients import pg_connect as connect
from flinkfast.config import BENCH_WARMUP_S as WARMUP_S, Config
from flinkfast.errors import TimedOut, Unavailable
from flinkfast.ops.load import Load
from flinkfast.profile import TICK_S, CpuMeter, FlightRecording
from flinkfast.sqlfiles import query
from flinkfast.stack import process

RATES_DEFAULT = (1000, 10000)  # events/s of the latency runs


def bench_sql(name: str) -> str:
    """A statement of sql/bench/."""
    return query(f"bench/{name}")


def say(msg: str) -> None:
    print(f"bench: {msg}", flush=True)


def bench_cfg(cfg: Config, db: str, **overrides) -> Config:
    return cfg.replace(postgres_db=db, **overrides)


def create_topic(cfg: Config, name: str) -> None:
    clients.create_topic(cfg, name)


def delete_topics(cfg: Config, names: list[str]) -> None:
    try:
        clients.delete_topics(cfg, names)
    except Exception as e:  # cleanup only: a leftover topic is not worth failing a finished benchmark
        say(f"note: could not delete topics {names}: {e}")


def truncate(cfg: Config) -> None:
    with connect(cfg, "admin") as conn, conn.cursor() as cur:
        cur.execute(bench_sql("008_end_writer_sessions.sql"), {"writer": cfg.flink_db_user})
        if cur.fetchone()[0]:
            say("ended the writer's sessions a cancelled job left in the benchmark's database")
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
    job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=f"{topic}-{label}", job_name=f"bench-{label}",
                          scan_startup_mode="earliest-offset", **overrides)
    watch = Watch(job_cfg, topic)
    meter = CpuMeter(stack)
    recording = FlightRecording(stack.service("taskmanager").main_pid(), profile) if profile else contextlib.nullcontext()
    submitted = time.time()
    try:
        with recording:
            job_id = submit.submit(job_cfg)  # returns once every task of the job is RUNNING
            # Timed from the moment the job's tasks started (Flink's own record of it: a small topic
            # can be drained before submit() has even seen the job running). The client's start-up,
            # a JVM and a Python process, is a one-off cost reported apart: a naive consumer has none.
            running = min(v["start-time"] for v in flinkrest.rest(job_cfg, f"/jobs/{job_id}")["vertices"]) / 1000
            try:
                last = watch.wait(n, timeout)
                cpu = meter.per_event(n)
            finally:
                flinkrest.cancel(job_cfg, job_id)
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


def drain_naive(cfg: Config, stack, topic: str, n: int, timeout: float) -> dict:
    """What a user would write without Flink, given the pipeline's batching rule: rows are
    inserted through the intake view and committed every SINK_FLUSH_MAX_ROWS rows or SINK_FLUSH_INTERVAL_MS,
    Kafka offsets committed every CHECKPOINT_INTERVAL_MS (as the job's checkpoints do). One
    thread, as such a consumer is written; it looks at the same progress signal as the others
    twice a second, and its end is confirmed by the same exact count."""
    from psycopg2.extras import execute_values
    truncate(cfg)
    watch = Watch(cfg, topic)
    meter = CpuMeter(stack)
    consumer = clients.kafka_consumer(cfg, topic, group_id=f"{topic}-naive", auto_offset_reset="earliest",
                                      max_poll_records=cfg.sink_flush_max_rows)
    year = dt.date.today().year
    sql = bench_sql("003_naive_insert.sql")
    conn = connect(cfg, "writer")
    rows: list[tuple] = []
    started = time.time()
    done, flushed, committed, looked = 0, time.monotonic(), time.monotonic(), time.monotonic()
    commit_failures = 0
    try:
        with conn.cursor() as cur:
            while done < n:
                if time.time() - started > timeout:
                    raise TimedOut(f"the naive consumer wrote only {done:,} of {n:,} rows in {timeout:.0f}s")
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
                        commit_failures += _commit(consumer)
                        committed = now
                if now - looked >= 0.5:  # the progress poll every contender pays
                    watch.written()
                    looked = now
        last = watch.wait(n, 60)
        cpu = meter.per_event(n)
    finally:
        consumer.close(autocommit=False, timeout_ms=clients.KAFKA_TIMEOUT_MS)
        conn.close()
        watch.close()
    elapsed = last - started
    return {"events": n, "seconds": round(elapsed, 2), "events_per_s": round(n / elapsed), "cpu_us_per_event": cpu,
            "offset_commit_failures": commit_failures,
            "settings": f"kafka-python + psycopg2 execute_values into the pipeline's intake view; flush every {cfg.sink_flush_max_rows} rows "
                        f"or {cfg.sink_flush_interval_ms} ms, offsets committed every {cfg.checkpoint_interval_ms} ms "
                        "(the pipeline's rule)"}


def _commit(consumer) -> int:
    """Commit the consumer's offsets within a bounded time; 1 if that failed, else 0. kafka-python's
    commit() without a timeout retries for ever, and once (CI, 2026-12-01) it never returned: the
    group's coordinator saw no heartbeat again and the benchmark hung. The drain is measured in
    PostgreSQL's rows, so a failed commit is counted and said, not fatal."""
    from kafka.errors import KafkaError
    try:
        consumer.commit(timeout_ms=clients.KAFKA_TIMEOUT_MS)
        return 0
    except KafkaError as e:
        say(f"note: the naive consumer's offset commit failed: {e}")
        return 1


class PeerWatch(Watch):
    """The same watch, for a peer: it fails at once, with the end of the peer's log, when the
    peer's program has ended before its rows are in."""

    def __init__(self, cfg: Config, topic: str, proc, log: Path):
        self.cfg, self.proc, self.log = cfg, proc, log
        super().__init__(cfg, topic)

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise Unavailable(f"the peer's program ended (exit {self.proc.returncode}): "
                              f"{peers.log_tail(self.cfg, self.log)}; its log: {self.log}")

    def written(self) -> int:
        self.alive()
        return super().written()


def drain_peer(cfg: Config, stack, peer: peers.Peer, python: Path, topic: str, n: int, timeout: float) -> dict:
    """A peer framework reads the whole topic into processed_events with the pipeline's batching
    and commit rule as far as it allows (flinkfast/bench/peers). Timed from the moment its program
    is set up: its start-up, importing the framework, is reported apart, as the job's submission
    is. Watched like the others; its own process's CPU is the column "peer", and its peak RSS is
    recorded, read before it is stopped."""
    truncate(cfg)
    launched = time.time()
    proc, ready, log = peers.start(cfg, peer, python, topic, group=f"{topic}-{peer.name}")
    try:
        watch = PeerWatch(cfg, topic, proc, log)
        try:
            deadline = time.monotonic() + 300
            while not ready.exists():
                watch.alive()
                if time.monotonic() > deadline:
                    raise TimedOut(f"the {peer.name} peer was not set up after 300 s; its log: {log}")
                time.sleep(0.05)
            started = time.time()
            meter, peer_ticks = CpuMeter(stack), process.cpu_ticks(proc.pid)
            last = watch.wait(n, timeout)
            cpu = meter.per_event(n)
            peer_us = (process.cpu_ticks(proc.pid) - peer_ticks) * TICK_S / n * 1e6
            peak_kib = process.memory_kib(proc.pid)[1]
        finally:
            watch.close()
    finally:
        peers.stop(proc)
    cpu["peer"] = round(peer_us, 1)
    cpu["total"] = round(cpu["total"] + peer_us, 1)
    elapsed = last - started
    return {"events": n, "seconds": round(elapsed, 2), "events_per_s": round(n / elapsed),
            "start_to_ready_s": round(started - launched, 2), "cpu_us_per_event": cpu,
            "peak_rss_mib": round(peak_kib / 1024, 1), "settings": peer.settings(cfg)}


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
        with connect(cfg, "admin") as conn, conn.cursor() as cur:
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
    job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic, job_name=f"bench-latency-{rate}")
    watch = Watch(job_cfg, topic)  # before the first row, so the counters' base is right
    job_id = submit.submit(job_cfg)
    try:
        load = Load(job_cfg, rate, seed=seed).start()
        time.sleep(duration)
        load.stop()
        watch.wait(load.sent, timeout=120)
    finally:
        flinkrest.cancel(job_cfg, job_id)
        watch.close()
    with connect(cfg) as conn, conn.cursor() as cur:
        # The bench database holds only this run's rows (truncated above): the report's scope
        # by insert time and its percentile query are the whole measurement.
        cur.execute(bench_sql("005_warmup_end.sql"), {"topic": topic, "warmup": WARMUP_S})
        report.scope(cur, cur.fetchone()[0], 60)
        cur.execute(query("report/003_latency_percentiles.sql"))
        end_to_end = next((r for r in cur.fetchall() if r[0] == "kafka_to_postgres"), None)
        if end_to_end is None:
            raise Unavailable(f"no row of the {rate:,} events/s load landed after its first {WARMUP_S} s "
                              f"(sent {load.sent:,} in {duration:g} s): is the duration long enough?")
        rows, p50, p95, p99, mx = end_to_end[1], end_to_end[2], end_to_end[4], end_to_end[5], end_to_end[6]
    delete_topics(cfg, [topic])
    return {"offered_events_per_s": rate, "achieved_events_per_s": round(load.events_per_s),
            "duration_s": duration, "rows": rows, "warmup_excluded_s": WARMUP_S,
            **{k: (round(float(v), 1) if v is not None else None)
               for k, v in (("p50", p50), ("p95", p95), ("p99", p99), ("max", mx))}}
