package com.github.seclabel;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the host itself needs: reading a response's envelope
 * (report, diagnostics, error) into maps and lists, and writing an access
 * context. The resources themselves are never parsed here: they pass
 * through as the bytes the module wrote, so a caller's own JSON or FHIR
 * library reads them.
 *
 * <p>Objects read as {@link LinkedHashMap} (members in order), arrays as
 * {@link List}, numbers as {@link BigDecimal} (as written, so a FHIR decimal
 * keeps its precision), and true, false and null as themselves.
 */
public final class Json {
    private Json() {}

    /** Parses one JSON value; throws {@link IllegalArgumentException} on anything else. */
    public static Object parse(String text) {
        Reader r = new Reader(text);
        r.space();
        Object v = r.value(0);
        r.space();
        if (r.i != text.length()) {
            throw r.fail("data after the value");
        }
        return v;
    }

    /** Parses UTF-8 bytes as one JSON value. */
    public static Object parse(byte[] utf8, int offset, int length) {
        return parse(new String(utf8, offset, length, StandardCharsets.UTF_8));
    }

    /** Appends s as a JSON string literal. */
    public static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /** Writes maps, lists, strings, numbers, booleans and null as JSON. */
    public static StringBuilder write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, String.valueOf(e.getKey())).append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof Iterable<?> it) {
            b.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                write(b, o);
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
        return b;
    }

    /** The member name of m at key as a string, or null. */
    static String string(Object m, String key) {
        return m instanceof Map<?, ?> map && map.get(key) instanceof String s ? s : null;
    }

    private static final class Reader {
        private final String s;
        private int i;

        Reader(String s) {
            this.s = s;
        }

        IllegalArgumentException fail(String why) {
            return new IllegalArgumentException("malformed JSON at offset " + i + ": " + why);
        }

        void space() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                i++;
            }
        }

        Object value(int depth) {
            if (depth > 1000) {
                throw fail("nested too deep");
            }
            if (i >= s.length()) {
                throw fail("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    space();
                    if (peek('}')) {
                        return m;
                    }
                    do {
                        space();
                        if (i >= s.length() || s.charAt(i) != '"') {
                            throw fail("expected a member name");
                        }
                        String k = string();
                        space();
                        expect(':');
                        space();
                        if (m.containsKey(k)) {
                            throw fail("member \"" + k + "\" twice");
                        }
                        m.put(k, value(depth + 1));
                        space();
                    } while (peek(','));
                    expect('}');
                    return m;
                }
                case '[': {
                    i++;
                    List<Object> a = new ArrayList<>();
                    space();
                    if (peek(']')) {
                        return a;
                    }
                    do {
                        space();
                        a.add(value(depth + 1));
                        space();
                    } while (peek(','));
                    expect(']');
                    return a;
                }
                case '"':
                    return string();
                case 't':
                    return word("true", Boolean.TRUE);
                case 'f':
                    return word("false", Boolean.FALSE);
                case 'n':
                    return word("null", null);
                default:
                    return number();
            }
        }

        boolean peek(char c) {
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!peek(c)) {
                throw fail("expected '" + c + "'");
            }
        }

        Object word(String w, Object v) {
            if (!s.startsWith(w, i)) {
                throw fail("unexpected character");
            }
            i += w.length();
            return v;
        }

        Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            try {
                return new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                i = start;
                throw fail("not a number");
            }
        }

        String string() {
            i++; // the opening quote
            StringBuilder b = null;
            int start = i;
            while (true) {
                if (i >= s.length()) {
                    throw fail("unterminated string");
                }
                char c = s.charAt(i);
                if (c == '"') {
                    String tail = s.substring(start, i++);
                    return b == null ? tail : b.append(tail).toString();
                }
                if (c < 0x20) {
                    throw fail("control character in a string");
                }
                if (c != '\\') {
                    i++;
                    continue;
                }
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, start, i);
                if (i + 1 >= s.length()) {
                    throw fail("unterminated escape");
                }
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw fail("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException x) {
                            throw fail("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw fail("bad escape");
                }
                start = i;
            }
        }
    }

    /** An unmodifiable view, for values handed to callers. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> frozen(Object m) {
        return m instanceof Map<?, ?> map ? Collections.unmodifiableMap((Map<String, Object>) map) : Map.of();
    }
}
