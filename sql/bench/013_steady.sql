-- A drain's steady state, exactly: the insert times (postgres_timestamp, clock_timestamp() at each
-- row's insert, by the database's clock) at which the topic's rows passed 10 % and 90 % of the
-- whole (%(low)s and %(high)s: meters.STEADY), as epoch seconds. Run once, when the drain is complete (after 006_exact.sql): the rate
-- over the middle 80 % of the rows is 0.8 * rows / (t90 - t10). The statistics counters the
-- progress samples read lag by up to a second, this does not. The parameters come from psycopg2.
SELECT EXTRACT(EPOCH FROM percentile_disc(%(low)s::float8) WITHIN GROUP (ORDER BY postgres_timestamp)) AS t10,
       EXTRACT(EPOCH FROM percentile_disc(%(high)s::float8) WITHIN GROUP (ORDER BY postgres_timestamp)) AS t90
  FROM processed_events
 WHERE kafka_topic = %(topic)s;
