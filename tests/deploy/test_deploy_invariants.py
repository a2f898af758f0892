"""What the Kubernetes deployment promises, checked on the rendered overlays: the schema is
sql/postgres byte for byte and is applied the way the local stack applies it; the job gets the
settings the local stack gives it, and the pieces agree on names, ports, users and Secrets;
dev is one broker, one PostgreSQL instance and parallelism 2; prod is three controllers and
three brokers, replication 3 with min.insync.replicas 2, three PostgreSQL instances, TLS and
SCRAM-SHA-512 with a KafkaUser per component; no password is written anywhere."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shlex
import stat
import subprocess
from pathlib import Path

import pytest

from tests.deploy import deploy_checks as dc
import flinkfast_job
from tests.deploy.deploy_checks import DEPLOY, K8S, OVERLAYS, REPO
from flinkfast import config
from flinkfast.pipeline import job, sqlfiles
from flinkfast.cli.producer import parse_args

SQL_POSTGRES = REPO / "sql" / "postgres"
DOC = REPO / "docs" / "kubernetes.md"
DOCKERFILE = DEPLOY / "image" / "Dockerfile"
APPLY_SCHEMA = K8S / "base" / "apply-schema.sh"
NO_DOTENV = REPO / "tests" / "deploy" / "no-such.env"  # config.load must not read the developer's .env

# PostgreSQL's TLS settings: the manifests set verify-full with CloudNativePG's CA, mounted.
POSTGRES_TLS = ("POSTGRES_SSLMODE", "POSTGRES_SSLROOTCERT", "POSTGRES_CHANNELBINDING")
# Kafka's security settings, which Kubernetes sets its own way: Strimzi's listener, its users' names
# and its cluster CA (the passwords: per workload, from the users' Secrets, never in the ConfigMap).
KAFKA_SECURITY = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SSL_CA_FILE", "KAFKA_JOB_USER")
# Settings that may differ from the local stack's defaults: the addresses, and what an overlay sizes.
ADDRESSES = ("KAFKA_BOOTSTRAP_SERVERS", "POSTGRES_HOST")
SIZED = ("FLINK_PARALLELISM", "KAFKA_PARTITIONS")
# Bounded on Kubernetes, where the operator's health check watches the job instead of a person.
BOUNDED = ("RESTART_ATTEMPTS",)
# Secrets the manifests use and nobody writes into them: made by the operators, or by the
# commands of docs/kubernetes.md.
USER_SECRETS = {"flinkfast-db-writer", "flinkfast-db-reader", "flinkfast-flink-internal-tls",
                "flinkfast-flink-internal-tls-password", "flinkfast-flink-rest-tls", "flinkfast-flink-rest-tls-password",
                "flinkfast-flink-s3"}


# ----------------------------------------------------------------------------- access

def one(objs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
    return found[0]


def every(objs: list[dict], kind: str) -> list[dict]:
    return [o for o in objs if o["kind"] == kind]


def configmap(objs: list[dict], prefix: str) -> dict:
    found = [o for o in every(objs, "ConfigMap") if re.fullmatch(rf"{prefix}-[a-z0-9]{{10}}", o["metadata"]["name"])]
    assert len(found) == 1, prefix
    return found[0]


def settings(objs: list[dict]) -> dict[str, str]:
    return configmap(objs, "flinkfast-settings")["data"]


def flink(objs: list[dict]) -> dict:
    return one(objs, "FlinkDeployment")


def main_container(pod_template: dict) -> dict:
    containers = pod_template["spec"]["containers"]
    assert [c["name"] for c in containers] == ["flink-main-container"]
    return containers[0]


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def secret_ref(item: dict) -> tuple[str, str]:
    ref = item["valueFrom"]["secretKeyRef"]
    return ref["name"], ref["key"]


def mounted_secrets(pod_spec: dict, container: dict) -> dict[str, tuple[str, list[str]]]:
    """mount path -> (Secret name, keys projected)."""
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    out = {}
    for m in container.get("volumeMounts", []):
        secret = volumes[m["name"]].get("secret")
        if secret:
            out[m["mountPath"]] = (secret["secretName"], [i["key"] for i in secret.get("items", [])])
    return out


def jobmanager_env(objs) -> dict[str, dict]:
    return env_of(main_container(flink(objs)["spec"]["jobManager"]["podTemplate"]))


def producer(objs) -> dict:
    return one(objs, "Deployment", "flinkfast-producer")


def schema_step(objs) -> tuple[dict, dict]:
    """(the pod spec of the Deployment flinkfast-schema, its one container)."""
    pod = one(objs, "Deployment", "flinkfast-schema")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return pod, container


def schema_wait(objs) -> tuple[dict, dict]:
    """(the JobManager's pod spec with the common template's volumes, its init container `wait-for-schema`)."""
    spec = flink(objs)["spec"]
    pod = spec["jobManager"]["podTemplate"]["spec"]
    (init,) = pod["initContainers"]
    assert init["name"] == "wait-for-schema"
    return {**pod, "volumes": [*spec["podTemplate"]["spec"]["volumes"], *pod["volumes"]]}, init


def job_config(objs, **extra) -> config.Config:
    """The job's configuration as flinkfast/config.py resolves it from the JobManager's environment."""
    env = dict(settings(objs))
    return config.load(env={**env, "FLINK_DB_PASSWORD": "not-a-real-password", "KAFKA_JOB_PASSWORD": "not-a-real-password",
                            **extra}, dotenv_path=NO_DOTENV)


def defaults() -> config.Config:
    return config.load(env={}, dotenv_path=NO_DOTENV)


def kafka_listener(objs) -> dict:
    """The listener KAFKA_BOOTSTRAP_SERVERS points at."""
    kafka = one(objs, "Kafka")
    host, port = settings(objs)["KAFKA_BOOTSTRAP_SERVERS"].rsplit(":", 1)
    assert host == f"{kafka['metadata']['name']}-kafka-bootstrap", "Strimzi's bootstrap service"
    listeners = [x for x in kafka["spec"]["kafka"]["listeners"] if x["port"] == int(port)]
    assert len(listeners) == 1, f"no listener on port {port}"
    return listeners[0]


def pools(objs, role: str) -> list[dict]:
    return [p for p in every(objs, "KafkaNodePool") if role in p["spec"]["roles"]]


@pytest.fixture(params=OVERLAYS)
def objs(request, rendered) -> list[dict]:
    return rendered[request.param]


# ----------------------------------------------------------------------------- the schema

def test_schema_configmap_is_sql_postgres_byte_for_byte(objs):
    cm = configmap(objs, "flinkfast-sql-postgres")
    contents = {k: v.encode() for k, v in (cm.get("data") or {}).items()}
    contents |= {k: base64.b64decode(v) for k, v in (cm.get("binaryData") or {}).items()}
    files = {p.name: p.read_bytes() for p in sorted(SQL_POSTGRES.glob("*.sql"))}
    assert set(contents) == set(files), "one key per file of sql/postgres, no more, no fewer " \
                                        "(deploy/k8s/base/kustomization.yaml lists them)"
    for name, data in files.items():
        assert contents[name] == data, f"{name} differs from sql/postgres/{name}"


def _needs_psql(text: str) -> bool:
    """Meta-commands (\\getenv, \\gexec, ...) or psql variables (:'name', :name) in the file."""
    return bool(re.search(r"^\s*\\", text, re.M) or re.search(r":'[A-Za-z_]\w*'|:\"[A-Za-z_]\w*\"|(?<![:\w]):[A-Za-z_]\w*\b(?!:)",
                                                               re.sub(r"--[^\n]*", "", text)))


def test_bootstrap_runs_every_file_that_needs_no_psql(objs):
    """CloudNativePG runs post-init SQL over a connection, without psql: it gets exactly the files
    that need none, in order; the Job runs the rest (all of them, in fact)."""
    cluster = one(objs, "Cluster")
    refs = cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQLRefs"]["configMapRefs"]
    cm = configmap(objs, "flinkfast-sql-postgres")
    assert {r["name"] for r in refs} == {cm["metadata"]["name"]}
    keys = [r["key"] for r in refs]
    plain = [p.name for p in sorted(SQL_POSTGRES.glob("*.sql")) if not _needs_psql(p.read_text())]
    assert keys == plain
    assert "002_roles.sql" not in keys and "003_ingest.sql" not in keys
    assert _needs_psql((SQL_POSTGRES / "002_roles.sql").read_text()), "the check can see psql's commands"
    assert "secretRefs" not in cluster["spec"]["bootstrap"]["initdb"]["postInitApplicationSQLRefs"]


def test_schema_step_applies_sql_postgres_with_the_roles_secrets(objs):
    """The schema step is a Deployment of its own (apply-schema.sh serve): a changed schema,
    script or setting renames a hashed ConfigMap in its template and the Deployment rolls it out
    on re-apply (no Job: a Job's template is immutable). Only this pod holds the superuser's
    password; it has no API token."""
    spec, c = schema_step(objs)
    assert not every(objs, "Job"), "no schema Job: a Job's template cannot change on re-apply"
    env = env_of(c)
    assert c["command"] == ["bash", "/opt/flinkfast/apply-schema.sh", "serve"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in c["volumeMounts"]}
    assert mounts[env["SQL_DIR"]["value"]]["configMap"]["name"] == configmap(objs, "flinkfast-sql-postgres")["metadata"]["name"]
    assert mounts["/opt/flinkfast"]["configMap"]["name"] == configmap(objs, "flinkfast-schema-script")["metadata"]["name"]
    assert os.path.dirname(env["APPLIED_FILE"]["value"]) in mounts, "the marker file is on a writable volume"
    script = configmap(objs, "flinkfast-schema-script")["data"]["apply-schema.sh"]
    assert script.encode() == APPLY_SCHEMA.read_bytes()
    # Every variable the files read with \getenv: names from the settings, passwords from the
    # Secrets CloudNativePG sets the roles' passwords from (managed.roles).
    cluster = one(objs, "Cluster")
    role_secrets = {r["name"]: r["passwordSecret"]["name"] for r in cluster["spec"]["managed"]["roles"]}
    read = set(re.findall(r"^\\getenv \w+ (\w+)\s*$", "".join(p.read_text() for p in SQL_POSTGRES.glob("*.sql")), re.M))
    assert read == {"FLINK_DB_USER", "FLINK_DB_PASSWORD", "READER_DB_USER", "READER_DB_PASSWORD"}
    s = settings(objs)
    for user_var in ("FLINK_DB_USER", "READER_DB_USER"):
        ref = env[user_var]["valueFrom"]["configMapKeyRef"]
        assert ref["key"] == user_var
        password_var = user_var.replace("_USER", "_PASSWORD")
        assert secret_ref(env[password_var]) == (role_secrets[s[user_var]], "password")
    # libpq: the primary, as the superuser whose password CloudNativePG generated, over TLS.
    name = cluster["metadata"]["name"]
    assert cluster["spec"]["enableSuperuserAccess"] is True
    assert secret_ref(env["PGUSER"]) == (f"{name}-superuser", "username")
    assert secret_ref(env["PGPASSWORD"]) == (f"{name}-superuser", "password")
    for var, key in (("PGHOST", "POSTGRES_HOST"), ("PGPORT", "POSTGRES_PORT"), ("PGDATABASE", "POSTGRES_DB")):
        assert env[var]["valueFrom"]["configMapKeyRef"]["key"] == key
    assert env["PGSSLMODE"]["value"] == "verify-full"
    # A server certificate forged from CloudNativePG's CA must not get the superuser's password:
    # SCRAM with channel binding (libpq refuses a plain password or SCRAM without -PLUS).
    assert env.get("PGCHANNELBINDING", {}).get("value") == "require"
    assert mounted_secrets(spec, c)[os.path.dirname(env["PGSSLROOTCERT"]["value"])] == (f"{name}-ca", ["ca.crt"])
    assert c["image"] == cluster["spec"]["imageName"], "psql of the server's own image"
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] not in {flink(objs)["spec"]["serviceAccount"],
                                              flink(objs)["spec"]["flinkConfiguration"]["kubernetes.taskmanager.service-account"]}


def test_the_job_waits_for_this_schema_and_no_flink_pod_holds_an_owners_password(objs):
    """The JobManagers' init container waits (apply-schema.sh wait) for the marker of the same
    SQL files, as the writer: the job never starts before its schema, and a changed schema (a
    renamed ConfigMap in the FlinkDeployment) is an upgrade whose JobManager waits for the new
    one. No Flink pod, JobManager or TaskManager, references the superuser's or the owner's Secret."""
    spec, c = schema_wait(objs)
    env = env_of(c)
    assert c["command"] == ["bash", "/opt/flinkfast/apply-schema.sh", "wait"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in c["volumeMounts"]}
    _, applier = schema_step(objs)
    applier_env = env_of(applier)
    assert mounts[env["SQL_DIR"]["value"]]["configMap"]["name"] == configmap(objs, "flinkfast-sql-postgres")["metadata"]["name"]
    assert mounts["/opt/flinkfast"]["configMap"]["name"] == configmap(objs, "flinkfast-schema-script")["metadata"]["name"]
    assert env["PGUSER"]["valueFrom"]["configMapKeyRef"]["key"] == "FLINK_DB_USER"
    assert secret_ref(env["PGPASSWORD"]) == secret_ref(jobmanager_env(objs)["FLINK_DB_PASSWORD"])
    for var in ("PGHOST", "PGPORT", "PGDATABASE", "PGSSLMODE", "PGSSLROOTCERT", "PGCHANNELBINDING"):
        assert env[var] == applier_env[var], var
    assert c["image"] == applier["image"]
    cluster = one(objs, "Cluster")["metadata"]["name"]
    owners = {f"{cluster}-superuser", f"{cluster}-app"}
    text = repr(flink(objs))
    assert not [o for o in owners if o in text], "a Flink pod references the superuser's or the owner's Secret"


# ----------------------------------------------------------------------------- apply-schema.sh

def _stand_ins(tmp_path: Path, ready: bool = True) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    (bin_dir / "psql").write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > {calls}\n')
    (bin_dir / "pg_isready").write_text("#!/bin/sh\nexit 0\n" if ready else "#!/bin/sh\nexit 2\n")
    (bin_dir / "sleep").write_text("#!/bin/sh\nexit 0\n")
    for f in bin_dir.iterdir():
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "SQL_DIR": str(SQL_POSTGRES),
           "FLINK_DB_USER": "flink_writer", "FLINK_DB_PASSWORD": "pw-writer-0123",
           "READER_DB_USER": "flinkfast_reader", "READER_DB_PASSWORD": "pw-reader-4567"}
    return env, calls


def test_apply_schema_runs_every_file_in_one_transaction(tmp_path):
    env, calls = _stand_ins(tmp_path)
    r = subprocess.run(["bash", str(APPLY_SCHEMA)], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    args = calls.read_text().splitlines()
    files = [str(p) for p in sorted(SQL_POSTGRES.glob("*.sql"))]
    assert [args[i + 1] for i, a in enumerate(args) if a == "-f"] == files, "every file, in order"
    for flag in ("-X", "-1"):
        assert flag in args
    assert args[args.index("-v") + 1] == "ON_ERROR_STOP=1"
    # Before the first file, in the same transaction: the lock that serializes two JobManagers.
    assert args.index("-c") < args.index("-f") and "pg_advisory_xact_lock(" in args[args.index("-c") + 1]
    assert args[-4:-2] == ["-c", "GRANT CONNECT ON DATABASE postgres TO streaming_replica"]
    # The last, in the same transaction: the marker, the digest of the files in order.
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(SQL_POSTGRES.glob("*.sql")))).hexdigest()
    assert args[-2] == "-c" and "COMMENT ON DATABASE" in args[-1] and f"flinkfast-schema sha256:{digest}" in args[-1]
    assert not any("pw-" in a for a in args), "no password on psql's command line"


def _wait_stand_ins(tmp_path: Path, comment: str) -> dict[str, str]:
    tmp_path.mkdir()
    env, _ = _stand_ins(tmp_path)
    (Path(env["PATH"].split(":")[0]) / "psql").write_text(f"#!/bin/sh\necho '{comment}'\n")
    return {"PATH": env["PATH"], "SQL_DIR": env["SQL_DIR"], "WAIT_S": "0"}


def test_apply_schema_wait_passes_only_on_the_marker_of_these_files(tmp_path):
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(SQL_POSTGRES.glob("*.sql")))).hexdigest()
    env = _wait_stand_ins(tmp_path / "same", f"flinkfast-schema sha256:{digest}")
    r = subprocess.run(["bash", str(APPLY_SCHEMA), "wait"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and digest in r.stdout, r.stderr
    for other in (f"flinkfast-schema sha256:{'0' * 64}", ""):
        env = _wait_stand_ins(tmp_path / f"other{len(other)}", other)
        r = subprocess.run(["bash", str(APPLY_SCHEMA), "wait"], env=env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 3 and "is not applied" in r.stderr, (other, r.stderr)


def test_apply_schema_serve_applies_then_marks_and_stays(tmp_path):
    env, calls = _stand_ins(tmp_path)
    applied = tmp_path / "applied"
    r = subprocess.run(["bash", str(APPLY_SCHEMA), "serve"], env={**env, "APPLIED_FILE": str(applied)},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr  # `sleep` is a stand-in that returns at once
    assert applied.is_file() and calls.is_file()
    r = subprocess.run(["bash", str(APPLY_SCHEMA), "nonsense"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2


@pytest.mark.parametrize("missing", ["FLINK_DB_PASSWORD", "READER_DB_USER"])
def test_apply_schema_stops_on_a_missing_variable(tmp_path, missing):
    env, calls = _stand_ins(tmp_path)
    env[missing] = ""
    r = subprocess.run(["bash", str(APPLY_SCHEMA)], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and missing in r.stderr
    assert not calls.exists(), "psql never ran"


def test_apply_schema_gives_up_when_postgres_never_answers(tmp_path):
    env, calls = _stand_ins(tmp_path, ready=False)
    r = subprocess.run(["bash", str(APPLY_SCHEMA)], env={**env, "WAIT_S": "0"}, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 3 and "not ready" in r.stderr
    assert not calls.exists()


# ----------------------------------------------------------------------------- PostgreSQL

def test_postgres_roles_and_addresses_agree(objs):
    cluster = one(objs, "Cluster")
    s = settings(objs)
    name = cluster["metadata"]["name"]
    assert s["POSTGRES_HOST"] == f"{name}-rw" and s["POSTGRES_PORT"] == "5432"
    assert s["POSTGRES_DB"] == cluster["spec"]["bootstrap"]["initdb"]["database"]
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    assert set(roles) == {s["FLINK_DB_USER"], s["READER_DB_USER"]}
    for role in roles.values():
        # What 002_roles.sql makes them (LOGIN NOINHERIT, no other attribute): the operator and
        # the Job must not undo each other.
        assert role["login"] is True and role["inherit"] is False and role.get("ensure", "present") == "present"
        for attribute in ("superuser", "createdb", "createrole", "replication", "bypassrls"):
            assert role.get(attribute, False) is False
        assert set(role["passwordSecret"]) == {"name"}
    assert cluster["spec"]["bootstrap"]["initdb"]["owner"] not in roles
    # Exactly this one rule, after CloudNativePG's own: any other line (a `host ... trust`, a
    # `hostnossl ... md5` before it) would let a connection in without TLS or without a password.
    assert cluster["spec"]["postgresql"]["pg_hba"] == ["hostnossl all all all reject"]
    assert s["POSTGRES_SSLMODE"] == "verify-full"


def test_postgres_image_is_the_manifests_major(objs):
    from flinkfast import versions
    image = one(objs, "Cluster")["spec"]["imageName"]
    assert re.fullmatch(rf"ghcr\.io/cloudnative-pg/postgresql:{versions.get('postgres.major')}(\.\d+)?-\w+-\w+"
                        r"(@sha256:[0-9a-f]{64})?", image)


# ----------------------------------------------------------------------------- the job

def test_settings_are_the_job_settings_of_the_local_stack(objs):
    s = settings(objs)
    missing = [v for v in flinkfast_job.JOB_SETTINGS if v not in s]
    assert not missing, f"settings the job reads that the ConfigMap lacks: {missing}"
    known = {st.env for st in config.SETTINGS}
    unknown = [k for k in s if k not in known]
    assert not unknown, f"settings no code reads: {unknown}"
    assert not [k for k in s if k in known and config.setting(k).secret], "a secret in the ConfigMap"
    cfg, base = job_config(objs), defaults()
    for var in flinkfast_job.JOB_SETTINGS + ("READER_DB_USER", "KAFKA_PARTITIONS"):
        if var not in ADDRESSES + SIZED + KAFKA_SECURITY + POSTGRES_TLS + BOUNDED:
            assert str(cfg.get(var)) == str(base.get(var)), f"{var} differs from the local stack's default"


def test_the_flink_sql_renders_from_these_settings(objs):
    statements = dict(sqlfiles.flink_statements(job_config(objs)))
    s = settings(objs)
    assert f"'properties.bootstrap.servers'  = '{s['KAFKA_BOOTSTRAP_SERVERS']}'" in statements["001_source_kafka.sql"]
    assert f"jdbc:postgresql://{s['POSTGRES_HOST']}:5432/{s['POSTGRES_DB']}?" in statements["003_sink_processed.sql"]


def test_the_sinks_check_postgres_with_the_mounted_cnpg_ca(objs):
    """Both sinks' JDBC URLs, as the job renders them from the JobManager's settings, carry
    sslmode=verify-full and sslrootcert at the path where every Flink pod (the sinks run in the
    TaskManagers) mounts ca.crt of CloudNativePG's CA Secret."""
    s = settings(objs)
    assert s["POSTGRES_SSLMODE"] == "verify-full"
    statements = dict(sqlfiles.flink_statements(job_config(objs)))
    for name in job.EDGE_SINKS:
        url = re.search(r"'url'\s*=\s*'([^']*)'", statements[name]).group(1)
        params = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))
        assert params.get("sslmode") == "verify-full", (name, url)
        assert params.get("sslrootcert") == s["POSTGRES_SSLROOTCERT"], (name, url)
        # pgjdbc 42.7.8: SCRAM-SHA-256-PLUS or no login (a forged server certificate gets no proof).
        assert params.get("channelBinding") == "require", (name, url)
    pod = flink(objs)["spec"]["podTemplate"]
    folder, file = s["POSTGRES_SSLROOTCERT"].rsplit("/", 1)
    cluster = one(objs, "Cluster")
    assert mounted_secrets(pod["spec"], main_container(pod)).get(folder) == (f"{cluster['metadata']['name']}-ca", [file])
    assert s["POSTGRES_HOST"] == f"{cluster['metadata']['name']}-rw", "the name CloudNativePG's certificate carries"


