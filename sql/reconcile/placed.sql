-- Where did the messages of one Kafka partition end up? Used by `print_data_postgres.py
-- --reconcile` with psycopg2 parameters (Kafka's offsets come from the broker, not from SQL).
-- Each offset in [first_offset, upto_offset) must be found exactly once across the three tables:
-- offsets are contiguous in a topic that is neither compacted nor transactional.
WITH placed AS (
    SELECT kafka_offset, 'processed' AS place
      FROM processed_events
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
       AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
    UNION ALL
    SELECT kafka_offset, 'superseded'
      FROM superseded_events
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
       AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
    UNION ALL
    SELECT kafka_offset, 'dead_letter'
      FROM dead_letter_events
     WHERE kafka_topic = %(topic)s AND kafka_partition = %(partition)s
       AND kafka_offset >= %(first_offset)s AND kafka_offset < %(upto_offset)s
)
SELECT count(*) FILTER (WHERE place = 'processed')    AS processed,
       count(*) FILTER (WHERE place = 'superseded')   AS superseded,
       count(*) FILTER (WHERE place = 'dead_letter')  AS dead_letters,
       count(DISTINCT kafka_offset)                   AS distinct_offsets,
       count(*)                                       AS placements
  FROM placed;
