-- The benchmark's peers (flinkfast/bench/peers: quixstreams, pathway, bytewax) write as a role of their
-- own, PEER_DB_USER, not the superuser; run by flinkfast.bench.peers.ensure_role as the admin before
-- each peer starts ({peer}, {db}: identifiers; %(password)s: PEER_DB_PASSWORD). In the benchmark's own
-- throwaway database only, what the three programs do there and no more:
--   SELECT, INSERT, UPDATE on processed_events  all upsert on uuid (INSERT ... ON CONFLICT DO UPDATE;
--                                               bytewax's sink, ours, does nothing else)
--   SELECT, INSERT, DELETE on superseded_events what processed_events' update trigger does with the
--                                               updating role's rights (sql/postgres/003_ingest.sql
--                                               record_changed_hands) when an upsert moves a uuid
--   CREATE on the database                      quixstreams' sink runs CREATE SCHEMA IF NOT EXISTS public
--                                               (PostgreSQL asks for CREATE before it looks)
--   TEMPORARY                                   pathway stages each batch in a temporary table
-- No other database (not the pipeline's), no function (no language: 002_roles.sql), no advisory lock;
-- a connection limit and the writer's timeouts, but a minute idle in a transaction rather than the
-- writer's 10 s (the peers' sinks are not ours: their pauses between statements are not measured).
-- Idempotent: applied again, it sets all of it again.
ALTER ROLE {peer} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 10 PASSWORD %(password)s;
ALTER ROLE {peer} RESET ALL;
ALTER ROLE {peer} SET lock_timeout = '30s';
ALTER ROLE {peer} SET statement_timeout = '5min';
ALTER ROLE {peer} SET idle_in_transaction_session_timeout = '1min';
GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {db} TO {peer};
GRANT USAGE ON SCHEMA public TO {peer};
GRANT SELECT, INSERT, UPDATE ON processed_events TO {peer};
GRANT SELECT, INSERT, DELETE ON superseded_events TO {peer};
