package dcgan.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line of a training run: at most one every few seconds, plus the last step of each epoch,
 * with throughput measured over the lines' interval and the time left at the pace since the session's
 * first step. The first step (JIT compilation, lazy library set-up) is reported at once, without figures
 * that it would distort.
 */
final class Progress {

    private static final long INTERVAL_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final int epochs;
    private final long stepsPerEpoch;
    private final long totalSteps;
    private final int batchSize;
    private final long startStep;
    private long lastPrintNanos;
    private long lastPrintStep;
    private long firstStepNanos;

    /** @param startStep the step the run starts after: 0, or a resumed checkpoint's step */
    Progress(PrintStream out, int epochs, long stepsPerEpoch, long totalSteps, int batchSize, long startStep) {
        this.out = out;
        this.epochs = epochs;
        this.stepsPerEpoch = stepsPerEpoch;
        this.totalSteps = totalSteps;
        this.batchSize = batchSize;
        this.lastPrintNanos = System.nanoTime();
        this.startStep = startStep;
        this.lastPrintStep = startStep;
    }

    /** Reports the finished global step (1-based) if it is time to; returns whether it did. */
    boolean update(long step, int epoch, StepLosses l, boolean force) {
        long now = System.nanoTime();
        boolean first = step == startStep + 1;
        if (!force && !first && now - lastPrintNanos < INTERVAL_NANOS) {
            return false;
        }
        long stepInEpoch = (step - 1) % stepsPerEpoch + 1;
        String where = String.format(Locale.ROOT, "epoch %d/%d  step %d/%d (%d)  %s", epoch, epochs, stepInEpoch,
                stepsPerEpoch, step, l);
        if (first) {
            firstStepNanos = now;
            out.println(where + "  (first step: measuring the speed)");
        } else {
            double seconds = (now - lastPrintNanos) / 1e9;
            double imagesPerSecond = (step - lastPrintStep) * batchSize / seconds;
            double stepsPerSecond = (step - startStep - 1) / ((now - firstStepNanos) / 1e9);
            String left = step == totalSteps ? "done" : duration((totalSteps - step) / stepsPerSecond) + " left";
            out.printf(Locale.ROOT, "%s  %.1f img/s  %s%n", where, imagesPerSecond, left);
        }
        out.flush();
        lastPrintNanos = now;
        lastPrintStep = step;
        return true;
    }

    /** "1 step", "3 steps". */
    static String count(long n, String noun) {
        return dcgan.io.Plural.count(n, noun);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
