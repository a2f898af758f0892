-- Good events go to PostgreSQL as the least-privilege role FLINK_DB_USER, which may only insert
-- into the view processed_events_in; the database places each message (sql/postgres/003_ingest.sql):
-- one row per uuid in processed_events, the winner by (Kafka timestamp, partition, offset), the
-- others in superseded_events, a replay leaving everything as it was.
-- The connector follows SINK_MODE: copy (flinkfast-postgres, udf/connector-postgres/src/main/java/io/flinkfast/sink:
-- each flush one binary COPY in one transaction, and a flush as soon as the input pauses) or
-- jdbc (Flink's JDBC connector: batched INSERTs). Both take the options below.
-- No PRIMARY KEY here, on purpose: with one, Flink's JDBC sink upserts and keeps only the last
-- row per key in its buffer, so the earlier of two messages with one uuid in the same flush
-- would reach no table. Without one every message is written, flushed at this many rows, at
-- this interval and at every checkpoint (at least once; the placing makes it exactly once).
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
    fingerprint      BIGINT                 -- what the message is (002_transform.sql)
) WITH (
    'connector'                  = '${SINK_CONNECTOR}',
    -- reWriteBatchedInserts (jdbc): the driver sends a batch as multi-row INSERTs, not row by row.
    -- authenticationPluginClassName: the password goes out for SCRAM only, never in cleartext or as MD5
    -- to whatever answers on the port (udf/.../sink/ScramOnly.java; the udf jar is in Flink's lib/).
    -- connectTimeout, loginTimeout, socketTimeout (s), tcpKeepAlive: no wait on the database is endless
    -- (a server gone without a word, a frozen host); socketTimeout outlasts the writer's
    -- statement_timeout (5 min, sql/postgres/002_roles.sql), so a slow statement ends by the server's
    -- error first. docs/guarantees.md#a-paused-writer says what bounds a paused writer.
    -- ${POSTGRES_JDBC_TLS}: '&sslmode=...&sslrootcert=...' from POSTGRES_SSLMODE and POSTGRES_SSLROOTCERT when
    -- set (Kubernetes: verify-full with CloudNativePG's CA), else nothing (pgjdbc's default, prefer).
    'url'                        = 'jdbc:postgresql://${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}?reWriteBatchedInserts=true&authenticationPluginClassName=io.flinkfast.sink.ScramOnly&connectTimeout=10&loginTimeout=20&socketTimeout=330&tcpKeepAlive=true${POSTGRES_JDBC_TLS}',
    'table-name'                 = 'processed_events_in',
    'username'                   = '${FLINK_DB_USER}',
    'password'                   = '${FLINK_DB_PASSWORD}',
    'sink.buffer-flush.max-rows' = '${SINK_FLUSH_MAX_ROWS}',
    'sink.buffer-flush.interval' = '${SINK_FLUSH_INTERVAL_MS}ms',
    'sink.max-retries'           = '${SINK_MAX_RETRIES}'
);
