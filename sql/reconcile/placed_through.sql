-- Where a job may start on a partition its group has no committed offset on (the group's offsets
-- expired or the group was deleted): the first offset the database has not seen, counted from the
-- first one it has, so that every offset below it is placed (in any of the three tables) or
-- recorded lost. Not the highest placed offset + 1 (placed_next.sql): the two sinks flush on
-- timers of their own, so a dead letter can be placed above good events a cancel dropped, and the
-- writer can insert a dead letter at any position; starting past the highest would skip those.
-- A gap of transaction markers or aborted records also ends the run: the job then reads from it
-- again, which changes nothing (a replay). NULL: the database holds nothing of the partition.
-- But never past the log's start (%(log_start)s) when the database's first offset is above it: the
-- messages from the log's start up to that first offset are there, unread (found by an attack: one
-- dead letter the writer's password placed at offset 10^12 of a partition the database held nothing
-- of made a first start skip every message Kafka held there). Where the database's first offset is
-- at or below the log's start, a hole below the log's start is a loss the job stops at, as before.
-- Set-based: each range's reach is the furthest end of the ranges before it; the first range that
-- starts past its reach leaves a hole there (flinkfast/topics/placed.py::placed_through).
WITH ranges AS (
    SELECT kafka_offset AS lo, kafka_offset + 1 AS hi FROM processed_events
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
    UNION ALL
    SELECT kafka_offset, kafka_offset + 1 FROM superseded_events
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
    UNION ALL
    SELECT kafka_offset, kafka_offset + 1 FROM dead_letter_events
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
    UNION ALL
    SELECT first_offset, end_offset FROM lost_messages
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
), reach AS (
    SELECT lo,
           hi,
           max(hi) OVER (ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached
      FROM ranges
)
SELECT CASE WHEN min(lo) > %(log_start)s THEN %(log_start)s::bigint
            ELSE coalesce(min(reached) FILTER (WHERE lo > reached), max(hi)) END AS placed_through
  FROM reach;
