-- The pipeline: every processed row into PostgreSQL.
INSERT INTO processed_events_sink
SELECT `uuid`, first_name, last_name, country, age, birth_year, kafka_ts_ms, flink_ts_ms
  FROM processed;
