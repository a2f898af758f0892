-- The end of a drain, exactly: rows of the topic and the epoch second of the newest insert
-- (by the database's clock). Run once the statistics counters say the drain may be complete.
-- %(topic)s comes from psycopg2.
SELECT count(*)                                    AS rows,
       EXTRACT(EPOCH FROM max(postgres_timestamp)) AS last_insert_s
  FROM processed_events
 WHERE kafka_topic = %(topic)s;
