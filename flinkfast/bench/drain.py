"""The benchmark's contenders and how each is watched: the pipeline's job, a plain Python
consumer, the peer frameworks (flinkfast/bench/peers), and the pipeline's latency at a fixed load
(the COPY ceilings: flinkfast/bench/ceiling.py). Returns figures; prints
nothing but progress bars.

Every drain is measured the same way (flinkfast/bench/meters.py): the tables emptied, a vacuum
and a checkpoint (prepare); its progress sampled twice a second with the CPU of each part of the
stack and its PSS; its throughput, CPU, peak PSS and WAL over one window, from its start (the job's
tasks running, the peer set up, the first row sent) to its last insert; its steady state over the
middle 80 % of its rows. What comes before the window (the job's submission, the peer's start-up)
is reported apart."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import threading
import time
from pathlib import Path

from flinkfast import clients
from flinkfast.accounting import report
from flinkfast.pipeline import flinkrest, submit
from flinkfast.bench import peers
from flinkfast.bench.meters import STEADY, Sampler, cpu_between, figures, job_started
from flinkfast.clients import create_topic, pg_connect as connect
from flinkfast.config import BENCH_WARMUP_S as WARMUP_S, Config
from flinkfast.errors import TimedOut, Unavailable
from flinkfast.events.fingerprint import fingerprint
from flinkfast.ops.load import Load
from flinkfast.bench.profile import Profiles
from flinkfast.pipeline.sqlfiles import query, split_statements
from flinkfast.stack import process

RATES_DEFAULT = (1000, 10000)  # events/s of the latency runs


def bench_sql(name: str) -> str:
    """A statement of sql/bench/."""
    return query(f"bench/{name}")


def say(msg: str) -> None:
    print(f"bench: {msg}", flush=True)


def bench_cfg(cfg: Config, db: str, **overrides) -> Config:
    return cfg.replace(postgres_db=db, **overrides)


def delete_topics(cfg: Config, names: list[str]) -> None:
    try:
        clients.delete_topics(cfg, names)
    except Exception as e:  # cleanup only: a leftover topic is not worth failing a finished benchmark
        say(f"note: could not delete topics {names}: {e}")


def end_writer_sessions(cfg: Config) -> int:
    """End the writer's sessions a cancelled job left in the benchmark's database, each waited
    for (sql/bench/008_end_writer_sessions.sql); how many there were."""
    with connect(cfg, "admin") as conn, conn.cursor() as cur:
        cur.execute(bench_sql("008_end_writer_sessions.sql"), {"writer": cfg.flink_db_user})
        return int(cur.fetchone()[0])


def truncate(cfg: Config) -> None:
    if end_writer_sessions(cfg):
        say("ended the writer's sessions a cancelled job left in the benchmark's database")
    with connect(cfg, "admin") as conn, conn.cursor() as cur:
        cur.execute(bench_sql("001_truncate.sql"))


def prepare(cfg: Config) -> None:
    """Before each contender: empty tables, then a vacuum and a checkpoint (sql/bench/010_settle.sql)."""
    truncate(cfg)
    conn = connect(cfg, "admin")
    try:
        conn.autocommit = True  # VACUUM runs outside a transaction
        with conn.cursor() as cur:
            for statement in split_statements(bench_sql("010_settle.sql")):
                cur.execute(statement)
    finally:
        conn.close()


def wal_now(cfg: Config) -> tuple[int, int]:
    """(WAL position in bytes, full-page images so far): sql/bench/011_wal.sql."""
    with connect(cfg, "admin") as conn, conn.cursor() as cur:
        cur.execute(bench_sql("011_wal.sql"))
        lsn, fpi, _ = cur.fetchone()
        return int(lsn), int(fpi)


def wal_since(cfg: Config, before: tuple[int, int], events: int) -> dict:
    lsn, fpi = wal_now(cfg)
    wal_bytes, wal_fpi = lsn - before[0], fpi - before[1]
    return {"wal_bytes": wal_bytes, "wal_fpi": wal_fpi, "wal_bytes_per_event": round(wal_bytes / events, 1)}


class Watch:
    """The same cheap progress signal for every contender: the table's statistics counters
    (sql/bench/002_progress.sql) twice a second, then one exact count (006_exact.sql). With a
    sampler, each poll is also a sample of the stack's CPU and memory (meters.Sampler)."""

    def __init__(self, cfg: Config, topic: str, sampler: Sampler | None = None, role: str = "reader"):
        self.topic, self.sampler = topic, sampler
        self.conn = connect(cfg, role)
        self.conn.autocommit = True  # each poll its own transaction: fresh statistics
        self.lock = threading.Lock()
        self.inserted: tuple[float, float] | None = None  # when the rows passed 10 % and 90 %: wait()
        self.base = self.written()

    def poll(self) -> int:
        """The counters now, sampled with the stack's CPU and memory."""
        with self.lock:
            written = self.written()
            if self.sampler:
                self.sampler.sample(max(0, written - self.base))
            return written

    @contextlib.contextmanager
    def background(self):
        """Polled twice a second by a thread of its own while the with-block runs (a job's
        submission, a COPY: the main thread is busy)."""
        stop = threading.Event()

        def run():
            while not stop.wait(0.5):
                self.poll()

        self.poll()
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.poll()

    def measured(self, n: int, start: float, last: float) -> dict:
        """The drain's figures over its window [start, last]: rate, steady rate (by the rows'
        insert times, read when wait() saw them all), CPU, peak PSS (meters.figures)."""
        return figures(self.sampler.samples, n, start, last, self.inserted)

    def written(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute(bench_sql("002_progress.sql"))
            return int(cur.fetchone()[0] or 0)

    def exact(self) -> tuple[int, float | None]:
        with self.conn.cursor() as cur:
            cur.execute(bench_sql("006_exact.sql"), {"topic": self.topic})
            n, last = cur.fetchone()
            return n, float(last) if last is not None else None

    def insert_times(self) -> tuple[float, float] | None:
        """When the topic's rows passed 10 % and 90 % of them, by their insert times
        (sql/bench/013_steady.sql); None when there are none."""
        with self.conn.cursor() as cur:
            cur.execute(bench_sql("013_steady.sql"), {"topic": self.topic, "low": STEADY[0], "high": STEADY[1]})
            t10, t90 = cur.fetchone()
            return (float(t10), float(t90)) if t10 is not None else None

    def wait(self, n: int, timeout: float, steady: bool = True) -> float:
        """Until n rows of the topic are in; returns the epoch time of the last insert (and,
        with steady, keeps the steady window of their insert times: insert_times())."""
        from tqdm import tqdm
        deadline = time.monotonic() + timeout
        exact_at = time.monotonic() + 10
        with tqdm(total=n, unit=" rows", desc="   rows", leave=False, disable=not os.isatty(2)) as bar:
            while True:
                written = self.poll()
                seen = written - self.base
                bar.update(max(0, min(n, seen) - bar.n))
                if seen >= n or time.monotonic() >= exact_at:  # and an exact look every 10 s, whatever the counters say
                    exact_at = time.monotonic() + 10
                    got, last = self.exact()
                    if got >= n:
                        self.inserted = self.insert_times() if steady else None
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
    """The pipeline's job drains the topic. Timed, and its CPU metered, from the moment its first
    task was RUNNING (Flink's own record of it, meters.job_started: a small topic can be drained
    before submit() has even seen the job running) to its last insert. The submission before
    that, the client's start-up (a JVM and a Python process), the deployment and the tasks'
    initialization, is reported apart ("submission"), as a peer's start-up is: a naive consumer
    has none. label names its job and consumer group: unique per drain."""
    prepare(cfg)
    job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=f"{topic}-{label}", job_name=f"bench-{label}",
                          scan_startup_mode="earliest-offset", **overrides)
    watch = Watch(job_cfg, topic, Sampler(stack))
    wal = wal_now(cfg)
    recording = Profiles(stack.service("taskmanager").main_pid(), profile) if profile else contextlib.nullcontext()
    try:
        with recording:
            with watch.background():  # samples through the submission, which blocks for seconds
                submitted = time.time()
                job_id = submit.submit(job_cfg)  # returns once every task of the job is RUNNING
            try:
                deploying, running = _started(job_cfg, job_id)
                last = watch.wait(n, timeout)
            finally:
                flinkrest.cancel(job_cfg, job_id)
    finally:
        watch.close()
    out = watch.measured(n, running, last)
    end_writer_sessions(cfg)  # a cancelled job's sessions report their WAL statistics as they end
    out.update(wal_since(cfg, wal, n), submit_to_running_s=round(running - submitted, 2),
               submission={"seconds": round(running - submitted, 2),
                           "deploying_to_running_s": round(running - deploying, 2),
                           "cpu_s": {k: round(v, 2) for k, v in
                                     cpu_between(watch.sampler.samples, submitted, running).items()}},
               settings=overrides or "defaults")
    if profile:
        out["profile"] = recording.summary()
    return out


