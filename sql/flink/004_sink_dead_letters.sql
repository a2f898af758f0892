-- Messages that are not a valid event, with the raw bytes and the reason. Keyed by their
-- Kafka position, so a replay upserts here too. PostgreSQL keeps the first 64 KiB of the
-- payload and records its full size (a trigger on dead_letter_events).
CREATE TABLE dead_letter_events_sink (
    kafka_topic      STRING,
    kafka_partition  INT,
    kafka_offset     BIGINT,
    reason           STRING,
    payload          BYTES,
    kafka_ts_ms      BIGINT,
    flink_ts_ms      BIGINT,
    PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset) NOT ENFORCED
) WITH (
    'connector'                  = 'jdbc',
    'url'                        = 'jdbc:postgresql://${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}?reWriteBatchedInserts=true',
    'table-name'                 = 'dead_letter_events',
    'username'                   = '${FLINK_DB_USER}',
    'password'                   = '${FLINK_DB_PASSWORD}',
    'sink.buffer-flush.max-rows' = '${SINK_FLUSH_MAX_ROWS}',
    'sink.buffer-flush.interval' = '${SINK_FLUSH_INTERVAL_MS}ms',
    'sink.max-retries'           = '${SINK_MAX_RETRIES}'
);