def test_flink_configuration_is_the_jobs_own(objs):
    """What the job sets on its table environment (flinkfast/pipeline/job.py job_settings), the cluster and
    the operator have too; parallelism is spec.job.parallelism and FLINK_PARALLELISM alike."""
    spec = flink(objs)["spec"]
    conf = spec["flinkConfiguration"]
    cfg = job_config(objs)
    for key, value in job.job_settings(cfg).items():
        if key == "parallelism.default":
            assert spec["job"]["parallelism"] == int(value) == int(settings(objs)["FLINK_PARALLELISM"])
        elif key == "pipeline.name":
            assert key not in conf, "the job names itself (JOB_NAME)"
        else:
            assert conf.get(key) == value, key
    assert all(isinstance(v, str) for v in conf.values()), "strings: Flink's configuration is text"
    slots = int(conf["taskmanager.numberOfTaskSlots"])
    assert slots >= 1 and spec["job"]["parallelism"] % slots == 0, "TaskManagers come out full"


def test_flink_runs_the_python_job_in_application_mode_with_ha_and_state_in_s3(objs):
    from flinkfast import versions
    spec = flink(objs)["spec"]
    conf, job_spec = spec["flinkConfiguration"], spec["job"]
    assert spec.get("mode", "native") == "native"
    assert job_spec["entryClass"] == "org.apache.flink.client.python.PythonDriver"
    assert job_spec["jarURI"] == f"local:///opt/flink/opt/flink-python-{versions.get('flink.version')}.jar"
    args = job_spec["args"]
    script, pyfiles = args[args.index("-py") + 1], args[args.index("--pyFiles") + 1]
    assert script == f"{pyfiles}/flinkfast_job.py"
    copied = re.findall(r"^COPY (?!--from)(.+) (\S+)$", DOCKERFILE.read_text(), re.M)
    assert any("flinkfast_job.py" in src.split() and dst.rstrip("/") == pyfiles for src, dst in copied)
    for sub in ("flinkfast", "sql"):
        assert (f"{sub}", f"{pyfiles}/{sub}") in [(s, d) for s, d in copied], f"{sub}/ beside the script"
    python = args[args.index("-pyclientexec") + 1]
    assert conf["python.executable"] == conf["python.client.executable"] == python == "/opt/venv/bin/python"
    assert job_spec["upgradeMode"] == "last-state" and job_spec["state"] == "running"
    assert conf["high-availability.type"] == "kubernetes"
    # Checkpoints, savepoints and the HA store in one bucket, through the S3 plugin the image
    # enables (its own opt/ jar of this Flink version), the keys from a Secret by reference.
    pod = spec["podTemplate"]["spec"]
    buckets = {conf[key].split("/")[2] for key in ("execution.checkpointing.dir",
                                                     "execution.checkpointing.savepoint-dir",
                                                     "high-availability.storageDir")}
    assert len(buckets) == 1 and all(conf[k].startswith("s3://") for k in ("execution.checkpointing.dir",
                                                                          "execution.checkpointing.savepoint-dir",
                                                                          "high-availability.storageDir"))
    flink_version = versions.get("flink.version")
    assert 'cp "/opt/flink/opt/flink-s3-fs-presto-${FLINK_VERSION}.jar" /opt/flink/plugins/s3-fs-presto/' \
        in DOCKERFILE.read_text() and f"ARG FLINK_VERSION={flink_version}" in DOCKERFILE.read_text()
    env = env_of(main_container(spec["podTemplate"]))
    for var, key in (("FLINK_S3_ACCESS_KEY", "access-key"), ("FLINK_S3_SECRET_KEY", "secret-key")):
        assert secret_ref(env[var]) == ("flinkfast-flink-s3", key)
    assert not [k for k in conf if k.startswith("s3.") and ("key" in k or "secret" in k)], "no key in the ConfigMap"
    assert not every(objs, "PersistentVolumeClaim"), "no volume shared by the Flink pods"
    assert not [v for v in pod["volumes"] if "persistentVolumeClaim" in v]
    assert conf["execution.checkpointing.externalized-checkpoint-retention"] == "RETAIN_ON_CANCELLATION"
    assert pod["securityContext"]["runAsUser"] == 9999