def _started(job_cfg: Config, job_id: str) -> tuple[float, float]:
    """(deploying, running) of a job: meters.job_started over its REST record."""
    vertices = flinkrest.rest(job_cfg, f"/jobs/{job_id}")["vertices"]
    subtasks = [t for v in vertices
                for t in flinkrest.rest(job_cfg, f"/jobs/{job_id}/vertices/{v['id']}/subtasktimes").get("subtasks", [])]
    return job_started(vertices, subtasks)


def drain_naive(cfg: Config, stack, topic: str, n: int, timeout: float, group: str | None = None) -> dict:
    """What a user would write without Flink, given the pipeline's batching rule: rows are
    inserted through the intake view and committed every SINK_FLUSH_MAX_ROWS rows or SINK_FLUSH_INTERVAL_MS,
    Kafka offsets committed every CHECKPOINT_INTERVAL_MS (as the job's checkpoints do). One
    thread, as such a consumer is written; it polls the same progress signal as the others
    twice a second, and its end is confirmed by the same exact count. group: its consumer
    group, unique per drain (default TOPIC-naive)."""
    from psycopg2.extras import execute_values
    prepare(cfg)
    watch = Watch(cfg, topic, Sampler(stack))
    wal = wal_now(cfg)
    consumer = clients.kafka_consumer(cfg, topic, role="job", group_id=group or f"{topic}-naive", auto_offset_reset="earliest",
                                      max_poll_records=cfg.sink_flush_max_rows)
    year = dt.date.today().year
    sql = bench_sql("003_naive_insert.sql")
    conn = connect(cfg, "writer")
    rows: list[tuple] = []
    watch.poll()
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
                                     int(time.time() * 1000), fingerprint(r.value, r.timestamp)))
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
                    watch.poll()
                    looked = now
        last = watch.wait(n, 60)
    finally:
        consumer.close(autocommit=False, timeout_ms=clients.KAFKA_TIMEOUT_MS)
        conn.close()
        watch.close()
    out = watch.measured(n, started, last)
    out.update(wal_since(cfg, wal, n), offset_commit_failures=commit_failures,
               settings=f"kafka-python + psycopg2 execute_values into the pipeline's intake view; flush every "
                        f"{cfg.sink_flush_max_rows} rows or {cfg.sink_flush_interval_ms} ms, offsets committed every "
                        f"{cfg.checkpoint_interval_ms} ms (the pipeline's rule)")
    return out


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

    def __init__(self, cfg: Config, topic: str, proc, log: Path, sampler: Sampler):
        self.cfg, self.proc, self.log = cfg, proc, log
        super().__init__(cfg, topic, sampler)

    def alive(self) -> None:
        if self.proc.poll() is not None:
            raise Unavailable(f"the peer's program ended (exit {self.proc.returncode}): "
                              f"{peers.log_tail(self.cfg, self.log)}; its log: {self.log}")

    def written(self) -> int:
        self.alive()
        return super().written()


