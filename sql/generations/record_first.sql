-- The first generation of a topic, as `flinkfast submit` first sees it (two submits at once: one row).
INSERT INTO topic_generations (kafka_topic, generation, topic_id) VALUES (%(topic)s, 1, %(topic_id)s)
    ON CONFLICT (kafka_topic, generation) DO NOTHING;
