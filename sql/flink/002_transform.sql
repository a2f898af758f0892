-- The transformation, kept apart from the edges so that it can be tested on in-memory rows
-- (tests/test_transform.py registers its own random_user_source and runs these views).
--
-- Every message becomes exactly one row of `classified`: `reason` is NULL for a good event,
-- else why it is a dead letter. Whatever PostgreSQL would refuse is caught here, before the
-- sink: a rejected row would fail its whole JDBC batch, again after every restart.
--
-- Parse once: the planner merges consecutive projections and pushes filters down, and would
-- then repeat the JSON parsing for every reference to a field (some 70 JSON_VALUE calls per
-- message, most of the job's CPU). `parsed` stays a step of its own because what sits above it
-- reads its non-deterministic flink_ts several times, which the planner will not duplicate:
-- `classified` three times, and the two filters through `flink_ts_ms > 0`.
-- tests/test_transform.py checks the plan: each field is parsed once per branch.
--
-- Timestamps leave Flink as epoch milliseconds (BIGINT): a TIMESTAMP written through JDBC
-- is shifted by the JVM's zone, an instant in milliseconds is not. Flink has no zone-free
-- "epoch millis of a TIMESTAMP_LTZ" function (EXTRACT(EPOCH ...) reads the local wall clock),
-- so: whole minutes since the epoch (TIMESTAMPDIFF works on instants; an INT of minutes
-- lasts until the year 6053, of seconds only until 2038), plus the second and millisecond
-- within the minute, which no zone offset changes.
CREATE TEMPORARY VIEW parsed AS
SELECT payload,
       kafka_topic,
       kafka_partition,
       kafka_offset,
       kafka_ts,
       CURRENT_ROW_TIMESTAMP()                                     AS flink_ts,
       -- Invalid UTF-8 decodes to U+FFFD; it then no longer encodes back to the same bytes.
       ENCODE(txt, 'UTF-8') = payload                              AS is_utf8,
       CHAR_LENGTH(txt)                                            AS text_length,
       txt IS JSON                                                 AS is_json,
       txt IS JSON OBJECT                                          AS is_object,
       JSON_VALUE(txt, '$.uuid')                                   AS `uuid`,
       JSON_VALUE(txt, '$.first_name')                             AS first_name,
       JSON_VALUE(txt, '$.last_name')                              AS last_name,
       JSON_VALUE(txt, '$.country')                                AS country,
       JSON_VALUE(txt, '$.age')                                    AS age_text
  FROM (SELECT *, DECODE(payload, 'UTF-8') AS txt FROM random_user_source);

CREATE TEMPORARY VIEW classified AS
SELECT kafka_topic,
       kafka_partition,
       kafka_offset,
       payload,
       `uuid`,
       first_name,
       last_name,
       country,
       age_text,
       CASE
           WHEN payload IS NULL OR text_length = 0                 THEN 'empty message'
           WHEN NOT is_utf8                                        THEN 'not UTF-8'
           WHEN text_length > ${MAX_EVENT_CHARS}                   THEN 'longer than ${MAX_EVENT_CHARS} characters'
           WHEN NOT is_json                                        THEN 'not JSON'
           WHEN NOT is_object                                      THEN 'JSON is not an object'
           WHEN `uuid` IS NULL                                     THEN 'uuid missing or null'
           WHEN TRIM(`uuid`) = ''                                  THEN 'uuid empty'
           WHEN CHAR_LENGTH(`uuid`) > 64                           THEN 'uuid longer than 64 characters'
           WHEN first_name IS NULL                                 THEN 'first_name missing or null'
           WHEN last_name IS NULL                                  THEN 'last_name missing or null'
           WHEN country IS NULL                                    THEN 'country missing or null'
           WHEN CHAR_LENGTH(first_name) > 256 OR CHAR_LENGTH(last_name) > 256
                OR CHAR_LENGTH(country) > 256                      THEN 'a name longer than 256 characters'
           -- PostgreSQL's TEXT cannot hold U+0000 (JSON can, as \u0000).
           WHEN POSITION(CHR(0) IN CONCAT(`uuid`, first_name, last_name, country)) > 0
                                                                   THEN 'NUL character in a text field'
           WHEN age_text IS NULL                                   THEN 'age missing or null'
           WHEN NOT REGEXP(age_text, '^-?[0-9]{1,9}$')             THEN 'age not an integer'
           WHEN CAST(age_text AS INT) NOT BETWEEN 0 AND 150        THEN 'age out of range 0-150'
       END                                                         AS reason,
       CAST(TIMESTAMPDIFF(MINUTE, TO_TIMESTAMP_LTZ(0, 3), kafka_ts) AS BIGINT) * 60000
           + EXTRACT(SECOND FROM kafka_ts) * 1000
           + EXTRACT(MILLISECOND FROM kafka_ts)                    AS kafka_ts_ms,
       CAST(TIMESTAMPDIFF(MINUTE, TO_TIMESTAMP_LTZ(0, 3), flink_ts) AS BIGINT) * 60000
           + EXTRACT(SECOND FROM flink_ts) * 1000
           + EXTRACT(MILLISECOND FROM flink_ts)                    AS flink_ts_ms
  FROM parsed;

-- Good events: the row for processed_events.
CREATE TEMPORARY VIEW processed AS
SELECT `uuid`,
       first_name,
       last_name,
       country,
       CAST(age_text AS INT)                                       AS age,
       CAST(YEAR(CURRENT_DATE) - CAST(age_text AS INT) AS INT)    AS birth_year,
       kafka_topic,
       kafka_partition,
       kafka_offset,
       kafka_ts_ms,
       flink_ts_ms
  FROM classified
 WHERE reason IS NULL
   -- Always true: it keeps the filter above the parsing step (see the top of the file).
   AND flink_ts_ms > 0;

-- Everything else: the row for dead_letter_events, with the raw bytes.
CREATE TEMPORARY VIEW dead_letters AS
SELECT kafka_topic,
       kafka_partition,
       kafka_offset,
       reason,
       payload,
       kafka_ts_ms,
       flink_ts_ms
  FROM classified
 WHERE reason IS NOT NULL
   -- Always true: it keeps the filter above the parsing step (see the top of the file).
   AND flink_ts_ms > 0;
