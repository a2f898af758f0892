package io.flinkfast.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** PostgreSQL's binary COPY format, byte for byte, written independently here with DataOutputStream. */
class BinaryCopyEncoderTest {

    private static final LogicalType[] TYPES = {
        new VarCharType(VarCharType.MAX_LENGTH), new IntType(), new BigIntType(), new VarBinaryType(VarBinaryType.MAX_LENGTH)};

    private static byte[] expected(Object[][] rows) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write("PGCOPY\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {(byte) 0xFF, '\r', '\n', 0});
        out.writeInt(0);
        out.writeInt(0);
        for (Object[] row : rows) {
            out.writeShort(row.length);
            for (Object v : row) {
                if (v == null) {
                    out.writeInt(-1);
                } else if (v instanceof String) {
                    byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
                    out.writeInt(b.length);
                    out.write(b);
                } else if (v instanceof Integer) {
                    out.writeInt(4);
                    out.writeInt((Integer) v);
                } else if (v instanceof Long) {
                    out.writeInt(8);
                    out.writeLong((Long) v);
                } else {
                    out.writeInt(((byte[]) v).length);
                    out.write((byte[]) v);
                }
            }
        }
        out.writeShort(-1);
        return bytes.toByteArray();
    }

    /** The stream as the writer sends it: buffer()[0, length()) after finish(). */
    private static byte[] stream(BinaryCopyEncoder encoder) {
        encoder.finish();
        return Arrays.copyOf(encoder.buffer(), encoder.length());
    }

    private static GenericRowData row(Object... values) {
        GenericRowData r = new GenericRowData(values.length);
        for (int i = 0; i < values.length; i++) {
            r.setField(i, values[i] instanceof String ? StringData.fromString((String) values[i]) : values[i]);
        }
        return r;
    }

    @Test
    void rowsAreWrittenInTheBinaryCopyFormat() throws IOException {
        Object[][] rows = {
            {"Zoë Ødegård 🚀", 30, 1_700_000_000_123L, new byte[] {0, 1, (byte) 0xFF}},
            {null, -1, Long.MIN_VALUE, null},
            {"", Integer.MAX_VALUE, 0L, new byte[0]},
        };
        BinaryCopyEncoder encoder = new BinaryCopyEncoder(TYPES);
        for (Object[] r : rows) {
            encoder.add(row(r));
        }
        assertEquals(3, encoder.rows());
        assertArrayEquals(expected(rows), stream(encoder));
    }

    @Test
    void aResetStartsAFreshStream() throws IOException {
        BinaryCopyEncoder encoder = new BinaryCopyEncoder(TYPES);
        encoder.add(row("a", 1, 2L, new byte[] {3}));
        encoder.finish();
        encoder.reset();
        assertEquals(0, encoder.rows());
        encoder.add(row("b", 4, 5L, new byte[] {6}));
        assertArrayEquals(expected(new Object[][] {{"b", 4, 5L, new byte[] {6}}}), stream(encoder));
    }

    @Test
    void aTypeItCannotWriteIsRefusedAtOnce() {
        assertThrows(IllegalArgumentException.class,
                () -> new BinaryCopyEncoder(new LogicalType[] {new DoubleType()}));
    }

    /** Any text: ASCII, Latin-1, the rest of the BMP, pairs for supplementary code points, lone surrogates. */
    private static String anyString(Random rnd) {
        StringBuilder b = new StringBuilder();
        for (int n = rnd.nextInt(40); n > 0; n--) {
            switch (rnd.nextInt(5)) {
                case 0: b.append((char) rnd.nextInt(0x80)); break;
                case 1: b.append((char) (0x80 + rnd.nextInt(0x780))); break;
                case 2: b.append((char) (0x800 + rnd.nextInt(0xD000))); break;
                case 3: b.appendCodePoint(0x10000 + rnd.nextInt(0x100000)); break;
                default: b.append((char) (0xD800 + rnd.nextInt(0x800)));   // a lone surrogate
            }
        }
        return b.toString();
    }

    /** Random rows, many flushes, batches that outgrow the first 1 MiB: each stream as the oracle writes it. */
    @Test
    void randomBatchesOfAnySizeEncodeAsTheOracleWritesThem() throws IOException {
        Random rnd = new Random(20261208);
        BinaryCopyEncoder encoder = new BinaryCopyEncoder(TYPES);
        for (int batch = 0; batch < 40; batch++) {
            int n = batch % 10 == 9 ? 3_000 + rnd.nextInt(3_000) : rnd.nextInt(200);
            Object[][] rows = new Object[n][];
            for (int i = 0; i < n; i++) {
                String text = rnd.nextInt(50) == 0 ? null
                        : rnd.nextBoolean() ? anyString(rnd) : "x".repeat(rnd.nextInt(1_000));
                byte[] bin = new byte[rnd.nextInt(300)];
                rnd.nextBytes(bin);
                rows[i] = new Object[] {text, rnd.nextInt(), rnd.nextLong(), rnd.nextInt(50) == 0 ? null : bin};
                encoder.add(row(rows[i]));
            }
            assertEquals(n, encoder.rows());
            assertArrayEquals(expected(rows), stream(encoder), "batch " + batch);
            encoder.reset();
        }
    }

    @Test
    void aStringTheFunctionMadeIsEncodedAsFlinkWouldWithoutMaterializingIt() {
        Random rnd = new Random(20261207);
        for (int n = 0; n < 50_000; n++) {
            String s = anyString(rnd);
            byte[] flinks = BinaryStringData.fromString(s).toBytes();   // Flink's own encoding
            BinaryStringData made = (BinaryStringData) StringData.fromString(s);
            assertArrayEquals(flinks, BinaryCopyEncoder.utf8(made), s);
            assertNull(made.getBinarySection(), "encoded by the JDK, not through Flink's ThreadLocal buffer");
            assertArrayEquals(flinks, BinaryCopyEncoder.utf8(BinaryStringData.fromBytes(flinks)), s);
        }
    }
}
