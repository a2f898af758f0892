package io.flinkfast.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CopyWriter's flush, retry and timers against a real PostgreSQL (udf/connector-postgres/pom.xml
 * says where it comes from). Its faults are real too: the writer's session ended with
 * pg_terminate_backend, or a trigger that raises. Time is the test's own ({@link ManualClock}) and
 * the pauses between attempts are recorded, not slept: nothing here waits for a clock.
 */
class CopyWriterTest {

    private static final String[] COLUMNS = {"id", "name"};
    private static final LogicalType[] TYPES = {new IntType(), new VarCharType(VarCharType.MAX_LENGTH)};
    private static final int MANY = 1_000_000;   // a size or an interval that is never reached

    private static String url;
    private static String user;
    private static String password;

    private static int tests;

    private Connection admin;
    private String table;
    private final ManualClock clock = new ManualClock();
    private final List<Long> pauses = new ArrayList<>();
    private CopyWriter writer;

    @BeforeAll
    static void database() {
        url = System.getProperty("flinkfast.test.postgres.url");
        user = System.getProperty("flinkfast.test.postgres.user");
        password = System.getenv("FLINKFAST_TEST_POSTGRES_PASSWORD");
        if (url == null || user == null || password == null) {
            throw new IllegalStateException("CopyWriterTest needs a PostgreSQL: run tests/flink/test_udf_junit.py, which "
                    + "starts one (or set -Dflinkfast.test.postgres.url, -Dflinkfast.test.postgres.user and "
                    + "FLINKFAST_TEST_POSTGRES_PASSWORD)");
        }
    }

    @BeforeEach
    void freshTable() throws SQLException {
        admin = DriverManager.getConnection(url, user, password);
        table = "copy_writer_" + ++tests;   // short: PostgreSQL cuts names at 63 bytes
        sql("DROP TABLE IF EXISTS " + table + " CASCADE");
        sql("DROP SEQUENCE IF EXISTS " + table + "_attempts");
        sql("CREATE TABLE " + table + " (id int NOT NULL, name text NOT NULL)");
        // Counts the COPY statements that reach the table: a sequence is not rolled back with them.
        sql("CREATE SEQUENCE " + table + "_attempts");
    }

    @AfterEach
    void close() throws SQLException {
        if (writer != null) {
            writer.close();
        }
        admin.close();
    }

    // ---- flush

    @Test
    void aFlushWritesExactlyTheBufferedRowsAndClearsTheBuffer() throws Exception {
        writer = writer(MANY, MANY, 0, 0);
        write(0, 1, 2);
        assertEquals(List.of(), rows(), "buffered, not written");
        writer.flush(false);
        assertEquals(List.of("0 row 0", "1 row 1", "2 row 2"), rows());
        writer.flush(false);
        assertEquals(List.of("0 row 0", "1 row 1", "2 row 2"), rows(), "a second flush writes nothing again");
        write(3);
        writer.flush(false);
        assertEquals(List.of("0 row 0", "1 row 1", "2 row 2", "3 row 3"), rows());
    }

    @Test
    void aBatchThatReachesItsSizeFlushes() throws Exception {
        writer = writer(3, MANY, 0, 0);
        write(0, 1);
        assertEquals(List.of(), rows());
        write(2);
        assertEquals(List.of("0 row 0", "1 row 1", "2 row 2"), rows(), "the third row flushed the batch");
        write(3);
        assertEquals(3, rows().size(), "the fourth row begins a new batch");
    }

    // ---- retry

    @Test
    void aFlushOnALostConnectionIsRetriedOnANewOne() throws Exception {
        writer = writer(MANY, MANY, 0, 2);
        int before = writerSession();
        write(0, 1, 2);
        terminateWriterSession();
        writer.flush(false);
        assertEquals(List.of("0 row 0", "1 row 1", "2 row 2"), rows(), "every row once");
        assertEquals(List.of(1000L), pauses, "one failed attempt, one pause");
        assertNotEquals(before, writerSession(), "a new session");
    }

    @Test
    void aFlushIsRetriedAsManyTimesAsTheOptionSays() throws Exception {
        failFirst(2);
        writer = writer(MANY, MANY, 0, 2);
        write(0, 1, 2);
        writer.flush(false);
        assertEquals(List.of("0 row 0", "1 row 1", "2 row 2"), rows(), "the third attempt wrote every row once");
        assertEquals(3, attempts());
        assertEquals(List.of(1000L, 2000L), pauses);
    }

    @Test
    void aFlushThatKeepsFailingFailsTheJobNamingTheCause() throws Exception {
        failFirst(MANY);
        writer = writer(MANY, MANY, 0, 2);
        write(0, 1, 2);
        IOException e = assertThrows(IOException.class, () -> writer.flush(false));
        assertTrue(e.getMessage().contains("COPY of 3 rows into " + table + " failed 3 times"), e.getMessage());
        assertTrue(e.getMessage().contains("planted fault"), e.getMessage());
        assertEquals(3, attempts(), "the first attempt and max-retries = 2 more, no other");
        assertEquals(List.of(1000L, 2000L), pauses);
        assertEquals(List.of(), rows());
    }

