package dcgan.train;

import dcgan.backend.Backend;
import dcgan.data.ImageSet;
import dcgan.model.ModelSpec;
import dcgan.random.CounterRng;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Times whole training iterations (D step + G step) on synthetic images after a warm-up, so that the
 * numbers measure the trainer, not the disk. Any data gives the same work per iteration. The steps run
 * through the same {@link StepRunner} as training, so an iteration's time is the interval between two
 * steps' losses arriving: with losses read one step late, the device's pace rather than the host's.
 */
public final class Benchmark {

    /**
     * @param memoryInUse  what the memory probe said after the timed iterations, with the trainer still
     *                     alive (bytes; -1 without a probe)
     * @param anchorGflops what the anchor probe measured after each timed iteration (empty without one)
     */
    public record Result(int batchSize, double multiplyAddsPerImage, double[] millis, long memoryInUse,
                         double[] anchorGflops) {
        public double medianMillis() {
            return median(millis);
        }

        /** The median of the anchor's measurements (NaN without them). */
        public double medianAnchorGflops() {
            return anchorGflops.length == 0 ? Double.NaN : median(anchorGflops);
        }

        public double imagesPerSecond() {
            return batchSize * 1000.0 / medianMillis();
        }

        public double gflops() {
            return 2 * multiplyAddsPerImage * imagesPerSecond() / 1e9;
        }
    }

    private Benchmark() {
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static Result run(Backend backend, Hyperparameters hp, ModelSpec model, int warmup, int iterations,
                             PrintStream out) {
        return run(backend, hp, model, StepExecution.DEFAULT, warmup, iterations, null, null, out);
    }

    /**
     * @param memoryProbe bytes of device memory in use, asked once after timing (null: none)
     * @param anchorProbe a speed to compare the iterations with (GFLOP/s), measured after each timed
     *                    iteration, untimed, so that it sees the same conditions as the iterations on a machine
     *                    whose speed varies (null: none)
     */
    public static Result run(Backend backend, Hyperparameters hp, ModelSpec model, StepExecution execution, int warmup,
                             int iterations, LongSupplier memoryProbe, DoubleSupplier anchorProbe, PrintStream out) {
        int b = hp.batchSize();
        // One batch of random pixels, shown every step.
        float[] noise = new CounterRng(7).uniform(b * model.pixelsPerImage(), 0f, 256f, CounterRng.STREAM_SHUFFLE, 0);
        byte[] pixels = new byte[noise.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (int) noise[i];
        }
        ImageSet images = ImageSet.of(pixels, model.channels(), model.imageSize(), null, List.of(), "random pixels");
        double[] millis = new double[iterations];
        double[] anchor = new double[anchorProbe == null ? 0 : iterations];
        long memoryInUse = -1;
        // Per-iteration lines help on the CPU (seconds each); on a GPU they would be hundreds of lines.
        boolean eachLine = iterations <= 10;
        try (GanTrainer trainer = new GanTrainer(backend, hp, model, new CounterRng(1), execution.captureSteps(), null);
             StepRunner steps = new StepRunner(backend, trainer, b, images, model.range(), execution)) {
            long last = System.nanoTime();
            for (int arrived = 0; arrived < warmup + iterations; ) {
                if (steps.step(0).isEmpty()) {
                    continue; // the first step, with losses read one step late: nothing has come back yet
                }
                long now = System.nanoTime();
                double ms = (now - last) / 1e6;
                last = now;
                if (arrived >= warmup) {
                    millis[arrived - warmup] = ms;
                    if (anchorProbe != null) {
                        anchor[arrived - warmup] = anchorProbe.getAsDouble();
                        last = System.nanoTime();
                    }
                } else if (eachLine || arrived == 0) {
                    out.printf(Locale.ROOT, "warm-up %d/%d: %.1f ms%n", arrived + 1, warmup, ms);
                    last = System.nanoTime(); // printing is not part of the next step
                }
                arrived++;
            }
            steps.finish(); // drains a step still in flight, untimed
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
        return new Result(b, model.multiplyAddsPerIteration(), millis, memoryInUse, anchor);
    }
}
