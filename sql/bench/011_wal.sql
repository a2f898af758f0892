-- The WAL a contender writes: read before and after it, the difference is its own (the bench
-- database is the only one written to meanwhile). wal_lsn: the WAL position in bytes, exact at
-- once; wal_fpi: full-page images, from pg_stat_wal (PostgreSQL 15), which a backend reports
-- when its transaction ends or it exits (the contender's sessions are closed before the second
-- read).
SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS wal_lsn,
       wal_fpi,
       wal_records
  FROM pg_stat_wal;
