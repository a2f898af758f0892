package io.flinkfast.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

/** The fingerprint: the same values as flinkfast/events/fingerprint.py, in the classification's row, and its cost. */
class FingerprintTest {

    @Test
    void theSharedCasesGiveTheSameValues() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Files.readString(
                ClassificationCasesTest.casesFile().resolveSibling("fingerprint_cases.json")));
        int n = 0;
        for (JsonNode c : cases) {
            JsonNode hex = c.get("payload_hex");
            byte[] payload = hex.isNull() ? null : HexFormat.of().parseHex(hex.asText());
            assertEquals(c.get("fingerprint").asLong(), Fingerprint.of(payload, c.get("kafka_ts_ms").asLong()),
                    c.get("name").asText());
            n++;
        }
        assertEquals(7, n);
    }

    @Test
    void itIsTheNinthFieldOfEveryClassifiedRow() {
        ClassifyRow f = new ClassifyRow();
        Row good = f.eval(ClassifyRowTest.GOOD, ClassifyRowTest.TS, 1000, 0, 0L, "", "LogAppendTime");
        assertEquals(Fingerprint.of(ClassifyRowTest.GOOD, 1_700_000_045_123L), good.getField(8));
        Row dead = f.eval(null, null, 1000, 0, 0L, "", "LogAppendTime");
        assertEquals(Fingerprint.of(null, -1L), dead.getField(8), "a dead letter has one too");
        assertNotEquals(Fingerprint.of(new byte[0], -1L), dead.getField(8), "a tombstone is not an empty value");
        Row skipped = f.eval(ClassifyRowTest.GOOD, ClassifyRowTest.TS, 1000, 0, 0L, "0:0", "LogAppendTime");
        assertEquals(good.getField(8), skipped.getField(8), "the message, whatever its classification");
        Row later = f.eval(ClassifyRowTest.GOOD, Instant.ofEpochMilli(1_700_000_045_124L), 1000, 0, 0L, "", "LogAppendTime");
        assertNotEquals(good.getField(8), later.getField(8), "the same bytes sent again are another message");
    }

    /** Not an assertion on time (the machine decides that): the figure the docs quote, printed. */
    @Test
    void costPerMessage() {
        byte[] event = ("{\"uuid\":\"2b7a6c1e-8a5f-4c1e-9d3b-0f6e1a2b3c4d\",\"first_name\":\"Zoë\",\"last_name\":\"Ødegård\","
                + "\"country\":\"Norway\",\"age\":30,\"gender\":\"female\",\"email\":\"zoe.odegard@example.com\","
                + "\"phone\":\"55 12 34 56\",\"city\":\"Oslo\",\"street\":\"Karl Johans gate 1\"}")
                .getBytes(StandardCharsets.UTF_8);
        long sink = 0;
        for (int i = 0; i < 2_000_000; i++) {   // warm up the JIT
            sink += Fingerprint.of(event, i);
        }
        int n = 5_000_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink += Fingerprint.of(event, i);
        }
        double ns = (System.nanoTime() - t0) / (double) n;
        System.out.printf("fingerprint of a %d-byte event: %.1f ns (checksum %d)%n", event.length, ns, sink & 1);
    }
}
