"""Attacks on the database's least privilege (sql/postgres/002_roles.sql, 003_ingest.sql), made as
someone holding the weakest credentials would make them: the writer's password (every Flink process
carries it), the reader's (the dashboard, the report), and a brand-new login role with nothing but
PUBLIC's rights. Each attack must be refused -- InsufficientPrivilege, or where PostgreSQL answers a
GRANT or VACUUM it may not do with a WARNING, that warning -- and at the end a fingerprint of the
database taken by the superuser before the attacks must be what it is after them.

Only PostgreSQL is needed (the `database` fixture). The test's own rows go through the views under a
topic of its own; they are checked to land exactly where they must and deleted at the end.
"""
from __future__ import annotations

import itertools
import os
import secrets
import uuid
from contextlib import closing

import psycopg2
import pytest
from psycopg2 import errors as E
from psycopg2 import sql as pgsql
from psycopg2.extras import execute_values

pytestmark = pytest.mark.e2e

W, R, I = "writer", "reader", "intruder"
ALL = (W, R, I)
TABLES = ("processed_events", "superseded_events", "dead_letter_events")
VIEWS = ("processed_events_in", "dead_letter_events_in")
DEFINERS = ("open_batch", "place_processed_events", "place_dead_letters", "record_changed_hands")
TOPIC = f"attack-{uuid.uuid4().hex[:10]}"
PWNED = f"/tmp/flinkfast-pwned-{uuid.uuid4().hex[:8]}"  # what COPY ... TO would leave
OFFSETS = itertools.count()
OURS: dict[str, set] = {t: set() for t in TABLES}     # where the test's own messages must end
WARN_GRANT, WARN_SKIP = "no privileges were granted", "skipping"
NOT_UPDATABLE = (E.InsufficientPrivilege, E.ObjectNotInPrerequisiteState)   # the views take INSERT only

