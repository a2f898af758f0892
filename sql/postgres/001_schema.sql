-- The pipeline's tables. Run by the local stack (`make up`), by the compose init
-- (docker-entrypoint-initdb.d) and by hand with `psql -f`; idempotent.
--
-- Every message the job reads from Kafka ends in exactly one place, found by its
-- (kafka_topic, kafka_partition, kafka_offset): a row of processed_events, a row of
-- dead_letter_events, or -- when a later message with the same uuid replaced its row -- a row
-- of superseded_events. `print_data_postgres.py --reconcile` counts them against Kafka.
--
-- Why epoch milliseconds: Flink's JDBC connector cannot write TIMESTAMP_LTZ, and any
-- TIMESTAMP it writes is shifted by the JVM's time zone on the way through the driver.
-- A BIGINT of milliseconds since the epoch has no zone, and PostgreSQL turns it into
-- TIMESTAMPTZ itself, so no machine, JVM or session zone can move a figure.

CREATE TABLE IF NOT EXISTS processed_events (
    uuid               TEXT         PRIMARY KEY,           -- replays upsert, never duplicate
    first_name         TEXT         NOT NULL,
    last_name          TEXT         NOT NULL,
    country            TEXT         NOT NULL,
    age                INTEGER      NOT NULL,
    birth_year         INTEGER      NOT NULL,
    kafka_topic        TEXT         NOT NULL,              -- where the message came from
    kafka_partition    INTEGER      NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    kafka_ts_ms        BIGINT       NOT NULL,              -- Kafka record timestamp
    flink_ts_ms        BIGINT       NOT NULL,              -- Flink processing time of the row
    kafka_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(kafka_ts_ms / 1000.0)) STORED,
    flink_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(flink_ts_ms / 1000.0)) STORED,
    -- The database's own clock at insert: not a value computed in Flink and shipped over.
    postgres_timestamp TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp()
);

-- Reports scope a run by insert time; reconciliation looks rows up by their Kafka position.
CREATE INDEX IF NOT EXISTS processed_events_postgres_timestamp_idx
    ON processed_events (postgres_timestamp);
CREATE INDEX IF NOT EXISTS processed_events_kafka_position_idx
    ON processed_events (kafka_topic, kafka_partition, kafka_offset);

-- Messages the job could not turn into a row: not UTF-8, not JSON, a missing field, an age
-- out of range, ... The raw payload is kept (its first 64 KiB; payload_size is the whole size).
CREATE TABLE IF NOT EXISTS dead_letter_events (
    kafka_topic        TEXT         NOT NULL,
    kafka_partition    INTEGER      NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    reason             TEXT         NOT NULL,
    payload            BYTEA,                              -- NULL: the record had no value
    payload_size       INTEGER,                            -- bytes before truncation
    kafka_ts_ms        BIGINT       NOT NULL,              -- any value a producer could set
    flink_ts_ms        BIGINT       NOT NULL,              -- when the job classified it
    -- NULL where the record's timestamp is outside 1970-9999 (a dead letter for that reason):
    -- to_timestamp() would refuse it, and with it the sink's whole batch.
    kafka_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (CASE WHEN kafka_ts_ms BETWEEN 0 AND 253402300799999
                                                              THEN to_timestamp(kafka_ts_ms / 1000.0) END) STORED,
    flink_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(flink_ts_ms / 1000.0)) STORED,
    postgres_timestamp TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)  -- replays upsert here too
);

-- A database made before that rule had an unguarded kafka_timestamp: replace it (idempotent).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
                WHERE table_name = 'dead_letter_events' AND column_name = 'kafka_timestamp'
                  AND generation_expression NOT LIKE '%CASE%') THEN
        ALTER TABLE dead_letter_events DROP COLUMN kafka_timestamp;
        ALTER TABLE dead_letter_events ADD COLUMN kafka_timestamp TIMESTAMPTZ GENERATED ALWAYS AS
            (CASE WHEN kafka_ts_ms BETWEEN 0 AND 253402300799999 THEN to_timestamp(kafka_ts_ms / 1000.0) END) STORED;
    END IF;
END $$;

-- Positions of messages whose row was later replaced by another message with the same uuid.
CREATE TABLE IF NOT EXISTS superseded_events (
    kafka_topic        TEXT         NOT NULL,
    kafka_partition    INTEGER      NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    uuid               TEXT         NOT NULL,
    superseded_at      TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)
);

-- An upsert that replaces a row written from another Kafka position records the old position;
-- the new position, if it was recorded as replaced earlier (a replay), is current again.
-- The row is a new message then, so postgres_timestamp is its insert time, not the old row's
-- (a replay of the same message keeps its first insert time: its latency does not change).
-- SECURITY DEFINER: the sink's role writes no table but its two; this function does it for it.
CREATE OR REPLACE FUNCTION record_superseded_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF (OLD.kafka_topic, OLD.kafka_partition, OLD.kafka_offset)
       IS DISTINCT FROM (NEW.kafka_topic, NEW.kafka_partition, NEW.kafka_offset) THEN
        INSERT INTO superseded_events (kafka_topic, kafka_partition, kafka_offset, uuid)
        VALUES (OLD.kafka_topic, OLD.kafka_partition, OLD.kafka_offset, OLD.uuid)
        ON CONFLICT DO NOTHING;
        DELETE FROM superseded_events
         WHERE kafka_topic = NEW.kafka_topic
           AND kafka_partition = NEW.kafka_partition
           AND kafka_offset = NEW.kafka_offset;
        NEW.postgres_timestamp := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS processed_events_superseded ON processed_events;
CREATE TRIGGER processed_events_superseded
    BEFORE UPDATE ON processed_events
    FOR EACH ROW EXECUTE FUNCTION record_superseded_event();

-- Dead letters keep the first 64 KiB of a payload and its full size: a 1 MB message is
-- evidence, not something to store whole.
CREATE OR REPLACE FUNCTION cap_dead_letter_payload() RETURNS trigger
LANGUAGE plpgsql SET search_path = public AS $$
BEGIN
    NEW.payload_size := octet_length(NEW.payload);
    NEW.payload := substring(NEW.payload FROM 1 FOR 65536);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS dead_letter_events_cap ON dead_letter_events;
CREATE TRIGGER dead_letter_events_cap
    BEFORE INSERT OR UPDATE ON dead_letter_events
    FOR EACH ROW EXECUTE FUNCTION cap_dead_letter_payload();
