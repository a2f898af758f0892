"""Attacks on the sink's liveness and on the pipeline's bookkeeping with the weakest credentials
(sql/postgres/001_schema.sql, 002_roles.sql, 003_ingest.sql), on the real PostgreSQL of the test stack:

- the reader takes every lock it can, in a transaction it keeps open: the writer's flush still completes;
  a lock the writer's own password holds makes a flush fail within the writer's lock_timeout, not hang;
- the advisory locks the placing functions wait on are their owner's alone;
- the reader opens as many sessions as it can: it stays under its limit, the writer and the superuser
  still connect;
- no role but the superuser creates a function, pg_temp included;
- one Kafka position ends in one table, whatever the writer inserts (the reported three inserts), and the
  database refuses a second place for a position even to the superuser (the constraint, not the function).
"""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, ExitStack

import psycopg2
import pytest
from psycopg2 import errors as E

from flinkfast.accounting import health
from flinkfast.clients import wait_until

pytestmark = pytest.mark.e2e

TABLES = ("processed_events", "superseded_events", "dead_letter_events")
VIEWS = ("processed_events_in", "dead_letter_events_in")
MODES = ("ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
         "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE")
# What 002_roles.sql gives each login role: (connection limit, lock, statement, idle-in-transaction timeout).
LIMITS = {"writer": (40, "30s", "5min", "10s"), "reader": (20, "10s", "10min", "5min")}
CREDS = {"writer": ("FLINK_DB_USER", "FLINK_DB_PASSWORD"), "reader": ("READER_DB_USER", "READER_DB_PASSWORD"),
         "admin": ("POSTGRES_USER", "POSTGRES_PASSWORD")}


@pytest.fixture(scope="module")
def pg(database, cfg):
    topic = f"pg-attack-{uuid.uuid4().hex[:10]}"

    class Pg:
        def __init__(self):
            self.topic = topic

        def connect(self, who, autocommit=True):
            user, password = CREDS[who]
            conn = psycopg2.connect(host=cfg.postgres_host, port=cfg.postgres_port, dbname=cfg.postgres_db,
                                    user=cfg.get(user), password=cfg.require(password), connect_timeout=10)
            conn.autocommit = autocommit
            return conn

        def good(self, conn, offset, u, ts):
            """One message through the writer's view, as the sink writes it."""
            with conn.cursor() as cur:
                cur.execute("INSERT INTO processed_events_in VALUES (%s, 'a', 'b', 'NL', 30, 1995, %s, 0, %s, %s, 1, %s)",
                            (u, self.topic, offset, ts, offset))   # a fingerprint per position

        def places(self):
            """{table: [(offset, uuid)]} of this module's topic, as the superuser sees it."""
            with closing(self.connect("admin")) as conn, conn.cursor() as cur:
                found = {}
                for t in TABLES:
                    col = "NULL" if t == "dead_letter_events" else "uuid"
                    cur.execute(f"SELECT kafka_offset, {col} FROM {t} WHERE kafka_topic = %s ORDER BY 1", (self.topic,))
                    found[t] = cur.fetchall()
                return found

    p = Pg()
    yield p
    with closing(p.connect("admin")) as conn, conn.cursor() as cur:
        for t in TABLES:
            cur.execute(f"DELETE FROM {t} WHERE kafka_topic = %s", (topic,))


def refused(conn, statement, expected=E.InsufficientPrivilege) -> bool:
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    except expected:
        conn.rollback()
        return True
    return False


# ----------------------------------------------------------------------------- locks

def test_no_login_role_may_take_an_advisory_lock(pg):
    """The placing functions wait on advisory locks (003_ingest.sql): any role that could take them could
    hold them for ever in an open transaction and stall the sink. Only their owner has EXECUTE."""
    with closing(pg.connect("admin")) as admin, admin.cursor() as cur:
        cur.execute("""SELECT p.oid::regprocedure::text, r.rolname FROM pg_proc p, pg_roles r
                        WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_'
                          AND NOT r.rolsuper AND r.rolname <> 'flinkfast_ingest'
                          AND has_function_privilege(r.oid, p.oid, 'EXECUTE')""")
        assert cur.fetchall() == []
        cur.execute("SELECT count(*) FROM pg_proc WHERE proname ~ '^pg_(try_)?advisory_'")
        assert cur.fetchone()[0] >= 20   # the catalog still has them: the query above looked at them
    for who in ("reader", "writer"):
        with closing(pg.connect(who, autocommit=False)) as conn:
            for call in ("pg_advisory_xact_lock(hashtext(%(t)s), 0)", "pg_advisory_xact_lock_shared(hashtext(%(t)s), 0)",
                         "pg_advisory_lock(hashtext(%(t)s), 0)", "pg_try_advisory_lock(hashtext(%(t)s), 0)",
                         "pg_advisory_lock(1)", "pg_try_advisory_xact_lock(1)"):
                assert refused(conn, f"SELECT {call}" % {"t": repr(pg.topic)}), f"{who} may call {call}"


