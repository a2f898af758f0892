-- A COPY's progress before it commits, for the COPY ceilings: rows each COPY into this database
-- has read so far (pg_stat_progress_copy, live), which the statistics counters of
-- 002_progress.sql only count once its transaction ends. Read as the admin: another role's
-- progress is visible to a superuser only.
SELECT coalesce(sum(tuples_processed), 0) AS copied
  FROM pg_stat_progress_copy
 WHERE datname = current_database();