def test_only_the_jobmanager_gets_the_settings_and_secrets(objs):
    """The job is rendered and submitted in the JobManager (application mode); the TaskManagers'
    environment holds no password, as on the local stack."""
    spec = flink(objs)["spec"]
    jm = main_container(spec["jobManager"]["podTemplate"])
    settings_name = configmap(objs, "flinkfast-settings")["metadata"]["name"]
    assert jm["envFrom"] == [{"configMapRef": {"name": settings_name}}]
    env = env_of(jm)
    cluster = one(objs, "Cluster")
    writer = next(r for r in cluster["spec"]["managed"]["roles"] if r["name"] == settings(objs)["FLINK_DB_USER"])
    assert secret_ref(env["FLINK_DB_PASSWORD"]) == (writer["passwordSecret"]["name"], "password")
    # Every Flink pod gets the password of its internal TLS stores (and nothing else), for its
    # start command; the TaskManagers' own template sets only their label.
    common = main_container(spec["podTemplate"])
    assert "envFrom" not in common
    assert [(e["name"], secret_ref(e)) for e in common["env"]] == \
        [("FLINK_INTERNAL_TLS_PASSWORD", ("flinkfast-flink-internal-tls-password", "password")),
         ("FLINK_S3_ACCESS_KEY", ("flinkfast-flink-s3", "access-key")),
         ("FLINK_S3_SECRET_KEY", ("flinkfast-flink-s3", "secret-key"))]
    tm = spec["taskManager"]["podTemplate"]
    assert tm["metadata"]["labels"]["app.kubernetes.io/component"] == "taskmanager"
    assert [c.get("env") or c.get("envFrom") for c in tm["spec"]["containers"]] == [None], "the TaskManagers' own template sets no environment"
    assert spec["flinkConfiguration"]["kubernetes.operator.pod-template.merge-arrays-by-name"] == "true"


