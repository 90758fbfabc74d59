package dcgan.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line of a training run: at most one every few seconds, plus the last step of each
 * epoch, with throughput measured over the lines' interval and the time left at that rate.
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
        // The run's first step is reported at once, so that a user sees it has started.
        if (!force && now - lastPrintNanos < INTERVAL_NANOS && step != startStep + 1) {
            return false;
        }
        double seconds = (now - lastPrintNanos) / 1e9;
        double imagesPerSecond = seconds > 0 ? (step - lastPrintStep) * batchSize / seconds : 0;
        double stepsPerSecond = imagesPerSecond / batchSize;
        long stepInEpoch = (step - 1) % stepsPerEpoch + 1;
        String eta = stepsPerSecond > 0 ? duration((totalSteps - step) / stepsPerSecond) : "?";
        out.printf(Locale.ROOT, "epoch %d/%d  step %d/%d (%d)  D %.4f (real %.4f, fake %.4f)  G %.4f  %.1f img/s  %s left%n",
                epoch, epochs, stepInEpoch, stepsPerEpoch, step, l.d(), l.dReal(), l.dFake(), l.g(), imagesPerSecond, eta);
        out.flush();
        lastPrintNanos = now;
        lastPrintStep = step;
        return true;
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
