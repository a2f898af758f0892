-- The winner rule, checked: offsets of one partition whose message was superseded although it is
-- not less than its uuid's row in processed_events by (Kafka timestamp, partition, offset,
-- topic), or although its uuid has no row at all. Empty when sql/postgres/003_ingest.sql placed
-- every message. Rows recorded before kafka_ts_ms was kept (NULL) cannot be checked.
SELECT s.kafka_offset
  FROM superseded_events s
  LEFT JOIN processed_events p ON p.uuid = s.uuid
 WHERE s.kafka_topic = %(topic)s AND s.kafka_partition = %(partition)s
   AND s.kafka_offset >= %(first_offset)s AND s.kafka_offset < %(upto_offset)s
   AND s.kafka_ts_ms IS NOT NULL
   AND (p.uuid IS NULL
        OR (s.kafka_ts_ms, s.kafka_partition, s.kafka_offset, s.kafka_topic)
           >= (p.kafka_ts_ms, p.kafka_partition, p.kafka_offset, p.kafka_topic))
 ORDER BY s.kafka_offset;
