"""The one place where configuration is read.

Precedence, highest first: command-line flag > environment variable > `.env` file > default.
Every setting has exactly one environment variable, listed in `.env.example`; a test checks
that the two agree, so the documentation cannot drift from the code.

Secrets (passwords) have no default in code, nor in `.env.example`: `make setup` copies it to
`.env` with random passwords; outside make a missing secret is a clear error.
"""
from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

from flinkfast.errors import ConfigError
from flinkfast.paths import REPO_ROOT

DERIVED = object()   # a default computed from other settings (DERIVE below)
BENCH_WARMUP_S = 3   # the benchmark leaves each load's first seconds out of its latency (the job's fetch warms up)
MAX_BROKERS = 9      # KAFKA_BROKERS: broker ids 0-8, ports KAFKA_PORT to KAFKA_PORT+8


def _field(default, help: str, secret: bool = False):
    """One setting: its default (a value, None for a secret, DERIVED), its help, whether secret.
    The environment variable is the field's name in upper case; the type is its annotation."""
    return field(default=None if default is DERIVED else default,
                 metadata={"help": help, "secret": secret, "derived": default is DERIVED})


@dataclass(frozen=True)
class Config:
    """Every setting, one typed field each; immutable (overrides: cfg.replace(...))."""
    # Where the local stack keeps data, logs and pid files.
    flinkfast_state_dir: str = _field(DERIVED, "folder for local-stack data, logs and pids")
    # Ports the local stack listens on (127.0.0.1 only).
    zookeeper_port: int = _field(2181, "ZooKeeper client port")
    kafka_port: int = _field(9092, "port of the (first) Kafka broker; further brokers take the ports after it")
    flink_ui_port: int = _field(8081, "the Flink Web UI for the browser: a read-only, Host-checking gate (flinkfast.webgate)")
    flink_rest_port: int = _field(8082, "Flink's REST API: TLS, served only to holders of the stack's client certificate")
    flink_rpc_port: int = _field(6123, "Flink JobManager RPC port")
    postgres_port: int = _field(5432, "PostgreSQL port")
    # Memory of the local stack's JVMs: the figures behind the README's memory budget.
    zookeeper_heap: str = _field("128m", "ZooKeeper JVM heap (-Xmx)")
    kafka_heap: str = _field("512m", "Kafka broker JVM heap (-Xmx)")
    jobmanager_memory: str = _field("1024m", "Flink JobManager total process memory")
    taskmanager_memory: str = _field("1728m", "Flink TaskManager total process memory")
    taskmanager_slots: int = _field(2, "task slots of each TaskManager")
    # How many of each (docs/local-stack.md#several-taskmanagers-and-brokers).
    flink_taskmanagers: int = _field(1, "TaskManagers of the local stack (taskmanager, taskmanager-2, ...), each with "
                                        "TASKMANAGER_SLOTS slots and TASKMANAGER_MEMORY")
    kafka_brokers: int = _field(1, f"Kafka brokers of the local stack (1 to {MAX_BROKERS}: kafka, kafka-2, ...), "
                                   "listening on KAFKA_PORT, KAFKA_PORT+1, ...")
    kafka_retention_bytes: int = _field(1073741824, "Kafka keeps at most this many bytes per partition "
                                                    "(log.retention.bytes)")
    log_max_bytes: int = _field(52428800, "a service's log is rotated past this size (stdout logs of the local stack)")
    log_backups: int = _field(3, "rotated logs kept per service (NAME.log.1 ... NAME.log.N)")
    lock_wait_s: float = _field(300.0, "seconds up/down/clean/submit wait for another one to finish before failing")
    # Where clients (scripts, the job) find the services.
    # 127.0.0.1, not localhost: the servers listen there only, and where localhost resolves to
    # ::1 first another local user could listen on that port and receive the credentials.
    kafka_bootstrap_servers: str = _field(DERIVED, "Kafka bootstrap servers (every broker of the local stack)")
    kafka_topic: str = _field("RandomUser", "topic the producer writes and the job reads")
    kafka_partitions: int = _field(4, "partitions of the topic when it is created (a multiple of FLINK_PARALLELISM "
                                      "keeps subtasks evenly loaded)")
    kafka_replication_factor: int = _field(DERIVED, "replicas of each partition of the topic and of Kafka's internal "
                                                    "topics (default: KAFKA_BROKERS, at most 3)")
    kafka_min_insync_replicas: int = _field(DERIVED, "min.insync.replicas: replicas that must have a write before "
                                                     "Kafka acknowledges it to an acks=all producer (default: "
                                                     "KAFKA_REPLICATION_FACTOR - 1, at least 1)")
    kafka_group_id: str = _field("flinkfast", "consumer group of the Flink job")
    # Kafka's and ZooKeeper's credentials (docs/local-stack.md#kafka-and-zookeeper-credentials). Three
    # Kafka principals (SASL/SCRAM-SHA-512) with ACLs: admin (the brokers themselves and whatever manages
    # topics), producer (writes the topic), job (reads the topic and commits its group).
    kafka_security_protocol: str = _field("SASL_PLAINTEXT", "how clients and brokers speak to Kafka: "
                                                            "SASL_PLAINTEXT or SASL_SSL (TLS; KAFKA_SSL_CA_FILE)")
    kafka_ssl_ca_file: str = _field(DERIVED, "CA certificate (PEM) the clients trust for SASL_SSL (default: the "
                                             "local stack's, $FLINKFAST_STATE_DIR/kafka/tls/cert.pem)")
    kafka_admin_user: str = _field("admin", "Kafka principal of the brokers (inter-broker) and of topic management "
                                            "(up, bench, drill): the only super user")
    kafka_admin_password: str | None = _field(None, "password of KAFKA_ADMIN_USER", secret=True)
    kafka_producer_user: str = _field("producer", "Kafka principal of the producer: writes KAFKA_TOPIC only")
    kafka_producer_password: str | None = _field(None, "password of KAFKA_PRODUCER_USER", secret=True)
    kafka_job_user: str = _field("job", "Kafka principal of the job (and of reconcile, status, the dashboard, "
                                        "skip): reads KAFKA_TOPIC, commits KAFKA_GROUP_ID")
    kafka_job_password: str | None = _field(None, "password of KAFKA_JOB_USER", secret=True)
    zookeeper_kafka_password: str | None = _field(None, "ZooKeeper (SASL/digest) password of the brokers, user kafka",
                                                  secret=True)
    zookeeper_flink_password: str | None = _field(None, "ZooKeeper (SASL/digest) password of Flink's HA, user flink",
                                                  secret=True)
    flink_rest_url: str = _field(DERIVED, "Flink's REST API (flink run, status, dashboard)")
    flink_ui_url: str = _field(DERIVED, "where the browser opens the Flink Web UI (links)")
    flink_gate_url: str = _field(DERIVED, "where the dashboard reads Flink: the Web UI gate's read-only routes, "
                                          "plain HTTP, no certificate (default: FLINK_UI_URL)")
    flink_rest_tls_dir: str = _field(DERIVED, "folder of the REST API's certificate and key (flinkfast.tls)")
    flink_tls_password: str | None = _field(None, "password of the REST certificate's PKCS12 stores (Flink's "
                                                  "configuration carries it)", secret=True)
    http_allowed_hosts: str = _field("", "names besides 127.0.0.1, localhost and [::1] that the Web UI gate and the "
                                         "dashboard accept in the Host header (comma-separated)")
    postgres_host: str = _field("127.0.0.1", "PostgreSQL host")
    postgres_db: str = _field("flink_db", "database of the results")
    postgres_user: str = _field("postgres", "PostgreSQL superuser: applies the schema (sql/postgres), nothing else")
    postgres_password: str | None = _field(None, "password of POSTGRES_USER", secret=True)
    flink_db_user: str = _field("flink_writer", "role the Flink sink writes as: INSERT into the two intake views only")
    flink_db_password: str | None = _field(None, "password of FLINK_DB_USER", secret=True)
    reader_db_user: str = _field("flinkfast_reader", "read-only role of the dashboard, the report, reconcile and status")
    reader_db_password: str | None = _field(None, "password of READER_DB_USER", secret=True)
    peer_db_user: str = _field("flinkfast_peer", "role the benchmark's peers (quixstreams, pathway) write as, "
                                                 "in the benchmark's database only (sql/bench/009_peer_role.sql)")
    peer_db_password: str | None = _field(None, "password of PEER_DB_USER", secret=True)
    # The job.
    job_name: str = _field("flinkfast-randomuser", "Flink job name")
    flink_parallelism: int = _field(2, "parallelism of the job")
    checkpoint_interval_ms: int = _field(5000, "checkpoint interval (offsets and sink flush advance together)")
    flink_object_reuse: str = _field("true", "pipeline.object-reuse: true|false (chained operators pass rows "
                                             "without copying them)")
    sink_mode: str = _field("copy", "how the sinks write: copy (one binary COPY and one transaction per flush, "
                                    "the flinkfast-postgres connector in udf/) or jdbc (Flink's JDBC connector)")
    sink_flush_max_rows: int = _field(5000, "sink: flush after this many buffered rows")
    sink_flush_interval_ms: int = _field(200, "sink: no row waits longer than this")
    sink_flush_idle_ms: int = _field(5, "copy sink: flush when no row came for this long (0: off); the jdbc sink "
                                        "flushes on the interval only")
    sink_max_retries: int = _field(5, "sink: retries of a failed flush before the job fails over")
    max_event_chars: int = _field(65536, "a message longer than this many characters is a dead letter")
    skip_messages: str = _field("", "PARTITION:OFFSET,... of KAFKA_TOPIC that the job records as dead letters "
                                    "unread (`flinkfast skip`)")
    scan_startup_mode: str = _field("group-offsets", "where the job starts reading: "
                                                     "group-offsets|earliest-offset|latest-offset")
    # The producer.
    randomuser_api_url: str = _field("https://randomuser.me/api/", "base URL of the RandomUser API")
    producer_source: str = _field("api", "where events come from: api|generate")
    events: int = _field(10000, "events the demo produces")
    # The live dashboard and Flink's Prometheus reporter.
    dashboard_port: int = _field(8050, "port of the live dashboard (127.0.0.1 only)")
    dashboard_window_s: int = _field(300, "default sliding window of the dashboard, in seconds")
    flink_prometheus_ports: str = _field("", "ports of Flink's Prometheus reporter on the local stack, e.g. "
                                             "9249-9250 (one per JVM); empty: off (it binds every interface)")
    # The benchmark (make bench).
    bench_events: int = _field(1_000_000, "events preloaded for the benchmark's drain")
    bench_duration: float = _field(30.0, "seconds of load at each fixed rate of the benchmark")
    bench_db: str = _field("flink_bench", "database the benchmark writes to (never the pipeline's)")
    bench_peers: str = _field("quixstreams,pathway", "peer frameworks the benchmark also drains with, after the plain "
                                                     "consumer: a comma-separated list of quixstreams, pathway; none: "
                                                     "no peer (each installs into a venv of its own, .cache/peers)")
    growth_events: int = _field(10_000_000, "events the growth benchmark drains into one table (make bench-growth)")
    growth_step: int = _field(1_000_000, "the growth benchmark's cost per event is measured every this many rows")
    scaling_events: int = _field(500_000, "events drained at each parallelism (1, 2, 4) by make bench-scaling")
    # The drill (make drill, docs/drill.md).
    drill_rate: int = _field(2000, "events/s of the drill's steady load")
    drill_window_s: float = _field(10.0, "seconds of steady load the drill keeps before and after each fault "
                                         "(the span of its latency figures)")

    # ---- reading
    def get(self, env: str):
        return getattr(self, env.lower())

    def require(self, env: str) -> str:
        """A secret or other value without a default: a clear error where it is missing."""
        value = self.get(env)
        if value in (None, ""):
            raise ConfigError(f"{env} is not set: copy .env.example to .env (or export {env}); "
                              "`make setup` does it and generates the passwords")
        return value

    def __getattr__(self, name: str):  # only for names that are not settings: a typo, said at once
        raise AttributeError(f"no setting {name!r}{_suggest(name.upper())}")

    @property
    def state_dir(self) -> Path:
        return Path(self.flinkfast_state_dir)

    @property
    def kafka_ports(self) -> list[int]:
        """The port of each broker of the local stack (kafka, kafka-2, ...)."""
        return broker_ports(self.kafka_port, self.kafka_brokers)

    # ---- secrets
    def secrets(self) -> list[str]:
        return [str(self.get(s.env)) for s in SETTINGS if s.secret and self.get(s.env)]

    def mask(self, text: str) -> str:
        """Hide every secret value in text meant for logs or the terminal, and any piece of one
        long enough to help a guess (psql quotes a failing statement cut to its last characters)."""
        secrets = sorted(self.secrets(), key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "****")

        def piece(m: re.Match) -> str:
            word = m.group(0)
            return "****" if any(word in secret for secret in secrets) else word

        return re.sub(r"[A-Za-z0-9_\-]{%d,}" % PIECE, piece, text) if secrets else text

    # ---- other forms
    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, for child processes (flink run, psql)."""
        return {s.env: str(self.get(s.env)) for s in SETTINGS if self.get(s.env) is not None}

    def replace(self, **changes) -> "Config":
        """A copy with some settings changed (by name, in either case; strings are converted
        like any other source) and validated again. Derived settings keep their values."""
        values = {s.env: self.get(s.env) for s in SETTINGS}
        for name, value in changes.items():
            s = _BY_ENV.get(name.upper())
            if s is None:
                raise ConfigError(f"unknown setting {name.upper()}{_suggest(name.upper())}")
            values[s.env] = _convert(s, value, "override") if isinstance(value, str) else value
        return _build(values)


@dataclass(frozen=True)
class Setting:
    env: str
    default: object  # a value, a callable(cfg) -> value for derived defaults, or None
    help: str
    kind: type = str
    secret: bool = False

    @property
    def attr(self) -> str:
        return self.env.lower()

    @property
    def flag(self) -> str:
        return "--" + self.env.lower().replace("_", "-")


def broker_ports(first: int, brokers: int) -> list[int]:
    """Broker n of the local stack (1, 2, ...) listens on first + n - 1."""
    return [first + i for i in range(brokers)]


def replication(brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) for a cluster of this many brokers.

    Three replicas where there are three brokers or more (more copies cost disk and network and
    add no safety a single machine can use); fewer brokers, one replica on each. An acks=all write
    is acknowledged once RF - 1 replicas have it, so one broker may be down without stopping
    writes and an acknowledged write survives the loss of any one broker. With one broker there
    is nothing to replicate: 1 and 1 (Kafka refuses every acks=all write when min.insync.replicas
    exceeds the replicas in sync, so it can never exceed the replication factor).
    """
    factor = min(3, brokers)
    return factor, min_insync(factor)


