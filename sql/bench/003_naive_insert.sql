-- The naive consumer's write: one multi-row INSERT per batch into the view the pipeline's sink
-- writes to (sql/postgres/003_ingest.sql), as the writer role, so it gets the same placing rules
-- (the winner of a uuid, superseded positions, replays) and pays for them as the pipeline does.
-- A plain upsert would fail on a uuid repeated within one batch ("ON CONFLICT DO UPDATE command
-- cannot affect row a second time") and would lose the earlier message besides.
-- VALUES %s is psycopg2.extras.execute_values' placeholder for the batch.
-- Each row with its message's fingerprint (flinkfast/events/fingerprint.py): the intake refuses one without.
INSERT INTO processed_events_in (uuid, first_name, last_name, country, age, birth_year,
                                 kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint)
VALUES %s
