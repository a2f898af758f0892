-- Which of these offsets of a partition (%(offsets)s: those Kafka holds no committed record at,
-- a transaction's markers and aborted records) are placed in a table all the same: stray rows,
-- an aborted record that reached a table. Index probes, one per offset asked.
SELECT kafka_offset
  FROM processed_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset = ANY(%(offsets)s::BIGINT[])
UNION
SELECT kafka_offset
  FROM superseded_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset = ANY(%(offsets)s::BIGINT[])
UNION
SELECT kafka_offset
  FROM dead_letter_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset = ANY(%(offsets)s::BIGINT[])
 ORDER BY kafka_offset;
