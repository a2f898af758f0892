-- The pipeline's tables. Run by the local stack (`make up`), by the compose init
-- (docker-entrypoint-initdb.d) and by hand with `psql -f`; idempotent.
--
-- Every message the job reads from Kafka ends in exactly one place, found by its
-- (kafka_topic, kafka_partition, kafka_offset): a row of processed_events, a row of
-- dead_letter_events, or -- when another message with the same uuid wins -- a row of
-- superseded_events. The job never writes these tables itself: it inserts every message into
-- a view, and 003_ingest.sql decides where it goes. `flinkfast reconcile` counts them against Kafka.
--
-- Why epoch milliseconds: Flink's JDBC connector cannot write TIMESTAMP_LTZ, and any
-- TIMESTAMP it writes is shifted by the JVM's time zone on the way through the driver.
-- A BIGINT of milliseconds since the epoch has no zone, and PostgreSQL turns it into
-- TIMESTAMPTZ itself, so no machine, JVM or session zone can move a figure.

CREATE TABLE IF NOT EXISTS processed_events (
    uuid               TEXT         PRIMARY KEY,           -- one row per uuid: the winning message
    first_name         TEXT         NOT NULL,
    last_name          TEXT         NOT NULL,
    country            TEXT         NOT NULL,
    age                INTEGER      NOT NULL,
    birth_year         INTEGER      NOT NULL,
    kafka_topic        TEXT         NOT NULL,              -- where the message came from
    kafka_partition    INTEGER      NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    kafka_ts_ms        BIGINT       NOT NULL,              -- Kafka record timestamp
    flink_ts_ms        BIGINT       NOT NULL,              -- Flink processing time of the winning message
    kafka_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(kafka_ts_ms / 1000.0)) STORED,
    flink_timestamp    TIMESTAMPTZ  GENERATED ALWAYS AS (to_timestamp(flink_ts_ms / 1000.0)) STORED,
    -- The database's own clock when the winning message was written: not a value computed in
    -- Flink and shipped over. A replay of that message changes nothing, so every stage latency
    -- (flink - kafka, postgres - flink) is the one measured the first time, and never negative.
    postgres_timestamp TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp()
);

-- Reports scope a run by insert time; reconciliation looks rows up by their Kafka position (the
-- unique index processed_events_kafka_position_key below).
CREATE INDEX IF NOT EXISTS processed_events_postgres_timestamp_idx
    ON processed_events (postgres_timestamp);

-- Messages the job could not turn into a row: not UTF-8, not JSON, a missing field, an age
-- out of range, ... The raw payload is kept (its first 64 KiB; payload_size is the whole size,
-- recorded once from the bytes the job read: a replay keeps the row as it is).
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

-- Positions of messages that lost to another message with the same uuid (the winner is the
-- greatest by Kafka timestamp, then partition, then offset, then topic: see 003_ingest.sql).
-- kafka_ts_ms is the loser's record timestamp, so reconciliation can check the winner rule in SQL
-- (NULL only on rows written before it was recorded).
CREATE TABLE IF NOT EXISTS superseded_events (
    kafka_topic        TEXT         NOT NULL,
    kafka_partition    INTEGER      NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    uuid               TEXT         NOT NULL,
    superseded_at      TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)
);
ALTER TABLE superseded_events ADD COLUMN IF NOT EXISTS kafka_ts_ms BIGINT;

