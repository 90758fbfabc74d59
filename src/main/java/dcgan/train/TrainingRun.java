package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.io.BadFileException;
import dcgan.data.MnistData;
import dcgan.io.AtomicFiles;
import dcgan.io.PngGrid;
import dcgan.random.CounterRng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The notebook's training loop: epochs over the shuffled data in batches (the last partial batch
 * dropped), per-step losses appended to {@code metrics.csv} and a TensorBoard event file, and after each
 * epoch a PNG grid of samples from fixed noise with G in inference mode and the latest checkpoint.
 *
 * <p>A run can start from a {@link Checkpoint}, mid-epoch included, and continues it exactly: the noise
 * of step t and the batch of step t depend only on t, so the only state is what the checkpoint holds.
 * A {@link StopCheck} can stop the run between two steps; it then saves a checkpoint and returns.
 */
public final class TrainingRun {

    private static final int GRID_SCALE = 2;

    private final Backend backend;
    private final Hyperparameters hp;
    private final TrainOptions options;
    private final StepExecution execution;
    private final PrintStream out;

    public TrainingRun(Backend backend, Hyperparameters hp, TrainOptions options, PrintStream out) {
        this(backend, hp, options, StepExecution.DEFAULT, out);
    }

    public TrainingRun(Backend backend, Hyperparameters hp, TrainOptions options, StepExecution execution,
                       PrintStream out) {
        this.backend = backend;
        this.hp = hp;
        this.options = options;
        this.execution = execution;
        this.out = out;
    }

    /**
     * What a run leaves behind, for callers and tests.
     *
     * @param interrupted the {@link StopCheck} stopped the run before its last step
     * @param checkpoint  the latest checkpoint (null if the run saved none: it had nothing to do)
     */
    public record Result(long steps, StepLosses lastLosses, Path lastGrid, float[] lastSamples, boolean interrupted,
                         Path checkpoint) {
    }

    /** Trains a new run on data that is already loaded and shuffled. */
    public Result run(MnistData data) throws IOException {
        return run(data, null, StopCheck.NEVER);
    }

    /**
     * Trains on data that is already loaded and shuffled, from the start or from {@code resume} (null for a
     * new run), until the last epoch, the step limit, or {@code stop}.
     *
     * @throws IllegalArgumentException if {@code resume} was made with other constants than this run's
     * @throws BadFileException         if {@code resume} was trained on other data
     */
    public Result run(MnistData data, Checkpoint resume, StopCheck stop) throws IOException {
        int b = hp.batchSize();
        long stepsPerEpoch = data.count() / b;
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException("the data has " + data.count() + " images, fewer than one batch of " + b);
        }
        long totalSteps = stepsPerEpoch * options.epochs();
        if (options.maxSteps() > 0) {
            totalSteps = Math.min(totalSteps, options.maxSteps());
        }
        RunSetup setup = new RunSetup(options.seed(), options.shuffleSeed(), options.epochs(), options.maxSteps(),
                options.sampleCount(), options.dataDir().toAbsolutePath().normalize().toString(), data.count(),
                data.fingerprint(), options.keepEvery());
        long startStep = 0;
        if (resume != null) {
            checkSameRun(resume, setup);
            startStep = resume.state().step();
            if (startStep >= totalSteps) {
                out.printf(Locale.ROOT, "nothing to do: the checkpoint is at step %d and this run ends at step %d "
                        + "(raise --epochs or --max-steps to train further)%n", startStep, totalSteps);
                return new Result(startStep, null, null, null, false, null);
            }
        }
        RunDirectory dir = new RunDirectory(options.outDir(), out);
        if (resume == null) {
            dir.setAsideEarlierRun();
        } else {
            dir.continueFrom(startStep);
        }
        float[] images = data.images();
        CounterRng rng = new CounterRng(options.seed());
        float[] gridNoise = Sampler.fixedNoise(rng, options.sampleCount(), hp.zDim());
        int columns = (int) Math.ceil(Math.sqrt(options.sampleCount()));

