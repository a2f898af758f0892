-- The pipeline: good events into processed_events, the rest into dead_letter_events.
-- Both run in one job (a statement set) over one read of the topic.
INSERT INTO processed_events_sink
SELECT `uuid`, first_name, last_name, country, age, birth_year,
       kafka_topic, kafka_partition, kafka_offset, kafka_ts_ms, flink_ts_ms, fingerprint
  FROM processed;

INSERT INTO dead_letter_events_sink
SELECT kafka_topic, kafka_partition, kafka_offset, reason, payload, kafka_ts_ms, flink_ts_ms, fingerprint
  FROM dead_letters;
