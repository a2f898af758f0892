-- Latency over time, for the plot: at most 200,000 rows, sampled evenly at random.
SELECT postgres_timestamp,
       latency_ms
  FROM (SELECT postgres_timestamp, latency_ms
          FROM report_rows
         ORDER BY random()
         LIMIT 200000) AS sample
 ORDER BY postgres_timestamp;
