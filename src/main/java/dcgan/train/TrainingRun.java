package dcgan.train;

import dcgan.backend.Backend;
import dcgan.data.MnistData;
import dcgan.io.MetricsCsv;
import dcgan.io.PngGrid;
import dcgan.random.CounterRng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The notebook's training loop: epochs over the shuffled data in batches (the last partial batch
 * dropped), per-step losses appended to {@code metrics.csv}, and after each epoch a PNG grid of samples
 * from fixed noise with G in inference mode.
 */
public final class TrainingRun {

    private final Backend backend;
    private final Hyperparameters hp;
    private final TrainOptions options;
    private final PrintStream out;

    public TrainingRun(Backend backend, Hyperparameters hp, TrainOptions options, PrintStream out) {
        this.backend = backend;
        this.hp = hp;
        this.options = options;
        this.out = out;
    }

    /** What a finished run leaves behind, for callers and tests. */
    public record Result(long steps, StepLosses lastLosses, Path lastGrid, float[] lastSamples) {
    }

    /**
     * A new run starts a new metrics.csv; an earlier run's file in the same directory is kept under the
     * first free name metrics.N.csv rather than appended to (its steps would restart) or overwritten.
     */
    private void keepPreviousMetrics() throws IOException {
        Path metrics = options.outDir().resolve(MetricsCsv.FILE_NAME);
        if (!Files.exists(metrics)) {
            return;
        }
        for (int n = 1; ; n++) {
            Path kept = options.outDir().resolve("metrics." + n + ".csv");
            if (!Files.exists(kept)) {
                Files.move(metrics, kept);
                out.println("kept the previous run's " + metrics + " as " + kept);
                return;
            }
        }
    }

    /** Trains on data that is already loaded and shuffled. */
    public Result run(MnistData data) throws IOException {
        int b = hp.batchSize();
        long stepsPerEpoch = data.count() / b;
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException("the data has " + data.count() + " images, fewer than one batch of " + b);
        }
        long totalSteps = stepsPerEpoch * options.epochs();
        if (options.maxSteps() > 0) {
            totalSteps = Math.min(totalSteps, options.maxSteps());
        }
        Files.createDirectories(options.outDir());
        keepPreviousMetrics();
        float[] images = data.images();
        CounterRng rng = new CounterRng(options.seed());
        float[] gridNoise = Sampler.fixedNoise(rng, options.sampleCount(), hp.zDim());
        int columns = (int) Math.ceil(Math.sqrt(options.sampleCount()));

        out.printf(Locale.ROOT, "training on %s with %s: %d epochs x %d steps of %d images (%d steps in all)%n",
                data.source(), backend.describe(), options.epochs(), stepsPerEpoch, b, totalSteps);
        out.printf(Locale.ROOT, "writing to %s; lr D %.3g, G %.3g; beta1 %.3g; z %d; seed %d%n",
                options.outDir(), hp.lr(), hp.generatorLr(), hp.beta1(), hp.zDim(), options.seed());

        try (GanTrainer trainer = new GanTrainer(backend, hp, rng);
             Sampler sampler = new Sampler(backend, trainer.generatorState(), options.sampleCount(), hp.zDim());
             MetricsCsv metrics = MetricsCsv.open(options.outDir())) {
            Progress progress = new Progress(out, options.epochs(), stepsPerEpoch, totalSteps, b);
            long start = System.nanoTime();
            StepLosses losses = null;
            Path grid = null;
            float[] samples = null;
            long step = 0;
            for (int epoch = 1; epoch <= options.epochs() && step < totalSteps; epoch++) {
                for (long i = 0; i < stepsPerEpoch && step < totalSteps; i++) {
                    losses = trainer.step(images, (int) (i * b * MnistData.PIXELS));
                    step = trainer.steps();
                    metrics.append(step, epoch, losses.d(), losses.dReal(), losses.dFake(), losses.g());
                    if (!losses.finite()) {
                        throw new IllegalStateException("training diverged at step " + step + ": losses " + losses);
                    }
                    boolean lastOfEpoch = i == stepsPerEpoch - 1 || step == totalSteps;
                    if (progress.update(step, epoch, losses, lastOfEpoch)) {
                        metrics.flush(); // so an interrupted run loses at most a few seconds of rows
                    }
                }
                samples = sampler.sample(gridNoise);
                grid = options.outDir().resolve(String.format(Locale.ROOT, "samples-epoch-%03d.png", epoch));
                PngGrid.write(grid, samples, 0, options.sampleCount(), 28, 28, columns, 2);
                out.println("wrote " + grid);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "trained %d steps in %s (%.1f img/s on average, sample grids included)%n",
                    step, Progress.duration(seconds), step * b / seconds);
            return new Result(step, losses, grid, samples);
        }
    }
}
