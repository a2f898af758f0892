-- Totals and throughput of the run.
-- Throughput divides by the whole elapsed time in seconds (EXTRACT(EPOCH ...)), not by
-- EXTRACT(MINUTE ...), which is only the minutes field of the interval and wraps every hour.
SELECT count(*)                                                        AS total_rows,
       min(kafka_timestamp)                                            AS first_kafka_timestamp,
       max(postgres_timestamp)                                         AS last_postgres_timestamp,
       EXTRACT(EPOCH FROM max(postgres_timestamp) - min(kafka_timestamp)) AS elapsed_s,
       count(*) / NULLIF(EXTRACT(EPOCH FROM max(postgres_timestamp) - min(kafka_timestamp)), 0)
                                                                       AS events_per_s,
       count(*) * 60 / NULLIF(EXTRACT(EPOCH FROM max(postgres_timestamp) - min(kafka_timestamp)), 0)
                                                                       AS events_per_min
  FROM report_rows;
