"""The one place where configuration is read; the settings themselves are declared in
flinkfast/settings/, grouped by the part of the system they configure (one default each, there).

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
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

from flinkfast.errors import ConfigError
from flinkfast.paths import REPO_ROOT
from flinkfast.settings import PARTS, Bench, Flink, Http, Job, Kafka, Postgres, Producer, Sink, Stack
from flinkfast.settings.bench import BENCH_WARMUP_S
from flinkfast.settings.job import SCAN_STARTUP_MODES
from flinkfast.settings.kafka import KAFKA_PROTOCOLS, MAX_BROKERS, broker_ports, min_insync, replication
from flinkfast.settings.flink import FLINK_SCHEDULERS
from flinkfast.settings.postgres import POSTGRES_CHANNELBINDINGS, POSTGRES_SSLMODES
from flinkfast.settings.sink import SINK_CONNECTORS

__all__ = ["BENCH_WARMUP_S", "KAFKA_PROTOCOLS", "MAX_BROKERS", "REPO_ROOT", "SETTINGS", "SINK_CONNECTORS", "Config",
           "Setting", "add_flags", "broker_ports", "from_args", "load", "min_insync", "replication", "setting"]


@dataclass(frozen=True)
class Config(Stack, Kafka, Flink, Job, Sink, Postgres, Producer, Http, Bench):
    """Every setting, one typed field each, declared by its part in flinkfast/settings/;
    immutable (overrides: cfg.replace(...))."""
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


_KINDS = {"int": int, "float": float, "str": str, "str | None": str}
# Every setting, part by part in flinkfast.settings.PARTS' order (a derived default follows those before it).
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name.upper(), f.metadata["derive"] or f.default, f.metadata["help"], _KINDS[f.type], f.metadata["secret"])
    for part in PARTS for f in fields(part))
_BY_ENV = {s.env: s for s in SETTINGS}
PIECE = 6  # characters of a secret that mask() hides wherever they stand on their own
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_IDENTIFIER_SETTINGS = ("POSTGRES_DB", "POSTGRES_USER", "FLINK_DB_USER", "READER_DB_USER", "BENCH_DB", "PEER_DB_USER")
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_KAFKA_USER = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
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
    if values["RESTART_ATTEMPTS"] < 1:
        raise ConfigError(f"RESTART_ATTEMPTS={values['RESTART_ATTEMPTS']} must be at least 1")
    if values["POSTGRES_SSLMODE"] not in POSTGRES_SSLMODES:
        raise ConfigError(f"POSTGRES_SSLMODE={values['POSTGRES_SSLMODE']!r} must be empty or one of "
                          f"{', '.join(m for m in POSTGRES_SSLMODES if m)}")
    if values["POSTGRES_CHANNELBINDING"] not in POSTGRES_CHANNELBINDINGS:
        raise ConfigError(f"POSTGRES_CHANNELBINDING={values['POSTGRES_CHANNELBINDING']!r} must be empty or one of "
                          f"{', '.join(m for m in POSTGRES_CHANNELBINDINGS if m)}")
    if values["FLINK_SCHEDULER"] not in FLINK_SCHEDULERS:
        raise ConfigError(f"FLINK_SCHEDULER={values['FLINK_SCHEDULER']!r} must be default or adaptive")
    if values["SINK_MODE"] not in SINK_CONNECTORS:
        raise ConfigError(f"SINK_MODE={values['SINK_MODE']!r} must be one of {', '.join(SINK_CONNECTORS)}")
    if values["SCAN_STARTUP_MODE"] not in SCAN_STARTUP_MODES:
        raise ConfigError("SCAN_STARTUP_MODE must be group-offsets, earliest-offset or latest-offset")
    if values["KAFKA_SECURITY_PROTOCOL"] not in KAFKA_PROTOCOLS:
        raise ConfigError(f"KAFKA_SECURITY_PROTOCOL={values['KAFKA_SECURITY_PROTOCOL']!r} must be one of "
                          f"{', '.join(KAFKA_PROTOCOLS)}")
    for env in ("KAFKA_ADMIN_USER", "KAFKA_PRODUCER_USER", "KAFKA_JOB_USER", "KAFKA_MONITOR_USER"):
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
    if int(values["BENCH_ROUNDS"]) < 1:
        raise ConfigError("BENCH_ROUNDS must be at least 1 (2 or more give a median and its spread)")
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
