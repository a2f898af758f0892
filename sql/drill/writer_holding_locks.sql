-- The sink's sessions holding the placing's partition locks right now (sql/postgres/003_ingest.sql:
-- taken by a flush's placing statement, held until its commit): backend pid, the client's port
-- (its TaskManager's side of the connection), state, and seconds in that state. Run as the superuser
-- (pg_stat_activity shows other roles' client ports to it only).
-- %(writer)s comes from psycopg2.
SELECT a.pid,
       a.client_port,
       a.state,
       EXTRACT(EPOCH FROM clock_timestamp() - a.state_change)::float8 AS in_state_s
  FROM pg_stat_activity a
 WHERE a.usename = %(writer)s
   AND a.client_port > 0
   AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)
 ORDER BY a.pid;
