package io.flinkfast.udf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import io.flinkfast.udf.JsonScanner.Kind;

/**
 * The rules of sql/flink/002_transform.sql, in their order: the first that applies is the
 * message's dead-letter reason; a message no rule rejects is a valid event with typed fields.
 * tests/oracle.py states the same rules independently in Python, and
 * tests/data/classification_cases.json holds both to the same cases.
 *
 * <p>Total: no rule throws on data. One instance per function instance (it keeps a UTF-8 decoder,
 * which is not thread-safe).
 */
final class Rules {

    /** Kafka timestamps a row may carry: the Unix epoch to the end of the year 9999 (UTC). */
    static final long MIN_TS_MS = 0L;
    static final long MAX_TS_MS = 253_402_300_799_999L;
    static final int MAX_UUID_CHARS = 64;
    static final int MAX_NAME_CHARS = 256;
    static final int MIN_AGE = 0;
    static final int MAX_AGE = 150;
    /** The top-level members the job reads; the first four are the text fields. */
    static final String[] FIELDS = {"uuid", "first_name", "last_name", "country", "age"};
    private static final int UUID = 0;
    private static final int AGE = 4;
    static final String SKIPPED = "skipped by operator";
    /** Rule 15's reason: the record's timestamp is the producer's clock (CreateTime), not the broker's. */
    static final String NOT_BROKER_TIME = "Kafka timestamp not set by the broker";

    private CharsetDecoder utf8;

    /**
     * The outcome for one message.
     *
     * @param payload   the message's value; null for a tombstone
     * @param kafkaTsMs the Kafka timestamp in epoch milliseconds
     * @param maxChars  MAX_EVENT_CHARS: the most code points a message may have
     * @param skipped   the message's position is on the operator's skip list (rule 1)
     */
    Outcome classify(byte[] payload, long kafkaTsMs, int maxChars, boolean skipped) {
        return classify(payload, kafkaTsMs, maxChars, skipped, true);
    }

    /**
     * As above, with rule 15.
     *
     * @param brokerTime the record's timestamp type is LogAppendTime: the broker stamped it on append
     */
    Outcome classify(byte[] payload, long kafkaTsMs, int maxChars, boolean skipped, boolean brokerTime) {
        if (skipped) {
            return Outcome.deadLetter(SKIPPED);
        }
        Outcome outcome = check(payload, maxChars);
        if (outcome.isEvent() && (kafkaTsMs < MIN_TS_MS || kafkaTsMs > MAX_TS_MS)) {
            return Outcome.deadLetter("Kafka timestamp out of range");
        }
        if (outcome.isEvent() && !brokerTime) {
            return Outcome.deadLetter(NOT_BROKER_TIME);
        }
        return outcome;
    }

    /** Rules 2 to 13: what the payload itself decides. */
    private Outcome check(byte[] payload, int maxChars) {
        if (payload == null || payload.length == 0) {
            return Outcome.deadLetter("empty message");
        }
        String text;
        try {
            text = decoder().decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return Outcome.deadLetter("not UTF-8");
        }
        if (codePoints(text) > maxChars) {
            return Outcome.deadLetter("longer than " + maxChars + " characters");
        }
        JsonScanner scan = JsonScanner.scan(text, FIELDS);
        if (!scan.isJson()) {
            return Outcome.deadLetter("not JSON");
        }
        if (!scan.isObject()) {
            return Outcome.deadLetter("JSON is not an object");
        }
        for (int i = 0; i < FIELDS.length; i++) {
            if (scan.count(i) > 1) {
                return Outcome.deadLetter("duplicate field " + FIELDS[i]);
            }
        }
        for (int i = 0; i < AGE; i++) {
            if (scan.kind(i) == Kind.MISSING || scan.kind(i) == Kind.NULL) {
                return Outcome.deadLetter(FIELDS[i] + " missing or null");
            }
            if (scan.kind(i) != Kind.STRING) {
                return Outcome.deadLetter(FIELDS[i] + " not a string");
            }
        }
        String uuid = scan.text(UUID);
        if (isBlank(uuid)) {
            return Outcome.deadLetter("uuid empty");
        }
        if (codePoints(uuid) > MAX_UUID_CHARS) {
            return Outcome.deadLetter("uuid longer than " + MAX_UUID_CHARS + " characters");
        }
        for (int i = 1; i < AGE; i++) {
            if (codePoints(scan.text(i)) > MAX_NAME_CHARS) {
                return Outcome.deadLetter("a name longer than " + MAX_NAME_CHARS + " characters");
            }
        }
        for (int i = 0; i < AGE; i++) {
            if (scan.text(i).indexOf('\0') >= 0) {
                return Outcome.deadLetter("NUL character in a text field");
            }
        }
        for (int i = 0; i < AGE; i++) {
            if (hasLoneSurrogate(scan.text(i))) {
                return Outcome.deadLetter("invalid Unicode (lone surrogate) in a text field");
            }
        }
        Integer age;
        switch (scan.kind(AGE)) {
            case MISSING:
            case NULL:
                return Outcome.deadLetter("age missing or null");
            case INTEGER:
                age = smallInt(scan.text(AGE));
                break;
            case STRING:
                if (!isAsciiInteger(scan.text(AGE))) {
                    return Outcome.deadLetter("age not an integer");
                }
                age = smallInt(scan.text(AGE));
                break;
            default:
                return Outcome.deadLetter("age not an integer");
        }
        if (age == null || age < MIN_AGE || age > MAX_AGE) {
            return Outcome.deadLetter("age out of range " + MIN_AGE + "-" + MAX_AGE);
        }
        return Outcome.event(uuid, scan.text(1), scan.text(2), scan.text(3), age);
    }

    /** Strict UTF-8: no overlong forms, no encoded surrogates, nothing above U+10FFFF. */
    private CharsetDecoder decoder() {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        return utf8.reset();
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
}
