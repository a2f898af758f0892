package io.flinkfast.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

/** The Flink adapter: the row's shape, the two timestamps, the fingerprint, and the skip list before the rules. */
class ClassifyRowTest {

    static final byte[] GOOD = ("{\"uuid\":\"u\",\"first_name\":\"A\",\"last_name\":\"B\",\"country\":\"C\",\"age\":7}")
            .getBytes(StandardCharsets.UTF_8);
    static final Instant TS = Instant.ofEpochMilli(1_700_000_045_123L);

    @Test
    void aValidEventIsOneRowOfNineFields() {
        long before = System.currentTimeMillis();
        Row row = new ClassifyRow().eval(GOOD, TS, 1000, 0, 0L, "", "LogAppendTime");
        long after = System.currentTimeMillis();
        assertEquals(RowKind.INSERT, row.getKind());
        assertEquals(9, row.getArity());
        assertEquals(Row.of(null, "u", "A", "B", "C", 7, 1_700_000_045_123L, row.getField(7),
                Fingerprint.of(GOOD, 1_700_000_045_123L)), row);
        long flinkTs = (Long) row.getField(7);
        assertTrue(before <= flinkTs && flinkTs <= after, "flink_ts_ms is the processing time");
    }

    @Test
    void aDeadLetterHasItsReasonAndNoFields() {
        Row row = new ClassifyRow().eval(new byte[0], TS, 1000, 0, 0L, "", "LogAppendTime");
        assertEquals(Row.of("empty message", null, null, null, null, null, 1_700_000_045_123L, row.getField(7),
                Fingerprint.of(new byte[0], 1_700_000_045_123L)), row);
    }

    @Test
    void nullArguments() {
        ClassifyRow f = new ClassifyRow();
        Row noTs = f.eval(GOOD, null, 1000, 0, 0L, "", "LogAppendTime");
        assertEquals("Kafka timestamp out of range", noTs.getField(0));
        assertEquals(-1L, noTs.getField(6));
        assertNull(f.eval(GOOD, TS, null, 0, 0L, "", "LogAppendTime").getField(0), "no MAX_EVENT_CHARS: no limit");
        assertNull(f.eval(GOOD, TS, 1000, null, 0L, "0:0", "LogAppendTime").getField(0), "no position: not skipped");
        assertNull(f.eval(GOOD, TS, 1000, 0, null, "0:0", "LogAppendTime").getField(0), "no position: not skipped");
        assertNull(f.eval(GOOD, TS, 1000, 0, 0L, null, "LogAppendTime").getField(0));
        assertEquals("empty message", f.eval(null, null, null, null, null, null, "LogAppendTime").getField(0));
    }

    @Test
    void theSkipListComesFirstAndFollowsItsArgument() {
        ClassifyRow f = new ClassifyRow();
        assertEquals("skipped by operator", f.eval(null, null, 1000, 1, 5L, "1:5", "LogAppendTime").getField(0));
        assertEquals("empty message", f.eval(null, null, 1000, 1, 5L, "1:6", "LogAppendTime").getField(0));
        assertEquals("skipped by operator", f.eval(GOOD, TS, 1000, 1, 6L, "1:6", "LogAppendTime").getField(0));
        assertNull(f.eval(GOOD, TS, 1000, 1, 6L, "", "LogAppendTime").getField(0));
        assertEquals("skipped by operator", f.eval(GOOD, TS, 1000, 1, 5L, "1:5", "LogAppendTime").getField(0));
    }

    @Test
    void anEventStampedByTheProducerIsADeadLetter() {
        ClassifyRow f = new ClassifyRow();
        assertEquals("Kafka timestamp not set by the broker", f.eval(GOOD, TS, 1000, 0, 0L, "", "CreateTime").getField(0));
        assertEquals("Kafka timestamp not set by the broker", f.eval(GOOD, TS, 1000, 0, 0L, "", "NoTimestampType").getField(0));
        assertEquals("Kafka timestamp not set by the broker", f.eval(GOOD, TS, 1000, 0, 0L, "", null).getField(0));
        assertEquals("empty message", f.eval(null, TS, 1000, 0, 0L, "", "CreateTime").getField(0), "the payload's reason first");
        assertEquals("skipped by operator", f.eval(GOOD, TS, 1000, 0, 0L, "0:0", "CreateTime").getField(0));
    }

    @Test
    void isNotDeterministic() {
        assertFalse(new ClassifyRow().isDeterministic(), "flink_ts_ms is the processing time");
    }
}
