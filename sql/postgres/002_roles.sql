-- The least-privilege role the Flink sink writes as: it may insert and update the results
-- and the dead letters, nothing else (no DELETE, no DDL, no other table; superseded_events is
-- written by a SECURITY DEFINER trigger, not by this role).
-- Name and password come from the environment (FLINK_DB_USER, FLINK_DB_PASSWORD) through
-- psql's \getenv, so no credential is written in this file or on a command line.
\set QUIET on
\getenv writer_user FLINK_DB_USER
\getenv writer_password FLINK_DB_PASSWORD

SELECT format('CREATE ROLE %I LOGIN', :'writer_user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'writer_user') \gexec

SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
              :'writer_user', :'writer_password') \gexec

SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'writer_user') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'writer_user') \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE ON processed_events, dead_letter_events TO %I', :'writer_user') \gexec