def min_insync(factor: int) -> int:
    return max(1, factor - 1)


# How derived defaults follow other settings (in declaration order).
DERIVE = {
    "FLINKFAST_STATE_DIR": lambda v: str(REPO_ROOT / ".state"),
    "KAFKA_BOOTSTRAP_SERVERS": lambda v: ",".join(f"127.0.0.1:{p}" for p in broker_ports(v["KAFKA_PORT"],
                                                                                          v["KAFKA_BROKERS"])),
    "KAFKA_REPLICATION_FACTOR": lambda v: replication(v["KAFKA_BROKERS"])[0],
    "KAFKA_MIN_INSYNC_REPLICAS": lambda v: min_insync(v["KAFKA_REPLICATION_FACTOR"]),
    "FLINK_REST_URL": lambda v: f"https://127.0.0.1:{v['FLINK_REST_PORT']}",
    "FLINK_UI_URL": lambda v: f"http://127.0.0.1:{v['FLINK_UI_PORT']}",
    "FLINK_GATE_URL": lambda v: v["FLINK_UI_URL"],
    "FLINK_REST_TLS_DIR": lambda v: str(Path(v["FLINKFAST_STATE_DIR"]) / "flink" / "tls"),
    "KAFKA_SSL_CA_FILE": lambda v: str(Path(v["FLINKFAST_STATE_DIR"]) / "kafka" / "tls" / "cert.pem"),
}
_KINDS = {"int": int, "float": float, "str": str, "str | None": str}
# The Flink connector behind each SINK_MODE (the sink tables of sql/flink say 'connector' = '${SINK_CONNECTOR}').
SINK_CONNECTORS = {"copy": "flinkfast-postgres", "jdbc": "jdbc"}
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name.upper(), DERIVE[f.name.upper()] if f.metadata["derived"] else f.default, f.metadata["help"],
            _KINDS[f.type], f.metadata["secret"]) for f in fields(Config))
