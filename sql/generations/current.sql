-- The topic's current generation: (generation, Kafka topic id), no row if none is recorded yet.
SELECT generation, topic_id FROM topic_generations WHERE kafka_topic = %(topic)s AND archived_at IS NULL;
