-- The offset after the last one placed (in any of the three tables) or recorded lost, of one
-- partition: where a job that resumes may start without skipping anything the database has not
-- seen. Each branch reads one end of its table's (topic, partition, offset) key, so it costs the
-- same whatever the table holds (flinkfast/topics/groupstart.py).
SELECT GREATEST(
         (SELECT max(kafka_offset) + 1 FROM processed_events
           WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s),
         (SELECT max(kafka_offset) + 1 FROM superseded_events
           WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s),
         (SELECT max(kafka_offset) + 1 FROM dead_letter_events
           WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s),
         (SELECT max(end_offset) FROM lost_messages
           WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s));