_BY_ENV = {s.env: s for s in SETTINGS}
PIECE = 6  # characters of a secret that mask() hides wherever they stand on their own
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_IDENTIFIER_SETTINGS = ("POSTGRES_DB", "POSTGRES_USER", "FLINK_DB_USER", "READER_DB_USER", "BENCH_DB", "PEER_DB_USER")
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_KAFKA_USER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
KAFKA_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
_SKIPS = re.compile(r"^(|[0-9]{1,5}:[0-9]{1,18}(,[0-9]{1,5}:[0-9]{1,18})*)$")


def _convert(setting: Setting, raw: object, source: str):
    if raw is None or setting.kind is str:
        return None if raw is None else str(raw)
    try:
        return setting.kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{setting.env}={raw!r} (from {source}) is not a valid {setting.kind.__name__}") from None


def load(overrides: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None,
         dotenv_path: Path | None = None) -> Config:
    """Resolve every setting: overrides (flags) > env > .env > default."""
    env = os.environ if env is None else env
    dotenv_path = REPO_ROOT / ".env" if dotenv_path is None else dotenv_path
    from_file = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None} if dotenv_path.is_file() else {}
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(overrides) - _BY_ENV.keys())
    if unknown:  # a typo fails here, at once, not as a silently ignored value
        raise ConfigError(f"unknown setting {unknown[0]}{_suggest(unknown[0])} (the settings are listed in .env.example)")

    values: dict[str, object] = {}
    derived: list[Setting] = []
    for s in SETTINGS:
        for source, layer in (("flag", overrides), ("environment", env), (".env", from_file)):
            if s.env in layer and layer[s.env] != "":
                values[s.env] = _convert(s, layer[s.env], source)
                break
        else:
            if callable(s.default):
                derived.append(s)
            else:
                values[s.env] = s.default
    for s in derived:  # defaults computed from other settings (in order), e.g. bootstrap from KAFKA_PORT
        values[s.env] = s.default(values)
    return _build(values)


