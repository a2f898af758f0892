package io.flinkfast.sink;

import java.io.Serializable;
import java.time.Duration;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the {@code flinkfast-postgres} connector, declared once (as Flink's
 * JdbcConnectorOptions are). The names are the JDBC connector's where they mean the same, so a
 * sink table changes connector by its {@code 'connector'} line and nothing else.
 */
public final class CopyOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final ConfigOption<String> URL = ConfigOptions.key("url").stringType().noDefaultValue()
            .withDescription("JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://127.0.0.1:5432/flink_db");
    public static final ConfigOption<String> TABLE_NAME = ConfigOptions.key("table-name").stringType().noDefaultValue()
            .withDescription("the table or view the rows are copied into (a view needs an INSTEAD OF INSERT trigger)");
    public static final ConfigOption<String> USERNAME = ConfigOptions.key("username").stringType().noDefaultValue();
    public static final ConfigOption<String> PASSWORD = ConfigOptions.key("password").stringType().noDefaultValue();
    // No defaults here: the job sets every one of these from flinkfast/config.py (SINK_FLUSH_MAX_ROWS,
    // SINK_FLUSH_INTERVAL_MS, SINK_FLUSH_IDLE_MS, SINK_MAX_RETRIES), their one default, so a table
    // without one is refused (CopyTableFactory) rather than given a second default that could differ.
    public static final ConfigOption<Integer> MAX_ROWS = ConfigOptions.key("sink.buffer-flush.max-rows").intType()
            .noDefaultValue().withDescription("a flush as soon as this many rows wait");
    public static final ConfigOption<Duration> INTERVAL = ConfigOptions.key("sink.buffer-flush.interval")
            .durationType().noDefaultValue()
            .withDescription("no row waits longer than this");
    public static final ConfigOption<Duration> IDLE = ConfigOptions.key("sink.buffer-flush.idle")
            .durationType().noDefaultValue()
            .withDescription("a flush when no row came for this long: low rates get low latency, "
                    + "high rates big batches; 0 turns it off. Unset: the job's flinkfast.sink.flush-idle");
    /** The same, as a setting of the job (flinkfast.pipeline.job.job_settings) rather than of the table. */
    public static final ConfigOption<Duration> JOB_IDLE = ConfigOptions.key("flinkfast.sink.flush-idle")
            .durationType().noDefaultValue();
    public static final ConfigOption<Integer> MAX_RETRIES = ConfigOptions.key("sink.max-retries").intType()
            .noDefaultValue().withDescription("retries of a failed flush before the job fails over");

    final String url;
    final String table;
    final String username;
    final String password;
    final int maxRows;
    final long intervalMs;
    final long idleMs;
    final int maxRetries;

    CopyOptions(String url, String table, String username, String password, int maxRows, Duration interval,
                Duration idle, int maxRetries) {
        this.url = url;
        this.table = table;
        this.username = username;
        this.password = password;
        this.maxRows = maxRows;
        this.intervalMs = interval.toMillis();
        this.idleMs = idle.toMillis();
        this.maxRetries = maxRetries;
    }
}
