-- Before each contender, as the admin of the benchmark's own database (BENCH_DB): end the
-- writer's sessions a cancelled job left behind in it. A sink's connection closed late can hold
-- an open transaction whose rows (the same uuids) the next contender's inserts would wait on for
-- ever. Only this database: the user's pipeline writes to its own.
SELECT count(pg_terminate_backend(pid))
  FROM pg_stat_activity
 WHERE datname  = current_database()
   AND usename  = %(writer)s
   AND pid     <> pg_backend_pid();
