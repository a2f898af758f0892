-- The topic as a table of raw messages. The job parses the JSON itself (002_transform.sql)
-- instead of the 'json' format: with that format one malformed message either fails the job
-- for good or, with 'json.ignore-parse-errors', vanishes without a trace; raw bytes cannot
-- fail to read, and every message comes out as a row or a dead letter.
-- ${NAME} placeholders are filled from the configuration (flinkfast.config); no host is
-- written here, so the same file serves the local stack and the compose stack.
CREATE TABLE random_user_source (
    payload          BYTES,                                    -- NULL for a record without value
    -- The record's timestamp, stamped when the producer sent it (CreateTime).
    kafka_ts         TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
    kafka_topic      STRING           METADATA FROM 'topic'     VIRTUAL,
    kafka_partition  INT              METADATA FROM 'partition' VIRTUAL,
    kafka_offset     BIGINT           METADATA FROM 'offset'    VIRTUAL
) WITH (
    'connector'                     = 'kafka',
    'topic'                         = '${KAFKA_TOPIC}',
    'properties.bootstrap.servers'  = '${KAFKA_BOOTSTRAP_SERVERS}',
    'properties.group.id'           = '${KAFKA_GROUP_ID}',
    -- Resume from the offsets committed at the last checkpoint; on the very first run
    -- there are none, and the default reset strategy ('none') would fail the job.
    'scan.startup.mode'             = '${SCAN_STARTUP_MODE}',
    'properties.auto.offset.reset'  = 'earliest',
    'value.format'                  = 'raw'
);