    @Test
    void theBackoffDoublesFromOneSecondUpToTen() {
        List<Long> got = new ArrayList<>();
        for (int attempt = 0; attempt < 7; attempt++) {
            got.add(CopyWriter.backoffMs(attempt));
        }
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L), got);
        assertEquals(10_000L, CopyWriter.backoffMs(100), "no overflow after many retries");
    }

    // ---- timers

    @Test
    void theIdleTimerFlushesAPartialBatchAfterTheIdleIntervalAndNotBefore() throws Exception {
        writer = writer(MANY, 200, 5, 0);
        clock.advanceTo(1000);
        write(0);
        clock.advanceTo(1003);
        write(1);                      // the input has not paused: the idle interval starts again
        clock.advanceTo(1007);
        assertEquals(List.of(), rows(), "4 ms since the last row, idle interval 5 ms");
        clock.advanceTo(1008);
        assertEquals(List.of("0 row 0", "1 row 1"), rows());
    }

    @Test
    void rowsThatKeepComingAreFlushedAtTheInterval() throws Exception {
        writer = writer(MANY, 20, 5, 0);
        for (int t = 0; t <= 18; t += 3) {
            clock.advanceTo(t);
            write(t / 3);              // a row every 3 ms: never idle for 5
        }
        clock.advanceTo(19);
        assertEquals(List.of(), rows(), "the oldest row waited 19 ms, interval 20 ms");
        clock.advanceTo(20);
        assertEquals(7, rows().size());
    }

    // ---- helpers

    private CopyWriter writer(int maxRows, long intervalMs, long idleMs, int maxRetries) throws IOException {
        String named = url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + table;
        CopyOptions options = new CopyOptions(named, table, user, password, maxRows, Duration.ofMillis(intervalMs),
                Duration.ofMillis(idleMs), maxRetries);
        return new CopyWriter(options, COLUMNS, TYPES, clock, pauses::add);
    }

    private void write(int... ids) throws IOException {
        for (int id : ids) {
            writer.write(GenericRowData.of(id, StringData.fromString("row " + id)), null);
        }
    }

    /** The first n COPY statements into the table fail (a real error of the server), the rest pass. */
    private void failFirst(int n) throws SQLException {
        sql("CREATE OR REPLACE FUNCTION " + table + "_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF nextval('" + table + "_attempts') <= " + n + " THEN RAISE EXCEPTION 'planted fault'; END IF; "
                + "RETURN NULL; END $$");
        sql("CREATE TRIGGER fault BEFORE INSERT ON " + table + " FOR EACH STATEMENT EXECUTE FUNCTION " + table + "_fault()");
    }

    private long attempts() throws SQLException {
        try (Statement st = admin.createStatement();
             ResultSet r = st.executeQuery("SELECT last_value FROM " + table + "_attempts")) {
            r.next();
            return r.getLong(1);
        }
    }

    private int writerSession() throws SQLException {
        try (PreparedStatement q = admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            q.setString(1, table);
            try (ResultSet r = q.executeQuery()) {
                assertTrue(r.next(), "the writer has a session");
                return r.getInt(1);
            }
        }
    }

    /** Ends the writer's session and waits (up to 10 s) until it is gone. */
    private void terminateWriterSession() throws SQLException {
        try (PreparedStatement q = admin.prepareStatement("SELECT pg_terminate_backend(?, 10000)")) {
            q.setInt(1, writerSession());
            try (ResultSet r = q.executeQuery()) {
                assertTrue(r.next() && r.getBoolean(1), "the writer's session ended");
            }
        }
    }

    private List<String> rows() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = admin.createStatement();
             ResultSet r = st.executeQuery("SELECT id, name FROM " + table + " ORDER BY id")) {
            while (r.next()) {
                out.add(r.getInt(1) + " " + r.getString(2));
            }
        }
        return out;
    }

    private void sql(String statement) throws SQLException {
        try (Statement st = admin.createStatement()) {
            st.execute(statement);
        }
    }

    /** Processing time that moves only when the test says, firing the timers that fall due in order. */
    static final class ManualClock implements ProcessingTimeService {
        private long now;
        private final List<Timer> timers = new ArrayList<>();

        private record Timer(long time, ProcessingTimeCallback callback) { }

        @Override
        public long getCurrentProcessingTime() {
            return now;
        }

        @Override
        public ScheduledFuture<?> registerTimer(long time, ProcessingTimeCallback callback) {
            timers.add(new Timer(time, callback));
            return null;   // the writer never cancels a timer
        }

        void advanceTo(long time) throws Exception {
            while (true) {
                Timer next = null;
                for (Timer t : timers) {
                    if (t.time() <= time && (next == null || t.time() < next.time())) {
                        next = t;
                    }
                }
                if (next == null) {
                    break;
                }
                timers.remove(next);
                now = next.time();
                next.callback().onProcessingTime(next.time());
            }
            now = time;
        }
    }
}