def test_postgres_ca_is_where_the_settings_say_in_every_flink_pod(objs):
    spec = flink(objs)["spec"]
    mounted = mounted_secrets(spec["podTemplate"]["spec"], main_container(spec["podTemplate"]))
    path = settings(objs)["POSTGRES_SSLROOTCERT"]
    assert mounted[os.path.dirname(path)] == (f"{one(objs, 'Cluster')['metadata']['name']}-ca", [os.path.basename(path)])


def test_producer_runs_the_producer_script_from_the_image(objs):
    p = producer(objs)
    spec = p["spec"]["template"]["spec"]
    (c,) = spec["containers"]
    assert c["image"] == flink(objs)["spec"]["image"]
    assert c["command"] == ["python", "/opt/flink/usrlib/producer_api.py"]
    args = parse_args(c["args"])
    assert args.PRODUCER_SOURCE == "generate" and args.rate > 0 and args.duration and args.count is None
    # A Deployment's pod must not exit: rounds without end, the heartbeat the probes read.
    assert args.forever and args.heartbeat
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert args.heartbeat in " ".join(c[probe]["exec"]["command"]), probe
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    folder = os.path.dirname(args.heartbeat)
    assert folder in mounts and "emptyDir" in next(v for v in spec["volumes"] if v["name"] == mounts[folder])
    assert c["envFrom"] == [{"configMapRef": {"name": configmap(objs, "flinkfast-settings")["metadata"]["name"]}}]
    assert spec["securityContext"]["runAsNonRoot"] is True


