-- Throughput over the last flinkfast.window_s seconds (default 60) of inserts, counted
-- back from the newest row, so a report run after the pipeline went quiet still means something.
WITH params AS (
    SELECT COALESCE(NULLIF(current_setting('flinkfast.window_s', true), ''), '60')::numeric AS window_s
)
SELECT p.window_s,
       count(r.uuid)                     AS rows,
       count(r.uuid) / p.window_s        AS events_per_s,
       count(r.uuid) * 60 / p.window_s   AS events_per_min
  FROM params AS p
  LEFT JOIN report_rows AS r
         ON r.postgres_timestamp > (SELECT max(postgres_timestamp) FROM report_rows)
                                   - make_interval(secs => p.window_s)
 GROUP BY p.window_s;
