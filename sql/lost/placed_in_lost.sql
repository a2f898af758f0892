-- Offsets recorded lost that a table holds all the same, per partition of one topic: the records
-- came back (a broker forgot the log start a DeleteRecords had set: sql/lost/ranges.sql) and a
-- replay read and placed them. The table is their one place; the record no longer counts them.
-- Index range scans, one per recorded range and table.
SELECT l.kafka_partition, count(*)::bigint
  FROM lost_messages l
  JOIN LATERAL (
        SELECT 1 FROM processed_events p
         WHERE p.kafka_topic = l.kafka_topic AND p.kafka_partition = l.kafka_partition
           AND p.kafka_offset >= l.first_offset AND p.kafka_offset < l.end_offset
        UNION ALL
        SELECT 1 FROM superseded_events s
         WHERE s.kafka_topic = l.kafka_topic AND s.kafka_partition = l.kafka_partition
           AND s.kafka_offset >= l.first_offset AND s.kafka_offset < l.end_offset
        UNION ALL
        SELECT 1 FROM dead_letter_events d
         WHERE d.kafka_topic = l.kafka_topic AND d.kafka_partition = l.kafka_partition
           AND d.kafka_offset >= l.first_offset AND d.kafka_offset < l.end_offset
       ) placed ON TRUE
 WHERE l.kafka_topic = %(topic)s
 GROUP BY l.kafka_partition;
