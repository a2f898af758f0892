-- The topic as a table: one JSON object per record, keyed by uuid.
-- ${NAME} placeholders are filled from the configuration (flinkfast.config); no host is
-- written here, so the same file serves the local stack and the compose stack.
CREATE TABLE random_user_source (
    `uuid`           STRING,
    first_name       STRING,
    last_name        STRING,
    country          STRING,
    age              INT,
    -- The record's timestamp, stamped when the producer sent it (CreateTime).
    kafka_ts         TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
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
    'value.format'                  = 'json',
    'value.json.fail-on-missing-field' = 'false',
    'value.json.ignore-parse-errors'   = 'false'
);
