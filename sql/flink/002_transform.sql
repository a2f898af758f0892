-- The transformation, kept apart from the edges so that it can be tested on in-memory rows
-- (tests/flink/test_transform.py and tests/flink/test_fuzz_transform.py register their own
-- random_user_source and run these views).
--
-- Every message becomes exactly one row of `classified`: `reason` is NULL for a good event,
-- else why it is a dead letter. Whatever PostgreSQL would refuse is caught here, before the
-- sink: a rejected row would fail its whole JDBC batch, again after every restart.
--
-- THE RULES (in this order; the first that applies is the reason)
--   1. skipped by operator      the message's partition:offset is in SKIP_MESSAGES
--                               (`flinkfast skip`: the documented way past a message)
--   2. empty message            no value (a tombstone) or zero bytes
--   3. not UTF-8                the bytes are not strict UTF-8 (no overlong forms, no encoded
--                               surrogates, nothing above U+10FFFF)
--   4. longer than N characters more than MAX_EVENT_CHARS code points
--   5. not JSON                 not exactly one RFC 8259 JSON value: nothing but space, tab,
--                               LF and CR around it (a BOM, U+00A0 or U+2028 there is not
--                               JSON, and neither is a valid document followed by anything);
--                               no NaN/Infinity, comments, single quotes, leading zeros or raw
--                               control characters in strings
--   6. JSON is not an object
--   7. duplicate field F        uuid, first_name, last_name, country or age appears twice at
--                               the top level (keys compare after decoding escapes, so
--                               "\u0075uid" is uuid); other keys may repeat, nested ones too
--   8. F missing or null        for uuid, first_name, last_name, country in that order
--      F not a string           a number, boolean, array or object there
--   9. uuid empty               empty or only JSON whitespace
--  10. uuid longer than 64 characters, a name longer than 256 characters (code points)
--  11. NUL character in a text field                 PostgreSQL's TEXT cannot hold U+0000
--  12. invalid Unicode (lone surrogate) in a text field  a \uD800-style escape without its
--                               pair: no UTF-8 can hold it, so it could not reach PostgreSQL
--                               unchanged (and two such keys could become one there)
--  13. age missing or null, age not an integer (a JSON integer without fraction or exponent,
--      or a string of one optional '-' and ASCII digits only), age out of range 0-150
--  14. Kafka timestamp out of range   the record's timestamp is not between the epoch and
--                               the end of 9999 (PostgreSQL's TIMESTAMPTZ, and any honest
--                               latency, need one)
--  15. Kafka timestamp not set by the broker   the record's 'timestamp-type' is not
--                               LogAppendTime (a CreateTime record, appended before its topic
--                               was switched): the producer's clock may neither pin a uuid nor
--                               make a latency negative (docs/guarantees.md, "Which clock")
-- Consequences: no expression here can throw on data, and a row's text fields are exactly the
-- decoded JSON strings, so PostgreSQL stores them byte for byte and two different uuids in
-- Flink are two different keys in PostgreSQL (its collation is deterministic).
--
-- Why a Java function (udf/, built by `make setup`): one strict pass over the bytes yields the
-- reason and the typed fields. Flink's IS JSON accepts a document followed by garbage, its
-- JSON_VALUE re-parses the whole text for every field, and the planner duplicated those calls
-- per reference. classify_row runs once per message for both branches (see classified_once);
-- tests/flink/test_transform.py checks the plan, and tests/oracle.py states the same rules
-- independently in Python; both and udf/'s JUnit tests run tests/data/classification_cases.json.
-- (A table function ran once per branch: a LATERAL TABLE call cannot be shared between sinks.)
--
-- Timestamps leave Flink as epoch milliseconds (BIGINT): a TIMESTAMP written through JDBC is
-- shifted by the JVM's zone, an instant in milliseconds is not. flink_ts_ms is the processing
-- time at classification.
--
-- fingerprint: what the message is (64 bits of its value and Kafka timestamp, udf/.../Fingerprint.java),
-- carried by good rows and dead letters alike: the database tells a replay (the same message at a
-- position placed already) from another message at that position (a re-created or rewound topic)
-- by it (sql/postgres/003_ingest.sql).
CREATE TEMPORARY SYSTEM FUNCTION classify_row AS 'io.flinkfast.udf.ClassifyRow' LANGUAGE JAVA;

-- One call per message, in a step of its own: classify_row is non-deterministic (flink_ts_ms),
-- so the planner neither copies the call into each field that reads it nor into each branch;
-- both sinks read the one result (tests/flink/test_transform.py checks the plan).
CREATE TEMPORARY VIEW classified_once AS
SELECT kafka_topic,
       kafka_partition,
       kafka_offset,
       payload,
       classify_row(payload, kafka_ts, ${MAX_EVENT_CHARS},
                    kafka_partition, kafka_offset, '${SKIP_MESSAGES}', kafka_ts_type)  AS c
  FROM random_user_source;

CREATE TEMPORARY VIEW classified AS
SELECT kafka_topic,
       kafka_partition,
       kafka_offset,
       payload,
       c.reason,
       c.`uuid`,
       c.first_name,
       c.last_name,
       c.country,
       c.age,
       c.kafka_ts_ms,
       c.flink_ts_ms,
       c.fingerprint
  FROM classified_once;

CREATE TEMPORARY VIEW processed AS
SELECT `uuid`,
       first_name,
       last_name,
       country,
       age,
       CAST(YEAR(CURRENT_DATE) - age AS INT)                       AS birth_year,
       kafka_topic,
       kafka_partition,
       kafka_offset,
       kafka_ts_ms,
       flink_ts_ms,
       fingerprint
  FROM classified
 WHERE reason IS NULL
   -- Always true for a good event; it keeps payload in the step both branches share (above).
   AND payload IS NOT NULL;

-- Everything else: the row for dead_letter_events, with the raw bytes.
CREATE TEMPORARY VIEW dead_letters AS
SELECT kafka_topic,
       kafka_partition,
       kafka_offset,
       reason,
       payload,
       kafka_ts_ms,
       flink_ts_ms,
       fingerprint
  FROM classified
 WHERE reason IS NOT NULL;
