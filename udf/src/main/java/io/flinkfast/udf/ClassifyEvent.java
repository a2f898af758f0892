package io.flinkfast.udf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.functions.TableFunction;
import org.apache.flink.types.Row;

/**
 * classify_event: one Kafka message in, exactly one row out: either a valid event (reason NULL,
 * typed fields) or a dead letter (reason set). The rules are written down in
 * sql/flink/002_transform.sql; tests/oracle.py is an independent Python statement of the same
 * rules, and the fuzz tests hold this function to it.
 *
 * <p>Total by construction: the message is read once, by a strict, non-recursive JSON scanner
 * that cannot throw on data (a nesting depth of any size uses a counter and a bit stack, not the
 * call stack), and every outcome is a row. A table function runs once per input row, so the
 * planner cannot repeat the parse per referenced field, as it did with JSON_VALUE.
 */
@FunctionHint(output = @DataTypeHint(
        "ROW<reason STRING, `uuid` STRING, first_name STRING, last_name STRING, country STRING, "
                + "age INT, kafka_ts_ms BIGINT, flink_ts_ms BIGINT>"))
public class ClassifyEvent extends TableFunction<Row> {

    private static final long serialVersionUID = 1L;

    /** Kafka timestamps a row may carry: the Unix epoch to the end of the year 9999 (UTC). */
    static final long MIN_TS_MS = 0L;
    static final long MAX_TS_MS = 253_402_300_799_999L;
    static final int MAX_UUID_CHARS = 64;
    static final int MAX_NAME_CHARS = 256;
    static final int MIN_AGE = 0;
    static final int MAX_AGE = 150;
    static final String[] FIELDS = {"uuid", "first_name", "last_name", "country", "age"};
    static final String SKIPPED = "skipped by operator";

    private transient CharsetDecoder utf8;
    private transient String skipSpec;
    private transient Set<Position> skips;

    /** Without an operator's skip list. */
    public void eval(byte[] payload, Instant kafkaTs, Integer maxChars) {
        collect(classify(payload, kafkaTs, maxChars == null ? Integer.MAX_VALUE : maxChars, false));
    }

    /**
     * With the operator's skip list ("PARTITION:OFFSET,..."): a listed message becomes a dead
     * letter whatever it holds (`flinkfast skip`), so a job can be moved past it.
     */
    public void eval(byte[] payload, Instant kafkaTs, Integer maxChars,
                     Integer partition, Long offset, String skipList) {
        collect(classify(payload, kafkaTs, maxChars, partition, offset, skipList));
    }

    /** The one classification, shared with the scalar form (ClassifyRow). */
    Row classify(byte[] payload, Instant kafkaTs, Integer maxChars, Integer partition, Long offset, String skipList) {
        boolean skipped = partition != null && offset != null && skipSet(skipList).contains(new Position(partition, offset));
        return classify(payload, kafkaTs, maxChars == null ? Integer.MAX_VALUE : maxChars, skipped);
    }

    @Override
    public boolean isDeterministic() {
        return false; // flink_ts_ms is the processing time
    }

    Row classify(byte[] payload, Instant kafkaTs, int maxChars, boolean skipped) {
        long flinkTsMs = System.currentTimeMillis();
        long kafkaTsMs = kafkaTs == null ? -1L : kafkaTs.toEpochMilli();
        String reason = skipped ? SKIPPED : null;
        Event event = null;
        if (reason == null) {
            event = new Event();
            reason = check(payload, maxChars, event);
        }
        if (reason == null && (kafkaTsMs < MIN_TS_MS || kafkaTsMs > MAX_TS_MS)) {
            reason = "Kafka timestamp out of range";
        }
        if (reason != null) {
            return Row.of(reason, null, null, null, null, null, kafkaTsMs, flinkTsMs);
        }
        return Row.of(null, event.uuid, event.firstName, event.lastName, event.country, event.age,
                kafkaTsMs, flinkTsMs);
    }

