package dcgan.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Option values as a careless or hostile user gives them: each refusal names the option as it was typed, and
 * values are checked before anything is built, loaded or written.
 */
class OptionValuesTest {

    private static void assertUsage(CliRun o, String message) {
        assertEquals(2, o.status(), o.out() + o.err());
        assertTrue(o.err().startsWith("error: " + message), o.err());
    }

    @Test
    void aMissingValueNamesTheOptionWithItsDashes() {
        CliRun o = CliRun.of("train", "--epochs");
        assertUsage(o, "--epochs needs a value");
        assertFalse(o.err().contains("Missing argument"), o.err());
        assertUsage(CliRun.of("generate", "--checkpoint", "x", "--count"), "--count needs a value");
    }

    @Test
    void outOfRangeNumbersNameTheirOption() {
        assertUsage(CliRun.of("train", "--lr", "-0.001"), "--lr must be a positive number, got -0.001");
        assertUsage(CliRun.of("train", "--lr", "0"), "--lr must be a positive number, got 0");
        assertUsage(CliRun.of("train", "--lr", "1e-50"), "--lr 1e-50 is too small for a float");
        CliRun beta = CliRun.of("train", "--beta1", "1");
        assertUsage(beta, "--beta1 must be at least 0 and less than 1, got 1");
        assertFalse(beta.err().contains("beta2"), "users cannot set beta2: " + beta.err());
        assertUsage(CliRun.of("train", "--beta1", "-0.5"), "--beta1 must be at least 0 and less than 1, got -0.5");
    }

    /** NaN and infinity are refused alike for every number option, however they are spelled. */
    @Test
    void nonFiniteValuesAreRefusedAlikeForEveryOption() {
        for (String option : List.of("--lr", "--beta1")) {
            for (String value : List.of("NaN", "nan", "Infinity", "inf", "-inf")) {
                assertUsage(CliRun.of("train", option, value), option + " needs a finite number, got '" + value + "'");
            }
            assertUsage(CliRun.of("train", option, "0.5f"), option + " needs a number, got '0.5f'");
            assertUsage(CliRun.of("train", option, "0x1p-3"), option + " needs a number, got '0x1p-3'");
        }
    }

    /**
     * The batch-size limit comes from the largest buffer a step holds and is checked first, for train, bench
     * and gpu-check alike: an unusable --device is not even looked at.
     */
    @Test
    void theBatchSizeLimitIsCheckedFirstForEveryCommandThatTrains() {
        String refused = "--batch-size 10700 is too large: D.c2's im2col patch matrix [524300, 1024] would hold "
                         + "536883200 floats, more than one buffer can hold (536870879); at most 10699 images per batch";
        assertUsage(CliRun.of("train", "--batch-size", "10700", "--device", "tpu"), refused);
        assertUsage(CliRun.of("bench", "--batch-size", "10700", "--device", "tpu"), refused);
        assertUsage(CliRun.of("gpu-check", "--batch-size", "10700"), refused);
        // The largest that fits is accepted: the next problem is the device.
        assertUsage(CliRun.of("train", "--batch-size", "10699", "--device", "tpu"), "--device must be");
        assertUsage(CliRun.of("bench", "--batch-size", "10699", "--device", "tpu"), "--device must be");

        CliRun z = CliRun.of("train", "--z-dim", "600000", "--device", "tpu");
        assertEquals(2, z.status(), z.err());
        assertTrue(z.err().startsWith("error: --z-dim 600000 is too large: G"), z.err());
        assertTrue(z.err().contains("; at most "), z.err());
        CliRun both = CliRun.of("bench", "--z-dim", "100000", "--batch-size", "6000", "--device", "tpu");
        assertEquals(2, both.status(), both.err());
        assertTrue(both.err().startsWith("error: --batch-size 6000 is too large: G.l1's input [6000, 100000]"), both.err());
        assertTrue(both.err().contains("images per batch with --z-dim 100000"), both.err());
    }

    /** More threads than cores is said, and the cores are what is used. */
    @Test
    void moreThreadsThanCoresIsSaid() {
        int cores = Runtime.getRuntime().availableProcessors();
        CliRun o = CliRun.of("bench", "--device", "cpu", "--threads", "1000", "--batch-size", "2", "--iterations", "1",
                "--warmup", "0");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("cpu: --threads 1000 is more than this machine's " + cores + " cores; using "
                                    + cores), o.out());
        assertTrue(o.out().contains("bench: cpu (" + cores + (cores == 1 ? " thread" : " threads")), o.out());
    }

    /** Counts of one are singular in what a run says about its data. */
    @Test
    void oneImageIsOneImage(@TempDir Path tmp) throws IOException {
        Path digits = MainTest.smallDigits(tmp.resolve("digits"), 1);
        CliRun o = CliRun.of("train", "--eval-every", "0", "--data-dir", digits.toString(), "--batch-size", "2",
                "--out", tmp.resolve("out").toString(), "--device", "cpu");
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains(digits + ": holds 1 image, fewer than one batch of 2 (--batch-size)"), o.err());
        assertFalse((o.out() + o.err()).contains("1 images"), o.out() + o.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }
}