def test_the_topic_is_stamped_by_the_broker_like_the_local_stack(objs):
    """message.timestamp.type=LogAppendTime, as flinkfast.clients.create_topic makes it: a record's
    clock is the broker's (docs/guarantees.md, "Which clock")."""
    from flinkfast.clients import LOG_APPEND_TIME, TIMESTAMP_TYPE
    assert one(objs, "KafkaTopic")["spec"]["config"][TIMESTAMP_TYPE] == LOG_APPEND_TIME


def test_topic_partitions_and_parallelism_agree(objs):
    s = settings(objs)
    topic = one(objs, "KafkaTopic")
    assert topic["spec"]["topicName"] == s["KAFKA_TOPIC"]
    assert topic["spec"]["partitions"] == int(s["KAFKA_PARTITIONS"])
    assert topic["spec"]["partitions"] % int(s["FLINK_PARALLELISM"]) == 0, "every source subtask reads as many"
    kafka = one(objs, "Kafka")
    assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    for pool in every(objs, "KafkaNodePool"):
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    assert "zookeeper" not in kafka["spec"]


def test_kafka_listener_and_client_security_agree(objs):
    s = settings(objs)
    listener = kafka_listener(objs)
    protocol = s["KAFKA_SECURITY_PROTOCOL"]
    # SCRAM-SHA-512 always (the clients speak nothing else); TLS with Strimzi's cluster CA in prod.
    assert protocol in ("SASL_PLAINTEXT", "SASL_SSL")
    assert listener["tls"] is (protocol == "SASL_SSL") and listener["authentication"] == {"type": "scram-sha-512"}
    kafka_name = one(objs, "Kafka")["metadata"]["name"]
    ca_dir, ca_file = os.path.split(s["KAFKA_SSL_CA_FILE"])
    users = {u["metadata"]["name"]: u for u in every(objs, "KafkaUser")}
    spec = flink(objs)["spec"]
    p = producer(objs)["spec"]["template"]["spec"]
    penv = env_of(p["containers"][0])
    workloads = {  # who: (its user, its password's variable, the pod spec and container where the CA must be)
        "job": (s["KAFKA_JOB_USER"], jobmanager_env(objs)["KAFKA_JOB_PASSWORD"], spec["podTemplate"]["spec"],
                main_container(spec["podTemplate"])),
        "producer": (penv["KAFKA_PRODUCER_USER"]["value"], penv["KAFKA_PRODUCER_PASSWORD"], p, p["containers"][0]),
    }
    logins = set()
    for who, (user, password, pod, container) in workloads.items():
        assert user in users, f"the {who} logs in as {user}, which no KafkaUser declares"
        assert users[user]["spec"]["authentication"] == {"type": "scram-sha-512"}
        # Strimzi's User Operator writes the password into a Secret named like the user.
        assert secret_ref(password) == (user, "password")
        if protocol == "SASL_SSL":
            assert mounted_secrets(pod, container)[ca_dir] == (f"{kafka_name}-cluster-ca-cert", [ca_file])
        logins.add(user)
    assert logins == set(users), "one KafkaUser per component, each used"
    assert len(logins) == 2


