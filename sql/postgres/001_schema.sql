-- Results of the pipeline. Run by the local stack (`make up`), by the compose init
-- (docker-entrypoint-initdb.d) and by hand with `psql -f`; idempotent.

-- Why epoch milliseconds: Flink's JDBC connector cannot write TIMESTAMP_LTZ, and any
-- TIMESTAMP it writes is shifted by the JVM's time zone on the way through the driver.
-- A BIGINT of milliseconds since the epoch has no zone, and Postgres turns it into
-- TIMESTAMPTZ itself, so no machine, JVM or session zone can move a figure.
CREATE TABLE IF NOT EXISTS processed_events (
    uuid               TEXT         PRIMARY KEY,           -- replays upsert, never duplicate
    first_name         TEXT         NOT NULL,
    last_name          TEXT         NOT NULL,
    country            TEXT         NOT NULL,
    age                INTEGER      NOT NULL,
    birth_year         INTEGER      NOT NULL,
    kafka_ts_ms        BIGINT       NOT NULL,              -- Kafka record timestamp
    flink_ts_ms        BIGINT       NOT NULL,              -- Flink processing time of the row
    kafka_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(kafka_ts_ms / 1000.0)) STORED,
    flink_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(flink_ts_ms / 1000.0)) STORED,
    -- The database's own clock at insert: not a value computed in Flink and shipped over.
    postgres_timestamp TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp()
);

-- Reports scope a run by insert time.
CREATE INDEX IF NOT EXISTS processed_events_postgres_timestamp_idx
    ON processed_events (postgres_timestamp);
