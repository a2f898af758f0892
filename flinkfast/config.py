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
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

from flinkfast.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"


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


def _s(env, default, help, kind=str, secret=False):
    return Setting(env, default, help, kind, secret)


SETTINGS: tuple[Setting, ...] = (
    # Where the local stack keeps data, logs and pid files.
    _s("FLINKFAST_STATE_DIR", lambda c: str(REPO_ROOT / ".state"), "folder for local-stack data, logs and pids"),
    # Ports the local stack listens on (127.0.0.1 only).
    _s("ZOOKEEPER_PORT", 2181, "ZooKeeper client port", int),
    _s("KAFKA_PORT", 9092, "Kafka broker port", int),
    _s("FLINK_UI_PORT", 8081, "the Flink Web UI for the browser: a read-only, Host-checking gate (flinkfast.webgate)", int),
    _s("FLINK_REST_PORT", 8082, "Flink's REST API: TLS, served only to holders of the stack's client certificate", int),
    _s("FLINK_RPC_PORT", 6123, "Flink JobManager RPC port", int),
    _s("POSTGRES_PORT", 5432, "PostgreSQL port", int),
    # Memory of the local stack's JVMs: the figures behind the README's memory budget.
    _s("ZOOKEEPER_HEAP", "128m", "ZooKeeper JVM heap (-Xmx)"),
    _s("KAFKA_HEAP", "512m", "Kafka broker JVM heap (-Xmx)"),
    _s("JOBMANAGER_MEMORY", "1024m", "Flink JobManager total process memory"),
    _s("TASKMANAGER_MEMORY", "1728m", "Flink TaskManager total process memory"),
    _s("TASKMANAGER_SLOTS", 2, "task slots of the TaskManager", int),
    _s("KAFKA_RETENTION_BYTES", 1073741824, "Kafka keeps at most this many bytes per partition (log.retention.bytes)",
       int),
    _s("LOG_MAX_BYTES", 52428800, "a service's log is rotated past this size (stdout logs of the local stack)", int),
    _s("LOG_BACKUPS", 3, "rotated logs kept per service (NAME.log.1 ... NAME.log.N)", int),
    _s("LOCK_WAIT_S", 300, "seconds up/down/clean/submit wait for another one to finish before failing", float),
    # Where clients (scripts, the job) find the services.
    # 127.0.0.1, not localhost: the servers listen there only, and where localhost resolves to
    # ::1 first another local user could listen on that port and receive the credentials.
    _s("KAFKA_BOOTSTRAP_SERVERS", lambda c: f"127.0.0.1:{c.kafka_port}", "Kafka bootstrap servers"),
    _s("KAFKA_TOPIC", "RandomUser", "topic the producer writes and the job reads"),
    _s("KAFKA_PARTITIONS", 4, "partitions of the topic when it is created (a multiple of FLINK_PARALLELISM keeps subtasks evenly loaded)", int),
    _s("KAFKA_GROUP_ID", "flinkfast", "consumer group of the Flink job"),
    _s("FLINK_REST_URL", lambda c: f"https://127.0.0.1:{c.flink_rest_port}", "Flink's REST API (flink run, status, dashboard)"),
    _s("FLINK_UI_URL", lambda c: f"http://127.0.0.1:{c.flink_ui_port}", "where the browser opens the Flink Web UI (links)"),
    _s("FLINK_REST_TLS_DIR", lambda c: str(Path(c.flinkfast_state_dir) / "flink" / "tls"),
       "folder of the REST API's certificate and key (flinkfast.tls)"),
    _s("FLINK_TLS_PASSWORD", None, "password of the REST certificate's PKCS12 stores (Flink's configuration carries it)",
       secret=True),
    _s("HTTP_ALLOWED_HOSTS", "", "names besides 127.0.0.1, localhost and [::1] that the Web UI gate and the "
       "dashboard accept in the Host header (comma-separated)"),
    _s("POSTGRES_HOST", "127.0.0.1", "PostgreSQL host"),
    _s("POSTGRES_DB", "flink_db", "database of the results"),
    _s("POSTGRES_USER", "postgres", "PostgreSQL superuser: applies the schema (sql/postgres), nothing else"),
    _s("POSTGRES_PASSWORD", None, "password of POSTGRES_USER", secret=True),
    _s("FLINK_DB_USER", "flink_writer", "role the Flink sink writes as: INSERT into the two intake views only"),
    _s("FLINK_DB_PASSWORD", None, "password of FLINK_DB_USER", secret=True),
    _s("READER_DB_USER", "flinkfast_reader", "read-only role of the dashboard, the report, reconcile and status"),
    _s("READER_DB_PASSWORD", None, "password of READER_DB_USER", secret=True),
    # The job.
    _s("JOB_NAME", "flinkfast-randomuser", "Flink job name"),
    _s("FLINK_PARALLELISM", 2, "parallelism of the job", int),
    _s("CHECKPOINT_INTERVAL_MS", 5000, "checkpoint interval (offsets and sink flush advance together)", int),
    _s("FLINK_OBJECT_REUSE", "true", "pipeline.object-reuse: true|false (chained operators pass rows without copying them)"),
    _s("SINK_FLUSH_MAX_ROWS", 5000, "JDBC sink: flush after this many buffered rows", int),
    _s("SINK_FLUSH_INTERVAL_MS", 200, "JDBC sink: flush at least this often", int),
    _s("SINK_MAX_RETRIES", 5, "JDBC sink: retries of a failed batch before the job fails", int),
    _s("MAX_EVENT_CHARS", 65536, "a message longer than this many characters is a dead letter", int),
    _s("SKIP_MESSAGES", "", "PARTITION:OFFSET,... of KAFKA_TOPIC that the job records as dead letters unread "
       "(`flinkfast skip`)"),
    _s("SCAN_STARTUP_MODE", "group-offsets", "where the job starts reading: group-offsets|earliest-offset|latest-offset"),
    # The producer.
    _s("RANDOMUSER_API_URL", "https://randomuser.me/api/", "base URL of the RandomUser API"),
    _s("PRODUCER_SOURCE", "api", "where events come from: api|generate"),
    _s("EVENTS", 10000, "events the demo produces", int),
    # The live dashboard (flinkfast.dashboard, issue 13) and Flink's Prometheus reporter.
    _s("DASHBOARD_PORT", 8050, "port of the live dashboard (127.0.0.1 only)", int),
    _s("DASHBOARD_WINDOW_S", 300, "default sliding window of the dashboard, in seconds", int),
    _s("FLINK_PROMETHEUS_PORTS", "", "ports of Flink's Prometheus reporter on the local stack, "
       "e.g. 9249-9250 (one per JVM); empty: off (it binds every interface)"),
)

