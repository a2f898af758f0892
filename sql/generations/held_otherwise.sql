-- `flinkfast new-generation` where no generation was recorded (compose's and Kubernetes' JobManager
-- submit with the writer's password only, which cannot record one): was the topic re-created? Only
-- the data can say. The placed positions of the topic whose message the log now holds otherwise
-- (pg_temp.new_generation: the log's (partition, offset, fingerprint), filled by the caller). A
-- position the log no longer holds (retention, or a new log shorter than the old) proves nothing;
-- a row without a fingerprint (older than fingerprints) neither.
SELECT count(*)
  FROM event_places   e
  JOIN pg_temp.new_generation n
    ON n.kafka_partition = e.kafka_partition
   AND n.kafka_offset    = e.kafka_offset
 WHERE e.kafka_topic = %(topic)s
   AND e.fingerprint <> n.fingerprint;
