-- The latest rows written, newest first.
SELECT uuid,
       first_name,
       last_name,
       country,
       age,
       birth_year,
       kafka_timestamp,
       postgres_timestamp,
       round(EXTRACT(EPOCH FROM postgres_timestamp - kafka_timestamp) * 1000) AS latency_ms
  FROM processed_events
 ORDER BY postgres_timestamp DESC
 LIMIT 10;
