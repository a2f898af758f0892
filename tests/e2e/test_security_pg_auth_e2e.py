"""No client gives its password away to whatever answers on PostgreSQL's port (flinkfast/clients.py's
require_auth=scram-sha-256): a process that binds the port while PostgreSQL is down and asks for the
password in cleartext or as MD5 (tests/flink/fake_postgres.py) gets nothing -- not from the dashboard's,
the report's or the benchmark's connections (flinkfast.clients.pg_connect, every role), nor from the
stack's readiness probe, nor from the benchmark's peers (over the socket folder, as `flinkfast psql`). The real server (SCRAM) still lets each role in.
The pgjdbc side (the sinks' JDBC URLs) against the fake server is tests/flink/test_pgjdbc_auth.py; here, that
the same URL connects to the real server.
"""
from __future__ import annotations

from contextlib import closing

import psycopg2
import pytest

from flinkfast import clients
from flinkfast.errors import Unavailable
from flinkfast.stack.postgres import Postgres
from tests.flink.fake_postgres import CLEARTEXT, MD5, FakePostgres
from tests.flink.pgjdbc_probe import SINKS, connect, sink_options

pytestmark = pytest.mark.e2e

AUTHS = {"cleartext": CLEARTEXT, "md5": MD5}


def test_psycopg2s_libpq_can_refuse_cleartext():
    import psycopg2.extensions
    assert psycopg2.extensions.libpq_version() >= clients.LIBPQ_MIN


@pytest.mark.parametrize("auth", AUTHS)
@pytest.mark.parametrize("role", sorted(clients.ROLES))
def test_pg_connect_refuses_to_send_its_password(cfg, auth, role):
    password = cfg.require(clients.ROLES[role][1])
    with FakePostgres(AUTHS[auth]) as fake:
        with pytest.raises(Unavailable, match="password"):
            clients.pg_connect(cfg.replace(postgres_port=fake.port), role, timeout=5)
    assert len(fake.startups) >= 1                       # it did reach the fake server, and asked nothing
    assert set(fake.after_request) == {b""}             # closed without a password message
    assert password.encode() not in b"".join(fake.startups)


@pytest.mark.parametrize("auth", AUTHS)
def test_the_stacks_readiness_probe_refuses_to_send_the_superusers_password(cfg, auth, tmp_path):
    with FakePostgres(AUTHS[auth]) as fake:
        probe = Postgres(cfg.replace(postgres_port=fake.port), tmp_path)
        assert probe.port == fake.port
        assert probe.ready() is False
    assert fake.startups and set(fake.after_request) == {b""}


def test_control_a_client_without_require_auth_hands_the_fake_its_password(cfg):
    """The fake server does collect passwords: libpq without require_auth sends it in cleartext."""
    password = cfg.require("READER_DB_PASSWORD")
    with FakePostgres(CLEARTEXT) as fake:
        with pytest.raises(psycopg2.OperationalError):
            psycopg2.connect(host="127.0.0.1", port=fake.port, dbname="x", user=cfg.reader_db_user,
                             password=password, connect_timeout=5)
    assert any(password.encode() in got for got in fake.after_request)


@pytest.mark.parametrize("role", sorted(clients.ROLES))
def test_the_real_server_lets_each_role_in_with_scram(database, cfg, role):
    with closing(clients.pg_connect(cfg, role)) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user")
        assert cur.fetchone() == (cfg.get(clients.ROLES[role][0]),)


@pytest.mark.parametrize("sink", SINKS)
def test_the_sinks_pgjdbc_url_connects_to_the_real_server_with_scram(database, cfg, tmp_path, sink):
    """The option that refuses cleartext (tests/flink/test_pgjdbc_auth.py) lets SCRAM through: the exact
    URL, user and password of the sink connect to the real server."""
    options = sink_options(cfg)[sink]
    assert connect(options["url"], options["username"], options["password"], tmp_path) == \
        f"CONNECTED as {cfg.flink_db_user}"


