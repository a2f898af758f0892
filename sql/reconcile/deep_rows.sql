-- `reconcile --deep`: every placed row of one partition with what it says the message was (its uuid,
-- NULL for a dead letter, and its fingerprint), to compare with the message at its position.
SELECT kafka_offset, 'processed_events', uuid, fingerprint FROM processed_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
UNION ALL
SELECT kafka_offset, 'superseded_events', uuid, fingerprint FROM superseded_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
UNION ALL
SELECT kafka_offset, 'dead_letter_events', NULL, fingerprint FROM dead_letter_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
 ORDER BY 1;
