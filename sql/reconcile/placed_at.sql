-- Which table holds the message at one Kafka position (none: not placed yet). `flinkfast skip`
-- asks before it promises a dead letter: a position already placed stays where it is.
SELECT 'processed_events' FROM processed_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = %(offset)s
UNION ALL
SELECT 'superseded_events' FROM superseded_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = %(offset)s
UNION ALL
SELECT 'dead_letter_events' FROM dead_letter_events
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s AND kafka_offset = %(offset)s;