def _build(values: Mapping[str, object]) -> Config:
    _validate(values)
    return Config(**{env.lower(): value for env, value in values.items()})


def _validate(values: Mapping[str, object]) -> None:
    for env in _IDENTIFIER_SETTINGS:
        if not _IDENTIFIER.match(str(values[env])):
            raise ConfigError(f"{env}={values[env]!r} is not a plain SQL identifier (letters, digits, _)")
    if not _TOPIC.match(str(values["KAFKA_TOPIC"])):
        raise ConfigError(f"KAFKA_TOPIC={values['KAFKA_TOPIC']!r} is not a valid Kafka topic name")
    if not _SKIPS.match(str(values["SKIP_MESSAGES"])):
        raise ConfigError(f"SKIP_MESSAGES={values['SKIP_MESSAGES']!r} is not a list of PARTITION:OFFSET, e.g. 0:42,2:7")
    if values.get("FLINK_TLS_PASSWORD") is not None and len(str(values["FLINK_TLS_PASSWORD"])) < 6:
        raise ConfigError("FLINK_TLS_PASSWORD must have at least 6 characters (keytool refuses shorter ones); "
                          "`make setup` generates one")
    if values["FLINK_OBJECT_REUSE"] not in ("true", "false"):
        raise ConfigError(f"FLINK_OBJECT_REUSE={values['FLINK_OBJECT_REUSE']!r} must be true or false")
    if values["SINK_MODE"] not in SINK_CONNECTORS:
        raise ConfigError(f"SINK_MODE={values['SINK_MODE']!r} must be one of {', '.join(SINK_CONNECTORS)}")
    if values["SCAN_STARTUP_MODE"] not in ("group-offsets", "earliest-offset", "latest-offset"):
        raise ConfigError("SCAN_STARTUP_MODE must be group-offsets, earliest-offset or latest-offset")
    if values["KAFKA_SECURITY_PROTOCOL"] not in KAFKA_PROTOCOLS:
        raise ConfigError(f"KAFKA_SECURITY_PROTOCOL={values['KAFKA_SECURITY_PROTOCOL']!r} must be one of "
                          f"{', '.join(KAFKA_PROTOCOLS)}")
    for env in ("KAFKA_ADMIN_USER", "KAFKA_PRODUCER_USER", "KAFKA_JOB_USER"):
        if not _KAFKA_USER.match(str(values[env])):
            raise ConfigError(f"{env}={values[env]!r} must be a plain name (letters, digits, . _ -)")
    for s in SETTINGS:   # the credentials go into JAAS files and SQL literals: no quote, no backslash
        if s.secret and s.env.startswith(("KAFKA_", "ZOOKEEPER_")) and re.search(r'["\\\s;]', str(values[s.env] or "")):
            raise ConfigError(f"{s.env} must not contain quotes, backslashes, blanks or ';' (`make setup` generates one)")
    for env in ("KAFKA_PARTITIONS", "FLINK_PARALLELISM", "TASKMANAGER_SLOTS", "SINK_FLUSH_MAX_ROWS", "MAX_EVENT_CHARS",
                "BENCH_EVENTS", "GROWTH_EVENTS", "GROWTH_STEP", "SCALING_EVENTS", "FLINK_TASKMANAGERS"):
        if int(values[env]) < 1:
            raise ConfigError(f"{env} must be at least 1")
    _validate_replication(values)
    # The dashboard and Flink's reporter (issue 13).
    ports = {}
    brokers = broker_ports(int(values["KAFKA_PORT"]), int(values["KAFKA_BROKERS"]))
    named = [(env, int(values[env])) for env in ("ZOOKEEPER_PORT", "KAFKA_PORT", "FLINK_UI_PORT", "FLINK_REST_PORT",
                                                 "FLINK_RPC_PORT", "POSTGRES_PORT", "DASHBOARD_PORT")]
    named += [(f"KAFKA_PORT+{n} (broker kafka-{n + 1})", port) for n, port in enumerate(brokers[1:], 1)]
    for env, port in named:
        if not 0 < port < 65536:
            raise ConfigError(f"{env} is {port}, not a port (1 to 65535)")
        if port in ports:
            other = ports[port]
            hint = (" (since 0.4 the Web UI is FLINK_UI_PORT, 8081, and Flink's REST API FLINK_REST_PORT, 8082: "
                    "drop FLINK_REST_PORT=8081 from .env)" if {env, other} == {"FLINK_UI_PORT", "FLINK_REST_PORT"} else "")
            raise ConfigError(f"{other} and {env} are both {port}: each service needs a port of its own{hint}")
        ports[port] = env
    if float(values["BENCH_DURATION"]) <= BENCH_WARMUP_S:
        raise ConfigError(f"BENCH_DURATION must be more than {BENCH_WARMUP_S} s: the first {BENCH_WARMUP_S} s "
                          "of each load are left out of the latency")
    if int(values["DASHBOARD_WINDOW_S"]) < 10:
        raise ConfigError("DASHBOARD_WINDOW_S must be at least 10 (seconds)")
    if values["FLINK_PROMETHEUS_PORTS"] and not re.fullmatch(r"\d+(-\d+)?", str(values["FLINK_PROMETHEUS_PORTS"])):
        raise ConfigError("FLINK_PROMETHEUS_PORTS must be a port or a range like 9249-9250 (or empty: off)")


