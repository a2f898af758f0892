-- The whole report for psql:  flinkfast psql -f sql/report/latency.sql   (as the read-only role)
-- (run from the repository root, or from /sql in the compose postgres container). The files read the
-- schema's report_rows view (sql/postgres/001_schema.sql); to scope them, first
--     SET flinkfast.since = '2026-01-01 00:00:00+00';
\set QUIET on
\pset footer off
\echo 'Latest rows'
\ir 001_latest.sql
\echo 'Summary'
\ir 002_summary.sql
\echo 'Latency percentiles (ms)'
\ir 003_latency_percentiles.sql
\echo 'Latency buckets'
\ir 004_latency_buckets.sql
\echo 'Recent throughput'
\ir 005_throughput_recent.sql
