-- A topic's generations (001_schema.sql): each with its topic id and, for an archived one, the rows
-- it left under '<topic>~<generation>' in the three tables.
SELECT g.generation, g.topic_id, g.archived_at IS NOT NULL AS archived,
       CASE WHEN g.archived_at IS NULL THEN NULL ELSE
           (SELECT count(*) FROM processed_events   WHERE kafka_topic = g.kafka_topic || '~' || g.generation)
         + (SELECT count(*) FROM superseded_events  WHERE kafka_topic = g.kafka_topic || '~' || g.generation)
         + (SELECT count(*) FROM dead_letter_events WHERE kafka_topic = g.kafka_topic || '~' || g.generation) END
  FROM topic_generations g
 WHERE g.kafka_topic = %(topic)s
 ORDER BY g.generation;