@pytest.mark.parametrize("admin", [False, True], ids=["reader", "admin"])
def test_flinkfast_psql_never_gives_its_password_to_the_port(cfg, database, admin):
    """`flinkfast psql` runs the system's psql (libpq 15, no require_auth): on the local stack it
    connects over the server's own socket folder, never the TCP port, so a process holding the
    port (here a fake server asking for cleartext, at POSTGRES_PORT) gets nothing; and it reaches
    the real server."""
    import os
    import subprocess
    import sys
    as_admin = ["--admin"] if admin else []
    password = cfg.require("POSTGRES_PASSWORD" if admin else "READER_DB_PASSWORD")
    real = subprocess.run([sys.executable, "-m", "flinkfast.cli", "psql", *as_admin, "-tAc",
                           "SELECT current_user, inet_server_port() IS NULL"], capture_output=True, text=True,
                          timeout=60)
    assert real.returncode == 0, real.stderr
    assert real.stdout.strip() == f"{cfg.postgres_user if admin else cfg.reader_db_user}|t"   # no TCP: a socket
    with FakePostgres(CLEARTEXT) as fake:
        env = dict(os.environ, POSTGRES_PORT=str(fake.port))
        subprocess.run([sys.executable, "-m", "flinkfast.cli", "psql", *as_admin, "-tAc", "SELECT 1"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert not any(password.encode() in got for got in fake.after_request), "psql sent its password to the port"
    assert not fake.startups, "psql connected to the TCP port"


# What each peer of the benchmark does first with PostgreSQL, with its own library in its own venv: the
# connection settings of its program (flinkfast/bench/peers/NAME/__main__.py, loaded without running it).
PEER_PROBES = {
    "quixstreams": "peer['postgres_sink'](os.environ).setup()",
    "bytewax": "peer['Upsert'](os.environ)",
    "pathway": "import pathway as pw\n"
               "t = pw.debug.table_from_markdown('uuid\\nx')\n"
               "pw.io.postgres.write(t, peer['postgres_settings'](os.environ), 'processed_events',\n"
               "                     output_table_type='snapshot', primary_key=[t.uuid])\n"
               "pw.run(monitoring_level=pw.MonitoringLevel.NONE)",
}


@pytest.mark.long   # builds the peers' own venvs (pathway's is large): make test-long, with the peers' tests
@pytest.mark.parametrize("name", sorted(PEER_PROBES))
def test_the_benchmarks_peers_never_give_their_password_to_the_port(cfg, database, tmp_path, name):
    """The benchmark's peers (quixstreams, bytewax: psycopg2; pathway: rust-postgres, which has no require_auth)
    connect with the settings flinkfast.bench.peers.environment gives them: the local stack's socket
    folder, so a process holding the TCP port (a fake server asking for cleartext, at POSTGRES_PORT)
    gets neither a connection nor the password. That they reach the real server this way:
    tests/e2e/test_security_pg_peers_e2e.py (the same settings) and test_peers_e2e.py (the peers)."""
    from flinkfast.bench import peers
    peer = peers.PEERS[name]
    python = peers.ensure_venv(peer, print)   # the first time only: a venv of its own
    with FakePostgres(CLEARTEXT) as fake:
        env = peers.environment(cfg.replace(postgres_port=fake.port), "t", "g", tmp_path / "ready", tmp_path / "state")
        run_peer_probe(peer, python, env, tmp_path)
    assert not any(cfg.require("PEER_DB_PASSWORD").encode() in got for got in fake.after_request), \
        f"{name} sent its password to the port"
    assert not fake.startups, f"{name} connected to the TCP port"


@pytest.mark.long
@pytest.mark.parametrize("name", ["quixstreams", "bytewax"])
def test_the_libpq_peers_refuse_cleartext_even_over_tcp(cfg, database, tmp_path, name):
    """Where there is no socket folder (POSTGRES_HOST not the local stack), the libpq of quixstreams'
    sink and of bytewax's (ours) still asks for SCRAM (require_auth, as pg_connect): it reaches the
    fake server and sends it nothing."""
    from flinkfast.bench import peers
    peer = peers.PEERS[name]
    python = peers.ensure_venv(peer, print)
    with FakePostgres(CLEARTEXT) as fake:
        env = peers.environment(cfg.replace(postgres_port=fake.port), "t", "g", tmp_path / "ready", tmp_path / "state")
        run_peer_probe(peer, python, dict(env, PEER_PG_HOST="127.0.0.1"), tmp_path)
    assert fake.startups and set(fake.after_request) == {b""}


def run_peer_probe(peer, python, env: dict, cwd) -> None:
    """The peer's PROBE in its venv, with env; it must fail (nothing real answers)."""
    import subprocess
    probe = f"import os, runpy, sys\npeer = runpy.run_path(sys.argv[1], run_name='probe')\n{PEER_PROBES[peer.name]}\n"
    try:
        done = subprocess.run([str(python), "-c", probe, str(peer.folder / "__main__.py")], env=env, cwd=cwd,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode != 0, f"{peer.name} connected to something: {done.stdout[-500:]}"
    except subprocess.TimeoutExpired:
        pass   # still trying to connect: what it sent by then counts all the same
