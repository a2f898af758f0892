-- Who may do what. Least privilege that holds against someone who has a role's password
-- (every Flink process carries the writer's); docs/security.md says what each role allows and
-- tests/e2e/test_security_db_e2e.py attacks each claim.
--
--   POSTGRES_USER      superuser: applies these files, nothing else in the pipeline uses it
--   FLINK_DB_USER      the job's sink: INSERT into the intake views of 003_ingest.sql, nothing
--                      else (it reads nothing, writes no table, owns nothing, has no TEMP)
--   READER_DB_USER     the dashboard, the report, reconciliation, `make status`: SELECT on the
--                      pipeline's three tables, lost_messages and the report's report_rows view, nothing else (no
--                      TEMP: it creates nothing, not even in pg_temp)
--   flinkfast_ingest   NOLOGIN: owns the SECURITY DEFINER functions that place each message; has
--                      exactly the rights they need, and nobody is a member of it
--
-- Names and passwords come from the environment (FLINK_DB_USER, FLINK_DB_PASSWORD, READER_DB_USER,
-- READER_DB_PASSWORD) through psql's \getenv: no credential is written in this file or on a
-- command line. Idempotent: re-running it sets the passwords again and takes back any right
-- granted by hand or by an older version.
\set QUIET on
\getenv writer_user FLINK_DB_USER
\getenv writer_password FLINK_DB_PASSWORD
\getenv reader_user READER_DB_USER
\getenv reader_password READER_DB_PASSWORD

-- An empty password would clear the role's password: refused, naming the variable.
SELECT format('DO $refuse$ BEGIN RAISE EXCEPTION %L; END $refuse$', name || ' is empty: set it (make setup generates it)')
  FROM (VALUES ('FLINK_DB_PASSWORD', :'writer_password'), ('READER_DB_PASSWORD', :'reader_password')) AS r(name, value)
 WHERE value = '' \gexec

-- PUBLIC (every role, present and future) gets nothing here: not CONNECT, not TEMP (a temporary
-- table can shadow a table name inside a function that runs with its owner's rights; temporary
-- tables can fill the disk; an aggregate or view in pg_temp is code of the role's own), not
-- CREATE in the public schema, not plpgsql (no DO blocks), not the functions that write at will
-- (lo_create and friends, pg_logical_emit_message: any role could otherwise fill the disk).
-- The cluster's own databases too: the pipeline's roles have no business there.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;
-- Nor LANGUAGE sql: with TEMP on a database (the peers' in the benchmark's, sql/bench/009_peer_role.sql)
-- a role could otherwise create and run functions of its own in pg_temp. No role but the superuser
-- creates a function anywhere.
REVOKE USAGE ON LANGUAGE sql FROM PUBLIC;
-- The advisory locks the placing functions wait on (003_ingest.sql): only their owner may take
-- any (granted below). Else any role could take them in an open transaction and stall the sink.
SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', p.oid::regprocedure)
  FROM pg_proc p
 WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_' \gexec
-- Nor end or cancel a session of its own role (PostgreSQL lets any role signal its own role's
-- backends): with the writer's password, the sink's sessions; with the reader's, the dashboard's.
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_terminate_backend(integer, bigint),
                           pg_catalog.pg_cancel_backend(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION pg_catalog.lo_create(oid), pg_catalog.lo_creat(integer),
                           pg_catalog.lo_from_bytea(oid, bytea), pg_catalog.lo_put(oid, bigint, bytea),
                           pg_catalog.lo_open(oid, integer), pg_catalog.lo_unlink(oid),
                           pg_catalog.pg_logical_emit_message(boolean, text, text),
                           pg_catalog.pg_logical_emit_message(boolean, text, bytea) FROM PUBLIC;

-- The owner of the placing functions: no login, no membership, the rights they use.
SELECT 'CREATE ROLE flinkfast_ingest NOLOGIN'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flinkfast_ingest') \gexec
ALTER ROLE flinkfast_ingest WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;

-- The two login roles.
SELECT format('CREATE ROLE %I LOGIN', name)
  FROM (VALUES (:'writer_user'), (:'reader_user')) AS r(name)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS '
              'PASSWORD %L', name, password)
  FROM (VALUES (:'writer_user', :'writer_password'), (:'reader_user', :'reader_password')) AS r(name, password) \gexec

-- Take back whatever the three hold in this database (an older version granted the writer
-- SELECT, INSERT, UPDATE on the tables, and the reader TEMP; a hand-made GRANT would linger), and
-- any membership, then grant exactly what each uses.
SELECT format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', name),
       format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM %I', name),
       format('REVOKE ALL ON SCHEMA public FROM %I', name),
       format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), name)
  FROM (VALUES (:'writer_user'), (:'reader_user'), ('flinkfast_ingest')) AS r(name) \gexec
SELECT format('REVOKE %I FROM %I', m.roleid::regrole, m.member::regrole)
  FROM pg_auth_members m
 WHERE m.member::regrole::text IN (quote_ident(:'writer_user'), quote_ident(:'reader_user'), 'flinkfast_ingest')
    OR m.roleid::regrole::text IN (quote_ident(:'writer_user'), quote_ident(:'reader_user'), 'flinkfast_ingest') \gexec

