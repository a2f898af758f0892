package io.flinkfast.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
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
 * <p>Into an intake view of sql/postgres/003_ingest.sql the rows skip the view's per-row trigger:
 * they are copied straight into the session's batch table ({@code pg_temp.<view without _in>_batch},
 * which the view's statement triggers create and place), and a statement on the view with no
 * rows then places the batch: the same placing, without a trigger call per row. Into any other
 * table or view, the COPY goes to the table itself.
 *
 * <p>A failed flush is retried {@code sink.max-retries} times on a new connection with growing
 * pauses ({@link #backoffMs}; its rows were rolled back with the transaction), then the job fails
 * over and replays.
 *
 * <p>Tests (CopyWriterTest) drive the timers with a clock of their own and take the pauses from
 * {@link Pause}, so that nothing in them waits for real.
 */
final class CopyWriter implements SinkWriter<RowData> {

    private static final Logger LOG = LoggerFactory.getLogger(CopyWriter.class);

    /** How the writer waits between two attempts of a flush: Thread.sleep, except in tests. */
    interface Pause {
        void sleep(long ms) throws InterruptedException;
    }

    private final CopyOptions options;
    private final String columnList;
    private final String firstColumn;
    private String copySql;      // decided on each new connection: into the batch table or the target
    private String placeSql;     // null unless the rows go to a batch table
    private final BinaryCopyEncoder encoder;
    private final ProcessingTimeService timers;
    private final Pause pause;
    private Connection connection;
    private long firstRowAt;     // when the oldest buffered row came (processing time, ms)
    private long lastRowAt;
    private boolean timerArmed;

    CopyWriter(CopyOptions options, String[] columns, LogicalType[] types, ProcessingTimeService timers)
            throws IOException {
        this(options, columns, types, timers, Thread::sleep);
    }

    CopyWriter(CopyOptions options, String[] columns, LogicalType[] types, ProcessingTimeService timers,
               Pause pause) throws IOException {
        this.pause = pause;
        this.options = options;
        String[] names = quoted(columns);
        this.columnList = String.join(", ", names);
        this.firstColumn = names[0];
        this.encoder = new BinaryCopyEncoder(types);
        this.timers = timers;
        LOG.info("flinkfast-postgres: COPY into {} at {} rows, {} ms, {} ms idle, at every checkpoint",
                options.table, options.maxRows, options.intervalMs, options.idleMs);
        // Connect now, not at the first flush: a wrong password or an unreachable database fails
        // the job at its start (and shows as restarts in status), not only once events arrive.
        try {
            connect();
        } catch (SQLException e) {
            throw new IOException("cannot connect to " + options.table + " at " + options.url + ": " + e.getMessage(), e);
        }
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
        encoder.finish();
        int rows = encoder.rows();
        for (int attempt = 0; ; attempt++) {
            try {
                copy(encoder.buffer(), encoder.length());
                break;
            } catch (SQLException e) {
                closeQuietly();
                if (attempt >= options.maxRetries) {
                    throw new IOException("COPY of " + rows + " rows into " + options.table + " failed "
                            + (attempt + 1) + " times: " + e.getMessage(), e);
                }
                LOG.warn("COPY of {} rows into {} failed (attempt {}), retrying: {}", rows, options.table,
                        attempt + 1, e.getMessage());
                try {
                    pause.sleep(backoffMs(attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while retrying a COPY", interrupted);
                }
            }
        }
        encoder.reset();
    }

    /** The pause after the failed attempt number {@code attempt} (from 0): 1 s, doubling, at most 10 s. */
    static long backoffMs(int attempt) {
        return Math.min(1000L << Math.min(attempt, 4), 10_000L);
    }

    private void copy(byte[] data, int length) throws SQLException {
        if (connection == null || connection.isClosed()) {
            connect();
        }
        try {
            CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
            try {
                copy.writeToCopy(data, 0, length);   // from the encoder's array, not through a stream's buffer
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
            if (placeSql != null) {
                try (Statement place = connection.createStatement()) {
                    place.execute(placeSql);
                }
            }
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is gone: closed and made anew by the retry
            }
            throw e;
        }
    }

    private void connect() throws SQLException {
        Properties props = new Properties();
        if (options.username != null) {
            props.setProperty("user", options.username);
        }
        if (options.password != null) {
            props.setProperty("password", options.password);
        }
        connection = DriverManager.getConnection(options.url, props);
        connection.setAutoCommit(false);
        route();
    }

    /**
     * Where this session's rows go. A statement with no rows on the target fires its statement
     * triggers: for an intake view, that creates the session's batch table (a no-op for anything
     * else); if the batch table is there and this role may insert into it, the rows are copied
     * there and placed by the same empty statement after each COPY.
     */
    private void route() throws SQLException {
        // No SELECT on the target: the writer may only insert into it.
        String empty = "INSERT INTO " + options.table + " (" + firstColumn + ") SELECT NULL WHERE false";
        String batch = "pg_temp." + options.table.replaceFirst("_in$", "") + "_batch";
        boolean staged = false;
        if (options.table.endsWith("_in")) {
            try (Statement st = connection.createStatement()) {
                st.execute(empty);
            }
            try (PreparedStatement q = connection.prepareStatement(
                    "SELECT coalesce(has_table_privilege(to_regclass(?), 'INSERT'), false)")) {
                q.setString(1, batch);
                try (ResultSet r = q.executeQuery()) {
                    staged = r.next() && r.getBoolean(1);
                }
            }
            connection.commit();
        }
        copySql = "COPY " + (staged ? batch : options.table) + " (" + columnList + ") FROM STDIN (FORMAT binary)";
        placeSql = staged ? empty : null;
        LOG.info("flinkfast-postgres: rows for {} go {}", options.table,
                staged ? "to " + batch + ", placed by an empty statement on the view" : "straight to it");
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
