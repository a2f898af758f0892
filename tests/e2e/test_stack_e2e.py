"""The local stack for real: broker, cluster and database answer; up/down behave; errors are clear."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from flinkfast.paths import REPO_ROOT
from flinkfast.stack.isolated import isolated_env
from flinkfast.pipeline.flinkrest import rest

pytestmark = pytest.mark.e2e
PY = sys.executable


def run_stack(*args, env=None, timeout=300):
    return subprocess.run([PY, "-m", "flinkfast.stack", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=timeout)


def test_broker_round_trip(stack, cfg, topic):
    from flinkfast.clients import kafka_consumer, kafka_producer
    producer = kafka_producer(cfg)
    producer.send(topic, key=b"k", value="grüß dich".encode()).get(timeout=30)
    producer.close()
    consumer = kafka_consumer(cfg, topic, role="job", group_id=topic, auto_offset_reset="earliest", consumer_timeout_ms=20000)
    got = [(m.key, m.value.decode()) for m in consumer]
    consumer.close()
    assert got == [(b"k", "grüß dich")]


def test_postgres_answers_and_has_the_schema(stack, cfg):
    from flinkfast.accounting.report import connect
    with connect(cfg) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_database(), to_regclass('processed_events') IS NOT NULL")
        assert cur.fetchone() == (cfg.postgres_db, True)


def test_writer_role_is_least_privilege(stack, cfg):
    """The sink's role may insert into the two intake views only: not read, delete, create, or touch
    a table (the placing functions write them), not be superuser. The attacks on every other
    right are tests/e2e/test_security_db_e2e.py."""
    import psycopg2
    from flinkfast.accounting.report import connect
    conn = connect(cfg, "writer")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user")
            assert cur.fetchone() == (False, False, False)
            for forbidden in ("DELETE FROM processed_events WHERE false", "CREATE TABLE intruder (x int)",
                              "TRUNCATE processed_events", "DELETE FROM dead_letter_events WHERE false",
                              "INSERT INTO superseded_events VALUES ('t', 0, 0, 'u')",
                              "DROP TRIGGER processed_events_changed_hands ON processed_events"):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cur.execute(forbidden)
    finally:
        conn.close()


def test_trivial_pyflink_job_finishes_on_the_cluster(stack, cfg, tmp_path):
    script = tmp_path / "trivial_job.py"
    script.write_text(textwrap.dedent("""
        from pyflink.table import EnvironmentSettings, TableEnvironment
        t = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
        t.get_config().set("pipeline.name", "trivial-%s")
        t.execute_sql("CREATE TABLE g (n BIGINT) WITH ('connector'='datagen', 'number-of-rows'='100')")
        t.execute_sql("CREATE TABLE b (n BIGINT) WITH ('connector'='blackhole')")
        t.execute_sql("INSERT INTO b SELECT n FROM g")
    """ % tmp_path.name))
    stack.flink.render()
    r = subprocess.run([stack.flink.bin("flink"), "run", "-py", str(script), "-d"],
                       env=stack.flink.env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = [j for j in rest(cfg, "/jobs/overview")["jobs"] if j["name"] == f"trivial-{tmp_path.name}"]
        if jobs and jobs[0]["state"] in ("FINISHED", "FAILED", "CANCELED"):
            break
        time.sleep(1)
    assert jobs and jobs[0]["state"] == "FINISHED"


def test_connector_jars_are_in_the_cluster_lib(stack):
    names = {p.name for p in (stack.state / "flink" / "lib").glob("*.jar")}
    for prefix in ("flink-sql-connector-kafka-", "flink-connector-jdbc-core-", "flink-connector-jdbc-postgres-", "postgresql-"):
        assert any(n.startswith(prefix) for n in names), prefix


def test_up_twice_is_harmless(stack):
    before = {s.name: s.pid() for s in stack.services}
    stack.up()
    assert {s.name: s.pid() for s in stack.services} == before


@pytest.fixture
def other_state():
    state = REPO_ROOT / ".state" / f"test-{uuid.uuid4().hex[:8]}"  # inside .state: readable by the postgres user
    yield state
    run_stack("down", "--purge", env={"FLINKFAST_STATE_DIR": str(state)})


def test_taken_port_gives_one_clear_line(other_state):
    env = isolated_env(other_state)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["KAFKA_PORT"])))
        squatter.listen()
        r = run_stack("up", env=env)
    assert r.returncode == 3
    assert f"port {env['KAFKA_PORT']} (kafka) is already in use" in r.stderr
    assert "KAFKA_PORT" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_java_gives_one_clear_line(other_state, tmp_path):
    env = isolated_env(other_state)
    env["PATH"] = str(tmp_path)  # no java here
    r = run_stack("up", env=env)
    assert r.returncode == 3
    assert "Java is not installed" in r.stderr and "Traceback" not in r.stderr


def test_a_second_stack_command_waits_for_the_lock_then_fails_with_one_line(tmp_path):
    """Two `up` at once: the second waits LOCK_WAIT_S for the first, then says who holds it."""
    import subprocess
    import sys

    from flinkfast.stack.lock import stack_lock
    env = dict(os.environ, FLINKFAST_STATE_DIR=str(tmp_path), LOCK_WAIT_S="1")
    with stack_lock(tmp_path, "up", 0):
        for args in (["-m", "flinkfast.stack", "up"], ["-m", "flinkfast.stack", "down"],
                     ["-m", "flinkfast.pipeline.submit"]):
            r = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)
            assert r.returncode == 3 and r.stderr.count("\n") == 1, r.stderr
            assert f"pid {os.getpid()} up" in r.stderr and "holds" in r.stderr
    assert not list(tmp_path.glob("*/")), "the waiting command started nothing"


def test_the_schema_is_applied_in_one_transaction(stack, tmp_path):
    """A failing file leaves the database as it was: the files before it are rolled back."""
    from flinkfast.errors import Unavailable
    good, bad = tmp_path / "1.sql", tmp_path / "2.sql"
    good.write_text("CREATE TABLE schema_txn_probe (x int);\n")
    bad.write_text("SELECT 1 / 0;\n")
    with pytest.raises(Unavailable):
        stack.init_database([good, bad])
    assert stack.psql("-tAc", "SELECT to_regclass('schema_txn_probe') IS NULL").stdout.strip() == "t"


def test_kafka_keeps_a_bounded_log(stack, cfg):
    """The broker's effective configuration, as it logs it at start (KafkaConfig values)."""
    log = stack.service("kafka").log.read_text(errors="replace")
    values = re.findall(r"^\s*log\.retention\.bytes = (-?\d+)$", log, re.M)
    assert values and values[-1] == str(cfg.kafka_retention_bytes), values


