-- Seconds since the pipeline last wrote a row, into either table, by the database's own clock
-- (NULL when both are empty). `make status` compares it with the consumer lag: messages waiting
-- on the topic while nothing is written for a while means the pipeline is stalled.
SELECT EXTRACT(EPOCH FROM clock_timestamp() - GREATEST(
           (SELECT postgres_timestamp FROM processed_events   ORDER BY postgres_timestamp DESC LIMIT 1),
           (SELECT postgres_timestamp FROM dead_letter_events ORDER BY postgres_timestamp DESC LIMIT 1)
       )) AS idle_s;
