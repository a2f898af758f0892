-- How far a drain is: rows of the topic so far, and the epoch second of the newest insert
-- (the end of the drain, by the database's clock). %(topic)s comes from psycopg2.
SELECT count(*)                                    AS rows,
       EXTRACT(EPOCH FROM max(postgres_timestamp)) AS last_insert_s
  FROM processed_events
 WHERE kafka_topic = %(topic)s;