    /** The reason the payload is a dead letter, or null with the event's fields filled in. */
    String check(byte[] payload, int maxChars, Event event) {
        if (payload == null || payload.length == 0) {
            return "empty message";
        }
        String text;
        try {
            text = decoder().decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return "not UTF-8";
        }
        if (text.codePointCount(0, text.length()) > maxChars) {
            return "longer than " + maxChars + " characters";
        }
        Scanner scan = new Scanner(text);
        if (!scan.document()) {
            return "not JSON";
        }
        if (!scan.topIsObject) {
            return "JSON is not an object";
        }
        for (int i = 0; i < FIELDS.length; i++) {
            if (scan.count[i] > 1) {
                return "duplicate field " + FIELDS[i];
            }
        }
        for (int i = 0; i < 4; i++) {
            if (scan.kind[i] == Kind.MISSING || scan.kind[i] == Kind.NULL) {
                return FIELDS[i] + " missing or null";
            }
            if (scan.kind[i] != Kind.STRING) {
                return FIELDS[i] + " not a string";
            }
        }
        String uuid = scan.text[0];
        if (isBlank(uuid)) {
            return "uuid empty";
        }
        if (codePoints(uuid) > MAX_UUID_CHARS) {
            return "uuid longer than " + MAX_UUID_CHARS + " characters";
        }
        for (int i = 1; i < 4; i++) {
            if (codePoints(scan.text[i]) > MAX_NAME_CHARS) {
                return "a name longer than " + MAX_NAME_CHARS + " characters";
            }
        }
        for (int i = 0; i < 4; i++) {
            if (scan.text[i].indexOf('\0') >= 0) {
                return "NUL character in a text field";
            }
        }
        for (int i = 0; i < 4; i++) {
            if (hasLoneSurrogate(scan.text[i])) {
                return "invalid Unicode (lone surrogate) in a text field";
            }
        }
        Integer age;
        switch (scan.kind[4]) {
            case MISSING:
            case NULL:
                return "age missing or null";
            case INTEGER:
                age = smallInt(scan.text[4]);
                break;
            case STRING:
                if (!isAsciiInteger(scan.text[4])) {
                    return "age not an integer";
                }
                age = smallInt(scan.text[4]);
                break;
            default:
                return "age not an integer";
        }
        if (age == null || age < MIN_AGE || age > MAX_AGE) {
            return "age out of range " + MIN_AGE + "-" + MAX_AGE;
        }
        event.uuid = uuid;
        event.firstName = scan.text[1];
        event.lastName = scan.text[2];
        event.country = scan.text[3];
        event.age = age;
        return null;
    }

    private CharsetDecoder decoder() {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        return utf8.reset();
    }

    private Set<Position> skipSet(String spec) {
        if (spec == null || spec.isEmpty()) {
            return Set.of();
        }
        if (!spec.equals(skipSpec)) {
            Set<Position> parsed = new HashSet<>();
            for (String item : spec.split(",")) {
                String[] parts = item.trim().split(":");
                try {
                    if (parts.length == 2) {
                        parsed.add(new Position(Integer.parseInt(parts[0].trim()), Long.parseLong(parts[1].trim())));
                    }
                } catch (RuntimeException malformed) {
                    // flinkfast.config validates SKIP_MESSAGES; a hand-written item that is not
                    // PARTITION:OFFSET skips nothing rather than failing the job.
                }
            }
            skips = parsed;
            skipSpec = spec;
        }
        return skips;
    }

    /** A Kafka position, compared whole: no packing of two numbers into one that could collide. */
    record Position(int partition, long offset) {
    }

    static int codePoints(String s) {
        return s.codePointCount(0, s.length());
    }

