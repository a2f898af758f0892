-- The transformation, kept apart from the edges so that it can be tested on in-memory
-- rows (tests/test_transform.py registers a table named random_user_source and runs it).
--
-- Timestamps leave Flink as epoch milliseconds (BIGINT): a TIMESTAMP written through JDBC
-- is shifted by the JVM's zone, an instant in milliseconds is not. Flink has no zone-free
-- "epoch millis of a TIMESTAMP_LTZ" function (EXTRACT(EPOCH ...) reads the local wall clock),
-- so: whole minutes since the epoch (TIMESTAMPDIFF works on instants; an INT of minutes
-- lasts until the year 6053, of seconds only until 2038), plus the second and millisecond
-- within the minute, which no zone offset changes.
CREATE TEMPORARY VIEW processed AS
SELECT
    `uuid`,
    first_name,
    last_name,
    country,
    age,
    CAST(YEAR(CURRENT_DATE) - age AS INT)                                     AS birth_year,
    CAST(TIMESTAMPDIFF(MINUTE, TO_TIMESTAMP_LTZ(0, 3), kafka_ts) AS BIGINT) * 60000
        + EXTRACT(SECOND FROM kafka_ts) * 1000
        + EXTRACT(MILLISECOND FROM kafka_ts)                                  AS kafka_ts_ms,
    CAST(TIMESTAMPDIFF(MINUTE, TO_TIMESTAMP_LTZ(0, 3), flink_ts) AS BIGINT) * 60000
        + EXTRACT(SECOND FROM flink_ts) * 1000
        + EXTRACT(MILLISECOND FROM flink_ts)                                  AS flink_ts_ms
FROM (
    -- Evaluated once per row here; the planner does not merge a non-deterministic
    -- expression into a projection that reads it three times.
    SELECT *, CURRENT_ROW_TIMESTAMP() AS flink_ts
      FROM random_user_source
);
