-- Between contenders, after 001_truncate.sql, as the admin of the benchmark's own database
-- (BENCH_DB): a vacuum with fresh statistics and a checkpoint, so that no contender pays for the
-- dead rows, the stale statistics or the dirty pages its predecessor left (autovacuum's and the
-- checkpointer's work in its window), and each starts just after a checkpoint (its share of
-- full-page images the same). One statement at a time, outside a transaction (VACUUM's rule).
VACUUM (ANALYZE);
CHECKPOINT;
