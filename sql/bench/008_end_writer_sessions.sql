-- Before each contender, as the admin of the benchmark's own database (BENCH_DB): end the
-- writer's sessions a cancelled job left behind in it. A sink's connection closed late can hold
-- an open transaction whose rows (the same uuids) the next contender's inserts would wait on for
-- ever. Only this database: the user's pipeline writes to its own. Each one waited for, up to
-- 5 s (pg_terminate_backend's timeout): a backend reports its WAL statistics (pg_stat_wal's
-- full-page images, 011_wal.sql) as it exits, so a contender's are all in once this returns.
SELECT count(pg_terminate_backend(pid, 5000))
  FROM pg_stat_activity
 WHERE datname  = current_database()
   AND usename  = %(writer)s
   AND pid     <> pg_backend_pid();
