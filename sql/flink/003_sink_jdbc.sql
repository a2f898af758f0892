-- The results table in PostgreSQL, written as the least-privilege role FLINK_DB_USER.
-- The primary key makes the sink an upsert (INSERT ... ON CONFLICT DO UPDATE): the sink is
-- at-least-once, and a replay after a restart overwrites rows instead of duplicating them.
-- kafka_timestamp, flink_timestamp and postgres_timestamp are computed by PostgreSQL.
CREATE TABLE processed_events_sink (
    `uuid`           STRING,
    first_name       STRING,
    last_name        STRING,
    country          STRING,
    age              INT,
    birth_year       INT,
    kafka_topic      STRING,
    kafka_partition  INT,
    kafka_offset     BIGINT,
    kafka_ts_ms      BIGINT,
    flink_ts_ms      BIGINT,
    PRIMARY KEY (`uuid`) NOT ENFORCED
) WITH (
    'connector'                  = 'jdbc',
    -- reWriteBatchedInserts: the driver sends a batch as multi-row INSERTs, not row by row.
    'url'                        = 'jdbc:postgresql://${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}?reWriteBatchedInserts=true',
    'table-name'                 = 'processed_events',
    'username'                   = '${FLINK_DB_USER}',
    'password'                   = '${FLINK_DB_PASSWORD}',
    -- Flushed at this many rows, at this interval, and at every checkpoint.
    'sink.buffer-flush.max-rows' = '${SINK_FLUSH_MAX_ROWS}',
    'sink.buffer-flush.interval' = '${SINK_FLUSH_INTERVAL_MS}ms',
    'sink.max-retries'           = '${SINK_MAX_RETRIES}'
);
