-- Latency histogram. Buckets are half-open, [lower, upper), so a row falls in exactly one
-- (BETWEEN would put 100 ms in two), and they sort by their numeric bound, not as text.
WITH buckets (lower_ms, upper_ms, label) AS (
    VALUES (0,     100,        '0-100 ms'),
           (100,   250,        '100-250 ms'),
           (250,   500,        '250-500 ms'),
           (500,   1000,       '500 ms-1 s'),
           (1000,  2000,       '1-2 s'),
           (2000,  5000,       '2-5 s'),
           (5000,  30000,      '5-30 s'),
           (30000, NULL::int,  '30 s and more')
)
SELECT b.label                                                              AS bucket,
       count(r.latency_ms)                                                  AS rows,
       round(100.0 * count(r.latency_ms) / NULLIF(sum(count(r.latency_ms)) OVER (), 0), 1) AS percent
  FROM buckets AS b
  LEFT JOIN report_rows AS r
         ON r.latency_ms >= b.lower_ms
        AND (b.upper_ms IS NULL OR r.latency_ms < b.upper_ms)
 GROUP BY b.lower_ms, b.label
 ORDER BY b.lower_ms;