-- Exactly one place per position, by construction: every Kafka position placed has one row here
-- (its primary key), naming the one table it is in; each of the three tables carries a constant
-- `place` column. After every statement that writes one of them, whoever runs it (the placing
-- functions, the benchmark's peers, the superuser), record_places() (003_ingest.sql) records its
-- rows' positions here and checks them: a row at a position recorded for another table (or under
-- another uuid) fails the statement with a foreign_key_violation, so no position can be in two
-- tables (nor twice in processed_events) whatever the statements that write them do. A position
-- moves from processed_events to superseded_events only with the uuid it was placed under.
--
-- Why a check of its own, not foreign keys (as before): a foreign key is checked row by row with
-- a plan PostgreSQL makes once per session and keeps until the table's statistics next change. A
-- session whose first flushes came while event_places was nearly empty (a first run; every
-- benchmark run after its TRUNCATE) kept a plan that read event_places whole for every row it
-- wrote: at 1,000 events/s, 1.3 cores of PostgreSQL and latency in seconds until autovacuum next
-- analyzed the table (docs/benchmark.md, "A plan kept"). The check is one statement per
-- statement, planned for the sizes at hand.
CREATE TABLE IF NOT EXISTS event_places (
    kafka_topic        TEXT         NOT NULL,
    kafka_partition    INTEGER      NOT NULL,
    kafka_offset       BIGINT       NOT NULL,
    place              TEXT         NOT NULL CHECK (place IN ('processed', 'superseded', 'dead_letter')),
    uuid               TEXT,
    PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset)
);
DO $$
DECLARE
    t text;
    p text;
    bad text;
BEGIN
    FOR t, p IN VALUES ('processed_events', 'processed'), ('superseded_events', 'superseded'),
                       ('dead_letter_events', 'dead_letter') LOOP
        -- A database made before its foreign keys were replaced: they go (the check above holds it).
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT IF EXISTS %I', t, t || '_place_fkey');
        IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = t AND column_name = 'place') THEN
            EXECUTE format('ALTER TABLE %I ADD COLUMN place TEXT GENERATED ALWAYS AS (%L) STORED', t, p);
            -- A database made before event_places: its positions are recorded first.
            EXECUTE format('INSERT INTO event_places (kafka_topic, kafka_partition, kafka_offset, place, uuid) '
                           'SELECT kafka_topic, kafka_partition, kafka_offset, place, %s FROM %I',
                           CASE WHEN p = 'dead_letter' THEN 'NULL' ELSE 'uuid' END, t) || ' ON CONFLICT DO NOTHING';
            -- A position found in two tables already stops here, named: repair it by hand.
            EXECUTE format('SELECT format(''%%s/%%s/%%s'', r.kafka_topic, r.kafka_partition, r.kafka_offset) FROM %I r '
                           'JOIN event_places e USING (kafka_topic, kafka_partition, kafka_offset) '
                           'WHERE e.place <> r.place LIMIT 1', t) INTO bad;
            IF bad IS NOT NULL THEN
                RAISE EXCEPTION 'position % is in two tables: keep one of its rows, delete the other, and apply the schema again', bad
                      USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
    END LOOP;
END $$;
-- Only the foreign keys needed (position, place) unique.
ALTER TABLE event_places DROP CONSTRAINT IF EXISTS event_places_kafka_topic_kafka_partition_kafka_offset_place_key;
-- One row per position in processed_events too (event_places alone would let two rows share one).
DROP INDEX IF EXISTS processed_events_kafka_position_idx;
CREATE UNIQUE INDEX IF NOT EXISTS processed_events_kafka_position_key
    ON processed_events (kafka_topic, kafka_partition, kafka_offset);

-- Where a message goes is decided in one place, 003_ingest.sql. What an older version decided
-- with triggers on the tables themselves (the superseded row recorded on UPDATE, by arrival;
-- the dead letter's size recomputed on every write, so a replay shrank it) is removed here.
DROP TRIGGER IF EXISTS processed_events_superseded ON processed_events;
DROP FUNCTION IF EXISTS record_superseded_event();
DROP TRIGGER IF EXISTS dead_letter_events_cap ON dead_letter_events;
DROP FUNCTION IF EXISTS cap_dead_letter_payload();

-- The rows the report, the dashboard and Grafana look at (sql/report/ reads them as report_rows):
-- those inserted at or after flinkfast.since and before flinkfast.until (timestamptz; unset = no
-- bound), so that a figure "as of" a time covers exactly the rows up to it. flinkfast.accounting.report.scope
-- sets them; with psql:
--     SET flinkfast.since = '2026-01-01 00:00:00+00';   before \i sql/report/<file>.sql
-- A view of the schema, not a temporary view of each session: the reader may create nothing, not
-- even in pg_temp (002_roles.sql). current_setting is read when a query runs, so each session
-- scopes it on its own; security_invoker: the reader's own SELECT on processed_events is what
-- lets it read it. Latency is the database's insert clock minus the Kafka record timestamp, both
-- TIMESTAMPTZ, so the session time zone cannot change it.
CREATE OR REPLACE VIEW report_rows WITH (security_invoker = true) AS
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
                                      '-infinity'::timestamptz)
   AND postgres_timestamp <  COALESCE(NULLIF(current_setting('flinkfast.until', true), '')::timestamptz,
                                      'infinity'::timestamptz);

