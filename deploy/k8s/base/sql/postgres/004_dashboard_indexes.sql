-- Indexes for the live dashboard (flinkfast.dashboard, issue 13); idempotent.
--
-- The dashboard reads only a sliding window of recent inserts, every second. processed_events
-- already has its postgres_timestamp index (001_schema.sql); dead letters need one too, or
-- "dead letters per second over the last 5 minutes" and "the latest dead letters" would read
-- the whole table each time.
CREATE INDEX IF NOT EXISTS dead_letter_events_postgres_timestamp_idx
    ON dead_letter_events (postgres_timestamp);
