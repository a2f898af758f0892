-- `flinkfast new-generation`: the old generation's rows of a re-created topic renamed to
-- '<topic>~<generation>' in the three tables and event_places, in one transaction with the job
-- stopped; the rows that hold the message now at their position in the new generation (placed by
-- the job before it stopped: the same fingerprint) stay. pg_temp.new_generation holds the new
-- generation's (partition, offset, fingerprint) and pg_temp.log_start each partition's first offset,
-- filled by the caller. The changed-hands trigger is off meanwhile: a renamed winner has not
-- changed hands. The old generation's recorded losses (lost_messages: `flinkfast lost --record`)
-- go with it: they are offsets of the old topic, and left under the topic's name reconcile would
-- count them "lost, recorded" in the new one. Then the generation is recorded as archived and the
-- new one as current.
-- Neither a row nor a recorded loss below the log's start now is archived (found by an attack:
-- cut by retention, they are the topic's own; a re-created log starts at 0), nor a row without a
-- fingerprint (older than fingerprints) at a position the log holds: nothing says it is another
-- message.
CREATE TEMPORARY TABLE old_generation ON COMMIT DROP AS
SELECT kafka_partition, kafka_offset FROM event_places e
 WHERE kafka_topic = %(topic)s
   AND e.kafka_offset >= COALESCE((SELECT s.first_offset FROM pg_temp.log_start s
                                    WHERE s.kafka_partition = e.kafka_partition), 0)
   AND NOT EXISTS (SELECT 1 FROM pg_temp.new_generation n
                    WHERE n.kafka_partition = e.kafka_partition AND n.kafka_offset = e.kafka_offset
                      AND (n.fingerprint = e.fingerprint OR e.fingerprint IS NULL));
ALTER TABLE processed_events DISABLE TRIGGER processed_events_changed_hands;
UPDATE event_places t SET kafka_topic = %(archived)s FROM pg_temp.old_generation o
 WHERE t.kafka_topic = %(topic)s AND t.kafka_partition = o.kafka_partition AND t.kafka_offset = o.kafka_offset;
UPDATE processed_events t SET kafka_topic = %(archived)s FROM pg_temp.old_generation o
 WHERE t.kafka_topic = %(topic)s AND t.kafka_partition = o.kafka_partition AND t.kafka_offset = o.kafka_offset;
UPDATE superseded_events t SET kafka_topic = %(archived)s FROM pg_temp.old_generation o
 WHERE t.kafka_topic = %(topic)s AND t.kafka_partition = o.kafka_partition AND t.kafka_offset = o.kafka_offset;
UPDATE dead_letter_events t SET kafka_topic = %(archived)s FROM pg_temp.old_generation o
 WHERE t.kafka_topic = %(topic)s AND t.kafka_partition = o.kafka_partition AND t.kafka_offset = o.kafka_offset;
UPDATE lost_messages l SET kafka_topic = %(archived)s
 WHERE l.kafka_topic = %(topic)s
   AND l.first_offset >= COALESCE((SELECT s.first_offset FROM pg_temp.log_start s
                                    WHERE s.kafka_partition = l.kafka_partition), 0);
ALTER TABLE processed_events ENABLE TRIGGER processed_events_changed_hands;
UPDATE topic_generations SET archived_at = clock_timestamp()
 WHERE kafka_topic = %(topic)s AND generation = %(generation)s;
INSERT INTO topic_generations (kafka_topic, generation, topic_id) VALUES (%(topic)s, %(generation)s + 1, %(topic_id)s);
SELECT count(*) FROM pg_temp.old_generation;