-- Messages deleted from the topic before the job read them (retention or DeleteRecords), recorded
-- by the operator with `flinkfast lost --record` (flinkfast/accounting/lost.py): offsets [first_offset,
-- end_offset) of a partition never reached any table, and never will. Written only by the
-- database's owner (the command runs as POSTGRES_USER); the reader reads it (reconcile counts these
-- offsets as "lost, recorded"); the job's writer has no right on it (002_roles.sql).
CREATE TABLE IF NOT EXISTS lost_messages (
    kafka_topic        TEXT         NOT NULL,
    kafka_partition    INTEGER      NOT NULL,
    first_offset       BIGINT       NOT NULL,
    end_offset         BIGINT       NOT NULL,
    reason             TEXT         NOT NULL,
    recorded_at        TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kafka_topic, kafka_partition, first_offset),
    CHECK (first_offset >= 0 AND end_offset > first_offset)
);

-- Identity: what a message is, not only where it was. Each placed position keeps the fingerprint of
-- the message placed there (64 bits of its value and Kafka timestamp, computed once by the job's
-- classification: udf/.../Fingerprint.java, flinkfast/events/fingerprint.py). The placing functions
-- (003_ingest.sql) take the same message at a placed position for a replay, and refuse another one
-- (a re-created or rewound topic reusing the position) with one error line. NULL: unknown, not
-- checked (rows placed before fingerprints, and the benchmark's peers, which write the tables with
-- a role of their own); the intake views refuse a row without one (003_ingest.sql).
ALTER TABLE processed_events   ADD COLUMN IF NOT EXISTS fingerprint BIGINT;
ALTER TABLE superseded_events  ADD COLUMN IF NOT EXISTS fingerprint BIGINT;
ALTER TABLE dead_letter_events ADD COLUMN IF NOT EXISTS fingerprint BIGINT;
ALTER TABLE event_places       ADD COLUMN IF NOT EXISTS fingerprint BIGINT;

-- A topic's generations: Kafka's topic id, recorded by `flinkfast submit` the first time it sees the
-- topic. A topic deleted and re-created under its name has another id and starts its offsets at 0
-- again; submit then refuses until `flinkfast new-generation` has archived the old generation: its
-- rows keep their tables, with kafka_topic '<topic>~<generation>' (no Kafka topic name can hold a
-- '~'), and the new id is recorded as the next generation. archived_at NULL: the current one.
CREATE TABLE IF NOT EXISTS topic_generations (
    kafka_topic        TEXT         NOT NULL,
    generation         INTEGER      NOT NULL CHECK (generation > 0),
    topic_id           TEXT         NOT NULL,
    recorded_at        TIMESTAMPTZ  NOT NULL DEFAULT clock_timestamp(),
    archived_at        TIMESTAMPTZ,
    PRIMARY KEY (kafka_topic, generation),
    UNIQUE (kafka_topic, topic_id)
);
-- An id is unique per topic name, not across names (it was): a row recorded under another name
-- through the writer's topic_generations_in (003_ingest.sql) must not keep the real topic's first
-- generation from being recorded (found by an attack: the owner's record then did nothing, and
-- a later re-creation went unnoticed).
ALTER TABLE topic_generations DROP CONSTRAINT IF EXISTS topic_generations_topic_id_key;
CREATE UNIQUE INDEX IF NOT EXISTS topic_generations_kafka_topic_topic_id_key
    ON topic_generations (kafka_topic, topic_id);
CREATE UNIQUE INDEX IF NOT EXISTS topic_generations_current_key
    ON topic_generations (kafka_topic) WHERE archived_at IS NULL;
