-- The offsets of a partition range that no table holds: transaction markers, records of aborted
-- transactions, or lost messages. reconcile asks only where the placed offsets do not fill the
-- range, and tells them apart with the offsets Kafka holds no committed record at
-- (flinkfast/topics/holes.py). The difference is taken here, so only the few offsets missing
-- from the range are sent back, not every placed one.
SELECT o AS kafka_offset
  FROM generate_series(%(first_offset)s::BIGINT, %(upto_offset)s::BIGINT - 1) AS o
EXCEPT
SELECT kafka_offset
  FROM processed_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
EXCEPT
SELECT kafka_offset
  FROM superseded_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
EXCEPT
SELECT kafka_offset
  FROM dead_letter_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
 ORDER BY kafka_offset;
