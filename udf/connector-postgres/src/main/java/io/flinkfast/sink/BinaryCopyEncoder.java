package io.flinkfast.sink;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

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
 * PostgreSQL parses nothing.
 *
 * <p>Types: STRING/VARCHAR/CHAR to text, INT to int4, BIGINT to int8, BYTES/VARBINARY to bytea,
 * the types of the pipeline's two intake views. Anything else is refused when the sink is made.
 */
final class BinaryCopyEncoder {

    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
        0, 0, 0, 0,   // flags
        0, 0, 0, 0};  // header extension length
    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    private final LogicalTypeRoot[] types;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    private int rows;

    BinaryCopyEncoder(LogicalType[] types) {
        this.types = new LogicalTypeRoot[types.length];
        for (int i = 0; i < types.length; i++) {
            this.types[i] = supported(types[i]);
        }
        out.writeBytes(HEADER);
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
                    int4(8);
                    int8(row.getLong(i));
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

    /** The whole COPY stream of the rows added since the last reset (call once, then reset). */
    byte[] finish() {
        out.writeBytes(TRAILER);
        return out.toByteArray();
    }

    void reset() {
        out.reset();
        out.writeBytes(HEADER);
        rows = 0;
    }

    private void bytes(byte[] b) {
        int4(b.length);
        out.write(b, 0, b.length);
    }

    private void short2(int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private void int4(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private void int8(long v) {
        int4((int) (v >>> 32));
        int4((int) v);
    }
}