        out.printf(Locale.ROOT, "training on %s with %s: %d epochs x %d steps of %d images (%d steps in all)%n",
                data.source(), backend.describe(), options.epochs(), stepsPerEpoch, b, totalSteps);
        if (!execution.equals(StepExecution.DEFAULT)) {
            out.println("steps: " + execution.describe());
        }
        out.printf(Locale.ROOT, "writing to %s; lr D %.3g, G %.3g; beta1 %.3g; z %d; seed %d%n",
                options.outDir(), hp.lr(), hp.generatorLr(), hp.beta1(), hp.zDim(), options.seed());
        if (resume != null) {
            out.printf(Locale.ROOT, "resuming at step %d (epoch %d, step %d/%d)%n", startStep, resume.epoch(),
                    resume.stepInEpoch(), stepsPerEpoch);
        }

        try (GanTrainer trainer = resume == null ? new GanTrainer(backend, hp, rng, execution.captureSteps())
                : GanTrainer.resumed(backend, hp, rng, resume.state(), execution.captureSteps());
             DeviceImages onDevice = execution.dataOnDevice() ? new DeviceImages(backend, images) : null;
             Sampler sampler = new Sampler(backend, trainer.generatorState(), options.sampleCount(), hp.zDim());
             RunLog log = RunLog.open(options.outDir(), startStep + 1)) {
            Progress progress = new Progress(out, options.epochs(), stepsPerEpoch, totalSteps, b, startStep);
            long start = System.nanoTime();
            StepLosses losses = null;
            Path grid = null;
            float[] samples = null;
            long step = startStep;
            long savedStep = startStep;
            boolean interrupted = false;
            boolean captureWarned = false;
            int firstEpoch = (int) (startStep / stepsPerEpoch) + 1;
            for (int epoch = firstEpoch; epoch <= options.epochs() && step < totalSteps && !interrupted; epoch++) {
                long firstI = epoch == firstEpoch ? startStep % stepsPerEpoch : 0;
                GanTrainer.PendingLosses queued = null; // with asyncLosses: the step whose losses are unread
                boolean queuedLast = false;
                for (long i = firstI; i < stepsPerEpoch && step < totalSteps; i++) {
                    if (stop.stopBefore(step)) {
                        interrupted = true;
                        break;
                    }
                    int offset = (int) (i * b * MnistData.PIXELS);
                    boolean lastOfEpoch = i == stepsPerEpoch - 1 || step + 1 == totalSteps;
                    if (execution.asyncLosses()) {
                        // Queue this step first, then read the previous one's losses while it runs.
                        GanTrainer.PendingLosses next = onDevice != null ? trainer.stepAsync(onDevice.batch(offset, b))
                                : trainer.stepAsync(images, offset);
                        if (queued != null) {
                            losses = record(queued.get(), queued.step(), epoch, false, log, progress);
                        }
                        queued = next;
                        queuedLast = lastOfEpoch;
                    } else {
                        StepLosses l = onDevice != null ? trainer.step(onDevice.batch(offset, b)) : trainer.step(images, offset);
                        losses = record(l, trainer.steps(), epoch, lastOfEpoch, log, progress);
                    }
                    step = trainer.steps();
                    if (trainer.captureFailure() != null && !captureWarned) {
                        captureWarned = true;
                        out.println("warning: capturing the steps failed (" + trainer.captureFailure().getMessage()
                                    + "); continuing without CUDA graphs, with the same results");
                    }
                }
                if (queued != null) {
                    losses = record(queued.get(), queued.step(), epoch, queuedLast, log, progress);
                }
                if (interrupted) {
                    break;
                }
                samples = sampler.sample(gridNoise);
                grid = dir.samples(epoch);
                byte[] png = PngGrid.encode(samples, 0, options.sampleCount(), 28, 28, columns, GRID_SCALE);
                AtomicFiles.write(grid, o -> o.write(png));
                log.image(step, png, PngGrid.gridHeight(options.sampleCount(), 28, columns, GRID_SCALE),
                        PngGrid.gridWidth(28, columns, GRID_SCALE));
                log.flush();
                boolean epochComplete = step % stepsPerEpoch == 0;
                boolean keep = epochComplete && options.keepEvery() > 0 && epoch % options.keepEvery() == 0;
                boolean last = epoch == options.epochs() || step == totalSteps;
                if (keep || last || epoch % options.saveEvery() == 0) {
                    save(trainer, setup, dir);
                    savedStep = step;
                    if (keep) {
                        out.println("kept a copy as " + dir.keepCheckpoint(epoch));
                    }
                    out.println("wrote " + grid + " and " + dir.checkpoint());
                } else {
                    out.println("wrote " + grid);
                }
            }
            log.flush();
            if (interrupted) {
                if (step == startStep) {
                    out.println("stopped before the first step; nothing to save");
                    return new Result(step, null, null, null, true, null);
                }
                if (step != savedStep) {
                    save(trainer, setup, dir);
                }
                out.printf(Locale.ROOT, "stopped after step %d; the checkpoint %s holds it%n", step, dir.checkpoint());
                return new Result(step, losses, grid, samples, true, dir.checkpoint());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long done = step - startStep;
            out.printf(Locale.ROOT, "trained %d steps in %s (%.1f img/s on average, sample grids and checkpoints "
                    + "included)%n", done, Progress.duration(seconds), done * b / seconds);
            return new Result(step, losses, grid, samples, false, dir.checkpoint());
        }
    }

