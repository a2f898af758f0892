-- Latency percentiles, end to end and split at Flink: Kafka -> Flink (source, parse,
-- transform) and Flink -> PostgreSQL (sink buffer, batch insert).
SELECT stage,
       count(*)                                                         AS rows,
       round(percentile_cont(0.50) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS p50_ms,
       round(percentile_cont(0.90) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS p90_ms,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS p95_ms,
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS p99_ms,
       round(max(ms)::numeric, 1)                                           AS max_ms,
       round(avg(ms)::numeric, 1)                                           AS avg_ms
  FROM (SELECT 1 AS ord, 'kafka_to_postgres' AS stage, latency_ms           AS ms FROM report_rows
        UNION ALL
        SELECT 2,        'kafka_to_flink',             kafka_to_flink_ms          FROM report_rows
        UNION ALL
        SELECT 3,        'flink_to_postgres',          flink_to_postgres_ms       FROM report_rows) AS stages
 GROUP BY ord, stage
 ORDER BY ord;