def drain_peer(cfg: Config, stack, peer: peers.Peer, python: Path, topic: str, n: int, timeout: float,
               group: str | None = None) -> dict:
    """A peer framework reads the whole topic into processed_events with the pipeline's batching
    and commit rule as far as it allows (flinkfast/bench/peers). Timed from the moment its program
    is set up: its start-up, importing the framework, is reported apart, as the job's submission
    is. Watched like the others; its own process's CPU is the column "peer" and its PSS the part
    "peer"; its peak RSS (VmHWM) and how many processes it ran are recorded too, read before it is stopped. group: its consumer
    group, unique per drain (default TOPIC-NAME)."""
    prepare(cfg)
    wal = wal_now(cfg)
    launched = time.time()
    proc, ready, log = peers.start(cfg, peer, python, topic, group=group or f"{topic}-{peer.name}")
    try:
        watch = PeerWatch(cfg, topic, proc, log, Sampler(stack, {"peer": proc.pid}))
        try:
            deadline = time.monotonic() + 300
            while not ready.exists():
                watch.alive()
                if time.monotonic() > deadline:
                    raise TimedOut(f"the {peer.name} peer was not set up after 300 s; its log: {log}")
                time.sleep(0.05)
            watch.poll()
            started = time.time()
            last = watch.wait(n, timeout)
            watch.poll()  # the peer's CPU and PSS at the end, before it is stopped
            peak_kib = process.memory_kib(proc.pid)[1]
            running = len(process.descendants(proc.pid))  # its instances too (peers.Peer.processes)
        finally:
            watch.close()
    finally:
        peers.stop(proc)
    out = watch.measured(n, started, last)
    out.update(wal_since(cfg, wal, n), start_to_ready_s=round(started - launched, 2),
               peak_rss_mib=round(peak_kib / 1024, 1), processes=running, settings=peer.settings(cfg))
    return out


def latency_at(cfg: Config, rate: int, duration: float, seed: int) -> dict:
    topic = f"bench-latency-{rate}-{int(time.time())}"
    create_topic(cfg, topic)
    # As before every drain: empty tables, a vacuum, a checkpoint. With the tables only truncated,
    # the checkpoint the drains' WAL had started (spread over up to 100 s) ran through the
    # measurement (2026-12-07: p99 3.2 s at 1,000 events/s; 65-84 ms on the same code with no drain before it).
    prepare(cfg)
    job_cfg = cfg.replace(kafka_topic=topic, kafka_group_id=topic, job_name=f"bench-latency-{rate}")
    watch = Watch(job_cfg, topic)  # before the first row, so the counters' base is right
    job_id = submit.submit(job_cfg)
    try:
        load = Load(job_cfg, rate, seed=seed).start()
        time.sleep(duration)
        load.stop()
        watch.wait(load.sent, timeout=120, steady=False)
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
