package dcgan.io;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesTheValueKindsAndKeepsKeyOrder() throws Exception {
        Object v = Json.parse(" {\"b\": [1, -2, 3.5e1, true, false, null], \"a\": {\"s\": \"x\\\"\\u00e9\\n\"}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertEquals(java.util.Arrays.asList(1L, -2L, 35.0, true, false, null), m.get("b"));
        assertEquals(Map.of("s", "x\"é\n"), m.get("a"));
    }

    @Test
    void quoteRoundTrips() throws Exception {
        String s = "tab\t \"quote\" back\\slash \u0001 ü";
        assertEquals(s, Json.parse(Json.quote(s)));
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : List.of("", "{", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "{\"a\":1}x", "01", "1.",
                "\"unterminated", "{\"a\":1,\"a\":2}", "tru", "\"\\x\"", "99999999999999999999",
                "[".repeat(100) + "]".repeat(100))) {
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("at character"), e.getMessage());
        }
    }
}
