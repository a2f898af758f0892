-- Latency per second of insert, split at Flink, for the live dashboard's charts: one row per
-- second of postgres_timestamp in report_rows (sql/postgres/001_schema.sql). Scope it with flinkfast.since, as the other
-- files: the dashboard sets it to the first second it has not read for good yet, so each poll
-- reads only the newest rows, through the postgres_timestamp index. The percentiles are the
-- percentile_cont of 003_latency_percentiles.sql, per second instead of over the whole scope.
--     SET flinkfast.since = '2026-01-01 10:00:00+00';  \i sql/report/007_latency_per_second.sql
SELECT date_trunc('second', postgres_timestamp)                                                 AS second,
       count(*)                                                                                 AS rows,
       round(percentile_cont(0.50) WITHIN GROUP (ORDER BY kafka_to_flink_ms)::numeric, 1)       AS kafka_to_flink_p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY kafka_to_flink_ms)::numeric, 1)       AS kafka_to_flink_p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY kafka_to_flink_ms)::numeric, 1)       AS kafka_to_flink_p99_ms,
       round(max(kafka_to_flink_ms)::numeric, 1)                                                AS kafka_to_flink_max_ms,
       round(percentile_cont(0.50) WITHIN GROUP (ORDER BY flink_to_postgres_ms)::numeric, 1)    AS flink_to_postgres_p50_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY flink_to_postgres_ms)::numeric, 1)    AS flink_to_postgres_p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY flink_to_postgres_ms)::numeric, 1)    AS flink_to_postgres_p99_ms,
       round(max(flink_to_postgres_ms)::numeric, 1)                                             AS flink_to_postgres_max_ms
  FROM report_rows
 GROUP BY 1
 ORDER BY 1;