def test_the_state_folder_is_private(stack):
    """Logs, data, checkpoints and pid files: nothing in .state for other users. The folder
    itself is 0700, or 0710 for group postgres when PostgreSQL runs as that system user (it
    may pass through to its own folder, list nothing)."""
    mode = stack.state.stat().st_mode & 0o777
    assert mode == 0o700 or (mode == 0o710 and stack.state.group() == "postgres"), oct(mode)
    exposed = [f"{oct(p.lstat().st_mode & 0o777)} {p}" for p in stack.state.rglob("*")
               if not p.is_symlink() and p.lstat().st_mode & 0o077]
    assert not exposed, exposed[:10]


def test_flink_processes_carry_no_secret(stack, cfg):
    """Code submitted to the cluster can read its JVM's /proc/<pid>/environ: neither the
    superuser's password nor the writer's is there (the writer's reaches the sink in the job)."""
    # Values are compared only for generated secrets (an old example password like "postgres"
    # equals a user name); names always.
    secrets = {s for s in (cfg.require("POSTGRES_PASSWORD"), cfg.require("FLINK_DB_PASSWORD")) if len(s) >= 16}
    for pid in (stack.service("jobmanager").main_pid(), stack.service("taskmanager").main_pid()):
        environ = dict(e.split("=", 1) for e in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if "=" in e)
        assert "FLINK_CONF_DIR" in environ, "the JVM's own environment"
        leaked = sorted(k for k, v in environ.items() if v in secrets or "PASSWORD" in k)
        assert not leaked, f"secrets in the environment of pid {pid}: {leaked}"


def test_the_web_ui_cannot_submit_or_cancel(stack, cfg):
    """web.submit.enable / web.cancel.enable off: no jar upload or run endpoints, no cancel
    button; `flink run` (the project's path, used by every e2e test) still submits."""
    import urllib.error
    features = rest(cfg, "/config")["features"]
    assert features["web-submit"] is False and features["web-cancel"] is False, features
    for method, path in (("GET", "/jars"), ("POST", "/jars/upload")):
        with pytest.raises(urllib.error.HTTPError) as e:
            rest(cfg, path, method=method, body=b"" if method == "POST" else None)
        assert e.value.code in (404, 405), (path, e.value.code)


def test_the_jobmanager_is_supervised_and_highly_available(stack):
    """Its wrapper restarts it, and its configuration keeps the jobs in ZooKeeper (the kill -9
    run with 30,000 events is in test_nothing_lost_e2e)."""
    conf = (stack.state / "flink" / "conf" / "config.yaml").read_text()
    assert 'high-availability.type: "zookeeper"' in conf
    jm = stack.service("jobmanager")
    assert jm.restart and "--once" not in Path(f"/proc/{jm.pid()}/cmdline").read_bytes().decode().split("\0")
