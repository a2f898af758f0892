package io.flinkfast.udf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules of sql/flink/002_transform.sql, each reason, and that the first rule that applies wins. */
class RulesTest {

    static final long TS = 1_700_000_000_000L;
    static final int MAX = 1000;

    /** A message with the five fields; a null value leaves the member out, a String is raw JSON. */
    static String event(String uuid, String first, String last, String country, String age) {
        StringBuilder b = new StringBuilder("{");
        String[] values = {uuid, first, last, country, age};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                b.append(b.length() > 1 ? "," : "").append('"').append(Rules.FIELDS[i]).append("\":").append(values[i]);
            }
        }
        return b.append('}').toString();
    }

    static String good() {
        return event("\"u-1\"", "\"Zo\u00eb\"", "\"\u00d8deg\u00e5rd\"", "\"Norway\"", "30");
    }

    static String q(String s) {
        return '"' + s + '"';
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String reason(byte[] payload, long ts, int max, boolean skipped) {
        return new Rules().classify(payload, ts, max, skipped).reason();
    }

    static String reason(String json) {
        return reason(utf8(json), TS, MAX, false);
    }

    @Test
    void aValidEventHasItsTypedFields() {
        Outcome o = new Rules().classify(utf8(good()), TS, MAX, false);
        assertTrue(o.isEvent());
        assertEquals(Outcome.event("u-1", "Zo\u00eb", "\u00d8deg\u00e5rd", "Norway", 30), o);
        Outcome decoded = new Rules().classify(utf8(event(q("\\u00e9\\ud83d\\ude00\\n"), q("A\\/B"), q(" "), q(""), q("007"))),
                TS, MAX, false);
        assertEquals(Outcome.event("\u00e9\ud83d\ude00\n", "A/B", " ", "", 7), decoded);
    }

    /** Each reason on its own: every other rule passes. */
    static Stream<Arguments> eachReason() {
        return Stream.of(
            Arguments.of("empty message", null, TS, MAX),
            Arguments.of("empty message", new byte[0], TS, MAX),
            Arguments.of("not UTF-8", new byte[] {(byte) 0xc3, 0x28}, TS, MAX),
            Arguments.of("longer than 10 characters", utf8("\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\""), TS, 10),
            Arguments.of("not JSON", utf8(good() + " x"), TS, MAX),
            Arguments.of("JSON is not an object", utf8("[" + good() + "]"), TS, MAX),
            Arguments.of("duplicate field uuid", utf8(good().replace("{", "{\"uuid\":\"v\",")), TS, MAX),
            Arguments.of("duplicate field first_name", utf8(good().replace("{", "{\"first_name\":\"v\",")), TS, MAX),
            Arguments.of("duplicate field last_name", utf8(good().replace("{", "{\"last_name\":\"v\",")), TS, MAX),
            Arguments.of("duplicate field country", utf8(good().replace("{", "{\"country\":\"v\",")), TS, MAX),
            Arguments.of("duplicate field age", utf8(good().replace("{", "{\"age\":1,")), TS, MAX),
            Arguments.of("uuid missing or null", utf8(event(null, q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("uuid missing or null", utf8(event("null", q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("uuid not a string", utf8(event("7", q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("first_name missing or null", utf8(event(q("u"), null, q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("first_name not a string", utf8(event(q("u"), "true", q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("last_name missing or null", utf8(event(q("u"), q("A"), "null", q("C"), "1")), TS, MAX),
            Arguments.of("last_name not a string", utf8(event(q("u"), q("A"), "[]", q("C"), "1")), TS, MAX),
            Arguments.of("country missing or null", utf8(event(q("u"), q("A"), q("B"), null, "1")), TS, MAX),
            Arguments.of("country not a string", utf8(event(q("u"), q("A"), q("B"), "{}", "1")), TS, MAX),
            Arguments.of("uuid empty", utf8(event(q(""), q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("uuid empty", utf8(event(q(" \\t\\n\\r"), q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("uuid longer than 64 characters", utf8(event(q("x".repeat(65)), q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("a name longer than 256 characters", utf8(event(q("u"), q("A".repeat(257)), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("a name longer than 256 characters", utf8(event(q("u"), q("A"), q("B"), q("C".repeat(257)), "1")), TS, MAX),
            Arguments.of("NUL character in a text field", utf8(event(q("u"), q("A"), q("B\\u0000"), q("C"), "1")), TS, MAX),
            Arguments.of("invalid Unicode (lone surrogate) in a text field", utf8(event(q("u\\ud800"), q("A"), q("B"), q("C"), "1")), TS, MAX),
            Arguments.of("age missing or null", utf8(event(q("u"), q("A"), q("B"), q("C"), null)), TS, MAX),
            Arguments.of("age missing or null", utf8(event(q("u"), q("A"), q("B"), q("C"), "null")), TS, MAX),
            Arguments.of("age not an integer", utf8(event(q("u"), q("A"), q("B"), q("C"), "4.2e1")), TS, MAX),
            Arguments.of("age not an integer", utf8(event(q("u"), q("A"), q("B"), q("C"), q("42 "))), TS, MAX),
            Arguments.of("age out of range 0-150", utf8(event(q("u"), q("A"), q("B"), q("C"), "151")), TS, MAX),
            Arguments.of("age out of range 0-150", utf8(event(q("u"), q("A"), q("B"), q("C"), q("-1"))), TS, MAX),
            Arguments.of("Kafka timestamp out of range", utf8(good()), -1L, MAX),
            Arguments.of("Kafka timestamp out of range", utf8(good()), Rules.MAX_TS_MS + 1, MAX));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachReason")
    void eachReasonOnItsOwn(String want, byte[] payload, long ts, int max) {
        assertEquals(want, reason(payload, ts, max, false));
        assertEquals(Rules.SKIPPED, reason(payload, ts, max, true), "rule 1 comes before all");
    }

    /** Messages that break two rules: the earlier rule is the reason. */
    static Stream<Arguments> firstRuleWins() {
        String bothDup = good().replace("{", "{\"age\":1,\"uuid\":\"v\",");
        return Stream.of(
            Arguments.of("1 skipped before 2 empty", Rules.SKIPPED, null, TS, MAX, true),
            Arguments.of("1 skipped before 14 timestamp", Rules.SKIPPED, utf8(good()), -1L, MAX, true),
            Arguments.of("3 not UTF-8 before 4 longer", "not UTF-8", new byte[] {'"', (byte) 0xff, 'a', 'b', 'c', '"'}, TS, 2, false),
            Arguments.of("4 longer before 5 not JSON", "longer than 3 characters", utf8("{{{{"), TS, 3, false),
            Arguments.of("5 not JSON before 6 not an object", "not JSON", utf8("[1] [2]"), TS, MAX, false),
            Arguments.of("6 not an object before 8 missing", "JSON is not an object", utf8("[]"), TS, MAX, false),
            Arguments.of("7 duplicates in field order", "duplicate field uuid", utf8(bothDup), TS, MAX, false),
            Arguments.of("7 duplicate age before 8 uuid missing", "duplicate field age",
                    utf8(event(null, q("A"), q("B"), q("C"), "1").replace("{", "{\"age\":2,")), TS, MAX, false),
            Arguments.of("8 uuid missing before first_name not a string", "uuid missing or null",
                    utf8(event(null, "1", q("B"), q("C"), "1")), TS, MAX, false),
            Arguments.of("8 first_name not a string before last_name missing", "first_name not a string",
                    utf8(event(q("u"), "1", null, q("C"), "1")), TS, MAX, false),
            Arguments.of("8 country missing before 9 uuid empty", "country missing or null",
                    utf8(event(q(""), q("A"), q("B"), null, "1")), TS, MAX, false),
            Arguments.of("9 uuid empty before 10 name longer", "uuid empty",
                    utf8(event(q(" "), q("A".repeat(300)), q("B"), q("C"), "1")), TS, MAX, false),
            Arguments.of("10 uuid longer before 11 NUL", "uuid longer than 64 characters",
                    utf8(event(q("\\u0000".repeat(65)), q("A"), q("B"), q("C"), "1")), TS, MAX, false),
            Arguments.of("10 name longer before 11 NUL", "a name longer than 256 characters",
                    utf8(event(q("\\u0000"), q("A"), q("B".repeat(257)), q("C"), "1")), TS, MAX, false),
            Arguments.of("11 NUL before 12 lone surrogate", "NUL character in a text field",
                    utf8(event(q("\\ud800"), q("A"), q("B"), q("\\u0000"), "1")), TS, MAX, false),
            Arguments.of("12 lone surrogate before 13 age", "invalid Unicode (lone surrogate) in a text field",
                    utf8(event(q("u"), q("A"), q("\\udc00"), q("C"), null)), TS, MAX, false),
            Arguments.of("13 age missing before 14 timestamp", "age missing or null",
                    utf8(event(q("u"), q("A"), q("B"), q("C"), null)), -1L, MAX, false),
            Arguments.of("13 age not an integer before 14 timestamp", "age not an integer",
                    utf8(event(q("u"), q("A"), q("B"), q("C"), "true")), -1L, MAX, false),
            Arguments.of("13 age out of range before 14 timestamp", "age out of range 0-150",
                    utf8(event(q("u"), q("A"), q("B"), q("C"), "151")), Rules.MAX_TS_MS + 1, MAX, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("firstRuleWins")
    void theFirstRuleThatAppliesIsTheReason(String name, String want, byte[] payload, long ts, int max, boolean skipped) {
        assertEquals(want, reason(payload, ts, max, skipped));
    }

    @Test
    void boundariesThatPass() {
        String g = good();
        int chars = g.codePointCount(0, g.length());
        assertNull(reason(utf8(g), TS, chars, false), "exactly MAX_EVENT_CHARS");
        assertEquals("longer than " + (chars - 1) + " characters", reason(utf8(g), TS, chars - 1, false));
        assertNull(reason(utf8(g), Rules.MIN_TS_MS, MAX, false));
        assertNull(reason(utf8(g), Rules.MAX_TS_MS, MAX, false));
        String emoji64 = "\ud83d\ude00".repeat(64); // 64 code points, 128 UTF-16 units, 256 bytes
        assertNull(reason(event(q(emoji64), q("A"), q("B"), q("C"), "0")));
        assertEquals("uuid longer than 64 characters", reason(event(q(emoji64 + "x"), q("A"), q("B"), q("C"), "0")));
        String pairs256 = "\\ud83d\\ude00".repeat(256); // escaped pairs count one code point each
        assertNull(reason(utf8(event(q("u"), q(pairs256), q("B"), q("C"), "150")), TS, 20_000, false));
        assertNull(reason(event(q("\u3000"), q("A"), q("B"), q("C"), "-0")), "U+3000 is not JSON whitespace");
        assertNull(reason(event(q("\\u00a0"), q("A"), q("B"), q("C"), q("-0"))));
    }

    @Test
    void agesThatAreIntegers() {
        String[][] cases = {{"0", "0"}, {"150", "150"}, {"-0", "0"}, {q("-0"), "0"}, {q("007"), "7"},
            {q("0000000000000000000000150"), "150"}};
        for (String[] c : cases) {
            Outcome o = new Rules().classify(utf8(event(q("u"), q("A"), q("B"), q("C"), c[0])), TS, MAX, false);
            assertEquals(Integer.valueOf(c[1]), o.age(), c[0]);
        }
        for (String age : new String[] {"1.0", "1e2", "0e0", "true", "false", "[1]", "{}", q(""), q("-"), q("+1"),
                q(" 1"), q("1 "), q("1\\n"), q("\uff14\uff12"), q("\u0664\u0662"), q("1.0"), q("0x10")}) {
            assertEquals("age not an integer", reason(event(q("u"), q("A"), q("B"), q("C"), age)), age);
        }
        for (String age : new String[] {"-1", "151", "99999999999999999999", q("-99999999999999999999"), "1000000", q("999999")}) {
            assertEquals("age out of range 0-150", reason(event(q("u"), q("A"), q("B"), q("C"), age)), age);
        }
    }

    @Test
    void helpers() {
        assertTrue(Rules.isBlank(""));
        assertTrue(Rules.isBlank(" \t\n\r"));
        assertFalse(Rules.isBlank("\u00a0"));
        assertFalse(Rules.isBlank("\u000b"));
        assertFalse(Rules.isBlank(" x "));
        assertFalse(Rules.hasLoneSurrogate("a\ud83d\ude00b"));
        assertTrue(Rules.hasLoneSurrogate("\ud83d"));
        assertTrue(Rules.hasLoneSurrogate("a\ude00"));
        assertTrue(Rules.hasLoneSurrogate("\ude00\ud83d"));
        assertTrue(Rules.hasLoneSurrogate("\ud83d\ud83d\ude00"));
        assertTrue(Rules.isAsciiInteger("-0"));
        assertTrue(Rules.isAsciiInteger("0012"));
        assertFalse(Rules.isAsciiInteger("-"));
        assertFalse(Rules.isAsciiInteger(""));
        assertFalse(Rules.isAsciiInteger("+1"));
        assertFalse(Rules.isAsciiInteger("--1"));
        assertFalse(Rules.isAsciiInteger("\u0661"));
        assertEquals(0, Rules.smallInt("-0"));
        assertEquals(-999_999, Rules.smallInt("-999999"));
        assertNull(Rules.smallInt("1000000"));
        assertNull(Rules.smallInt("-1000000"));
        assertNull(Rules.smallInt("9".repeat(5000)));
        assertEquals(150, Rules.smallInt("000150"));
    }

    /** Total: random bytes never throw, and the reason is always one the rules name. */
    @Test
    void neverThrowsAndNamesOnlyKnownReasons() {
        Set<String> known = Set.of("skipped by operator", "empty message", "not UTF-8", "not JSON",
                "JSON is not an object", "uuid empty", "uuid longer than 64 characters",
                "a name longer than 256 characters", "NUL character in a text field",
                "invalid Unicode (lone surrogate) in a text field", "age missing or null",
                "age not an integer", "age out of range 0-150", "Kafka timestamp out of range");
        List<String> seeds = List.of(good(), event(q("\\ud800"), "1", "null", "[]", q("x")), "[[[\"\\u0000\"]]]");
        Random random = new Random(20_25);
        Rules rules = new Rules();
        assertDoesNotThrow(() -> {
            for (int i = 0; i < 100_000; i++) {
                byte[] b = utf8(seeds.get(random.nextInt(seeds.size())));
                for (int m = random.nextInt(4); m > 0; m--) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                String r = rules.classify(b, TS, 40 + random.nextInt(100), false).reason();
                assertTrue(r == null || known.contains(r) || r.startsWith("longer than ")
                        || r.startsWith("duplicate field ") || r.endsWith(" missing or null")
                        || r.endsWith(" not a string"), r);
            }
        });
    }
}
