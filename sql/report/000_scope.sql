-- Rows the report looks at: those inserted since flinkfast.since (a timestamptz; unset =
-- every row). print_data_postgres.py --since sets it; with psql:
--     SET flinkfast.since = '2026-01-01 00:00:00+00';   before \i sql/report/<file>.sql
-- Latency is the database's insert clock minus the Kafka record timestamp, both TIMESTAMPTZ,
-- so the session time zone cannot change it.
CREATE OR REPLACE TEMPORARY VIEW report_rows AS
SELECT uuid,
       country,
       kafka_timestamp,
       flink_timestamp,
       postgres_timestamp,
       EXTRACT(EPOCH FROM postgres_timestamp - kafka_timestamp) * 1000 AS latency_ms,
       EXTRACT(EPOCH FROM flink_timestamp    - kafka_timestamp) * 1000 AS kafka_to_flink_ms,
       EXTRACT(EPOCH FROM postgres_timestamp - flink_timestamp) * 1000 AS flink_to_postgres_ms
  FROM processed_events
 WHERE postgres_timestamp >= COALESCE(NULLIF(current_setting('flinkfast.since', true), '')::timestamptz,
                                      '-infinity'::timestamptz);
