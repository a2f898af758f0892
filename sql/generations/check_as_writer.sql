-- Where the job's client holds only the writer's password (compose, Kubernetes): record the topic's
-- first generation, or be refused if Kafka's id is not the current one (sql/postgres/003_ingest.sql,
-- topic_generations_in).
INSERT INTO topic_generations_in (kafka_topic, topic_id) VALUES (%(topic)s, %(topic_id)s);
