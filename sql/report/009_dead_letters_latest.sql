-- The latest dead letters with their reasons, newest first (the index on postgres_timestamp
-- reads the last ten entries backwards). The payload is shown by its first 120 bytes, with
-- bytes that are not printable ASCII escaped: it may be anything, including invalid UTF-8.
SELECT postgres_timestamp,
       kafka_topic,
       kafka_partition,
       kafka_offset,
       reason,
       payload_size,
       encode(substring(payload FROM 1 FOR 120), 'escape') AS payload_start
  FROM dead_letter_events
 ORDER BY postgres_timestamp DESC
 LIMIT 10;
