package dcgan.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small part of JSON that file headers need (safetensors), without a dependency: a strict parser
 * (RFC 8259; duplicate keys rejected, since a header naming a tensor twice is ambiguous) and string quoting.
 *
 * <p>Values come back as {@code Map<String, Object>} (in file order), {@code List<Object>}, {@link String},
 * {@link Long} for integers, {@link Double} for other numbers, {@link Boolean}, or {@code null}.
 */
final class Json {

    /** Why a text is not JSON, with the character offset where parsing stopped. */
    static final class ParseException extends Exception {
        ParseException(String message, int offset) {
            super(message + " at character " + offset);
        }
    }

    // Deep enough for any header; stops a hostile "[[[[..." from overflowing the stack.
    private static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    static Object parse(String text) throws ParseException {
        Json p = new Json(text);
        p.skipSpace();
        Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length()) {
            throw new ParseException("unexpected text after the JSON value", p.pos);
        }
        return value;
    }

    /** {@code s} as a JSON string literal, quotes included. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
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
        return b.append('"').toString();
    }

    private Object value(int depth) throws ParseException {
        if (depth > MAX_DEPTH) {
            throw new ParseException("nested more than " + MAX_DEPTH + " levels deep", pos);
        }
        if (pos >= text.length()) {
            throw new ParseException("unexpected end of text", pos);
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw new ParseException("unexpected character '" + c + "'", pos);
            }
        };
    }

    private Map<String, Object> object(int depth) throws ParseException {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++; // '{'
        skipSpace();
        if (peek('}')) {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (!peek('"')) {
                throw new ParseException("expected a quoted key", pos);
            }
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object value = value(depth + 1);
            if (map.containsKey(key)) {
                throw new ParseException("duplicate key \"" + key + "\"", keyAt);
            }
            map.put(key, value);
            skipSpace();
            if (peek(',')) {
                pos++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array(int depth) throws ParseException {
        List<Object> list = new ArrayList<>();
        pos++; // '['
        skipSpace();
        if (peek(']')) {
            pos++;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            if (peek(',')) {
                pos++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() throws ParseException {
        pos++; // opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new ParseException("unterminated string", pos);
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new ParseException("control character in a string", pos - 1);
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw new ParseException("unterminated escape", pos);
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw new ParseException("truncated \\u escape", pos);
                    }
                    try {
                        b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw new ParseException("bad \\u escape", pos);
                    }
                    pos += 4;
                }
                default -> throw new ParseException("bad escape \\" + e, pos - 1);
            }
        }
    }

    private Object number() throws ParseException {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        if (peek('0')) {
            pos++;
        } else if (!digits()) {
            throw new ParseException("malformed number", start);
        }
        boolean integer = true;
        if (peek('.')) {
            pos++;
            integer = false;
            if (!digits()) {
                throw new ParseException("malformed number", start);
            }
        }
        if (peek('e') || peek('E')) {
            pos++;
            integer = false;
            if (peek('+') || peek('-')) {
                pos++;
            }
            if (!digits()) {
                throw new ParseException("malformed number", start);
            }
        }
        String s = text.substring(start, pos);
        if (integer) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new ParseException("integer " + s + " is too large", start);
            }
        }
        return Double.parseDouble(s);
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Object literal(String word, Object value) throws ParseException {
        if (!text.startsWith(word, pos)) {
            throw new ParseException("unexpected character '" + text.charAt(pos) + "'", pos);
        }
        pos += word.length();
        return value;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) throws ParseException {
        if (!peek(c)) {
            throw new ParseException(pos < text.length()
                    ? "expected '" + c + "', found '" + text.charAt(pos) + "'"
                    : "expected '" + c + "', found the end of the text", pos);
        }
        pos++;
    }
}