    /** Logs one step's losses, stops a diverged run, and shows progress; returns the losses. */
    private static StepLosses record(StepLosses losses, long step, int epoch, boolean lastOfEpoch, RunLog log,
                                     Progress progress) throws IOException {
        log.step(step, epoch, losses);
        if (!losses.finite()) {
            throw new IllegalStateException("training diverged at step " + step + ": losses " + losses);
        }
        if (progress.update(step, epoch, losses, lastOfEpoch)) {
            log.flush();
        }
        return losses;
    }

    /** The whole (shuffled) dataset on the backend, uploaded once, and each batch a view of it. */
    private static final class DeviceImages implements AutoCloseable {
        private final Backend backend;
        private final Tensor all;

        DeviceImages(Backend backend, float[] images) {
            this.backend = backend;
            all = backend.allocate(images.length / MnistData.PIXELS, 1, 28, 28);
            backend.upload(images, 0, all);
        }

        Tensor batch(int offset, int batchSize) {
            return backend.view(all, offset, batchSize, 1, 28, 28);
        }

        @Override
        public void close() {
            all.close();
        }
    }

    private void save(GanTrainer trainer, RunSetup setup, RunDirectory dir) throws IOException {
        CheckpointFile.write(dir.checkpoint(), new Checkpoint(hp, setup, trainer.snapshot()));
    }

    /**
     * A checkpoint continues only the run it came from: same constants, seeds and grid, and the same
     * images in the same order (else the steps after it would not be the ones the run would have taken).
     * The length of the run (epochs, step limit) may change.
     */
    private void checkSameRun(Checkpoint c, RunSetup setup) throws BadFileException {
        RunSetup s = c.setup();
        if (!c.hp().equals(hp) || s.seed() != setup.seed() || s.shuffleSeed() != setup.shuffleSeed()
                || s.sampleCount() != setup.sampleCount()) {
            throw new IllegalArgumentException("the checkpoint was made with " + c.hp() + ", seed " + s.seed()
                    + ", shuffle seed " + s.shuffleSeed() + ", " + s.sampleCount() + " samples per grid; this run has "
                    + hp + ", seed " + setup.seed() + ", shuffle seed " + setup.shuffleSeed() + ", "
                    + setup.sampleCount() + " samples per grid");
        }
        if (s.dataImages() != setup.dataImages()) {
            throw new BadFileException(options.dataDir(), setup.dataImages() + " images, but the checkpoint was "
                    + "trained on " + s.dataImages() + " (from " + s.dataDir() + ")");
        }
        if (!s.dataFingerprint().equals(setup.dataFingerprint())) {
            throw new BadFileException(options.dataDir(), "the images differ from those the checkpoint was trained "
                    + "on (from " + s.dataDir() + "): CRC-32C " + setup.dataFingerprint() + " after the shuffle, "
                    + "expected " + s.dataFingerprint());
        }
    }
}