def _validate_replication(values: Mapping[str, object]) -> None:
    """KAFKA_BROKERS, and a replication the local stack's brokers can give (docs/local-stack.md)."""
    brokers, factor, isr = (int(values[k]) for k in ("KAFKA_BROKERS", "KAFKA_REPLICATION_FACTOR",
                                                      "KAFKA_MIN_INSYNC_REPLICAS"))
    if not 1 <= brokers <= MAX_BROKERS:
        raise ConfigError(f"KAFKA_BROKERS must be between 1 and {MAX_BROKERS} (it is {brokers})")
    if not 1 <= factor <= brokers:
        raise ConfigError(f"KAFKA_REPLICATION_FACTOR={factor} with KAFKA_BROKERS={brokers}: a partition has at most one "
                          "replica on each broker (set KAFKA_BROKERS, or drop KAFKA_REPLICATION_FACTOR: it follows "
                          "KAFKA_BROKERS)")
    if not 1 <= isr <= factor:
        raise ConfigError(f"KAFKA_MIN_INSYNC_REPLICAS={isr} with KAFKA_REPLICATION_FACTOR={factor}: Kafka would refuse "
                          "every acks=all write (it must be between 1 and the replication factor)")


def _suggest(env: str) -> str:
    import difflib
    close = difflib.get_close_matches(env, list(_BY_ENV), n=1)
    return f"; did you mean {close[0]}?" if close else ""


def add_flags(parser: argparse.ArgumentParser, *envs: str, names: Mapping[str, tuple[str, ...]] | None = None) -> None:
    """Expose settings as flags whose help names the environment variable and the default (each
    once; never a secret: a command line is visible to every user of the machine). `names` gives
    a setting other option strings besides its own (e.g. --events for BENCH_EVENTS)."""
    group = parser.add_argument_group("configuration (flag > environment > .env > default)")
    for env in dict.fromkeys(envs):
        s = _BY_ENV[env]
        if s.secret:
            raise ValueError(f"{env} is a secret: it is read from the environment or .env, never a flag")
        default = "derived" if callable(s.default) else ("required" if s.default is None else s.default)
        group.add_argument(*(names or {}).get(env, ()), s.flag, dest=env, type=s.kind, default=None,
                           metavar=s.kind.__name__.upper(), help=f"{s.help} [env {env}; default {default}]")


def from_args(args: argparse.Namespace) -> Config:
    return load({k: v for k, v in vars(args).items() if k in _BY_ENV})


def setting(env: str) -> Setting:
    return _BY_ENV[env]
