package dcgan.train;

import dcgan.model.ModelSpec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.backend.cpu.CpuBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What {@link Benchmark} times and reports, on a tiny model on the CPU. */
class BenchmarkTest {

    private static final Hyperparameters TINY = Hyperparameters.of(2, Hyperparameters.DEFAULT_LR, Hyperparameters.DEFAULT_BETA1);

    @Test
    void theAnchorIsMeasuredAfterEachTimedIterationAndLeftOutOfItsTime() {
        AtomicInteger calls = new AtomicInteger();
        double[] speeds = {10, 30, 20};
        long probeMillis = 1000;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Benchmark.Result r;
        try (CpuBackend cpu = new CpuBackend(1)) {
            r = Benchmark.run(cpu, TINY, ModelSpec.MNIST, StepExecution.DEFAULT, 1, 3, null, () -> {
                try {
                    Thread.sleep(probeMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return speeds[calls.getAndIncrement()];
            }, new PrintStream(log, true, StandardCharsets.UTF_8));
        }
        assertEquals(3, calls.get(), "once per timed iteration, never during the warm-up");
        assertArrayEquals(speeds, r.anchorGflops());
        assertEquals(20, r.medianAnchorGflops());
        for (double ms : r.millis()) {
            // An iteration at batch 2 takes milliseconds; one that held the probe's sleep would take seconds.
            assertTrue(ms < probeMillis, "the probe's time is not an iteration's: " + ms + " ms; " + log);
        }
    }

    @Test
    void withoutAProbeThereIsNoAnchor() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Benchmark.Result r = Benchmark.run(cpu, TINY, ModelSpec.MNIST, 0, 2, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(0, r.anchorGflops().length);
            assertTrue(Double.isNaN(r.medianAnchorGflops()));
            assertEquals(2, r.millis().length);
        }
    }
}