def _acls(user: dict) -> set[tuple[str, str, str]]:
    return {(a["resource"]["type"], a["resource"].get("name", ""), op)
            for a in user["spec"]["authorization"]["acls"] for op in a["operations"]
            if a.get("type", "allow") == "allow"}


def test_kafka_users_have_only_what_they_use(rendered):
    objs = rendered["prod"]
    s = settings(objs)
    topic, group = s["KAFKA_TOPIC"], s["KAFKA_GROUP_ID"]
    users = {u["metadata"]["name"]: u for u in every(objs, "KafkaUser")}
    job_user = s["KAFKA_JOB_USER"]
    producer_user = env_of(producer(objs)["spec"]["template"]["spec"]["containers"][0])["KAFKA_PRODUCER_USER"]["value"]
    # DescribeConfigs: the job checks the topic's settings before it starts (flinkfast/topics/policy.py).
    assert _acls(users[job_user]) == {("topic", topic, "Read"), ("topic", topic, "Describe"),
                                      ("topic", topic, "DescribeConfigs"),
                                      ("group", group, "Read"), ("group", group, "Describe")}
    assert _acls(users[producer_user]) == {("topic", topic, "Write"), ("topic", topic, "Describe")}
    for user in users.values():
        assert all(a["resource"].get("patternType", "literal") == "literal"
                   for a in user["spec"]["authorization"]["acls"])
    assert one(objs, "Kafka")["spec"]["kafka"]["authorization"] == {"type": "simple"}


