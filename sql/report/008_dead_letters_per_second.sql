-- Dead letters per second of insert, for the live dashboard, scoped by flinkfast.since like
-- report_rows (dead letters have no latency, so they are not in that view). The
-- dead_letter_events_postgres_timestamp_idx index (sql/postgres/004_dashboard_indexes.sql)
-- keeps this a read of the window, not of the table.
SELECT date_trunc('second', postgres_timestamp) AS second,
       count(*)                                 AS rows
  FROM dead_letter_events
 WHERE postgres_timestamp >= COALESCE(NULLIF(current_setting('flinkfast.since', true), '')::timestamptz,
                                      '-infinity'::timestamptz)
 GROUP BY 1
 ORDER BY 1;
