-- The topic as a table of raw messages. The job parses the JSON itself (002_transform.sql)
-- instead of the 'json' format: with that format one malformed message either fails the job
-- for good or, with 'json.ignore-parse-errors', vanishes without a trace; raw bytes cannot
-- fail to read, and every message comes out as a row or a dead letter.
-- ${NAME} placeholders are filled from the configuration (flinkfast.config); no host is
-- written here, so the same file serves the local stack and the compose stack.
CREATE TABLE random_user_source (
    payload          BYTES,                                    -- NULL for a record without value
    -- The record's timestamp: the broker's append time, since every topic of the project has
    -- message.timestamp.type=LogAppendTime (docs/guarantees.md, "Which clock"); a record stamped
    -- by its producer (CreateTime: appended before the topic was switched) is a dead letter.
    kafka_ts         TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
    kafka_ts_type    STRING           METADATA FROM 'timestamp-type' VIRTUAL,
    kafka_topic      STRING           METADATA FROM 'topic'     VIRTUAL,
    kafka_partition  INT              METADATA FROM 'partition' VIRTUAL,
    kafka_offset     BIGINT           METADATA FROM 'offset'    VIRTUAL
) WITH (
    'connector'                     = 'kafka',
    'topic'                         = '${KAFKA_TOPIC}',
    'properties.bootstrap.servers'  = '${KAFKA_BOOTSTRAP_SERVERS}',
    'properties.group.id'           = '${KAFKA_GROUP_ID}',
    -- As the job's own Kafka principal (SASL/SCRAM; its ACLs: read the topic, commit the group),
    -- over TLS trusting KAFKA_SSL_CA_FILE when KAFKA_SECURITY_PROTOCOL is SASL_SSL (the CA is
    -- not read otherwise). The connector's Kafka client is shaded, and so is its login module.
    'properties.security.protocol'  = '${KAFKA_SECURITY_PROTOCOL}',
    'properties.sasl.mechanism'     = 'SCRAM-SHA-512',
    'properties.sasl.jaas.config'   = 'org.apache.flink.kafka.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_JOB_USER}" password="${KAFKA_JOB_PASSWORD}";',
    'properties.ssl.truststore.type'     = 'PEM',
    'properties.ssl.truststore.location' = '${KAFKA_SSL_CA_FILE}',
    -- Resume from the offsets committed at the last checkpoint (or those of the checkpoint it
    -- restores), never reset: an offset below the log start means messages were deleted before
    -- the job read them (retention, DeleteRecords), and the job stops with OffsetOutOfRange
    -- instead of skipping them (flinkfast/accounting/lost.py; `flinkfast lost --record` records them and goes
    -- on). The first run has no committed offset: `flinkfast submit` commits the log start first.
    'scan.startup.mode'             = '${SCAN_STARTUP_MODE}',
    'properties.auto.offset.reset'  = 'none',
    -- Committed records only: a record of an aborted transaction is never placed, and one of an
    -- open transaction waits for its commit (Kafka's default, read_uncommitted, reads both).
    'properties.isolation.level'    = 'read_committed',
    'value.format'                  = 'raw'
);
