-- The drill's signal that events flow again after a fault: per partition, the newest Kafka
-- timestamp among the rows inserted in the last 3 seconds, and the database's clock (ms).
-- The postgres_timestamp index keeps it cheap however big the table is.
-- %(topic)s comes from psycopg2.
SELECT kafka_partition,
       max(kafka_ts_ms)                                        AS newest_ms,
       (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS now_ms
  FROM processed_events
 WHERE postgres_timestamp >= clock_timestamp() - interval '3 seconds'
   AND kafka_topic = %(topic)s
 GROUP BY kafka_partition;
