-- For uuids read back from Kafka: where their row in processed_events came from.
SELECT uuid, kafka_topic, kafka_partition, kafka_offset
  FROM processed_events
 WHERE uuid = ANY(%(uuids)s);
