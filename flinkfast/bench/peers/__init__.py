"""The benchmark's peers: the frameworks a Python user would pick instead of Flink (BENCH_PEERS).

Each peer is a folder here: requirements.txt (its pinned version, the one place it is pinned)
and __main__.py, a small standalone program run with the python of the peer's own venv,
.cache/peers/NAME/venv, made on demand (never .venv: apache-flink pins numpy, pandas and
pyarrow). The program reads the topic from the start and upserts into processed_events; it
gets every setting from its environment, which start() builds:

    PEER_KAFKA_BOOTSTRAP, PEER_TOPIC, PEER_GROUP        where to read, as which consumer group
    PEER_KAFKA_AUTH                                     librdkafka's settings of the job's principal (JSON)
    PEER_PG_HOST, PEER_PG_PORT, PEER_PG_DB              the benchmark's database: on the local stack its socket
                                                        folder, not the TCP port (see environment)
    PEER_PG_REQUIRE_AUTH                                libpq's require_auth, for the peers that use libpq
    PEER_PG_USER, PEER_PG_PASSWORD                      PEER_DB_USER: see ROLE
    PEER_FLUSH_ROWS, PEER_FLUSH_MS, PEER_COMMIT_MS      SINK_FLUSH_MAX_ROWS, SINK_FLUSH_INTERVAL_MS, CHECKPOINT_INTERVAL_MS
    PEER_READY_FILE                                     touched once set up: the benchmark times it from there
    PEER_STATE_DIR                                      a folder of its own for local state

The password is in that environment only: never on a command line, never printed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flinkfast.clients import librdkafka_auth, pg_auth_settings
from flinkfast.config import Config
from flinkfast.errors import ConfigError, Unavailable
from flinkfast.paths import CACHE

HERE = Path(__file__).resolve().parent
HOMES = CACHE / "peers"
INSTALL_TIMEOUT_S = 1800
# Who writes: the writer may only insert into the two intake views (a view cannot take the
# peers' INSERT ... ON CONFLICT), the reader only reads, and two peers need more than a table
# right (quixstreams' sink runs CREATE SCHEMA IF NOT EXISTS, pathway's stages each batch in a
# temporary table; bytewax's sink, ours, only upserts): a role of their own, with that and no
# more, in the benchmark's database only (sql/bench/009_peer_role.sql, applied by ensure_role
# before each peer starts).
ROLE = "PEER_DB_USER, a role of their own in the benchmark's database (sql/bench/009_peer_role.sql)"
LESS_WORK = ("a plain upsert on uuid: none of the pipeline's placing (no superseded positions, no deterministic "
             "winner, the last row written wins; no dead letters), so less work per row than the pipeline and "
             "the naive consumer")


@dataclass(frozen=True)
class Peer:
    name: str
    title: str                              # for the table
    describe: Callable[[Config], str]       # its settings, written beside its figure
    instances: bool = False                 # runs as instances, child processes of its program (instances.py)

    def processes(self, cfg: Config) -> int:
        """How many processes it runs on the benchmark's topics: its program, and its instances."""
        return 1 + instance_count(cfg) if self.instances else 1

    @property
    def folder(self) -> Path:
        return HERE / self.name

    @property
    def requirements(self) -> Path:
        return self.folder / "requirements.txt"

    @property
    def home(self) -> Path:
        return HOMES / self.name

    @property
    def python(self) -> Path:
        return self.home / "venv" / "bin" / "python"

    @property
    def log(self) -> Path:
        return self.home / "peer.log"  # its program's output, the last run's

    def pins(self) -> str:
        return ", ".join(line.strip() for line in self.requirements.read_text().splitlines()
                         if line.strip() and not line.startswith("#"))

    def settings(self, cfg: Config) -> str:
        return f"{self.pins()}: {self.describe(cfg)}; writes as {ROLE}; {LESS_WORK}"


def cores() -> int:
    return os.cpu_count() or 1


def instance_count(cfg: Config) -> int:
    """How many instances quixstreams and bytewax run (instances.count: the topic's partitions, at
    most one a core), for the benchmark's topics (KAFKA_PARTITIONS)."""
    return max(1, min(cfg.kafka_partitions, cores()))


def _instances_text(cfg: Config) -> str:
    n = instance_count(cfg)
    return (f"{n} {'instance' if n == 1 else 'instances'} (the topic's partitions, at most one a core: "
            f"{cfg.kafka_partitions} partitions, {cores()} cores), each a child process of the peer's program and "
            "metered with it")


