-- The naive consumer's write: the same upsert the JDBC sink's PostgreSQL dialect builds
-- (INSERT ... ON CONFLICT (uuid) DO UPDATE), one multi-row statement per batch.
-- VALUES %s is psycopg2.extras.execute_values' placeholder for the batch.
INSERT INTO processed_events (uuid, first_name, last_name, country, age, birth_year,
                              kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms)
VALUES %s
    ON CONFLICT (uuid) DO UPDATE
   SET first_name      = EXCLUDED.first_name,
       last_name       = EXCLUDED.last_name,
       country         = EXCLUDED.country,
       age             = EXCLUDED.age,
       birth_year      = EXCLUDED.birth_year,
       kafka_topic     = EXCLUDED.kafka_topic,
       kafka_partition = EXCLUDED.kafka_partition,
       kafka_offset    = EXCLUDED.kafka_offset,
       kafka_ts_ms     = EXCLUDED.kafka_ts_ms,
       flink_ts_ms     = EXCLUDED.flink_ts_ms
