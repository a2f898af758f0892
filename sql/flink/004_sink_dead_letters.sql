-- Messages that are not a valid event, with the raw bytes and the reason, written into the view
-- dead_letter_events_in like the good ones (the same connector, no PRIMARY KEY): PostgreSQL keeps
-- the first 64 KiB of the payload and its full size, once per Kafka position, and leaves a
-- position that is already placed as it is (sql/postgres/003_ingest.sql).
CREATE TABLE dead_letter_events_sink (
    kafka_topic      STRING,
    kafka_partition  INT,
    kafka_offset     BIGINT,
    reason           STRING,
    payload          BYTES,
    kafka_ts_ms      BIGINT,
    flink_ts_ms      BIGINT,
    fingerprint      BIGINT                 -- what the message is (002_transform.sql)
) WITH (
    'connector'                  = '${SINK_CONNECTOR}',
    -- authenticationPluginClassName: the password goes out for SCRAM only, never in cleartext or as MD5
    -- to whatever answers on the port (udf/.../sink/ScramOnly.java; the udf jar is in Flink's lib/).
    -- connectTimeout, loginTimeout, socketTimeout (s), tcpKeepAlive: no wait on the database is endless
    -- (a server gone without a word, a frozen host); socketTimeout outlasts the writer's
    -- statement_timeout (5 min, sql/postgres/002_roles.sql), so a slow statement ends by the server's
    -- error first. docs/guarantees.md#a-paused-writer says what bounds a paused writer.
    -- ${POSTGRES_JDBC_TLS}: '&sslmode=...&sslrootcert=...' from POSTGRES_SSLMODE and POSTGRES_SSLROOTCERT when
    -- set (Kubernetes: verify-full with CloudNativePG's CA), else nothing (pgjdbc's default, prefer).
    'url'                        = 'jdbc:postgresql://${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}?reWriteBatchedInserts=true&authenticationPluginClassName=io.flinkfast.sink.ScramOnly&connectTimeout=10&loginTimeout=20&socketTimeout=330&tcpKeepAlive=true${POSTGRES_JDBC_TLS}',
    'table-name'                 = 'dead_letter_events_in',
    'username'                   = '${FLINK_DB_USER}',
    'password'                   = '${FLINK_DB_PASSWORD}',
    'sink.buffer-flush.max-rows' = '${SINK_FLUSH_MAX_ROWS}',
    'sink.buffer-flush.interval' = '${SINK_FLUSH_INTERVAL_MS}ms',
    'sink.max-retries'           = '${SINK_MAX_RETRIES}'
);
