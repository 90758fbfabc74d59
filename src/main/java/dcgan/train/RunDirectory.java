package dcgan.train;

import dcgan.io.AtomicFiles;
import dcgan.io.MetricsCsv;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The files of one run in its output directory, and what happens to them when a run starts: a new run
 * keeps the previous run's metrics and latest checkpoint under numbered names, a resumed run continues
 * them.
 */
final class RunDirectory {

    private final Path dir;
    private final PrintStream out;

    RunDirectory(Path dir, PrintStream out) {
        this.dir = dir;
        this.out = out;
    }

    Path dir() {
        return dir;
    }

    /** The latest checkpoint, rewritten at the end of every epoch and when the run stops. */
    Path checkpoint() {
        return dir.resolve(CheckpointFile.FILE_NAME);
    }

    /** The copy kept at the end of an epoch with {@code --keep-every}. */
    Path keptCheckpoint(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "checkpoint-epoch-%03d.safetensors", epoch));
    }

    Path samples(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "samples-epoch-%03d.png", epoch));
    }

    /**
     * Before a new (not resumed) run: an earlier run's metrics.csv and checkpoint are moved to
     * metrics.N.csv and checkpoint.N.safetensors, with the first N free for both, rather than appended to
     * (its steps would restart) or overwritten (its checkpoint may be the only copy of days of training).
     */
    void setAsideEarlierRun() throws IOException {
        setAside(false);
    }

    /**
     * @param copyMetrics copy metrics.csv rather than move it: a run resumed from an earlier checkpoint
     *                    continues the first part of it
     */
    private void setAside(boolean copyMetrics) throws IOException {
        Files.createDirectories(dir);
        Path metrics = dir.resolve(MetricsCsv.FILE_NAME);
        Path checkpoint = checkpoint();
        if (!Files.exists(metrics) && !Files.exists(checkpoint)) {
            return;
        }
        for (int n = 1; ; n++) {
            Path keptMetrics = dir.resolve("metrics." + n + ".csv");
            Path keptCheckpoint = dir.resolve("checkpoint." + n + ".safetensors");
            if (Files.exists(keptMetrics) || Files.exists(keptCheckpoint)) {
                continue;
            }
            if (Files.exists(metrics)) {
                if (copyMetrics) {
                    AtomicFiles.write(keptMetrics, o -> Files.copy(metrics, o));
                } else {
                    Files.move(metrics, keptMetrics);
                }
                out.println("kept the previous run's " + metrics + " as " + keptMetrics);
            }
            if (Files.exists(checkpoint)) {
                Files.move(checkpoint, keptCheckpoint);
                out.println("kept the previous run's " + checkpoint + " as " + keptCheckpoint);
            }
            return;
        }
    }

    /**
     * Before a resumed run: metrics.csv keeps the rows up to the checkpoint's step, to be appended to. If the
     * directory's latest checkpoint is at another step (the run resumes from a kept copy, or from another
     * directory), that checkpoint and the full metrics.csv are kept under numbered names first.
     */
    void continueFrom(long step) throws IOException {
        Files.createDirectories(dir);
        if (Files.exists(checkpoint())) {
            OptionalLong latest = CheckpointFile.peekStep(checkpoint());
            if (latest.isEmpty() || latest.getAsLong() != step) {
                setAside(true);
            }
        }
        Path metrics = dir.resolve(MetricsCsv.FILE_NAME);
        int dropped = MetricsCsv.keepStepsUpTo(metrics, step);
        if (dropped > 0) {
            out.println("dropped " + dropped + " row(s) after step " + step + " from " + metrics
                    + " (logged after the checkpoint; they will be computed again)");
        }
    }

    /** Copies the latest checkpoint to its kept name for {@code epoch}, atomically like the original. */
    Path keepCheckpoint(int epoch) throws IOException {
        Path copy = keptCheckpoint(epoch);
        AtomicFiles.write(copy, o -> Files.copy(checkpoint(), o));
        return copy;
    }
}