def test_the_reader_holding_every_lock_it_can_does_not_stall_a_flush(pg):
    with closing(pg.connect("reader", autocommit=False)) as reader, closing(pg.connect("writer")) as writer:
        held = []
        for rel in (*TABLES, *VIEWS, "event_places"):
            for mode in MODES:
                with reader.cursor() as cur:
                    cur.execute("SAVEPOINT s")
                    try:
                        cur.execute(f"LOCK TABLE public.{rel} IN {mode} MODE NOWAIT")
                        held.append((rel, mode))
                    except (E.InsufficientPrivilege, E.LockNotAvailable):
                        cur.execute("ROLLBACK TO SAVEPOINT s")
        for t in TABLES:
            with reader.cursor() as cur:
                cur.execute("SAVEPOINT s")
                try:
                    cur.execute(f"SELECT 1 FROM public.{t} FOR KEY SHARE")
                    held.append((t, "FOR KEY SHARE"))
                except E.InsufficientPrivilege:
                    cur.execute("ROLLBACK TO SAVEPOINT s")
        for call in ("pg_advisory_xact_lock(hashtext(%s), 0)", "pg_advisory_lock(hashtext(%s), 0)"):
            with reader.cursor() as cur:
                cur.execute("SAVEPOINT s")
                try:
                    cur.execute(f"SELECT {call}", (pg.topic,))
                    held.append(("advisory", call))
                except E.InsufficientPrivilege:
                    cur.execute("ROLLBACK TO SAVEPOINT s")
        assert held == [(t, "ACCESS SHARE") for t in TABLES]   # what SELECT gives: conflicts with no write
        pg.good(writer, 1, "held-1", 1)                         # the flush, while the reader holds them
        pg.good(writer, 2, "held-1", 2)
        reader.rollback()
    assert pg.places()["processed_events"] == [(2, "held-1")]
    assert pg.places()["superseded_events"] == [(1, "held-1")]


def test_a_lock_held_with_the_writers_password_fails_a_flush_within_its_lock_timeout(pg, cfg):
    """The writer's own password can hold what a flush needs (a uuid's row, inserted and not committed;
    the placing's lock on a partition), and lift its own session's idle timeout: the flush then fails
    with the role's lock_timeout, not hang. While it waits, `make status` names the session it waits on."""
    with closing(pg.connect("writer", autocommit=False)) as holder, closing(pg.connect("writer")) as flush:
        holder.cursor().execute("SET idle_in_transaction_session_timeout = 0")   # a role may, in its own session
        pg.good(holder, 10, "held-2", 10)              # not committed: the row of held-2 is locked
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(pg.good, flush, 11, "held-2", 11)
            seen = wait_until(lambda: (lambda w: w if (w[0] or 0) >= health.LOCK_WAIT_S else None)(
                health.lock_wait(cfg)), 25, "the flush's wait in make status's readings")
            assert seen[1] == [holder.get_backend_pid()], seen
            with pytest.raises(E.LockNotAvailable, match="lock timeout"):
                waiting.result(timeout=60)
        holder.rollback()
        pg.good(flush, 11, "held-2", 11)               # retried once the lock is gone: placed
    assert (11, "held-2") in pg.places()["processed_events"]


def test_a_writer_session_paused_in_its_transaction_is_ended_and_the_waiting_flush_goes_on(pg):
    """A writer paused between its flush's placing and its COMMIT (docs/guarantees.md#a-paused-writer)
    holds the partition's lock and its uuids' rows: the role's idle_in_transaction_session_timeout ends
    it, and a flush waiting on those locks is placed, not failed by its longer lock_timeout."""
    with closing(pg.connect("writer", autocommit=False)) as paused, closing(pg.connect("writer")) as flush:
        pg.good(paused, 20, "paused-1", 20)            # placed, not committed: idle in transaction, holding
        pg.good(flush, 21, "paused-1", 21)             # waits until the paused session is ended
        with pytest.raises(psycopg2.OperationalError):
            paused.cursor().execute("COMMIT")          # ended: its transaction was rolled back
    assert (21, "paused-1") in pg.places()["processed_events"]
    assert (20, "paused-1") not in pg.places()["superseded_events"]