_BY_ENV = {s.env: s for s in SETTINGS}
PIECE = 6  # characters of a secret that mask() hides wherever they stand on their own
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_IDENTIFIER_SETTINGS = ("POSTGRES_DB", "POSTGRES_USER", "FLINK_DB_USER", "READER_DB_USER")
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_SKIPS = re.compile(r"^(|[0-9]{1,5}:[0-9]{1,18}(,[0-9]{1,5}:[0-9]{1,18})*)$")


class Config:
    """Resolved settings, as attributes named like the variable in lower case."""

    def __init__(self, values: Mapping[str, object]):
        self._values = dict(values)

    def __getattr__(self, name: str):
        try:
            return self._values[name.upper()]
        except KeyError:
            raise AttributeError(f"no setting {name!r}{_suggest(name.upper())}") from None

    def get(self, env: str):
        return self._values[env]

    def require(self, env: str) -> str:
        """A secret or other value without a default: a clear error where it is missing."""
        value = self._values.get(env)
        if value in (None, ""):
            raise ConfigError(f"{env} is not set: copy .env.example to .env (or export {env}); "
                              "`make setup` does it and generates the passwords")
        return value

    def secrets(self) -> list[str]:
        return [str(self._values[s.env]) for s in SETTINGS if s.secret and self._values.get(s.env)]

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

    def as_env(self) -> dict[str, str]:
        """The settings as environment variables, for child processes (flink run, psql)."""
        return {k: str(v) for k, v in self._values.items() if v is not None}

    @property
    def state_dir(self) -> Path:
        return Path(self._values["FLINKFAST_STATE_DIR"])


def _convert(setting: Setting, raw: object, source: str):
    if raw is None or setting.kind is str:
        return raw
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
        values[s.env] = s.default(Config(values))
    _validate(values)
    return Config(values)


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
    if values["SCAN_STARTUP_MODE"] not in ("group-offsets", "earliest-offset", "latest-offset"):
        raise ConfigError("SCAN_STARTUP_MODE must be group-offsets, earliest-offset or latest-offset")
    for env in ("KAFKA_PARTITIONS", "FLINK_PARALLELISM", "TASKMANAGER_SLOTS", "SINK_FLUSH_MAX_ROWS", "MAX_EVENT_CHARS"):
        if int(values[env]) < 1:
            raise ConfigError(f"{env} must be at least 1")
    # The dashboard and Flink's reporter (issue 13).
    ports = {}
    for env in ("ZOOKEEPER_PORT", "KAFKA_PORT", "FLINK_UI_PORT", "FLINK_REST_PORT", "FLINK_RPC_PORT", "POSTGRES_PORT",
                "DASHBOARD_PORT"):
        if int(values[env]) in ports:
            other = ports[int(values[env])]
            hint = (" (since 0.4 the Web UI is FLINK_UI_PORT, 8081, and Flink's REST API FLINK_REST_PORT, 8082: "
                    "drop FLINK_REST_PORT=8081 from .env)" if {env, other} == {"FLINK_UI_PORT", "FLINK_REST_PORT"} else "")
            raise ConfigError(f"{other} and {env} are both {values[env]}: each service needs a port of its own{hint}")
        ports[int(values[env])] = env
    if int(values["DASHBOARD_WINDOW_S"]) < 10:
        raise ConfigError("DASHBOARD_WINDOW_S must be at least 10 (seconds)")
    if values["FLINK_PROMETHEUS_PORTS"] and not re.fullmatch(r"\d+(-\d+)?", str(values["FLINK_PROMETHEUS_PORTS"])):
        raise ConfigError("FLINK_PROMETHEUS_PORTS must be a port or a range like 9249-9250 (or empty: off)")


def _suggest(env: str) -> str:
    import difflib
    close = difflib.get_close_matches(env, list(_BY_ENV), n=1)
    return f"; did you mean {close[0]}?" if close else ""


def add_flags(parser: argparse.ArgumentParser, *envs: str) -> None:
    """Expose settings as flags whose help names the environment variable and the default."""
    group = parser.add_argument_group("configuration (flag > environment > .env > default)")
    for env in envs:
        s = _BY_ENV[env]
        default = "derived" if callable(s.default) else ("required" if s.default is None else s.default)
        group.add_argument(s.flag, dest=env, type=s.kind, default=None, metavar=s.kind.__name__.upper(),
                           help=f"{s.help} [env {env}; default {default}]")


def from_args(args: argparse.Namespace) -> Config:
    return load({k: v for k, v in vars(args).items() if k in _BY_ENV})


def setting(env: str) -> Setting:
    return _BY_ENV[env]
