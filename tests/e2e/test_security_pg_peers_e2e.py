"""The benchmark's peers write as a role of their own, not the superuser (flinkfast/bench/peers,
sql/bench/009_peer_role.sql), on the real PostgreSQL of the test stack, in a benchmark database of the
test's own (dropped afterwards): the role can do what quixstreams', pathway's and bytewax's sinks do
there (the statements they run, by hand, bytewax's from its program: the peers themselves run in
tests/e2e/test_peers_e2e.py) and nothing else:
no other database, no other table, no function, no advisory lock, not the superuser."""
from __future__ import annotations

import io
import runpy
from contextlib import closing

import psycopg2
import pytest
from psycopg2 import errors as E
from psycopg2.extras import execute_values

from flinkfast.bench import peers
from flinkfast.clients import pg_auth_settings, pg_connect

pytestmark = pytest.mark.e2e

DB = "flink_pgpeer_ci"
COLUMNS = "uuid, first_name, last_name, country, age, birth_year, kafka_topic, kafka_partition, kafka_offset, " \
          "kafka_ts_ms, flink_ts_ms"


@pytest.fixture(scope="module")
def bench(database, cfg, tmp_path_factory):
    from psycopg2 import sql

    from flinkfast.bench.drain import bench_cfg
    from flinkfast.stack import Stack
    db_cfg = bench_cfg(cfg, DB)
    Stack(db_cfg).init_database()
    peers.ensure_role(db_cfg)
    peers.ensure_role(db_cfg)   # idempotent
    env = peers.environment(db_cfg, "t", "g", tmp_path_factory.mktemp("peer") / "ready", tmp_path_factory.mktemp("s"))
    yield db_cfg, env
    with closing(pg_connect(cfg, "admin", dbname="postgres")) as conn:
        conn.autocommit = True
        conn.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))


def as_peer(env, dbname=None):
    conn = psycopg2.connect(host=env["PEER_PG_HOST"], port=env["PEER_PG_PORT"], dbname=dbname or env["PEER_PG_DB"],
                            user=env["PEER_PG_USER"], password=env["PEER_PG_PASSWORD"], connect_timeout=10,
                            **pg_auth_settings())
    conn.autocommit = True
    return conn


def row(u, offset):
    return (u, "a", "b", "NL", 30, 1995, "t", 0, offset, offset, 1)


def test_the_peers_are_told_their_own_role(bench, cfg):
    db_cfg, env = bench
    assert env["PEER_PG_USER"] == cfg.peer_db_user != cfg.postgres_user
    assert env["PEER_PG_PASSWORD"] == cfg.require("PEER_DB_PASSWORD") != cfg.require("POSTGRES_PASSWORD")
    assert cfg.require("POSTGRES_PASSWORD") not in env.values()


def test_the_role_does_what_the_peers_do(bench):
    db_cfg, env = bench
    with closing(as_peer(env)) as conn, conn.cursor() as cur:
        # quixstreams' PostgreSQLSink: setup, then an upsert of each batch on the primary key
        cur.execute("CREATE SCHEMA IF NOT EXISTS public")
        cur.execute(f"INSERT INTO public.processed_events ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s), "
                    f"(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (uuid) DO UPDATE SET "
                    "kafka_offset = EXCLUDED.kafka_offset, kafka_ts_ms = EXCLUDED.kafka_ts_ms",
                    (*row("peer-u1", 1), *row("peer-u2", 2)))
        # pathway's postgres.write (snapshot): a binary COPY into a temporary table, one upsert from it
        conn.autocommit = False
        cur.execute("CREATE TEMPORARY TABLE staged (LIKE public.processed_events INCLUDING DEFAULTS) ON COMMIT DROP")
        cur.copy_expert(f"COPY staged ({COLUMNS}) FROM STDIN", io.StringIO(
            "peer-u1\ta\tb\tNL\t30\t1995\tt\t0\t3\t3\t1\npeer-u3\ta\tb\tNL\t30\t1995\tt\t0\t4\t4\t1\n"))
        cur.execute(f"INSERT INTO public.processed_events ({COLUMNS}) SELECT DISTINCT ON (uuid) {COLUMNS} FROM staged "
                    "ON CONFLICT (uuid) DO UPDATE SET kafka_offset = EXCLUDED.kafka_offset, kafka_ts_ms = EXCLUDED.kafka_ts_ms")
        conn.commit()
        # bytewax's sink (ours): its program's upsert, one statement and one transaction a flush
        upsert = runpy.run_path(str(peers.PEERS["bytewax"].folder / "__main__.py"), run_name="probe")["UPSERT"]
        execute_values(cur, upsert, [row("peer-u2", 5), row("peer-u4", 6)])
        conn.commit()
        cur.execute("SELECT uuid, kafka_offset FROM public.processed_events WHERE uuid LIKE 'peer-%' ORDER BY 1")
        assert cur.fetchall() == [("peer-u1", 3), ("peer-u2", 5), ("peer-u3", 4), ("peer-u4", 6)]
        cur.execute("SELECT uuid, kafka_offset FROM public.superseded_events ORDER BY 1, 2")  # the trigger's
        assert cur.fetchall() == [("peer-u1", 1), ("peer-u2", 2)]


@pytest.mark.parametrize("statement", [
    "SELECT * FROM dead_letter_events", "SELECT * FROM event_places", "UPDATE superseded_events SET uuid = 'x'",
    "DELETE FROM processed_events", "TRUNCATE processed_events",
    "INSERT INTO dead_letter_events_in DEFAULT VALUES",
    "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE FUNCTION public.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE TABLE public.pwn (x int)",
    "SELECT pg_advisory_xact_lock(1, 0)",
    "SELECT pg_read_file('/etc/passwd')",
    "SET ROLE postgres",
])
def test_and_nothing_else(bench, statement):
    db_cfg, env = bench
    with closing(as_peer(env)) as conn, pytest.raises(E.InsufficientPrivilege):
        conn.cursor().execute(statement)


def test_not_in_the_pipelines_database_and_not_the_superuser(bench, cfg):
    db_cfg, env = bench
    with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
        as_peer(env, dbname=cfg.postgres_db)
    with closing(pg_connect(cfg, "admin")) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolsuper, rolcreaterole, rolcreatedb, rolconnlimit FROM pg_roles WHERE rolname = %s",
                    (cfg.peer_db_user,))
        assert cur.fetchone() == (False, False, False, 10)
