package dcgan.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest {

    private static final StepLosses LOSSES = new StepLosses(0.5f, 0.25f, 1f);

    @Test
    void countsAreInTheirSingularOrPlural() {
        assertEquals("1 epoch", Progress.count(1, "epoch"));
        assertEquals("3 epochs", Progress.count(3, "epoch"));
        assertEquals("1 step", Progress.count(1, "step"));
        assertEquals("0 steps", Progress.count(0, "step"));
    }

    /**
     * The first step carries the JIT's compilation and the libraries' set-up: it is reported at once, without
     * a speed or a time left that it would make several times too slow.
     */
    @Test
    void theFirstStepIsReportedWithoutATimeLeftAndLaterOnesWithOne() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Progress p = new Progress(out, 3, 10, 30, 64, 0);
        assertTrue(p.update(1, 1, LOSSES, false));
        String first = bytes.toString(StandardCharsets.UTF_8);
        assertEquals("epoch 1/3  step 1/10 (1)  D 0.7500 (real 0.5000, fake 0.2500)  G 1.0000  (first step: measuring "
                     + "the speed)\n", first.replace(System.lineSeparator(), "\n"));
        assertFalse(p.update(2, 1, LOSSES, false), "not yet time for another line");
        Thread.sleep(20);
        assertTrue(p.update(10, 1, LOSSES, true), "the end of an epoch is always reported");
        String second = bytes.toString(StandardCharsets.UTF_8).substring(first.length());
        assertTrue(second.matches("epoch 1/3  step 10/10 \\(10\\)  D 0\\.7500 .* img/s  \\d+s left\\R"), second);
        assertTrue(p.update(30, 3, LOSSES, true));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).strip().endsWith("img/s  done"), bytes.toString());
    }
}