# (what, who, statement[, expected]): refused with InsufficientPrivilege unless another outcome is named.
# {self} {other} {admin} {db}: the attacker, another login role, the superuser, the pipeline's database.
ATTACKS = [
    *[(f"read {t}", (W, I), f"SELECT * FROM public.{t}") for t in TABLES],
    *[(f"read {v}", ALL, f"SELECT * FROM public.{v}") for v in VIEWS],
    ("read password hashes", ALL, "SELECT rolpassword FROM pg_authid"),
    ("read pg_shadow", ALL, "SELECT passwd FROM pg_shadow"),
    ("read column statistics", ALL, "SELECT * FROM pg_statistic"),
    *[(f"{verb} {t}", ALL, sql.format("public." + t)) for t in TABLES for verb, sql in (
        ("INSERT", "INSERT INTO {} DEFAULT VALUES"), ("UPDATE", "UPDATE {} SET kafka_offset = -1"),
        ("DELETE", "DELETE FROM {}"), ("TRUNCATE", "TRUNCATE {}"), ("lock rows of", "SELECT * FROM {} FOR UPDATE"),
        ("lock", "BEGIN; LOCK TABLE {} IN ACCESS EXCLUSIVE MODE"))],
    *[(f"{verb} {v}", ALL, sql.format("public." + v), NOT_UPDATABLE) for v in VIEWS for verb, sql in (
        ("UPDATE", "UPDATE {} SET kafka_offset = -1"), ("DELETE", "DELETE FROM {}"))],
    *[(f"lock {v}", ALL, f"BEGIN; LOCK TABLE public.{v} IN ACCESS EXCLUSIVE MODE") for v in VIEWS],
    *[(f"INSERT {v}", (R, I), f"INSERT INTO public.{v} DEFAULT VALUES") for v in VIEWS],
    ("grant itself the tables", (W, I), "GRANT ALL ON public.processed_events TO \"{self}\""),
    ("grant itself the tables (reader)", (R,), "GRANT ALL ON public.processed_events TO \"{self}\"", WARN_GRANT),
    ("pass on the views", (R, I), "GRANT INSERT ON public.processed_events_in TO \"{other}\""),
    ("pass on the views (writer)", (W,), "GRANT INSERT ON public.processed_events_in TO \"{other}\"", WARN_GRANT),
    ("VACUUM FULL", (W, R), "VACUUM FULL public.processed_events", WARN_SKIP),
    ("REINDEX", ALL, "REINDEX TABLE public.processed_events"),
    # the server's files and programs
    ("COPY FROM a file", ALL, "COPY public.processed_events_in FROM '/etc/passwd'"),
    ("COPY FROM PROGRAM", ALL, "COPY public.processed_events_in FROM PROGRAM 'id'"),
    ("COPY TO a file", ALL, f"COPY (SELECT 1) TO '{PWNED}'"),
    ("COPY TO PROGRAM", ALL, f"COPY (SELECT 1) TO PROGRAM 'touch {PWNED}'"),
    *[(call.split("(")[0], ALL, f"SELECT {call}") for call in (
        "pg_read_file('/etc/passwd')", "pg_read_binary_file('/etc/passwd')", "pg_ls_dir('.')",
        "pg_stat_file('postgresql.auto.conf')", "pg_ls_waldir()",
        # large objects, WAL: ways to fill the disk
        "lo_create(0)", "lo_creat(-1)", "lo_from_bytea(0, 'x')", "lo_put(0, 0, 'x')", "lo_import('/etc/passwd')",
        "pg_logical_emit_message(false, 'pwn', repeat('x', 1000))")],
    ("LOAD a library", ALL, "LOAD '/tmp/evil.so'"),
    # creating anything
    ("CREATE TABLE", ALL, "CREATE TABLE public.pwn (x int)"),
    ("SELECT INTO", ALL, "SELECT 1 AS x INTO public.pwn"),
    ("CREATE VIEW", ALL, "CREATE VIEW public.pwn AS SELECT 1"),
    ("CREATE FUNCTION", ALL, "CREATE FUNCTION public.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'"),
    ("CREATE SCHEMA", ALL, "CREATE SCHEMA pwn"),
    # nothing in pg_temp either, the reader included (no TEMP: 002_roles.sql): no table to fill the disk
    # with, no view, no code of its own made of existing functions
    ("CREATE TEMP TABLE", ALL, "CREATE TEMP TABLE pwn (x int)"),
    ("CREATE TEMP TABLE AS", ALL, "CREATE TEMP TABLE pwn AS SELECT * FROM generate_series(1, 10) g"),
    ("CREATE TEMP VIEW", ALL, "CREATE TEMP VIEW pwn AS SELECT 1"),
    ("CREATE TEMP SEQUENCE", ALL, "CREATE TEMP SEQUENCE pwn"),
    ("CREATE pg_temp TYPE", ALL, "CREATE TYPE pg_temp.pwn AS (x int)"),
    ("CREATE pg_temp AGGREGATE", ALL, "CREATE AGGREGATE pg_temp.pwn(int) (SFUNC = int4pl, STYPE = int)"),
    ("CREATE pg_temp OPERATOR", ALL, "CREATE OPERATOR pg_temp.### (LEFTARG = int, RIGHTARG = int, FUNCTION = int4pl)"),
    ("CREATE pg_temp FUNCTION", ALL, "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'"),
    ("plpgsql", ALL, "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN 1; END'"),
    ("LANGUAGE c", ALL, "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE c AS '/tmp/evil.so', 'pwn'"),
    ("LANGUAGE internal", ALL, "CREATE FUNCTION pg_temp.pwn() RETURNS text LANGUAGE internal AS 'pg_read_file_all'"),
    ("DO block", ALL, "DO $$ BEGIN RAISE NOTICE 'pwn'; END $$"),
    ("trusted extension", ALL, "CREATE EXTENSION pgcrypto SCHEMA public"),
    ("untrusted extension", ALL, "CREATE EXTENSION file_fdw SCHEMA public"),
    ("CREATE PUBLICATION", ALL, "CREATE PUBLICATION pwn FOR ALL TABLES"),
    ("CREATE SUBSCRIPTION", ALL, "CREATE SUBSCRIPTION pwn CONNECTION 'host=127.0.0.1' PUBLICATION pwn"),
    ("CREATE DATABASE", ALL, "CREATE DATABASE pwn"),
    ("CREATE ROLE", ALL, "CREATE ROLE pwn SUPERUSER"),
    ("CREATE TABLESPACE", ALL, "CREATE TABLESPACE pwn LOCATION '/tmp'"),
    ("CREATE EVENT TRIGGER", ALL, "CREATE EVENT TRIGGER pwn ON ddl_command_start EXECUTE FUNCTION public.open_batch()"),
    # the placing machinery
    ("disable the changed-hands trigger", ALL, "ALTER TABLE public.processed_events DISABLE TRIGGER processed_events_changed_hands"),
    ("disable the views' triggers", ALL, "ALTER TABLE public.processed_events_in DISABLE TRIGGER ALL"),
    ("drop a trigger", ALL, "DROP TRIGGER processed_events_in_place ON public.processed_events_in"),
    ("add a trigger", ALL, "CREATE TRIGGER pwn AFTER INSERT ON public.processed_events_in "
                           "FOR EACH STATEMENT EXECUTE FUNCTION public.place_dead_letters()"),
    ("add a rule", ALL, "CREATE RULE pwn AS ON INSERT TO public.processed_events_in DO INSTEAD NOTHING"),
    ("drop a view", ALL, "DROP VIEW public.processed_events_in"),
    ("replace a view", ALL, "CREATE OR REPLACE VIEW public.processed_events_in AS SELECT * FROM public.processed_events"),
    ("take a table", ALL, "ALTER TABLE public.processed_events OWNER TO \"{self}\""),
    *[(f"{what} {f}", ALL, sql.format(f)) for f in DEFINERS for what, sql in (
        ("call", "SELECT public.{}()"),
        ("make invoker", "ALTER FUNCTION public.{}() SECURITY INVOKER"),
        ("take", "ALTER FUNCTION public.{}() OWNER TO \"{{self}}\""),
        ("unpin path of", "ALTER FUNCTION public.{}() RESET search_path"),
        ("replace", "CREATE OR REPLACE FUNCTION public.{}() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'"))],
    # settings
    ("replica mode", ALL, "SET session_replication_role = replica"),
    ("replica mode by set_config", ALL, "SELECT set_config('session_replication_role', 'replica', false)"),
    ("replica mode for good", ALL, "ALTER ROLE \"{self}\" SET session_replication_role = replica"),
    ("silence the log", ALL, "SET log_statement = 'none'"),
    ("ALTER SYSTEM", ALL, "ALTER SYSTEM SET log_statement = 'none'"),
    ("ALTER DATABASE", ALL, "ALTER DATABASE \"{db}\" SET session_replication_role = replica"),
    ("take the database", ALL, "ALTER DATABASE \"{db}\" OWNER TO \"{self}\""),
    # roles
    *[(f"become {attr}", ALL, f"ALTER ROLE \"{{self}}\" {attr}")
      for attr in ("SUPERUSER", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS")],
    ("let the owner log in", ALL, "ALTER ROLE flinkfast_ingest LOGIN PASSWORD 'pwn'"),
    ("other's password", ALL, "ALTER ROLE \"{other}\" PASSWORD 'pwn'"),
    ("superuser's password", ALL, "ALTER ROLE \"{admin}\" PASSWORD 'pwn'"),
    ("drop another role", ALL, "DROP ROLE \"{other}\""),
    ("lend itself", ALL, "GRANT \"{self}\" TO \"{other}\""),
    *[(f"join {role}", ALL, f"GRANT {role} TO \"{{self}}\"") for role in (
        '"{admin}"', "flinkfast_ingest", '"{other}"', "pg_read_server_files", "pg_write_server_files",
        "pg_execute_server_program", "pg_read_all_data", "pg_write_all_data", "pg_signal_backend")],
    *[(f"SET ROLE {role}", ALL, f"SET ROLE {role}") for role in ('"{admin}"', "flinkfast_ingest", '"{other}"')],
    ("SET SESSION AUTHORIZATION", ALL, "SET SESSION AUTHORIZATION \"{admin}\""),
    ("terminate the superuser", ALL, "SELECT pg_terminate_backend({admin_pid})"),
    ("terminate another role", ALL, "SELECT pg_terminate_backend({other_pid})"),
    ("cancel another role", ALL, "SELECT pg_cancel_backend({other_pid})"),
]


class World:
    """The attackers' credentials, an admin session, and an idle session of each login role to aim at."""

    def __init__(self, cfg):
        self.cfg, self.db = cfg, cfg.postgres_db
        self.creds = {W: (cfg.get("FLINK_DB_USER"), cfg.require("FLINK_DB_PASSWORD")),
                      R: (cfg.get("READER_DB_USER"), cfg.require("READER_DB_PASSWORD")),
                      I: (f"intruder_{secrets.token_hex(4)}", secrets.token_urlsafe(24)),
                      "admin": (cfg.postgres_user, cfg.require("POSTGRES_PASSWORD"))}
        self.admin = self.raw("admin")
        self.baseline = fingerprint(self.admin)
        self.sql("CREATE ROLE {} LOGIN PASSWORD %s", I, args=(self.creds[I][1],))
        self.idle = {who: self.raw(who) for who in (W, R)}

    def raw(self, who, dbname=None, **kw):
        user, password = self.creds[who]
        conn = psycopg2.connect(host=self.cfg.postgres_host, port=self.cfg.postgres_port, dbname=dbname or self.db,
                                user=user, password=password, connect_timeout=10, **kw)
        conn.autocommit = True
        return conn

    def connect(self, who):
        """The attacker's session in the pipeline's database (the intruder is let in first)."""
        if who == I:
            self.sql("GRANT CONNECT ON DATABASE {} TO {}", "db", I)
        return closing(self.raw(who))

    def sql(self, template, *names, args=None):
        """A statement as the superuser; names: "db" or an attacker, quoted into the {}."""
        idents = [pgsql.Identifier(self.db if n == "db" else self.creds[n][0]) for n in names]
        self.admin.cursor().execute(pgsql.SQL(template).format(*idents), args)

    def slots(self, who):
        other = R if who == W else W
        return {"self": self.creds[who][0], "other": self.creds[other][0], "admin": self.creds["admin"][0],
                "db": self.db, "admin_pid": self.admin.get_backend_pid(), "other_pid": self.idle[other].get_backend_pid()}

    def drop_intruder(self):
        cur = self.admin.cursor()
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (self.creds[I][0],))
        if cur.fetchone():
            self.sql("REVOKE ALL ON DATABASE {} FROM {}", "db", I)
            self.sql("DROP ROLE {}", I)


@pytest.fixture(scope="module")
def world(database, cfg):
    w = World(cfg)
    yield w
    for conn in w.idle.values():
        conn.close()
    w.drop_intruder()
    cur = w.admin.cursor()
    for t in TABLES:
        cur.execute(f"DELETE FROM {t} WHERE kafka_topic = %s", (TOPIC,))
    w.admin.close()


def refuse(conn, statement, expected=E.InsufficientPrivilege):
    del conn.notices[:]
    with conn.cursor() as cur:
        if isinstance(expected, str):    # PostgreSQL answers with a WARNING and does nothing
            cur.execute(statement)
            assert any(expected in n for n in conn.notices), f"not refused: {statement}"
        else:
            with pytest.raises(expected):
                cur.execute(statement)


def query(conn, statement, args=None):
    with conn.cursor() as cur:
        cur.execute(statement, args)
        return cur.fetchall()


def send(conn, events=(), dead=0):
    """The test's own messages through the views, as the sink inserts them (one statement each), and
    where each must end: per uuid the greatest kafka_ts_ms wins, the others are superseded."""
    rows = [(u, "Ada", "Lovelace", "UK", 36, 1815, TOPIC, 0, o, ts, 1, o) for (u, ts), o in zip(events, OFFSETS)]
    with conn.cursor() as cur:
        if rows:
            execute_values(cur, "INSERT INTO processed_events_in VALUES %s", rows)
        if dead:
            dl = [(TOPIC, 0, o, "not JSON", b"\xff", 1, 1, o) for _, o in zip(range(dead), OFFSETS)]
            execute_values(cur, "INSERT INTO dead_letter_events_in VALUES %s", dl)
            OURS["dead_letter_events"].update((d[2], 1) for d in dl)
    for u in {r[0] for r in rows}:
        mine = sorted((r for r in rows if r[0] == u), key=lambda r: r[9])
        OURS["processed_events"].add((u, mine[-1][8], "UK"))
        OURS["superseded_events"].update((u, r[8]) for r in mine[:-1])


def ours(conn):
    return {t: set(query(conn, f"SELECT {cols} FROM {t} WHERE kafka_topic = %s", (TOPIC,))) for t, cols in (
        ("processed_events", "uuid, kafka_offset, country"), ("superseded_events", "uuid, kafka_offset"),
        ("dead_letter_events", "kafka_offset, payload_size"))}


FINGERPRINT = {
    "roles": "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, "
             "rolbypassrls, rolconnlimit, rolvaliduntil, md5(rolpassword) FROM pg_authid ORDER BY 1",
    "memberships": "SELECT roleid::regrole::text, member::regrole::text, admin_option FROM pg_auth_members ORDER BY 1, 2",
    "role settings": "SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 1, 2",
    "default privileges": "SELECT defaclrole, defaclnamespace, defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 1, 2, 3",
    "large objects": "SELECT count(*) FROM pg_largeobject_metadata",
    "databases": "SELECT datname, datdba::regrole::text, datacl::text, datallowconn FROM pg_database ORDER BY 1",
    "schemas": "SELECT nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace "
               "WHERE nspname !~ '^pg_(toast_)?temp_' ORDER BY 1",
    "relations": "SELECT oid::regclass::text, relkind, relowner::regrole::text, relacl::text, relrowsecurity "
                 "FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
    "functions": "SELECT oid::regprocedure::text, proowner::regrole::text, proacl::text, prosecdef, proconfig, md5(prosrc) "
                 "FROM pg_proc WHERE pronamespace = 'public'::regnamespace OR proacl IS NOT NULL ORDER BY 1",
    "triggers": "SELECT tgrelid::regclass::text, tgname, tgfoid::regprocedure::text, tgenabled FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT tgisinternal AND relpersistence <> 't' ORDER BY 1, 2",
    "rules": "SELECT ev_class::regclass::text, rulename, md5(ev_action::text) FROM pg_rewrite r JOIN pg_class c "
             "ON c.oid = r.ev_class WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1, 2",
    "policies": "SELECT polrelid::regclass::text, polname FROM pg_policy ORDER BY 1, 2",
    "extensions": "SELECT extname, extversion FROM pg_extension ORDER BY 1",
    "languages": "SELECT lanname, lanacl::text FROM pg_language ORDER BY 1",
    "publications": "SELECT pubname FROM pg_publication ORDER BY 1",
    "subscriptions": "SELECT subname FROM pg_subscription ORDER BY 1",
    "event triggers": "SELECT evtname FROM pg_event_trigger ORDER BY 1",
    "tablespaces": "SELECT spcname FROM pg_tablespace ORDER BY 1",
    "parameter grants": "SELECT parname, paracl::text FROM pg_parameter_acl ORDER BY 1",
    "ALTER SYSTEM": "SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%%auto.conf' ORDER BY 1",
    **{t: f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {t} t WHERE kafka_topic <> %(topic)s"
       for t in TABLES},
}


def fingerprint(admin) -> dict:
    return {what: query(admin, q, {"topic": TOPIC}) for what, q in FINGERPRINT.items()}


# ----------------------------------------------------------------------------- the attacks

def test_positive_control(world):
    """The rights the pipeline needs work, so nothing below passes for want of a working role."""
    u = uuid.uuid4().hex
    with world.connect(W) as writer:
        send(writer, [(u, 10)], dead=1)
    with world.connect(R) as reader:
        assert query(reader, "SELECT country FROM processed_events WHERE uuid = %s", (u,)) == [("UK",)]
        counts = {t: query(reader, f"SELECT count(*) FROM {t} WHERE kafka_topic = %s", (TOPIC,))[0][0] for t in TABLES}
        assert counts["processed_events"] >= 1 and counts["dead_letter_events"] >= 1


def test_intruder_cannot_connect(world):
    """A new login role holds PUBLIC's rights only: no database of the cluster lets it in."""
    world.sql("REVOKE CONNECT ON DATABASE {} FROM {}", "db", I)
    databases = [d for d, in query(world.admin, "SELECT datname FROM pg_database WHERE datallowconn")]
    assert {world.db, "postgres", "template1"} <= set(databases)
    for who in ALL:
        for db in databases if who == I else ("postgres", "template1"):
            with pytest.raises(psycopg2.OperationalError, match="permission denied for database"):
                world.raw(who, db).close()
        for mode in ("true", "database"):  # a replication connection would stream the whole cluster
            with pytest.raises(psycopg2.OperationalError, match="replication role|permission denied for database"):
                world.raw(who, replication=mode).close()


@pytest.mark.parametrize("who, what, statement, expected", [
    pytest.param(who, what, statement, rest[0] if rest else E.InsufficientPrivilege,
                 id=f"{who}-{what}".replace('"', "").replace("{", "").replace("}", ""))
    for what, whom, statement, *rest in ATTACKS for who in whom])
def test_attack(world, who, what, statement, expected):
    with world.connect(who) as conn:
        refuse(conn, statement.format_map(world.slots(who)), expected)


PAYLOAD = """CREATE FUNCTION pg_temp.payload() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.processed_events SET country = 'pwned';                -- as flinkfast_ingest
    BEGIN EXECUTE format('ALTER ROLE %I SUPERUSER', session_user);       -- as a superuser owner
    EXCEPTION WHEN OTHERS THEN NULL; END;
    RETURN NULL;
END $$"""
SHADOWS = ("superseded_events", "processed_events", "dead_letter_events", "processed_events_batch",
           "dead_letter_events_batch")
COLUMNS = ("uuid text, first_name text, last_name text, country text, age int, birth_year int, kafka_topic text, "
           "kafka_partition int, kafka_offset bigint, kafka_ts_ms bigint, flink_ts_ms bigint, reason text, "
           "payload bytea, payload_size int")


@pytest.mark.parametrize("who", ALL)
def test_shadow_a_table_a_definer_writes(world, who):
    """The issue's first attack: a temporary table named like one a SECURITY DEFINER function writes, a
    trigger on it that escalates, then messages that make the function write (two with one uuid)."""
    with world.connect(who) as conn:
        if who == W:
            send(conn, [(uuid.uuid4().hex, 1)])   # the session's batch tables and temp schema now exist
        for name in SHADOWS:
            refuse(conn, f"CREATE TEMP TABLE {name} ({COLUMNS})")
        refuse(conn, PAYLOAD)   # no attacker may write a trigger function at all
        for name in SHADOWS:
            with pytest.raises((E.InsufficientPrivilege, E.UndefinedFunction, E.UndefinedTable, E.InvalidSchemaName)):
                conn.cursor().execute(f"CREATE TRIGGER payload BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.{name} "
                                      "FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.payload()")
        u = uuid.uuid4().hex
        if who == W:
            send(conn, [(u, 1), (u, 2)], dead=1)
        else:
            refuse(conn, "INSERT INTO public.processed_events_in (uuid) VALUES ('x'), ('x')")
            refuse(conn, "INSERT INTO public.dead_letter_events_in (reason) VALUES ('x')")
    assert query(world.admin, "SELECT rolsuper FROM pg_roles WHERE rolname = %s", (world.creds[who][0],)) == [(False,)]


@pytest.mark.parametrize("who", (W, R))
def test_definer_functions_on_a_table_of_ones_own(world, who):
    """The issue's second attack: a SECURITY DEFINER function as the trigger of a table the attacker
    has -- the writer's batch table (the reader has none: it may create no temporary table). And the
    writer, once its batch tables exist, can still create nothing in pg_temp nor touch them beyond INSERT."""
    with world.connect(who) as conn:
        if who == W:
            send(conn, [(uuid.uuid4().hex, 1)])
            assert query(conn, "SELECT to_regclass('pg_temp.processed_events_batch') IS NOT NULL") == [(True,)]
            table = "pg_temp.processed_events_batch"
            for statement in ("CREATE TEMP TABLE pwn (x int)", "CREATE TABLE pg_temp.pwn (x int)",
                              "CREATE VIEW pg_temp.pwn AS SELECT 1", "CREATE SEQUENCE pg_temp.pwn",
                              "CREATE TYPE pg_temp.pwn AS (x int)",
                              "CREATE FUNCTION pg_temp.pwn() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                              f"CREATE INDEX ON {table} (uuid)", f"ALTER TABLE {table} ADD COLUMN pwn int",
                              f"ALTER TABLE {table} OWNER TO \"{world.creds[W][0]}\"", f"DROP TABLE {table}",
                              f"TRUNCATE {table}", f"SELECT * FROM {table}",
                              f"CREATE RULE pwn AS ON INSERT TO {table} DO INSTEAD NOTHING"):
                refuse(conn, statement)
            refuse(conn, f"GRANT INSERT ON {table} TO \"{world.creds[R][0]}\"", WARN_GRANT)
        else:
            refuse(conn, f"CREATE TEMP TABLE mine ({COLUMNS})")
            return
        for f in DEFINERS:
            refuse(conn, f"CREATE TRIGGER pwn AFTER INSERT ON {table} FOR EACH STATEMENT EXECUTE FUNCTION public.{f}()")
        if who == W:
            send(conn, [(uuid.uuid4().hex, 1)])   # and its session still works


def test_the_reader_reports_without_creating_anything(world, cfg):
    """What the reader runs -- the report, the dashboard's two sessions, `psql -f sql/report/latency.sql`
    -- works with no TEMP: the scope is the schema's report_rows view, read with flinkfast.since; none
    of them creates anything, not even in pg_temp."""
    import subprocess
    import sys

    from flinkfast import clients
    from flinkfast.accounting import report
    from flinkfast.dashboard import pgsource
    from flinkfast.paths import REPO_ROOT
    with closing(clients.pg_connect(cfg)) as conn:
        data = report.collect(conn)
        total = query(conn, "SELECT count(*) FROM processed_events")[0][0]
        assert data["summary"]["total_rows"] == total >= 1 and data["latency"]["kafka_to_postgres"]["rows"] == total
        assert report.collect(conn, since="infinity")["summary"]["total_rows"] == 0   # the scope holds
    seconds = pgsource.SecondsReader(cfg, 300)
    try:
        seconds.read()
        assert query(seconds._conn, "SELECT count(*) FROM pg_class WHERE relpersistence = 't'") == [(0,)]
    finally:
        seconds.close()
    with closing(pgsource.session(cfg, 60, "test-percentiles")) as conn, conn.cursor() as cur:
        assert pgsource.WindowPercentiles._compute(cur, 3600)["latency"].keys() == \
               {"kafka_to_postgres", "kafka_to_flink", "flink_to_postgres"}
    r = subprocess.run([sys.executable, "-m", "flinkfast.cli", "psql", "-v", "ON_ERROR_STOP=1", "-f",
                        "sql/report/latency.sql"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "ERROR" not in r.stderr, r.stderr
    assert "Latency percentiles (ms)" in r.stdout and "kafka_to_postgres" in r.stdout


def test_no_leaks(world):
    """What the catalogue shows every role: no statistics of tables it may not read, no one else's queries."""
    world.admin.cursor().execute("ANALYZE processed_events")
    for who in ALL:
        with world.connect(who) as conn:
            if who != R:
                assert query(conn, "SELECT count(*) FROM pg_stats WHERE tablename = ANY(%s)", (list(TABLES),)) == [(0,)]
            assert query(conn, "SELECT count(*) FROM pg_stat_activity WHERE usename <> current_user "
                               "AND query NOT IN ('', '<insufficient privilege>')") == [(0,)]


# ----------------------------------------------------------------------------- the catalogue

def definer_problems(conn) -> dict[str, list[str]]:
    """Every SECURITY DEFINER function of the database that breaks PostgreSQL's rules for them, and why."""
    rows = query(conn, """
        SELECT p.oid::regprocedure::text, o.rolcanlogin OR o.rolsuper,
               (SELECT string_agg(substr(c, 13), '') FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'),
               p.proacl IS NULL OR EXISTS (SELECT FROM aclexplode(p.proacl) a
                                            WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'),
               ARRAY(SELECT r.rolname::text FROM aclexplode(p.proacl) a JOIN pg_roles r ON r.oid = a.grantee
                      WHERE a.privilege_type = 'EXECUTE' AND r.rolcanlogin AND NOT r.rolsuper)
          FROM pg_proc p JOIN pg_roles o ON o.oid = p.proowner
         WHERE p.prosecdef AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)""")
    problems = {}
    for fn, privileged_owner, path, public, login_grantees in rows:
        why, parts = [], [p.strip().strip('"') for p in (path or "").split(",")]
        if path is None:
            why.append("no search_path")
        elif parts != [""] and (parts[-1] != "pg_temp" or "pg_temp" in parts[:-1]):
            why.append(f"search_path {path} does not end with pg_temp")
        if public:
            why.append("PUBLIC may execute it")
        if login_grantees:
            why.append(f"login roles may execute it: {login_grantees}")
        if privileged_owner:
            why.append("owned by a login or superuser role")
        problems[fn] = why
    return problems


def test_definer_functions_are_hardened(world):
    conn = world.admin
    try:   # the check can fail: two bad functions, in a transaction rolled back
        conn.cursor().execute(
            "BEGIN; CREATE FUNCTION public.bad_definer() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';"
            " CREATE FUNCTION public.bad_path() RETURNS int LANGUAGE sql SECURITY DEFINER"
            "  SET search_path = pg_temp, pg_catalog AS 'SELECT 1';"
            " ALTER FUNCTION public.bad_path() OWNER TO flinkfast_ingest;"
            " REVOKE ALL ON FUNCTION public.bad_path() FROM PUBLIC;"
            f" GRANT EXECUTE ON FUNCTION public.bad_path() TO \"{world.creds[W][0]}\"")
        found = definer_problems(conn)
    finally:
        conn.cursor().execute("ROLLBACK")
    assert found["bad_definer()"] == ["no search_path", "PUBLIC may execute it", "owned by a login or superuser role"]
    assert found["bad_path()"] == ["search_path pg_temp, pg_catalog does not end with pg_temp",
                                   f"login roles may execute it: ['{world.creds[W][0]}']"]
    real = definer_problems(conn)
    assert {"open_batch()", "place_processed_events()", "place_dead_letters()"} <= set(real)
    assert {fn: why for fn, why in real.items() if why} == {}


def test_grants_are_exactly_what_each_role_uses(world):
    privileges = """
        SELECT c.relname::text, p FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
               unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
         WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
           AND CASE WHEN p IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES') THEN has_any_column_privilege(%(r)s, c.oid, p)
                    ELSE has_table_privilege(%(r)s, c.oid, p) END"""
    elsewhere = """
        SELECT 'function ' || p.oid::regprocedure FROM pg_proc p
         WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
           AND has_function_privilege(%(r)s, p.oid, 'EXECUTE')
        UNION ALL SELECT 'sequence ' || c.oid::regclass FROM pg_class c
         WHERE CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(%(r)s, c.oid, 'SELECT,UPDATE,USAGE') END
        UNION ALL SELECT 'CREATE on schema ' || nspname FROM pg_namespace WHERE has_schema_privilege(%(r)s, oid, 'CREATE')
        UNION ALL SELECT 'CREATE on database ' || datname FROM pg_database WHERE has_database_privilege(%(r)s, oid, 'CREATE')
        UNION ALL SELECT 'CONNECT to ' || datname FROM pg_database
         WHERE datname <> current_database() AND datallowconn AND has_database_privilege(%(r)s, oid, 'CONNECT')
        UNION ALL SELECT 'language ' || lanname FROM pg_language
         WHERE lanpltrusted AND has_language_privilege(%(r)s, oid, 'USAGE')"""
    expected = {W: {(v, "INSERT") for v in (*VIEWS, "topic_generations_in")},
                R: {(t, "SELECT") for t in (*TABLES, "report_rows", "lost_messages", "topic_generations")}}
    for who, grants in expected.items():
        role = world.creds[who][0]
        assert set(query(world.admin, privileges, {"r": role})) == grants
        assert query(world.admin, elsewhere, {"r": role}) == []
        assert query(world.admin, "SELECT has_database_privilege(%(r)s, current_database(), 'TEMP')",
                     {"r": role}) == [(False,)]
    # Nor PUBLIC (every role, the intruder too), in any database of the cluster.
    assert query(world.admin, "SELECT datname FROM pg_database WHERE datallowconn "
                              "AND has_database_privilege('public', oid, 'TEMP')") == []
    roles = [world.creds[W][0], world.creds[R][0], "flinkfast_ingest"]
    attrs = query(world.admin, "SELECT rolname, rolcanlogin, rolsuper OR rolinherit OR rolcreaterole OR rolcreatedb "
                               "OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = ANY(%s)", (roles,))
    assert sorted(attrs) == sorted([(roles[0], True, False), (roles[1], True, False), (roles[2], False, False)])
    assert query(world.admin, "SELECT roleid::regrole, member::regrole FROM pg_auth_members m JOIN pg_roles a "
                              "ON a.oid = m.roleid JOIN pg_roles b ON b.oid = m.member "
                              "WHERE a.rolname = ANY(%(r)s) OR b.rolname = ANY(%(r)s)", {"r": roles}) == []


# ----------------------------------------------------------------------------- afterwards

def test_nothing_changed(world):
    """After every attack (the intruder dropped again): the database as it was, the test's own messages
    exactly where they must be, and nothing left on the server's disk."""
    world.drop_intruder()
    assert fingerprint(world.admin) == world.baseline
    assert ours(world.admin) == OURS
    assert not os.path.exists(PWNED)


def test_role_settings_escalate_nothing_and_reapplying_takes_them_back(world, database):
    """PostgreSQL lets every role change its own password and session defaults (ALTER ROLE <self> SET);
    no privilege takes that away. Nothing it can set may make it another role, and re-applying the
    schema -- what an operator does after an incident, new passwords in hand -- must take it all back:
    else the writer's password could leave synchronous_commit = off behind (commits the sink believes
    durable are not) or default_transaction_read_only = on (the sink fails), surviving the rotation."""
    admin, db = world.creds["admin"][0], world.db
    try:
        for who in (W, R):
            me = world.creds[who][0]
            with world.connect(who) as conn:
                for setting in (f"role = '{admin}'", f"session_authorization = '{admin}'",
                                "default_transaction_read_only = on"):
                    conn.cursor().execute(f'ALTER ROLE "{me}" SET {setting}')
                conn.cursor().execute(f'ALTER ROLE "{me}" IN DATABASE "{db}" SET synchronous_commit = off')
                conn.cursor().execute(f'ALTER ROLE "{me}" IN DATABASE postgres SET work_mem = 64')  # can't even connect
            with world.connect(who) as conn:
                assert query(conn, "SELECT current_user, session_user, current_setting('synchronous_commit'), "
                                   "current_setting('default_transaction_read_only')") == [(me, me, "off", "on")]
        with world.connect(W) as conn:
            conn.cursor().execute("SET default_transaction_read_only = off")
            conn.cursor().execute(f"ALTER ROLE \"{world.creds[W][0]}\" PASSWORD 'locked-out'")
        with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
            world.raw(W)
        database.init_database()
        world.raw(W).close()   # the configured password works again
        assert sorted(query(world.admin, "SELECT setrole::regrole::text, setdatabase, setconfig FROM pg_db_role_setting "
                                         "WHERE setrole::regrole::text = ANY(%s)",
                            ([world.creds[W][0], world.creds[R][0]],))) == sorted(
            [(world.creds[W][0], 0, ["lock_timeout=30s", "statement_timeout=5min", "idle_in_transaction_session_timeout=10s",
                                     "tcp_keepalives_idle=10s", "tcp_keepalives_interval=5s", "tcp_keepalives_count=3"]),
             (world.creds[R][0], 0, ["lock_timeout=10s", "statement_timeout=10min", "idle_in_transaction_session_timeout=5min",
                                     "temp_file_limit=2GB"])])
    finally:
        for who in (W, R):
            world.sql("ALTER ROLE {} RESET ALL", who)
            for d, in query(world.admin, "SELECT datname FROM pg_database"):
                world.admin.cursor().execute(pgsql.SQL("ALTER ROLE {} IN DATABASE {} RESET ALL").format(
                    pgsql.Identifier(world.creds[who][0]), pgsql.Identifier(d)))
        world.sql("ALTER ROLE {} PASSWORD %s", W, args=(world.creds[W][1],))
        database.init_database()   # each role's own settings (timeouts) back


def test_reapplying_the_schema_takes_temp_back_from_an_older_stack(world, database):
    """A stack made by an older version granted the reader TEMP (for a temporary scoping view), and
    PUBLIC holds it on a database made without 002_roles.sql: `up` re-applies the schema, which takes
    it back from both; the reader's report still runs. (After test_nothing_changed: a re-apply sets
    the passwords again, with new salts.)"""
    reader = world.creds[R][0]
    try:
        world.sql("GRANT TEMPORARY ON DATABASE {} TO {}", "db", R)
        world.sql("GRANT TEMPORARY ON DATABASE {} TO PUBLIC", "db")
        with world.connect(R) as conn:   # the grant took: the reader could create in pg_temp
            query(conn, "CREATE TEMP VIEW pwn AS SELECT 1; SELECT 1")
        database.init_database()
        assert query(world.admin, "SELECT has_database_privilege(%s, current_database(), 'TEMP'), "
                                  "has_database_privilege('public', current_database(), 'TEMP')", (reader,)) == \
               [(False, False)]
        with world.connect(R) as conn:
            refuse(conn, "CREATE TEMP VIEW pwn AS SELECT 1")
            refuse(conn, "CREATE AGGREGATE pg_temp.pwn(int) (SFUNC = int4pl, STYPE = int)")
            assert query(conn, "SELECT count(*) >= 0 FROM report_rows") == [(True,)]
    finally:
        world.sql("REVOKE TEMPORARY ON DATABASE {} FROM {}", "db", R)
        world.sql("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC", "db")
