package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.random.CounterRng;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Times whole training iterations (D step + G step) on synthetic images after a warm-up, so that the
 * numbers measure the trainer, not the disk. Any data gives the same work per iteration.
 */
public final class Benchmark {

    /** Multiply-adds of one iteration per image (SPEC.md): D and G forward are about 13 M each. */
    public static final double MULTIPLY_ADDS_PER_IMAGE = 156e6;

    /**
     * @param memoryInUse what the memory probe said after the timed iterations, with the trainer still
     *                    alive (bytes; -1 without a probe)
     */
    public record Result(int batchSize, double[] millis, long memoryInUse) {
        public double medianMillis() {
            double[] s = millis.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        public double imagesPerSecond() {
            return batchSize * 1000.0 / medianMillis();
        }

        public double gflops() {
            return 2 * MULTIPLY_ADDS_PER_IMAGE * imagesPerSecond() / 1e9;
        }
    }

    private Benchmark() {
    }

    public static Result run(Backend backend, Hyperparameters hp, int warmup, int iterations, PrintStream out) {
        return run(backend, hp, StepExecution.DEFAULT, warmup, iterations, null, out);
    }

    /** @param memoryProbe bytes of device memory in use, asked once after timing (null: none) */
    public static Result run(Backend backend, Hyperparameters hp, StepExecution execution, int warmup, int iterations,
                             LongSupplier memoryProbe, PrintStream out) {
        int b = hp.batchSize();
        float[] images = new CounterRng(7).uniform(b * 784, 0f, 1f, CounterRng.STREAM_SHUFFLE, 0);
        double[] millis = new double[iterations];
        long memoryInUse = -1;
        // Per-iteration lines help on the CPU (seconds each); on a GPU they would be hundreds of lines.
        boolean eachLine = iterations <= 10;
        try (GanTrainer trainer = new GanTrainer(backend, hp, new CounterRng(1), execution.captureSteps());
             Tensor batch = execution.dataOnDevice() ? backend.allocate(b, 1, 28, 28) : null) {
            if (batch != null) {
                backend.upload(images, 0, batch);
            }
            Runnable step = batch != null ? () -> trainer.step(batch) : () -> trainer.step(images, 0);
            for (int i = 0; i < warmup; i++) {
                long t = System.nanoTime();
                step.run();
                if (eachLine || i == 0) {
                    out.printf(Locale.ROOT, "warm-up %d/%d: %.1f ms%n", i + 1, warmup, (System.nanoTime() - t) / 1e6);
                }
            }
            if (execution.asyncLosses()) {
                // Pipelined as in training: iteration i's losses are read after iteration i + 1 is queued, so
                // an iteration's time is the interval between two reads (the device's pace, not the host's).
                Supplier<GanTrainer.PendingLosses> queue = batch != null ? () -> trainer.stepAsync(batch)
                        : () -> trainer.stepAsync(images, 0);
                GanTrainer.PendingLosses queued = queue.get(); // fills the pipeline: one step always ahead
                long last = 0;
                for (int i = 0; i <= iterations; i++) {
                    GanTrainer.PendingLosses next = queue.get();
                    queued.get();
                    long now = System.nanoTime();
                    if (i > 0) {
                        millis[i - 1] = (now - last) / 1e6;
                    }
                    last = now;
                    queued = next;
                }
                queued.get(); // drains the pipeline, untimed
            } else {
                for (int i = 0; i < iterations; i++) {
                    long t = System.nanoTime();
                    step.run();
                    backend.synchronize();
                    millis[i] = (System.nanoTime() - t) / 1e6;
                }
            }
            if (eachLine) {
                for (int i = 0; i < iterations; i++) {
                    out.printf(Locale.ROOT, "iteration %d/%d: %.1f ms%n", i + 1, iterations, millis[i]);
                }
            }
            if (memoryProbe != null) {
                memoryInUse = memoryProbe.getAsLong();
            }
            if (trainer.captureFailure() != null) {
                out.println("warning: capturing the steps failed (" + trainer.captureFailure().getMessage()
                            + "); these timings are of uncaptured steps");
            }
        }
        if (!eachLine) {
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            out.printf(Locale.ROOT, "%d iterations: min %.3f ms, median %.3f ms, max %.3f ms%n", iterations, sorted[0],
                    sorted[iterations / 2], sorted[iterations - 1]);
        }
        return new Result(b, millis, memoryInUse);
    }
}
