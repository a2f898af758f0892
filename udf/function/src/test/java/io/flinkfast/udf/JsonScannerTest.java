package io.flinkfast.udf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.flinkfast.udf.JsonScanner.Kind;

class JsonScannerTest {

    private static final int UUID = 0;
    private static final int AGE = 1;

    private static JsonScanner scan(String text) {
        return JsonScanner.scan(text, "uuid", "age");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "[]", "0", "-0", "1.5", "-1.5e-3", "1E+2", "2e10", "0.0e0", "true", "false", "null",
        "\"\"", "\"a\\\"b\"", " \t\n\r{} \t\n\r", "[1,[2,[3]],{\"a\":{\"b\":[]}}]", "[ 1 , 2 ]",
        "{ \"a\" : 1 , \"b\" : [ ] }", "{\"a\":1,\"a\":2}", "{\"\":0}", "\"\\u00e9\\ud83d\\ude00\"",
        "\"\\ud800\"", "\"\\u0000\"", "\"\\/\\b\\f\\n\\r\\t\\\\\"", "123456789012345678901234567890",
        "\"\u00e9\ud83d\ude00\u007f\"", "[\"\u2028\u00a0\ufeff\"]", "{\"x\":{\"uuid\":1,\"uuid\":2}}",
    })
    void acceptsValidJson(String text) {
        assertTrue(scan(text).isJson(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "\t\n\r", "{", "}", "[", "]", "[}", "{]", "{\"a\"}", "{\"a\":}", "{\"a\" 1}",
        "{a:1}", "{'a':1}", "['a']", "[1,]", "{\"a\":1,}", "[,1]", "[1 2]", "{\"a\":1 \"b\":2}",
        "{}{}", "{} x", "{\"a\":1}}", "[[]]]", "1 2", "01", "-01", "00", "-00", "-", "1.", ".5",
        "1.e3", "1e", "1e+", "+1", "0x10", "1_000", "NaN", "Infinity", "-Infinity", "nul", "tru",
        "fals", "True", "NULL", "\"abc", "\"\\\"", "\"\\", "\"\\x41\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"\\U0041\"", "\"\\'\"", "\"a\tb\"", "\"a\nb\"", "\"\u0000\"", "\"\u001f\"", "\ufeff{}",
        "\u00a0{}", "{}\u00a0", "\u2028{}", "{}\u2028", "\u000b{}", "\f{}", "{}\u0000", "/*c*/{}",
        "{}//c", "{} #", "[1]\uffff", "\uffff", "{\"uuid\":01}", "{\"uuid\":\"\\x\"}",
        "{\"uuid\":nul}", "{\"age\":-}", "{\"age\":1.}", "{\"uuid\":\"a\",}", "{\"uuid\" \"a\"}",
        "{\"uuid\":\"a\" \"age\":1}", "{\"u\\u0075id\":\"a\"", "[\"\\ud83d\\ude0\"]",
        "\"\\u\u0661\u0662\u0663\u0664\"", // Arabic-Indic digits are not hex digits
    })
    void rejectsWhatIsNotExactlyOneJsonValue(String text) {
        JsonScanner s = scan(text);
        assertFalse(s.isJson(), text);
        assertFalse(s.isObject(), text);
    }

    @Test
    void tellsAnObjectFromOtherValues() {
        assertTrue(scan("{}").isObject());
        assertTrue(scan(" {\"a\":[1]} ").isObject());
        assertFalse(scan("[{}]").isObject());
        assertFalse(scan("\"{}\"").isObject());
        assertFalse(scan("null").isObject());
        assertFalse(scan("{} x").isObject());
    }

    @ParameterizedTest
    @ValueSource(ints = {100_000, 1_000_000})
    void nestsToAnyDepthWithoutTheCallStack(int depth) {
        String arrays = "[".repeat(depth) + "]".repeat(depth);
        String objects = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        String mixed = "[{\"a\":".repeat(depth / 2) + "null" + "}]".repeat(depth / 2);
        assertDoesNotThrow(() -> {
            assertTrue(scan(arrays).isJson());
            assertFalse(scan(arrays).isObject());
            assertTrue(scan(objects).isObject());
            assertTrue(scan(mixed).isJson());
            assertFalse(scan("[".repeat(depth)).isJson());                        // never closed
            assertFalse(scan("[".repeat(depth) + "}" + "]".repeat(depth - 1)).isJson()); // wrong bracket
            assertFalse(scan(arrays + "]").isJson());                             // one too many
            assertFalse(scan(arrays.substring(1)).isJson());                      // one too few
        });
    }

    @Test
    void aDeepMemberValueIsReadPastAndTheNextMemberKept() {
        int depth = 100_000;
        JsonScanner s = scan("{\"uuid\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"age\":7}");
        assertTrue(s.isObject());
        assertEquals(Kind.OTHER, s.kind(UUID));
        assertEquals(Kind.INTEGER, s.kind(AGE));
        assertEquals("7", s.text(AGE));
    }

    @Test
    void decodesEscapesInStrings() {
        JsonScanner s = scan("{\"uuid\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u00E9\\u0041\"}");
        assertEquals("\"\\/\b\f\n\r\t\u00e9\u00e9A", s.text(UUID));
        assertEquals("\ud83d\ude00", scan("{\"uuid\":\"\\ud83d\\ude00\"}").text(UUID)); // a pair: one code point
        assertEquals("\u00e9\ud83d\ude00", scan("{\"uuid\":\"\u00e9\ud83d\ude00\"}").text(UUID)); // raw
        assertEquals("\u2028\u007f", scan("{\"uuid\":\"\u2028\u007f\"}").text(UUID));
    }

    @Test
    void passesNulAndLoneSurrogatesThroughForTheRulesToJudge() {
        assertEquals("a\0b", scan("{\"uuid\":\"a\\u0000b\"}").text(UUID));
        assertEquals("\ud800", scan("{\"uuid\":\"\\ud800\"}").text(UUID));
        assertEquals("\udc00", scan("{\"uuid\":\"\\udc00\"}").text(UUID));
        assertEquals("\ude00\ud83d", scan("{\"uuid\":\"\\ude00\\ud83d\"}").text(UUID)); // reversed pair
        assertEquals("\ud83dA", scan("{\"uuid\":\"\\ud83d\\u0041\"}").text(UUID));
    }

    @Test
    void comparesKeysAfterDecodingEscapes() {
        JsonScanner s = scan("{\"\\u0075uid\":\"a\",\"\\u0061\\u0067\\u0065\":1}");
        assertEquals(1, s.count(UUID));
        assertEquals("a", s.text(UUID));
        assertEquals(1, s.count(AGE));
        assertEquals(2, scan("{\"\\u0075uid\":\"a\",\"uuid\":\"b\"}").count(UUID));
        assertEquals(2, scan("{\"uu\\u0069d\":1,\"uuid\":2}").count(UUID));
        for (String other : new String[] {"UUID", "uuid ", " uuid", "uuid\\u0000", "uu_id", "\\u0055uid"}) {
            JsonScanner o = scan("{\"" + other + "\":\"x\"}");
            assertTrue(o.isObject(), other);
            assertEquals(0, o.count(UUID), other);
            assertEquals(Kind.MISSING, o.kind(UUID), other);
        }
    }

    @Test
    void keepsOnlyTopLevelMembers() {
        JsonScanner s = scan("{\"x\":{\"uuid\":\"n\",\"uuid\":\"m\"},\"y\":[{\"age\":1}]}");
        assertTrue(s.isObject());
        assertEquals(0, s.count(UUID));
        assertEquals(Kind.MISSING, s.kind(UUID));
        assertEquals(0, s.count(AGE));
        assertNull(s.text(UUID));
    }

    @Test
    void countsRepeatsAndKeepsTheLastValue() {
        JsonScanner s = scan("{\"uuid\":1,\"age\":2,\"uuid\":\"b\"}");
        assertEquals(2, s.count(UUID));
        assertEquals(1, s.count(AGE));
        assertEquals(Kind.STRING, s.kind(UUID));
        assertEquals("b", s.text(UUID));
    }

    @Test
    void classifiesMemberValues() {
        assertKind("\"s\"", Kind.STRING, "s");
        assertKind("\"\"", Kind.STRING, "");
        assertKind("null", Kind.NULL, null);
        assertKind("0", Kind.INTEGER, "0");
        assertKind("-0", Kind.INTEGER, "-0");
        assertKind("123456789012345678901234567890", Kind.INTEGER, "123456789012345678901234567890");
        assertKind("1.0", Kind.OTHER, "1.0");
        assertKind("1E+2", Kind.OTHER, "1E+2");
        assertKind("-1e-2", Kind.OTHER, "-1e-2");
        assertKind("true", Kind.OTHER, null);
        assertKind("false", Kind.OTHER, null);
        assertKind("[]", Kind.OTHER, null);
        assertKind("{\"age\":1}", Kind.OTHER, null);
        assertEquals(Kind.MISSING, scan("{}").kind(UUID));
        assertEquals(Kind.MISSING, scan("{\"a\":1}").kind(AGE));
    }

    private static void assertKind(String value, Kind kind, String text) {
        JsonScanner s = scan("{\"uuid\" : " + value + " }");
        assertTrue(s.isObject(), value);
        assertEquals(kind, s.kind(UUID), value);
        assertEquals(text, s.text(UUID), value);
        assertEquals(1, s.count(UUID), value);
    }

    @Test
    void neverThrowsOnAnyText() {
        String alphabet = "{}[]\":,\\u0123456789abcdefABCDEF-+.eE tfnrlsu \t\n\r\u00a0\u2028\ufeff\u0000\u001f\ud800\udc00\uffff";
        Random random = new Random(8259);
        assertDoesNotThrow(() -> {
            for (int i = 0; i < 200_000; i++) {
                char[] text = new char[random.nextInt(24)];
                for (int j = 0; j < text.length; j++) {
                    text[j] = alphabet.charAt(random.nextInt(alphabet.length()));
                }
                JsonScanner s = scan(new String(text));
                if (!s.isJson()) {
                    assertFalse(s.isObject());
                }
            }
        });
    }
}
