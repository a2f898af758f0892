-- The first generation of a topic, as `flinkfast submit` first sees it: nothing once the topic has
-- a generation, whichever (two submits at once: one row).
INSERT INTO topic_generations (kafka_topic, generation, topic_id)
SELECT %(topic)s, 1, %(topic_id)s
 WHERE NOT EXISTS (SELECT 1 FROM topic_generations WHERE kafka_topic = %(topic)s)
    ON CONFLICT (kafka_topic, generation) DO NOTHING;
