-- Messages recorded lost (`flinkfast lost --record`) per partition of one topic: reconcile counts
-- them as accounted for, apart from the placed ones.
SELECT kafka_partition, sum(end_offset - first_offset)::bigint
  FROM lost_messages
 WHERE kafka_topic = %(topic)s
 GROUP BY kafka_partition;