def test_every_secret_used_is_made_by_an_operator_or_a_documented_command(objs):
    kafka, cluster = one(objs, "Kafka")["metadata"]["name"], one(objs, "Cluster")["metadata"]["name"]
    operators = {f"{cluster}-superuser", f"{cluster}-ca", f"{kafka}-cluster-ca-cert"} | \
                {u["metadata"]["name"] for u in every(objs, "KafkaUser")}
    used = set()

    def walk(node):
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                used.add(node["secretKeyRef"]["name"])
            if "secretName" in node:
                used.add(node["secretName"])
            if "passwordSecret" in node:
                used.add(node["passwordSecret"]["name"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(objs)
    assert used <= operators | USER_SECRETS, used - operators - USER_SECRETS
    assert USER_SECRETS <= used
    doc = DOC.read_text()
    for name in USER_SECRETS:
        assert re.search(rf"create secret generic {name}\b", doc), f"docs/kubernetes.md does not create {name}"


# ----------------------------------------------------------------------------- dev and prod

def test_dev_is_one_broker_one_database_parallelism_2(rendered):
    objs = rendered["dev"]
    assert sum(p["spec"]["replicas"] for p in pools(objs, "broker")) == 1
    assert sum(p["spec"]["replicas"] for p in pools(objs, "controller")) == 1
    assert one(objs, "Cluster")["spec"]["instances"] == 1
    assert flink(objs)["spec"]["job"]["parallelism"] == 2 and settings(objs)["FLINK_PARALLELISM"] == "2"
    assert one(objs, "KafkaTopic")["spec"]["replicas"] == 1
    assert settings(objs)["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"


def test_prod_is_replicated_and_bigger(rendered):
    objs, dev = rendered["prod"], rendered["dev"]
    controllers, brokers = pools(objs, "controller"), pools(objs, "broker")
    assert [p["spec"]["roles"] for p in controllers] == [["controller"]], "dedicated controllers"
    assert [p["spec"]["roles"] for p in brokers] == [["broker"]], "dedicated brokers"
    assert controllers[0]["spec"]["replicas"] == 3 and brokers[0]["spec"]["replicas"] == 3
    config_ = one(objs, "Kafka")["spec"]["kafka"]["config"]
    assert config_["default.replication.factor"] == config_["offsets.topic.replication.factor"] == 3
    assert config_["transaction.state.log.replication.factor"] == 3
    assert config_["min.insync.replicas"] == config_["transaction.state.log.min.isr"] == 2
    topic = one(objs, "KafkaTopic")["spec"]
    assert topic["replicas"] == 3 and int(topic["config"]["min.insync.replicas"]) == 2
    assert topic["partitions"] > one(dev, "KafkaTopic")["spec"]["partitions"]
    assert flink(objs)["spec"]["job"]["parallelism"] > flink(dev)["spec"]["job"]["parallelism"]
    assert flink(objs)["spec"]["jobManager"]["replicas"] == 2, "a standby JobManager"
    cluster = one(objs, "Cluster")["spec"]
    assert cluster["instances"] == 3
    assert cluster["postgresql"]["synchronous"] == {"method": "any", "number": 1, "dataDurability": "required"}


def test_prod_kafka_speaks_only_tls_with_scram(rendered):
    objs = rendered["prod"]
    listeners = one(objs, "Kafka")["spec"]["kafka"]["listeners"]
    assert listeners and all(x["tls"] is True and x.get("authentication", {}).get("type") == "scram-sha-512"
                             for x in listeners), "no plaintext or unauthenticated listener"
    assert settings(objs)["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert {u["metadata"]["name"] for u in every(objs, "KafkaUser")} == {"flinkfast-job", "flinkfast-producer"}


# ----------------------------------------------------------------------------- no password anywhere

def _committed_text_files() -> list[Path]:
    out = [DOC]
    for p in sorted(DEPLOY.rglob("*")):
        if p.is_file():
            out.append(p)
    return out


def test_no_password_is_written_in_deploy_or_its_doc():
    """Not in a manifest, an env file, the Dockerfile or docs/kubernetes.md (the documented
    commands generate the passwords: `$(openssl rand ...)`). tests/deploy/broken/ holds fake ones
    on purpose, to show that the check finds them."""
    found = []
    for path in _committed_text_files():
        text = path.read_text()
        for pattern, what in dc.SECRET_TEXT:
            for m in pattern.finditer(text):
                found.append(f"{path.relative_to(REPO)}: {what}: {m.group(0)}")
        for m in re.finditer(r"--from-literal=(\w+)=(\S+)", text):
            if dc.SECRET_NAME.search(m.group(1)) and not m.group(2).startswith(('"$(', "$(", '"${', "${")):
                found.append(f"{path.relative_to(REPO)}: a literal {m.group(1)}: {m.group(0)}")
        if path.suffix == ".env":
            for key in re.findall(r"^([A-Z_]+)=", text, re.M):
                if dc.SECRET_NAME.search(key):
                    found.append(f"{path.relative_to(REPO)}: {key} in a settings file")
    assert not found, found
    assert not list(DEPLOY.rglob("*secret*")), "no Secret manifests or env files of secrets under deploy/"


def test_the_doc_proposes_what_the_manifests_set():
    doc = DOC.read_text()
    for var in POSTGRES_TLS + KAFKA_SECURITY + ("KAFKA_JOB_PASSWORD", "KAFKA_PRODUCER_USER", "KAFKA_PRODUCER_PASSWORD"):
        assert f"`{var}`" in doc, f"docs/kubernetes.md does not describe {var}"
    source = (REPO / "sql" / "flink" / "001_source_kafka.sql").read_text()
    for var in shlex.split("properties.security.protocol properties.sasl.mechanism properties.sasl.jaas.config "
                           "properties.ssl.truststore.type properties.ssl.truststore.location"):
        assert var in doc and var in source, var
    assert "org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule" in doc


# ----------------------------------------------------------------------------- admission policies

def test_the_admission_parameters_fit_the_taskmanagers_of_this_overlay(objs):
    """What test_deploy_admission.py tries on a real API server for prod, held here for both
    overlays: the policies' parameters name this FlinkDeployment (cluster id, the TaskManagers'
    account, its image as the overlay rewrote it), every Secret a TaskManager reads is listed and
    no owner's, writer's, Kafka login's or REST store's is; the namespace carries the label the
    bindings select."""
    from tests.deploy import policy as rules
    params = one(objs, "ConfigMap", "flinkfast-flink-admission")["data"]
    fd = flink(objs)
    assert params["clusterId"] == fd["metadata"]["name"]
    assert params["serviceAccount"] == fd["spec"]["flinkConfiguration"]["kubernetes.taskmanager.service-account"]
    assert params["image"] == fd["spec"]["image"]
    allowed_keys = set(params["allowedKeys"].split(" "))
    allowed = {k.split("/")[0] for k in allowed_keys}
    pods = rules.flink_pods(fd)
    tm = pods["taskmanager"]["spec"]
    (main,) = [c for c in tm["containers"] if c["name"] == "flink-main-container"]
    used = {f"{v['secret']['secretName']}/{i['key']}" for v in tm["volumes"] if "secret" in v
            for i in v["secret"]["items"]} | \
           {"/".join(secret_ref(e)) for e in main.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
    assert used <= allowed_keys, used - allowed_keys
    # Secrets holding a private key beside the certificate: the certificate only.
    assert {k for k in allowed_keys if k.startswith("flinkfast-pg-ca/") or k.startswith("flinkfast-cluster-ca-cert/")} \
        <= {"flinkfast-pg-ca/ca.crt", "flinkfast-cluster-ca-cert/ca.crt"}, allowed_keys
    # The labels a TaskManager wears beyond Flink's own: exactly the pod templates'.
    flink_own = {"type", "component", "app"}
    worn = {f"{k}={v}" for k, v in pods["taskmanager"]["labels"].items() if k not in flink_own}
    assert set(params["podLabels"].split(" ")) == worn, (params["podLabels"], worn)
    cluster = one(objs, "Cluster")["metadata"]["name"]
    never = {f"{cluster}-superuser", f"{cluster}-app", "flinkfast-db-writer", "flinkfast-db-reader",
             "flinkfast-flink-rest-tls", "flinkfast-flink-rest-tls-password", "flinkfast-pg-s3",
             *(u["metadata"]["name"] for u in every(objs, "KafkaUser"))}
    assert not allowed & never, allowed & never
    namespace = one(objs, "Namespace")
    selector = {b["metadata"]["name"]: b["spec"]["matchResources"]["namespaceSelector"]["matchLabels"]
                for b in every(objs, "ValidatingAdmissionPolicyBinding")}
    assert set(selector) == {p["metadata"]["name"] for p in every(objs, "ValidatingAdmissionPolicy")}
    for labels in selector.values():
        assert labels.items() <= namespace["metadata"]["labels"].items()
