package io.flinkfast.sink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Rows into PostgreSQL's binary COPY format, as they arrive (so the writer holds bytes, never a
 * RowData that object reuse would change under it): a header, per row the field count and each
 * field as its length and bytes (-1 for NULL), a trailer. Strings go as UTF-8 bytes (those Flink
 * holds, or the JDK's encoding of a String the job's function made), integers in network order:
 * PostgreSQL parses nothing. The bytes go into one array of its own, grown when needed and kept
 * across flushes, and are sent from there (no ByteArrayOutputStream: its every write(int) takes a
 * lock, some 60 a row; no copy of the whole stream per flush).
 *
 * <p>Types: STRING/VARCHAR/CHAR to text, INT to int4, BIGINT to int8, BYTES/VARBINARY to bytea,
 * the types of the pipeline's two intake views. Anything else is refused when the sink is made.
 */
final class BinaryCopyEncoder {

    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
        0, 0, 0, 0,   // flags
        0, 0, 0, 0};  // header extension length
    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private final LogicalTypeRoot[] types;
    private byte[] buf = new byte[1 << 20];
    private int count;
    private int rows;

    BinaryCopyEncoder(LogicalType[] types) {
        this.types = new LogicalTypeRoot[types.length];
        for (int i = 0; i < types.length; i++) {
            this.types[i] = supported(types[i]);
        }
        raw(HEADER);
    }

    static LogicalTypeRoot supported(LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR: case VARCHAR: case INTEGER: case BIGINT: case BINARY: case VARBINARY:
                return type.getTypeRoot();
            default:
                throw new IllegalArgumentException("the flinkfast-postgres sink cannot write " + type
                        + " (STRING, INT, BIGINT and BYTES only)");
        }
    }

    void add(RowData row) {
        short2(types.length);
        for (int i = 0; i < types.length; i++) {
            if (row.isNullAt(i)) {
                int4(-1);
                continue;
            }
            switch (types[i]) {
                case CHAR: case VARCHAR:
                    bytes(utf8(row.getString(i)));
                    break;
                case INTEGER:
                    int4(4);
                    int4(row.getInt(i));
                    break;
                case BIGINT:
                    ensure(12);
                    INT.set(buf, count, 8);
                    LONG.set(buf, count + 4, row.getLong(i));
                    count += 12;
                    break;
                default:
                    bytes(row.getBinary(i));
            }
        }
        rows++;
    }

    /**
     * A string's UTF-8 bytes. One the job's function returned (a Java String, not yet in Flink's
     * binary form) is encoded by the JDK: Flink's toBytes() would materialize it through a
     * ThreadLocal buffer that it set() again on every call here, 42 % of the TaskManager's CPU
     * samples (JFR, make bench --profile, 2026-12-07: ThreadLocalMap.cleanSomeSlots under
     * BinarySegmentUtils.allocateReuseBytes). One in binary form is copied as Flink holds it.
     */
    static byte[] utf8(StringData s) {
        if (s instanceof BinaryStringData) {
            BinaryStringData b = (BinaryStringData) s;
            if (b.getBinarySection() == null && b.getJavaObject() != null) {
                return b.getJavaObject().getBytes(StandardCharsets.UTF_8);
            }
        }
        return s.toBytes();
    }

    int rows() {
        return rows;
    }

    /**
     * Ends the COPY stream of the rows added since the last reset (call once, then reset): its
     * bytes are {@code buffer()[0, length())}, valid until the next add or reset.
     */
    void finish() {
        raw(TRAILER);
    }

    byte[] buffer() {
        return buf;
    }

    int length() {
        return count;
    }

    void reset() {
        count = 0;
        raw(HEADER);
        rows = 0;
    }

    private void ensure(int n) {
        if (n > buf.length - count) {
            long wanted = Math.max((long) buf.length * 2, (long) count + n);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a COPY batch over 2 GiB: lower sink.buffer-flush.max-rows");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }

    private void raw(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, count, b.length);
        count += b.length;
    }

    private void bytes(byte[] b) {
        ensure(4 + b.length);
        INT.set(buf, count, b.length);
        System.arraycopy(b, 0, buf, count + 4, b.length);
        count += 4 + b.length;
    }

    private void short2(int v) {
        ensure(2);
        SHORT.set(buf, count, (short) v);
        count += 2;
    }

    private void int4(int v) {
        ensure(4);
        INT.set(buf, count, v);
        count += 4;
    }
}
