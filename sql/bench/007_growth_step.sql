-- The growth benchmark's reading at each step's end, as the admin of the benchmark's database:
-- the table's size on disk (processed_events with its indexes and TOAST), the WAL written so far
-- (its position in bytes, and pg_stat_wal's full-page images: the whole cluster's, but only the
-- benchmark writes meanwhile) and this database's buffer reads (blocks found in shared buffers,
-- and blocks read from the kernel). The step's figures are the differences between two readings.
-- The counters reach these views when a backend's transaction ends, at most about once a second
-- while the sink's sessions are busy: a step's edges are off by that much, its middle is not.
SELECT pg_total_relation_size('processed_events')  AS table_bytes,
       pg_current_wal_lsn() - '0/0'::pg_lsn         AS wal_lsn,
       w.wal_fpi                                    AS wal_fpi,
       d.blks_hit                                   AS blks_hit,
       d.blks_read                                  AS blks_read
  FROM pg_stat_wal AS w,
       pg_stat_database AS d
 WHERE d.datname = current_database();
