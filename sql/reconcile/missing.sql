-- Offsets of a partition that are in none of the three tables. Most often these are messages
-- whose row was replaced within one sink batch by a later message with the same uuid (the JDBC
-- sink keeps only the last row per key in its buffer); the reconciler reads them back from
-- Kafka to tell those from lost messages.
SELECT o AS missing_offset
  FROM generate_series(%(first_offset)s::bigint, %(upto_offset)s::bigint - 1) AS o
 WHERE NOT EXISTS (SELECT 1 FROM processed_events
                    WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = o)
   AND NOT EXISTS (SELECT 1 FROM superseded_events
                    WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = o)
   AND NOT EXISTS (SELECT 1 FROM dead_letter_events
                    WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = o)
 ORDER BY o;
