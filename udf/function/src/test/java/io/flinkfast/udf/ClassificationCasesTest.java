package io.flinkfast.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of tests/data/classification_cases.json through classify_row, the function the job
 * calls. tests/unit/test_classification_cases.py holds tests/oracle.py to the same file, so the Java
 * function and the Python statement of the rules cannot drift apart.
 *
 * <p>The file's path comes from the system property classification.cases (set by udf/function/pom.xml's
 * surefire configuration); run from udf/function/ without it, the repository's file is used.
 */
class ClassificationCasesTest {

    static Path casesFile() {
        return Path.of(System.getProperty("classification.cases", "../../tests/data/classification_cases.json"));
    }

    static List<JsonNode> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readString(casesFile()));
        List<JsonNode> out = new ArrayList<>();
        root.forEach(out::add);
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        ClassifyRow function = new ClassifyRow(); // one instance for all, as one subtask has
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> check(function, c)));
    }

    private static void check(ClassifyRow function, JsonNode c) {
        String name = c.get("name").asText() + ": ";
        JsonNode hex = c.get("payload_hex");
        byte[] payload = hex.isNull() ? null : HexFormat.of().parseHex(hex.asText());
        long kafkaTsMs = c.get("kafka_ts_ms").asLong();
        long before = System.currentTimeMillis();
        Row row = function.eval(payload, Instant.ofEpochMilli(kafkaTsMs), c.get("max_chars").asInt(),
                c.get("partition").asInt(), c.get("offset").asLong(), c.get("skip").asText(), timestampType(c));
        long after = System.currentTimeMillis();
        JsonNode expect = c.get("expect");
        if (expect.has("reason")) {
            assertEquals(expect.get("reason").asText(), row.getField(0), name + "reason");
            for (int i = 1; i <= 5; i++) {
                assertNull(row.getField(i), name + "a dead letter's field " + i);
            }
        } else {
            JsonNode want = expect.get("row");
            assertNull(row.getField(0), name + "reason");
            assertEquals(want.get("uuid").asText(), row.getField(1), name + "uuid");
            assertEquals(want.get("first_name").asText(), row.getField(2), name + "first_name");
            assertEquals(want.get("last_name").asText(), row.getField(3), name + "last_name");
            assertEquals(want.get("country").asText(), row.getField(4), name + "country");
            assertEquals(want.get("age").asInt(), row.getField(5), name + "age");
        }
        assertEquals(kafkaTsMs, row.getField(6), name + "kafka_ts_ms");
        long flinkTsMs = (Long) row.getField(7);
        assertTrue(before <= flinkTsMs && flinkTsMs <= after, name + "flink_ts_ms is the processing time");
    }

    /** A case's record timestamp type: "timestamp_type" when given, else the broker's (LogAppendTime). */
    static String timestampType(JsonNode c) {
        return c.has("timestamp_type") ? c.get("timestamp_type").asText() : "LogAppendTime";
    }

    /** The file is well formed and covers every reason of 002_transform.sql and valid events. */
    @Test
    void theFileCoversEveryRule() throws IOException {
        List<JsonNode> cases = cases();
        assertTrue(cases.size() >= 60, "at least 60 cases, found " + cases.size());
        Set<String> names = new HashSet<>();
        Set<String> reasons = new HashSet<>();
        int rows = 0;
        for (JsonNode c : cases) {
            assertTrue(names.add(c.get("name").asText()), "names are unique: " + c.get("name"));
            for (String key : List.of("payload_hex", "kafka_ts_ms", "max_chars", "partition", "offset", "skip", "expect")) {
                assertTrue(c.has(key), c.get("name") + " has " + key);
            }
            assertTrue((c.get("payload_hex").isNull() || c.get("payload_hex").isTextual()) && c.get("kafka_ts_ms").canConvertToLong()
                    && c.get("max_chars").canConvertToInt() && c.get("partition").canConvertToInt()
                    && c.get("offset").canConvertToLong() && c.get("skip").isTextual()
                    && c.get("kafka_ts_ms").isIntegralNumber() && c.get("max_chars").isIntegralNumber()
                    && c.get("partition").isIntegralNumber() && c.get("offset").isIntegralNumber(), c.get("name") + ": field types");
            JsonNode expect = c.get("expect");
            assertEquals(1, expect.size(), c.get("name") + ": one of reason, row");
            if (expect.has("reason")) {
                reasons.add(expect.get("reason").asText().replaceAll("^longer than \\d+ characters$", "longer than N characters"));
            } else {
                assertEquals(Set.of("uuid", "first_name", "last_name", "country", "age"),
                        toSet(expect.get("row").fieldNames()), c.get("name").asText());
                rows++;
            }
        }
        assertTrue(rows >= 10, "valid events too");
        Set<String> every = new HashSet<>(List.of("skipped by operator", "empty message", "not UTF-8",
                "longer than N characters", "not JSON", "JSON is not an object", "uuid empty",
                "uuid longer than 64 characters", "a name longer than 256 characters",
                "NUL character in a text field", "invalid Unicode (lone surrogate) in a text field",
                "age missing or null", "age not an integer", "age out of range 0-150", "Kafka timestamp out of range",
                "Kafka timestamp not set by the broker"));
        for (String f : List.of("uuid", "first_name", "last_name", "country", "age")) {
            every.add("duplicate field " + f);
        }
        for (String f : List.of("uuid", "first_name", "last_name", "country")) {
            every.add(f + " missing or null");
            every.add(f + " not a string");
        }
        Set<String> missing = new HashSet<>(every);
        missing.removeAll(reasons);
        assertEquals(Set.of(), missing, "reasons without a case");
        Set<String> unknown = new HashSet<>(reasons);
        unknown.removeAll(every);
        assertEquals(Set.of(), unknown, "reasons the rules do not name");
    }

    private static Set<String> toSet(java.util.Iterator<String> it) {
        Set<String> out = new HashSet<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