def _quixstreams(cfg: Config) -> str:
    return (f"{_instances_text(cfg)}: each one Application (one thread: quixstreams' way to more cores is more instances "
            "in one consumer group) -> PostgreSQLSink(upsert_on_primary_key, primary key uuid) into processed_events; "
            f"in each, a checkpoint every {cfg.sink_flush_max_rows} messages or {cfg.sink_flush_interval_ms} ms "
            "(commit_every, commit_interval) flushes the sink and commits its partitions' offsets together "
            "(quixstreams cannot part them: offsets are committed at every flush, not every "
            f"{cfg.checkpoint_interval_ms} ms); the sink writes each partition's rows as a transaction of its own, in "
            "INSERT ... ON CONFLICT (uuid) DO UPDATE statements of 100 rows (execute_values' default page size, fixed "
            "in the sink)")


def _pathway(cfg: Config) -> str:
    return (f"one process of {cores()} worker threads (PATHWAY_THREADS, as `pathway spawn --threads {cores()}`: one a "
            f"core); pw.io.kafka.read(json, append-only schema, autocommit_duration_ms={cfg.sink_flush_interval_ms}, "
            f"max_backlog_size={cfg.sink_flush_max_rows}) on min(workers, partitions) of them, one consumer each in "
            f"the group -> pw.io.postgres.write(output_table_type='snapshot', primary_key=[uuid], "
            f"max_batch_size={cfg.sink_flush_max_rows}) into processed_events, on the first worker only (pathway's "
            f"snapshot writer is single-threaded: one connection); a minibatch every {cfg.sink_flush_interval_ms} ms, "
            f"written in transactions of at most {cfg.sink_flush_max_rows} rows (a binary COPY into a temporary "
            "table, then one INSERT ... SELECT DISTINCT ON (uuid) ... ON CONFLICT (uuid) DO UPDATE); offsets committed "
            f"by librdkafka's auto-commit every {cfg.checkpoint_interval_ms} ms (auto.commit.interval.ms): what was "
            "read, not what was written")


def _bytewax(cfg: Config) -> str:
    return (f"{_instances_text(cfg)}: a cluster of one worker each (bytewax's performance guide: processes, -i/-a, "
            "rather than workers sharing a GIL, -w), no recovery; KafkaSource (from the start, its partitions shared "
            "among the workers) -> map -> a sink of our own (bytewax has none for PostgreSQL): psycopg2, one "
            "connection a worker, one INSERT ... ON CONFLICT (uuid) DO UPDATE (execute_values, one page) and one "
            f"transaction every {cfg.sink_flush_max_rows} rows or {cfg.sink_flush_interval_ms} ms after the oldest "
            "buffered row; no Kafka offsets committed at all (bytewax keeps its positions only in its recovery "
            "store, not used here): a restart reads the topic from the start again")


PEERS = {p.name: p for p in (Peer("quixstreams", "quixstreams (PostgreSQLSink, upsert)", _quixstreams, instances=True),
                             Peer("pathway", "pathway (postgres.write snapshot, upsert)", _pathway),
                             Peer("bytewax", "bytewax (KafkaSource, own upsert sink)", _bytewax, instances=True))}


def selected(cfg: Config) -> list[Peer]:
    """The peers BENCH_PEERS names, in its order ("none" or empty: none)."""
    names = [n.strip() for n in cfg.bench_peers.split(",") if n.strip()]
    if names == ["none"]:
        return []
    unknown = [n for n in names if n not in PEERS]
    if unknown:
        raise ConfigError(f"BENCH_PEERS names {unknown[0]!r}, which is no peer: use a comma-separated list of "
                          f"{', '.join(PEERS)}, or none")
    return [PEERS[n] for n in dict.fromkeys(names)]


