-- The ceiling: the same rows in one COPY, what PostgreSQL alone can take.
COPY processed_events (uuid, first_name, last_name, country, age, birth_year,
                       kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms)
FROM STDIN