    /** Empty, or only JSON's whitespace (space, tab, line feed, carriage return). */
    static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return true;
    }

    /** A surrogate that is not half of a pair: no UTF-8 (so no PostgreSQL text) can hold it. */
    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** An optional '-' and one or more ASCII digits, nothing else (no spaces, no other digits). */
    static boolean isAsciiInteger(String s) {
        int start = s.startsWith("-") ? 1 : 0;
        if (s.length() == start) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The value of an integer text that is known to be well formed; null when beyond +-999999. */
    static Integer smallInt(String s) {
        boolean negative = s.startsWith("-");
        int value = 0;
        for (int i = negative ? 1 : 0; i < s.length(); i++) {
            value = value * 10 + (s.charAt(i) - '0');
            if (value > 999_999) {
                return null;
            }
        }
        return negative ? -value : value;
    }

    /** The fields of a valid event. */
    static final class Event {
        String uuid;
        String firstName;
        String lastName;
        String country;
        int age;
    }

    enum Kind { MISSING, NULL, STRING, INTEGER, OTHER }

    /**
     * A strict JSON scanner (RFC 8259): one value, surrounded by nothing but JSON whitespace;
     * no comments, no single quotes, no NaN, no leading zeros, no control characters inside
     * strings. It validates the whole document and keeps, of the top-level object, the kind and
     * text of the five fields the job reads (escapes decoded; keys compared after decoding).
     * Iterative: nesting is tracked in a bit stack, never on the call stack.
     */
    static final class Scanner {
        private final String s;
        private final int n;
        private int pos;
        boolean topIsObject;
        final int[] count = new int[FIELDS.length];
        final Kind[] kind = {Kind.MISSING, Kind.MISSING, Kind.MISSING, Kind.MISSING, Kind.MISSING};
        final String[] text = new String[FIELDS.length];
        private final StringBuilder buf = new StringBuilder();
        private long[] stack = new long[4]; // bit i: 1 = object, 0 = array, at depth i
        private int depth;
        private boolean lastWasInteger;

        Scanner(String s) {
            this.s = s;
            this.n = s.length();
        }

        /** True when the text is exactly one JSON value. */
        boolean document() {
            skipWs();
            if (pos < n && s.charAt(pos) == '{') {
                topIsObject = true;
                if (!topObject()) {
                    return false;
                }
            } else if (!value()) {
                return false;
            }
            skipWs();
            return pos == n;
        }

        private boolean topObject() {
            pos++; // '{'
            skipWs();
            if (peek() == '}') {
                pos++;
                return true;
            }
            while (true) {
                if (peek() != '"' || !string(true)) {
                    return false;
                }
                int field = fieldIndex(buf);
                skipWs();
                if (peek() != ':') {
                    return false;
                }
                pos++;
                skipWs();
                if (field >= 0) {
                    count[field]++;
                    char c = peek();
                    if (c == '"') {
                        if (!string(true)) {
                            return false;
                        }
                        kind[field] = Kind.STRING;
                        text[field] = buf.toString();
                    } else if (c == '-' || (c >= '0' && c <= '9')) {
                        int start = pos;
                        if (!number()) {
                            return false;
                        }
                        kind[field] = lastWasInteger ? Kind.INTEGER : Kind.OTHER;
                        text[field] = s.substring(start, pos);
                    } else if (c == 'n') {
                        if (!literal("null")) {
                            return false;
                        }
                        kind[field] = Kind.NULL;
                    } else {
                        if (!value()) {
                            return false;
                        }
                        kind[field] = Kind.OTHER;
                    }
                } else if (!value()) {
                    return false;
                }
                skipWs();
                char c = peek();
                if (c == '}') {
                    pos++;
                    return true;
                }
                if (c != ',') {
                    return false;
                }
                pos++;
                skipWs();
            }
        }

        private static int fieldIndex(CharSequence key) {
            for (int i = 0; i < FIELDS.length; i++) {
                if (FIELDS[i].contentEquals(key)) {
                    return i;
                }
            }
            return -1;
        }

        /** One value of any depth, iteratively. */
        private boolean value() {
            int base = depth;
            while (true) {
                // a value starts here
                char c = peek();
                if (c == '{' || c == '[') {
                    pos++;
                    push(c == '{');
                    skipWs();
                    char close = c == '{' ? '}' : ']';
                    if (peek() == close) {
                        pos++;
                        depth--;
                    } else {
                        if (c == '{' && !key()) {
                            return false;
                        }
                        continue; // the first member's value
                    }
                } else if (c == '"') {
                    if (!string(false)) {
                        return false;
                    }
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    if (!number()) {
                        return false;
                    }
                } else if (c == 't') {
                    if (!literal("true")) {
                        return false;
                    }
                } else if (c == 'f') {
                    if (!literal("false")) {
                        return false;
                    }
                } else if (c == 'n') {
                    if (!literal("null")) {
                        return false;
                    }
                } else {
                    return false;
                }
                // a value ended: close containers or go on to the next member
                while (true) {
                    if (depth == base) {
                        return true;
                    }
                    skipWs();
                    boolean inObject = top();
                    char next = peek();
                    if (next == ',') {
                        pos++;
                        skipWs();
                        if (inObject && !key()) {
                            return false;
                        }
                        break; // the next member's value
                    }
                    if (next == (inObject ? '}' : ']')) {
                        pos++;
                        depth--;
                        continue;
                    }
                    return false;
                }
            }
        }

        /** A member's key and the colon after it; whitespace after the colon is skipped. */
        private boolean key() {
            if (peek() != '"' || !string(false)) {
                return false;
            }
            skipWs();
            if (peek() != ':') {
                return false;
            }
            pos++;
            skipWs();
            return true;
        }

        private void push(boolean object) {
            int word = depth >>> 6;
            if (word >= stack.length) {
                stack = java.util.Arrays.copyOf(stack, stack.length * 2);
            }
            long bit = 1L << (depth & 63);
            stack[word] = object ? stack[word] | bit : stack[word] & ~bit;
            depth++;
        }

        private boolean top() {
            int d = depth - 1;
            return (stack[d >>> 6] & (1L << (d & 63))) != 0;
        }

        /** A string at pos; with decode, its value is left in buf. */
        private boolean string(boolean decode) {
            if (decode) {
                buf.setLength(0);
            }
            pos++; // opening quote
            while (pos < n) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return true;
                }
                if (c < 0x20) {
                    return false;
                }
                if (c != '\\') {
                    if (decode) {
                        buf.append(c);
                    }
                    continue;
                }
                if (pos >= n) {
                    return false;
                }
                char e = s.charAt(pos++);
                char out;
                switch (e) {
                    case '"': out = '"'; break;
                    case '\\': out = '\\'; break;
                    case '/': out = '/'; break;
                    case 'b': out = '\b'; break;
                    case 'f': out = '\f'; break;
                    case 'n': out = '\n'; break;
                    case 'r': out = '\r'; break;
                    case 't': out = '\t'; break;
                    case 'u':
                        if (pos + 4 > n) {
                            return false;
                        }
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int h = hex(s.charAt(pos++));
                            if (h < 0) {
                                return false;
                            }
                            code = code * 16 + h;
                        }
                        out = (char) code;
                        break;
                    default:
                        return false;
                }
                if (decode) {
                    buf.append(out);
                }
            }
            return false; // unterminated
        }

        /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; lastWasInteger: no fraction, no exponent. */
        private boolean number() {
            if (peek() == '-') {
                pos++;
            }
            char c = peek();
            if (c == '0') {
                pos++;
            } else if (c >= '1' && c <= '9') {
                while (isDigit(peek())) {
                    pos++;
                }
            } else {
                return false;
            }
            lastWasInteger = true;
            if (peek() == '.') {
                pos++;
                if (!isDigit(peek())) {
                    return false;
                }
                while (isDigit(peek())) {
                    pos++;
                }
                lastWasInteger = false;
            }
            c = peek();
            if (c == 'e' || c == 'E') {
                pos++;
                c = peek();
                if (c == '+' || c == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    return false;
                }
                while (isDigit(peek())) {
                    pos++;
                }
                lastWasInteger = false;
            }
            return true;
        }

        private boolean literal(String word) {
            if (s.startsWith(word, pos)) {
                pos += word.length();
                return true;
            }
            return false;
        }

        /** An ASCII hex digit's value, else -1 (Character.digit would take other scripts' digits). */
        private static int hex(char c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private char peek() {
            return pos < n ? s.charAt(pos) : '\uFFFF'; // U+FFFF never starts or ends a token
        }

        private void skipWs() {
            while (pos < n) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }
    }
}