# ----------------------------------------------------------------------------- sessions

@pytest.mark.parametrize("who", ["writer", "reader"])
def test_each_role_has_its_limit_and_timeouts(pg, cfg, who):
    limit, lock, statement, idle = LIMITS[who]
    with closing(pg.connect(who)) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user")
        assert cur.fetchone()[0] == limit
        cur.execute("SELECT current_setting('lock_timeout'), current_setting('statement_timeout'), "
                    "current_setting('idle_in_transaction_session_timeout')")
        assert cur.fetchone() == (lock, statement, idle)
        if who == "writer":   # the server's TCP keepalives on its sessions: a host that stopped answering
            # (a frozen VM) is found within 10 + 3 x 5 s (docs/guarantees.md#a-paused-writer). Shown in s.
            cur.execute("SELECT current_setting('tcp_keepalives_idle'), current_setting('tcp_keepalives_interval'), "
                        "current_setting('tcp_keepalives_count')")
            assert tuple(int(v) for v in cur.fetchone()) == (10, 5, 3)
        cur.execute("SELECT sum(rolconnlimit) FROM pg_roles WHERE rolcanlogin AND NOT rolsuper")
        total = cur.fetchone()[0]
        cur.execute("SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int")
        assert 0 < total <= cur.fetchone()[0]   # every role at its limit still leaves the superuser its slots


def test_the_reader_cannot_lift_its_temporary_file_limit(pg):
    """A sort that spills writes temporary files, with no object created and no privilege needed:
    the reader's are bounded (temp_file_limit, 2 GB a session) and it cannot SET the limit away."""
    with closing(pg.connect("reader")) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_setting('temp_file_limit')")
        assert cur.fetchone()[0] == "2GB"
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SET temp_file_limit = -1")


def test_the_reader_at_its_connection_limit_locks_nobody_else_out(pg):
    limit = LIMITS["reader"][0]
    with ExitStack() as sessions:
        opened = 0
        for _ in range(limit + 5):
            try:
                sessions.enter_context(closing(pg.connect("reader")))
            except psycopg2.OperationalError as e:
                assert "too many connections for role" in str(e)
                break
            opened += 1
        assert 0 < opened <= limit
        for who in ("writer", "admin"):
            with closing(pg.connect(who)) as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")


# ----------------------------------------------------------------------------- functions

@pytest.mark.parametrize("who", ["reader", "writer"])
@pytest.mark.parametrize("create", [
    "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'",
    "CREATE PROCEDURE pg_temp.pwn() LANGUAGE sql AS 'SELECT 1'",
    "CREATE FUNCTION public.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
])
def test_no_login_role_creates_a_function_anywhere(pg, who, create):
    with closing(pg.connect(who)) as conn:
        assert refused(conn, create)


def test_only_the_superuser_may_use_a_language(pg):
    """(The untrusted ones, c and internal, are the superuser's alone anyway.)"""
    with closing(pg.connect("admin")) as conn, conn.cursor() as cur:
        cur.execute("SELECT r.rolname, l.lanname FROM pg_roles r, pg_language l "
                    "WHERE NOT r.rolsuper AND l.lanpltrusted AND has_language_privilege(r.oid, l.oid, 'USAGE')")
        assert cur.fetchall() == []


# ----------------------------------------------------------------------------- one place per position

def test_the_reported_three_inserts_leave_each_position_in_one_table(pg):
    """u1 at offset 100, u1 again at 101 with a greater timestamp (100 is superseded), then u2 at 100: the
    third is a position placed already under another uuid, left out (before: 100 in processed_events and
    in superseded_events)."""
    with closing(pg.connect("writer")) as w:
        pg.good(w, 100, "three-u1", 1)
        pg.good(w, 101, "three-u1", 2)
        pg.good(w, 100, "three-u2", 3)
    found = pg.places()
    assert [r for r in found["processed_events"] if r[0] >= 100] == [(101, "three-u1")]
    assert [r for r in found["superseded_events"] if r[0] >= 100] == [(100, "three-u1")]


