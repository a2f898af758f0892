-- Latency under a fixed load leaves out the first %(warmup)s seconds (the job's fetchers warm
-- up): rows inserted from this instant on are scored, by sql/report/003_latency_percentiles.sql,
-- the report's own percentile query (scoped with flinkfast.since).
SELECT min(kafka_timestamp) + make_interval(secs => %(warmup)s) AS scored_from
  FROM processed_events
 WHERE kafka_topic = %(topic)s;
