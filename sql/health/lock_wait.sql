-- The longest a sink's session (the writer role's) has been waiting for a lock right now (a
-- partition's advisory lock or a uuid's row, taken by the placing: sql/postgres/003_ingest.sql),
-- in seconds, and the sessions it waits on; no row when none waits. A flush holds its locks well
-- under a second: a wait of many seconds is a writer holding them while paused (docs/guarantees.md
-- #a-paused-writer). pg_locks and pg_blocking_pids are readable by every role.
-- %(writer)s comes from psycopg2.
SELECT EXTRACT(EPOCH FROM clock_timestamp() - l.waitstart)::float8 AS waited_s,
       pg_blocking_pids(l.pid)                                   AS holders
  FROM pg_locks l
  JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE NOT l.granted
   AND l.waitstart IS NOT NULL
   AND a.usename = %(writer)s
 ORDER BY l.waitstart
 LIMIT 1;
