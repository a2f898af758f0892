-- The ranges of one partition recorded lost (`flinkfast lost --record`) that reach into
-- [first_offset, upto_offset). Normally none: the log starts past what was deleted. But a broker
-- killed within a minute of a DeleteRecords forgets the new log start (Kafka writes it to its
-- checkpoint once a minute, log.flush.start.offset.checkpoint.interval.ms), so the deleted records
-- are read again; found by the chaos walk. Such an offset, in no table, is accounted for by its
-- record, not missing.
SELECT first_offset, end_offset
  FROM lost_messages
 WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
   AND end_offset > %(first_offset)s AND first_offset < %(upto_offset)s
 ORDER BY first_offset;
