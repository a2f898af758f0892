package io.flinkfast.udf;

import java.util.Arrays;

/**
 * A strict JSON scanner (RFC 8259): one value, surrounded by nothing but JSON whitespace (space,
 * tab, line feed, carriage return); no comments, no single quotes, no NaN or Infinity, no leading
 * zeros, no raw control characters inside strings. It validates the whole document and keeps, of
 * the members of a top-level object whose keys are among the names asked for, how often each
 * appears, the kind of its value and its text: a string's value with escapes decoded, a number's
 * text as written. Keys are compared after decoding escapes ({@code "\u0075uid"} is
 * {@code uuid}); nested objects' keys are not looked at.
 *
 * <p>Total: it never throws on any text and never recurses. Nesting of any depth is a counter and
 * a bit stack on the heap, not the call stack. A {@code \\uXXXX} escape is decoded to that one
 * UTF-16 unit whatever it is, so a lone surrogate or U+0000 reaches the caller as such (the rules
 * judge them, not the scanner).
 */
final class JsonScanner {

    /** What a kept member's value is. */
    enum Kind { MISSING, NULL, STRING, INTEGER, OTHER }

    private final String s;
    private final int n;
    private final String[] names;
    private int pos;
    private boolean json;
    private boolean topIsObject;
    private final int[] count;
    private final Kind[] kind;
    private final String[] text;
    private final StringBuilder buf = new StringBuilder();
    private long[] stack = new long[4]; // bit i: 1 = object, 0 = array, at depth i
    private int depth;
    private boolean lastWasInteger;

    private JsonScanner(String s, String[] names) {
        this.s = s;
        this.n = s.length();
        this.names = names;
        this.count = new int[names.length];
        this.kind = new Kind[names.length];
        Arrays.fill(kind, Kind.MISSING);
        this.text = new String[names.length];
    }

    /**
     * Scans text, keeping the top-level members called names (the array is read, not copied:
     * member i below is names[i]).
     */
    static JsonScanner scan(String text, String... names) {
        JsonScanner scanner = new JsonScanner(text, names);
        scanner.json = scanner.document();
        return scanner;
    }

    /** The text is exactly one JSON value. */
    boolean isJson() {
        return json;
    }

    /** The text is JSON and its value is an object. */
    boolean isObject() {
        return json && topIsObject;
    }

    /** How often member i appears in the top-level object (meaningful when isObject()). */
    int count(int i) {
        return count[i];
    }

    /** The kind of member i's value (its last occurrence); MISSING when absent (when isObject()). */
    Kind kind(int i) {
        return kind[i];
    }

    /** STRING: the decoded value; INTEGER or a number of kind OTHER: its text; else null. */
    String text(int i) {
        return text[i];
    }

    /** True when the text is exactly one JSON value. */
    private boolean document() {
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
            int member = memberIndex(buf);
            skipWs();
            if (peek() != ':') {
                return false;
            }
            pos++;
            skipWs();
            if (member >= 0) {
                count[member]++;
                char c = peek();
                if (c == '"') {
                    if (!string(true)) {
                        return false;
                    }
                    kind[member] = Kind.STRING;
                    text[member] = buf.toString();
                } else if (c == '-' || (c >= '0' && c <= '9')) {
                    int start = pos;
                    if (!number()) {
                        return false;
                    }
                    kind[member] = lastWasInteger ? Kind.INTEGER : Kind.OTHER;
                    text[member] = s.substring(start, pos);
                } else if (c == 'n') {
                    if (!literal("null")) {
                        return false;
                    }
                    kind[member] = Kind.NULL;
                } else {
                    if (!value()) {
                        return false;
                    }
                    kind[member] = Kind.OTHER;
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

    private int memberIndex(CharSequence key) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].contentEquals(key)) {
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
            stack = Arrays.copyOf(stack, stack.length * 2);
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
            if (!digits()) {
                return false;
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
            if (!digits()) {
                return false;
            }
            lastWasInteger = false;
        }
        return true;
    }

    /** One or more ASCII digits, consumed; false (nothing consumed) if there is none. */
    private boolean digits() {
        if (!isDigit(peek())) {
            return false;
        }
        while (isDigit(peek())) {
            pos++;
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
