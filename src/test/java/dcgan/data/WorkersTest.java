package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkersTest {

    private final PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());

    @Test
    void everyIndexRunsOnce() throws IOException {
        for (int count : new int[] {0, 1, 7, 1000, 4099}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(count);
            new Workers(3, quiet, 0).run(count, "doing", "things", runs::incrementAndGet);
            for (int i = 0; i < count; i++) {
                assertEquals(1, runs.get(i), "index " + i + " of " + count);
            }
        }
    }

    @Test
    void theFirstFailureIsThrown() {
        IOException bad = new IOException("bad thing");
        IOException e = assertThrows(IOException.class, () -> new Workers(2, quiet, 0).run(500, "doing", "things",
                i -> {
                    if (i == 77) {
                        throw bad;
                    }
                }));
        assertSame(bad, e);
        IllegalStateException r = assertThrows(IllegalStateException.class, () -> new Workers(2, quiet, 0).run(5,
                "doing", "things", i -> {
                    throw new IllegalStateException("broken");
                }));
        assertEquals("broken", r.getMessage());
    }

    @Test
    void progressLines() {
        // 190,254 left at 1,234.5 a second: 154 s
        assertEquals("decoding 12,345 of 202,599 images (6%), 1,235 images/s, about 3 min left",
                Workers.progress("decoding", "images", 12345, 202599, 10_000_000_000L));
        assertEquals("decoding 0 of 10 images (0%)", Workers.progress("decoding", "images", 0, 10, 5_000_000_000L));
        assertEquals("40 s", Workers.duration(40.2));
        assertEquals("3 min", Workers.duration(170));
        assertEquals("1 h 5 min", Workers.duration(3900));
    }

    @Test
    void aSlowRunSaysHowFarItHasGot() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new Workers(2, out, 0.01).run(4, "decoding", "images", i -> {
            try {
                Thread.sleep(60);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        String said = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(said.matches("(?s)(decoding [0-4] of 4 images \\(\\d+%\\)(, [\\d,]+ images/s, about \\d+ s left)?"
                + "\\R)+"), said);
    }
}
