-- Offsets of a partition that are in none of the three tables: lost messages. Every message the
-- sink wrote is placed by sql/postgres/003_ingest.sql, whatever flush it shared a uuid with, so
-- there is nothing to explain away here.
SELECT o AS missing_offset
  FROM generate_series(%(first_offset)s::bigint, %(upto_offset)s::bigint - 1) AS o
 WHERE NOT EXISTS (SELECT 1 FROM processed_events
                    WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = o)
   AND NOT EXISTS (SELECT 1 FROM superseded_events
                    WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = o)
   AND NOT EXISTS (SELECT 1 FROM dead_letter_events
                    WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = o)
 ORDER BY o;