def ensure_venv(peer: Peer, say: Callable[[str], None]) -> Path:
    """The peer's python, in a venv of its own with its pinned requirements; made the first time
    and whenever requirements.txt changes (idempotent). Returns the python."""
    stamp = peer.home / "venv" / "requirements.installed"
    wanted = peer.requirements.read_text()
    if peer.python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return peer.python
    say(f"installing {peer.pins()} into {peer.home / 'venv'} (once: a few minutes)")
    shutil.rmtree(peer.home / "venv", ignore_errors=True)
    peer.home.mkdir(parents=True, exist_ok=True)
    log = peer.home / "install.log"
    with log.open("w") as out:
        for cmd in ([sys.executable, "-m", "venv", str(peer.home / "venv")],
                    [str(peer.python), "-m", "pip", "install", "--disable-pip-version-check", "-r",
                     str(peer.requirements)]):
            try:
                done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise Unavailable(f"installing the {peer.name} peer took over {INSTALL_TIMEOUT_S} s; see {log} "
                                  "(is PyPI reachable?)") from None
            if done.returncode != 0:
                last = (log.read_text().strip().splitlines() or ["no output"])[-1]
                raise Unavailable(f"installing the {peer.name} peer failed ({last.strip()}); see {log} "
                                  "(is PyPI reachable? BENCH_PEERS=none skips the peers)")
    stamp.write_text(wanted)
    return peer.python


def environment(cfg: Config, topic: str, group: str, ready: Path, state: Path) -> dict[str, str]:
    """What the peer's program is told (and nothing else of this process's environment).
    PostgreSQL the way `flinkfast psql` reaches it (shells.psql_host): the local stack's own socket
    folder (0700), which no other process can stand in for while PostgreSQL is down, as one could
    on the TCP port and ask for the password in cleartext. pathway's client (rust-postgres) cannot
    refuse that request; quixstreams' (psycopg2, libpq) also gets require_auth, as every libpq
    client of the project (clients.pg_auth_settings)."""
    from flinkfast.cli.shells import psql_host
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if k in os.environ}
    return {**keep, "PEER_KAFKA_BOOTSTRAP": cfg.kafka_bootstrap_servers, "PEER_TOPIC": topic, "PEER_GROUP": group,
            # librdkafka's settings of the job's Kafka principal (SASL/SCRAM, TLS for SASL_SSL), as JSON
            "PEER_KAFKA_AUTH": json.dumps(librdkafka_auth(cfg, "job")),
            "PEER_PG_HOST": psql_host(cfg), "PEER_PG_PORT": str(cfg.postgres_port), "PEER_PG_DB": cfg.postgres_db,
            "PEER_PG_REQUIRE_AUTH": pg_auth_settings()["require_auth"],
            "PEER_PG_USER": cfg.peer_db_user, "PEER_PG_PASSWORD": cfg.require("PEER_DB_PASSWORD"),
            "PEER_FLUSH_ROWS": str(cfg.sink_flush_max_rows), "PEER_FLUSH_MS": str(cfg.sink_flush_interval_ms),
            "PEER_COMMIT_MS": str(cfg.checkpoint_interval_ms), "PEER_READY_FILE": str(ready),
            "PEER_STATE_DIR": str(state)}


def ensure_role(cfg: Config) -> None:
    """The peers' own role, made if missing and given exactly its rights in cfg's database (the
    benchmark's): sql/bench/009_peer_role.sql, as the admin."""
    from contextlib import closing

    from psycopg2 import sql

    from flinkfast.clients import pg_connect
    from flinkfast.pipeline.sqlfiles import query
    names = {"peer": sql.Identifier(cfg.peer_db_user), "db": sql.Identifier(cfg.postgres_db)}
    with closing(pg_connect(cfg, "admin")) as conn, conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (cfg.peer_db_user,))
        if not cur.fetchone():
            cur.execute(sql.SQL("CREATE ROLE {peer} LOGIN").format(**names))
        cur.execute(sql.SQL(query("bench/009_peer_role.sql")).format(**names),
                    {"password": cfg.require("PEER_DB_PASSWORD")})


def start(cfg: Config, peer: Peer, python: Path, topic: str, group: str) -> tuple[subprocess.Popen, Path, Path]:
    """Start the peer's program on the topic (as its own role, ensure_role); returns the process,
    its ready file and its log."""
    ensure_role(cfg)
    run = peer.home / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    ready = run / "ready"
    env = environment(cfg, topic, group, ready, run / "state")
    with peer.log.open("w") as out:
        proc = subprocess.Popen([str(python), str(peer.folder)], env=env, cwd=run, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)
    return proc, ready, peer.log


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM (each shuts down gracefully on it, and passes it on to its instances), then SIGKILL."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def log_tail(cfg: Config, log: Path, lines: int = 3) -> str:
    """The end of a peer's log, one line, secrets masked (for an error message)."""
    text = log.read_text(errors="replace").strip().splitlines()[-lines:] if log.is_file() else []
    return cfg.mask(" | ".join(t.strip() for t in text)) or "no output"
