package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.eval.Quality;
import dcgan.eval.Scorer;
import dcgan.io.MetricsCsv;
import dcgan.random.CounterRng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The quality of a run's samples, measured as it trains (docs/quality.md): at the end of every
 * {@code evalEvery}-th epoch, G in inference mode draws as many images as the scorer holds real images out
 * (from the same noise every time), and the scorer's Frechet distance and classifier score go to
 * {@code quality.csv}, to TensorBoard ({@code FD}, {@code classifier_score}) and to one progress line. The
 * generator of the epoch with the lowest FD so far is kept in {@code best.safetensors}.
 */
final class QualityLog implements AutoCloseable {

    static final String FILE_NAME = "quality.csv";
    static final String HEADER = "step,epoch,fd,classifier_score,class_tv,samples";
    static final String BEST_FILE = "best.safetensors";

    private final RunSettings settings;
    private final Backend backend;
    private final Scorer scorer;
    private final CpuBackend ownCpu;
    private final PrintStream out;
    private MetricsCsv csv; // null until the run starts writing
    private Path best;
    private double bestFd = Double.POSITIVE_INFINITY;

    private QualityLog(RunSettings settings, Backend backend, Scorer scorer, CpuBackend ownCpu, PrintStream out) {
        this.settings = settings;
        this.backend = backend;
        this.scorer = scorer;
        this.ownCpu = ownCpu;
        this.out = out;
    }

    /**
     * The quality log of a run, with its scorer read from the cache or trained now; null when the run does not
     * measure quality ({@code evalEvery} 0), or cannot (too few labelled images: said on one line). Nothing in
     * the run's directory is touched until {@link #start}.
     *
     * @param labelled the run's data in its files' order, labels included
     */
    static QualityLog open(RunSettings settings, ImageSet labelled, Backend backend, PrintStream out) throws IOException {
        if (settings.evalEvery() == 0) {
            return null;
        }
        // The scorer computes on the CPU whatever trains the GAN, so that its numbers compare between machines.
        CpuBackend ownCpu = backend instanceof CpuBackend ? null : new CpuBackend(Runtime.getRuntime().availableProcessors());
        CpuBackend cpu = ownCpu != null ? ownCpu : (CpuBackend) backend;
        Scorer scorer;
        try {
            scorer = Scorer.forData(labelled, settings.scorerCache(), cpu, out);
        } catch (IllegalArgumentException e) {
            out.println("quality: not measured: " + e.getMessage());
            if (ownCpu != null) {
                ownCpu.close();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            if (ownCpu != null) {
                ownCpu.close();
            }
            throw e;
        }
        return new QualityLog(settings, backend, scorer, ownCpu, out);
    }

    /**
     * Opens {@code dir}'s quality.csv for appending (the run's directory has mended it already), and reads the
     * FD of the best generator so far when the run resumes after {@code startStep}.
     */
    void start(Path dir, long startStep) throws IOException {
        csv = new MetricsCsv(dir.resolve(FILE_NAME), HEADER);
        best = dir.resolve(BEST_FILE);
        if (startStep > 0) {
            bestFd = CheckpointFile.peekFd(best).orElse(Double.POSITIVE_INFINITY);
        }
    }

    boolean due(int epoch) {
        return epoch % settings.evalEvery() == 0;
    }

    /** Measures G's samples after {@code step}, the end of {@code epoch}, and logs and keeps what it found. */
    void measure(GanTrainer trainer, long step, int epoch, RunLog log) throws IOException {
        long start = System.nanoTime();
        int n = scorer.heldOutCount();
        int per = settings.model().pixelsPerImage();
        float[] samples = new float[n * per];
        Generation.sample(backend, trainer.generatorState(), settings.model(),
                Generation.noise(settings.seed(), settings.model(), CounterRng.STREAM_EVALUATE), n,
                (first, count, images) -> System.arraycopy(images, 0, samples, first * per, images.length));
        Quality q = scorer.score(samples, n);
        csv.append(step, epoch, q.fd(), q.score(), q.tvFromUniform(), n);
        csv.flush();
        log.quality(step, q.fd(), q.score());
        boolean better = q.fd() < bestFd;
        if (better) {
            bestFd = q.fd();
            CheckpointFile.writeGenerator(best, settings, step, epoch, trainer.snapshotGenerator(), q.fd());
        }
        out.printf(Locale.ROOT, "quality after epoch %d: FD %.3f%s, classifier score %.3f, classes %.3f from uniform "
                + "(%d samples, %.1f s)%n", epoch, q.fd(), better ? " (best so far: " + best.getFileName() + ")" : "",
                q.score(), q.tvFromUniform(), n, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public void close() throws IOException {
        try {
            if (csv != null) {
                csv.close();
            }
        } finally {
            scorer.close();
            if (ownCpu != null) {
                ownCpu.close();
            }
        }
    }
}
