-- Latency around a fault: the events made (Kafka timestamp) from %(from_ms)s to %(to_ms)s,
-- each from its Kafka timestamp to its insert by the database's clock. A position placed
-- once keeps its first insert time, so a replay after a restart does not hide a late event.
SELECT count(*)                                           AS rows,
       percentile_cont(0.50) WITHIN GROUP (ORDER BY ms)   AS p50_ms,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)   AS p99_ms,
       max(ms)                                            AS max_ms
  FROM (SELECT EXTRACT(EPOCH FROM postgres_timestamp - kafka_timestamp) * 1000 AS ms
          FROM processed_events
         WHERE kafka_topic = %(topic)s
           AND postgres_timestamp >= to_timestamp(%(from_ms)s / 1000.0)
           AND kafka_ts_ms BETWEEN %(from_ms)s AND %(to_ms)s) AS window_rows;