@pytest.mark.parametrize("second", [
    "INSERT INTO processed_events (uuid, first_name, last_name, country, age, birth_year, kafka_topic, "
    "kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms) VALUES ('key-u2', 'a', 'b', 'NL', 1, 1, %(t)s, 0, 200, 1, 1)",
    "INSERT INTO superseded_events (kafka_topic, kafka_partition, kafka_offset, uuid) VALUES (%(t)s, 0, 201, 'key-u1')",
    "INSERT INTO dead_letter_events (kafka_topic, kafka_partition, kafka_offset, reason, kafka_ts_ms, flink_ts_ms) "
    "VALUES (%(t)s, 0, 201, 'x', 1, 1)",
])
def test_the_database_refuses_a_second_place_for_a_position_even_to_the_superuser(pg, second):
    """Not the placing functions' care: the keys of event_places. The superuser writes the tables directly
    (no function between); offset 200 is superseded by 201, u1's winner. Each statement would put one of
    them in a second table: its transaction fails at commit."""
    with closing(pg.connect("writer")) as w:
        pg.good(w, 200, "key-u1", 1)
        pg.good(w, 201, "key-u1", 2)
    before = pg.places()
    with closing(pg.connect("admin", autocommit=False)) as admin:
        with pytest.raises(E.ForeignKeyViolation):
            with admin.cursor() as cur:
                cur.execute(second, {"t": pg.topic})
            admin.commit()
        admin.rollback()
    assert pg.places() == before
    assert (201, "key-u1") in before["processed_events"] and (200, "key-u1") in before["superseded_events"]


@pytest.mark.parametrize("who", ["writer", "reader"])
def test_no_login_role_ends_or_cancels_a_session_of_its_own_role(pg, who):
    """PostgreSQL lets a role signal its own role's backends: with the writer's password, the sink's
    sessions could be ended at will; EXECUTE is revoked from PUBLIC."""
    with closing(pg.connect(who)) as victim, closing(pg.connect(who, autocommit=False)) as attacker:
        with victim.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]
        for call in ("pg_terminate_backend(%s)", "pg_cancel_backend(%s)"):
            assert refused(attacker, f"SELECT {call}" % pid), f"{who} may call {call}"
        with victim.cursor() as cur:
            cur.execute("SELECT 1")   # still there


def test_a_readers_open_transaction_does_not_make_a_schema_reapply_stall_the_sink(pg, database):
    """Re-applying the schema (every `make up`) needs ACCESS EXCLUSIVE; queued behind a reader's
    open transaction, it would hold the sink's flushes behind it for as long as the reader likes.
    It gives up after its lock_timeout with one line instead, having changed nothing, and the
    writer's inserts go on."""
    from flinkfast.errors import Unavailable
    from flinkfast.stack.postgres import SCHEMA_LOCK_TIMEOUT
    with closing(pg.connect("reader", autocommit=False)) as reader, closing(pg.connect("writer")) as writer:
        with reader.cursor() as cur:
            cur.execute("SET idle_in_transaction_session_timeout = 0")   # a role may, in its own session
            cur.execute("SELECT count(*) FROM processed_events")           # ACCESS SHARE, held
        with pytest.raises(Unavailable, match=f"not re-applied.*more than {SCHEMA_LOCK_TIMEOUT}"):
            database.init_database()
        pg.good(writer, 900_001, f"reapply-{uuid.uuid4().hex[:8]}", 900_001)
        reader.rollback()
    database.init_database()   # and with the reader gone, it applies


def test_a_new_database_lets_no_role_in_before_its_schema_is(pg, database, cfg, tmp_path):
    """A database just made grants PUBLIC CONNECT and TEMP until 002_roles.sql's transaction takes
    them back; a role that got in between kept temporary objects past the revoke (an attack did, on
    the benchmark's database). It is made with CONNECTION LIMIT 0, lifted only once the schema is in:
    here the schema fails half-way and the reader still cannot connect; applied, it can, without TEMP."""
    from flinkfast.stack.postgres import SQL_DIR
    from flinkfast.errors import Unavailable
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    from flinkfast.stack import Stack
    fresh = Stack(cfg.replace(postgres_db=name)).service("postgres")
    broken = tmp_path / "999_broken.sql"
    broken.write_text("SELECT 1 / 0;\n")
    user, password = CREDS["reader"]
    reader = lambda: psycopg2.connect(host=cfg.postgres_host, port=cfg.postgres_port, dbname=name,  # noqa: E731
                                      user=cfg.get(user), password=cfg.require(password), connect_timeout=10)
    try:
        with pytest.raises(Unavailable):
            fresh.init_database([*sorted((SQL_DIR / "postgres").glob("*.sql")), broken])
        with pytest.raises(psycopg2.OperationalError, match="too many connections"):
            reader().close()
        fresh.init_database()
        with closing(reader()) as conn:
            conn.autocommit = True
            assert refused(conn, "CREATE TEMP TABLE pwn (x int)")
    finally:
        database.service("postgres").psql("-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', database="postgres")
