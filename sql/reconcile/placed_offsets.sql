-- The offsets of a partition range placed in any of the three tables (each once, however often).
-- Read only when the placed offsets do not fill the range: reconcile then compares them with the
-- offsets Kafka holds committed records at (flinkfast/accounting/committed.py), since a transaction's markers
-- and aborted records hold offsets that are never placed.
SELECT kafka_offset FROM processed_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
UNION
SELECT kafka_offset FROM superseded_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
UNION
SELECT kafka_offset FROM dead_letter_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s;
