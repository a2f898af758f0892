-- One range of a partition deleted before the job read it, recorded by `flinkfast lost --record`
-- (as the database's owner). Recorded again (the offsets could not be moved the first time, and
-- retention deleted more since): the range grows, it is never counted twice.
INSERT INTO lost_messages (kafka_topic, kafka_partition, first_offset, end_offset, reason)
VALUES (%(topic)s, %(partition)s, %(first_offset)s, %(end_offset)s, %(reason)s)
ON CONFLICT (kafka_topic, kafka_partition, first_offset)
DO UPDATE SET end_offset = GREATEST(lost_messages.end_offset, EXCLUDED.end_offset);