-- Settings a role gave itself (any role may `ALTER ROLE self SET ...`, e.g. synchronous_commit =
-- off for the writer's sessions, and no privilege prevents it) are taken back too.
SELECT format('ALTER ROLE %I RESET ALL', name)
  FROM (VALUES (:'writer_user'), (:'reader_user'), ('flinkfast_ingest')) AS r(name) \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I RESET ALL', r.name, d.datname)
  FROM (VALUES (:'writer_user'), (:'reader_user'), ('flinkfast_ingest')) AS r(name), pg_database d
 WHERE d.datallowconn \gexec

-- What each login role may hold, for how long (re-set on every apply, after the RESET ALL above;
-- a role can still SET them in its own session: they bound what the pipeline's own clients hold,
-- and lock_timeout bounds every wait of the sink's flush, whoever holds the lock). The sum of the
-- limits stays under max_connections (100) minus superuser_reserved_connections (3): the reader at
-- its limit never locks the writer or the superuser out.
--   writer: the sink's sessions (two per subtask, four subtasks at most) and the benchmark's contenders;
--           a flush waits at most 30 s for a lock and runs at most 5 min, then fails and is retried.
--           A flush is one transaction of well under a second whose statements follow each other at
--           once: a session idle in a transaction for 10 s is a writer paused (SIGSTOP, a VM freeze,
--           a stalled JVM) holding its partitions' locks, and it is ended, so its replacement's flush
--           (which waits up to lock_timeout, longer) goes on. Not covered by it: a session paused in
--           the middle of a COPY (PostgreSQL holds a statement_timeout until the client sends data;
--           the COPY sink's COPY is its transaction's first statement: it holds no lock another
--           flush waits on), and one paused between the statements of a pgjdbc batch (SINK_MODE=jdbc;
--           still "active", no timeout of PostgreSQL 15 applies). docs/guarantees.md#a-paused-writer.
--   reader: the dashboard, report, reconcile, status; long reports, no long idle transactions.
SELECT format('ALTER ROLE %I CONNECTION LIMIT %s', name, lim),
       format('ALTER ROLE %I SET lock_timeout = %L', name, lock_t),
       format('ALTER ROLE %I SET statement_timeout = %L', name, stmt_t),
       format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', name, idle_t)
  FROM (VALUES (:'writer_user', 40, '30s', '5min', '10s'),
               (:'reader_user', 20, '10s', '10min', '5min')) AS r(name, lim, lock_t, stmt_t, idle_t) \gexec
ALTER ROLE flinkfast_ingest CONNECTION LIMIT 0;
-- The writer's TCP keepalives (the server's side of its connections): a host that stopped answering
-- altogether (a frozen VM, a cable pulled) is found within 10 + 3 x 5 = 25 s and its session ended,
-- whatever the session was doing. A process paused on a live host is not: its kernel still answers.
SELECT format('ALTER ROLE %I SET %s = %L', :'writer_user', name, value)
  FROM (VALUES ('tcp_keepalives_idle', '10s'), ('tcp_keepalives_interval', '5s'), ('tcp_keepalives_count', '3'))
       AS k(name, value) \gexec
-- The reader's sorts and hashes may spill at most 2 GB of temporary files per session (a report
-- over ten million rows spills far less); only a superuser can SET temp_file_limit, so the reader
-- cannot lift it to fill the disk.
SELECT format('ALTER ROLE %I SET temp_file_limit = %L', :'reader_user', '2GB') \gexec

GRANT USAGE ON SCHEMA public TO flinkfast_ingest;
GRANT EXECUTE ON FUNCTION pg_catalog.pg_advisory_xact_lock(integer, integer) TO flinkfast_ingest;
-- (The shared form is no longer used: an older stack's grant of it is taken back.)
REVOKE EXECUTE ON FUNCTION pg_catalog.pg_advisory_xact_lock_shared(integer, integer) FROM flinkfast_ingest;
-- Each writer session's batch tables are temporary tables (003_ingest.sql): created by this role.
SELECT format('GRANT TEMPORARY ON DATABASE %I TO flinkfast_ingest', current_database()) \gexec
GRANT SELECT, INSERT, UPDATE ON processed_events   TO flinkfast_ingest;
GRANT SELECT, INSERT, DELETE ON superseded_events  TO flinkfast_ingest;
GRANT SELECT, INSERT         ON dead_letter_events TO flinkfast_ingest;
GRANT SELECT, INSERT, UPDATE, DELETE ON event_places TO flinkfast_ingest;

SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), name)
  FROM (VALUES (:'writer_user'), (:'reader_user')) AS r(name) \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', name)
  FROM (VALUES (:'writer_user'), (:'reader_user')) AS r(name) \gexec
SELECT format('GRANT SELECT ON processed_events, dead_letter_events, superseded_events, report_rows TO %I',
              :'reader_user') \gexec
-- The losses recorded by `flinkfast lost --record` (as the owner): the reader reads them, nobody else writes.
SELECT format('GRANT SELECT ON lost_messages TO %I', :'reader_user') \gexec
-- reconcile names the topic's generations (001_schema.sql).
SELECT format('GRANT SELECT ON topic_generations TO %I', :'reader_user') \gexec
