package io.flinkfast.sink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers rows as binary COPY data and writes each flush as ONE COPY statement in ONE
 * transaction: PostgreSQL parses no SQL per row and commits once per flush (Flink's JDBC sink
 * sends a flush as batched INSERTs of at most 128 rows, each its own transaction).
 *
 * <p>When a flush happens: at {@code sink.buffer-flush.max-rows} rows; when no row came for
 * {@code sink.buffer-flush.idle} (the input paused: a low rate gets low latency, a high rate big
 * batches); when the oldest row has waited {@code sink.buffer-flush.interval}; and at every
 * checkpoint (Flink calls {@link #flush(boolean)} before the barrier), so a checkpoint's offsets
 * are committed only once its rows are in PostgreSQL: at least once, and the database's placing
 * (sql/postgres/003_ingest.sql) makes a replayed row change nothing.
 *
 * <p>A failed flush is retried {@code sink.max-retries} times on a new connection with growing
 * pauses (its rows were rolled back with the transaction), then the job fails over and replays.
 */
final class CopyWriter implements SinkWriter<RowData> {

    private static final Logger LOG = LoggerFactory.getLogger(CopyWriter.class);

    private final CopyOptions options;
    private final String copySql;
    private final BinaryCopyEncoder encoder;
    private final ProcessingTimeService timers;
    private Connection connection;
    private long firstRowAt;     // when the oldest buffered row came (processing time, ms)
    private long lastRowAt;
    private boolean timerArmed;

    CopyWriter(CopyOptions options, String[] columns, LogicalType[] types, ProcessingTimeService timers) {
        this.options = options;
        this.copySql = "COPY " + options.table + " (" + String.join(", ", quoted(columns)) + ") FROM STDIN (FORMAT binary)";
        this.encoder = new BinaryCopyEncoder(types);
        this.timers = timers;
        LOG.info("flinkfast-postgres: COPY into {} at {} rows, {} ms, {} ms idle, at every checkpoint",
                options.table, options.maxRows, options.intervalMs, options.idleMs);
    }

    private static String[] quoted(String[] columns) {
        String[] out = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            out[i] = '"' + columns[i].replace("\"", "\"\"") + '"';
        }
        return out;
    }

    @Override
    public void write(RowData row, Context context) throws IOException {
        long now = timers.getCurrentProcessingTime();
        if (encoder.rows() == 0) {
            firstRowAt = now;
        }
        lastRowAt = now;
        encoder.add(row);
        if (encoder.rows() >= options.maxRows) {
            flushBuffer();
        } else if (!timerArmed) {
            arm(now);
        }
    }

    /** The next moment a flush may be due: the idle deadline or the interval's, whichever first. */
    private void arm(long now) {
        long due = firstRowAt + options.intervalMs;
        if (options.idleMs > 0) {
            due = Math.min(due, lastRowAt + options.idleMs);
        }
        timerArmed = true;
        timers.registerTimer(Math.max(due, now + 1), this::onTimer);
    }

    private void onTimer(long time) throws IOException {
        timerArmed = false;
        if (encoder.rows() == 0) {
            return;
        }
        boolean idle = options.idleMs > 0 && time - lastRowAt >= options.idleMs;
        boolean old = time - firstRowAt >= options.intervalMs;
        if (idle || old) {
            flushBuffer();
        } else {
            arm(time);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        flushBuffer();
    }

    private void flushBuffer() throws IOException {
        if (encoder.rows() == 0) {
            return;
        }
        byte[] data = encoder.finish();
        int rows = encoder.rows();
        for (int attempt = 0; ; attempt++) {
            try {
                copy(data);
                break;
            } catch (SQLException | IOException e) {
                closeQuietly();
                if (attempt >= options.maxRetries) {
                    throw new IOException("COPY of " + rows + " rows into " + options.table + " failed "
                            + (attempt + 1) + " times: " + e.getMessage(), e);
                }
                LOG.warn("COPY of {} rows into {} failed (attempt {}), retrying: {}", rows, options.table,
                        attempt + 1, e.getMessage());
                try {
                    Thread.sleep(Math.min(1000L * (1L << attempt), 10_000L));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while retrying a COPY", interrupted);
                }
            }
        }
        encoder.reset();
    }

    private void copy(byte[] data) throws SQLException, IOException {
        if (connection == null || connection.isClosed()) {
            Properties props = new Properties();
            if (options.username != null) {
                props.setProperty("user", options.username);
            }
            if (options.password != null) {
                props.setProperty("password", options.password);
            }
            connection = DriverManager.getConnection(options.url, props);
            connection.setAutoCommit(false);
        }
        try {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            copy.copyIn(copySql, new ByteArrayInputStream(data));
            connection.commit();
        } catch (SQLException | IOException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is gone: closed and made anew by the retry
            }
            throw e;
        }
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // nothing to save
        }
        connection = null;
    }

    @Override
    public void close() {
        closeQuietly();  // unflushed rows are replayed from the last checkpoint
    }
}
