package dcgan.train;

import dcgan.backend.Backend;
import dcgan.data.ImageSet;
import dcgan.model.ModelSpec;
import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;
import dcgan.io.PngGrid;
import dcgan.random.CounterRng;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The notebook's training loop: epochs over the shuffled data in batches (the last partial batch dropped),
 * each step's losses appended to {@code metrics.csv} and a TensorBoard event file, and after each epoch a
 * PNG grid of samples from fixed noise with G in inference mode, and the checkpoint.
 *
 * <p>A run can start from a {@link Checkpoint}, mid-epoch included, and continues it exactly: the noise of
 * step t and the batch of step t depend only on t, so the only state is what the checkpoint holds. A
 * {@link StopCheck} can stop the run between two steps; it then saves a checkpoint and returns.
 */
public final class TrainingRun {

    private final Backend backend;
    private final RunSettings settings;
    private final PrintStream out;

    public TrainingRun(Backend backend, RunSettings settings, PrintStream out) {
        this.backend = backend;
        this.settings = settings;
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

    /** Where a run's images come from before the run shuffles them: a data directory, or tests' digits. */
    @FunctionalInterface
    public interface DataSource {
        ImageSet load() throws IOException;
    }

    /**
     * Trains on the images {@code data} loads, from the start or from {@code resume} (null for a new run),
     * until the last epoch, the step limit, or {@code stop}. A checkpoint of another run, or of other data,
     * is refused before anything is loaded or written.
     *
     * @throws IllegalArgumentException if {@code resume} was made with other constants than this run's
     * @throws BadFileException         if {@code resume} was trained on other data
     */
    public Result run(DataSource data, Checkpoint resume, StopCheck stop) throws IOException {
        if (resume != null) {
            settings.requireContinues(resume.settings());
            long end = settings.totalSteps(resume.stepsPerEpoch());
            if (resume.state().step() >= end) {
                out.printf(Locale.ROOT, "nothing to do: the checkpoint is at step %d and this run ends at step %d "
                        + "(raise --epochs or --max-steps to train further)%n", resume.state().step(), end);
                return new Result(resume.state().step(), null, null, null, false, null);
            }
        }
        // The output directory is locked and checked first; it is changed only once the first step is done.
        try (RunDirectory dir = RunDirectory.open(settings.outDir(), out)) {
            if (resume == null) {
                dir.prepareNewRun(settings.overwrite());
            } else {
                dir.prepareResume(resume, settings.evalEvery() > 0);
            }
            ImageSet loaded = data.load();
            ModelSpec m = settings.model();
            if (loaded.channels() != m.channels() || loaded.size() != m.imageSize()) {
                throw new BadFileException(settings.dataDir(), String.format(Locale.ROOT, "holds images of %dx%dx%d, "
                        + "but the model is %s", loaded.channels(), loaded.size(), loaded.size(), m.describe()));
            }
            ImageSet images = loaded.shuffled(settings.shuffleSeed());
            if (resume != null) {
                requireSameData(resume, images);
            }
            int b = settings.hp().batchSize();
            long stepsPerEpoch = images.count() / b;
            if (stepsPerEpoch == 0) {
                throw new BadFileException(settings.dataDir(), "holds " + Progress.count(images.count(), "image") + ", fewer than one "
                        + "batch of " + b + " (--batch-size)");
            }
            return new Session(dir, loaded, images, stepsPerEpoch, resume).train(stop);
        }
    }

    /** The checkpoint must have been trained on these images, in this order. */
    private void requireSameData(Checkpoint c, ImageSet images) throws BadFileException {
        String from = " (from " + c.settings().dataDir() + ")";
        if (c.dataImages() != images.count()) {
            throw new BadFileException(settings.dataDir(), Progress.count(images.count(), "image") + ", but the checkpoint was "
                    + "trained on " + c.dataImages() + from);
        }
        if (!c.dataFingerprint().equals(images.fingerprint())) {
            throw new BadFileException(settings.dataDir(), "the images differ from those the checkpoint was trained "
                    + "on" + from + ": CRC-32C " + images.fingerprint() + " after the shuffle, expected "
                    + c.dataFingerprint());
        }
    }

    /** One session of a run: from its first step (0, or the checkpoint's) to its end or a stop. */
    private final class Session {
        private final ImageSet loaded;
        private final ImageSet data;
        private final long stepsPerEpoch;
        private final long totalSteps;
        private final long startStep;
        private final Checkpoint resume;
        private final float[] gridNoise;
        private final int columns;
        private final String fingerprint;
        private final RunDirectory dir;
        private RunLog log; // null until the run starts writing
        private QualityLog quality; // null when quality is not measured
        private Progress progress;
        private StepLosses lastLosses;
        private Path lastGrid;
        private float[] lastSamples;
        private long savedStep;
        private boolean captureWarned;
        private boolean picturesWarned;

        /** @param loaded the data in its files' order; {@code data} the same images shuffled, as training sees them */
        Session(RunDirectory dir, ImageSet loaded, ImageSet data, long stepsPerEpoch, Checkpoint resume) {
            this.dir = dir;
            this.loaded = loaded;
            this.data = data;
            this.stepsPerEpoch = stepsPerEpoch;
            this.totalSteps = settings.totalSteps(stepsPerEpoch);
            this.resume = resume;
            this.startStep = resume == null ? 0 : resume.state().step();
            this.savedStep = startStep;
            this.gridNoise = Sampler.fixedNoise(new CounterRng(settings.seed()), settings.model(),
                    settings.sampleCount());
            this.columns = (int) Math.ceil(Math.sqrt(settings.sampleCount()));
            this.fingerprint = data.fingerprint();
        }

        Result train(StopCheck stop) throws IOException {
            // Everything that can fail for want of memory is made before the output directory is changed.
            CounterRng rng = new CounterRng(settings.seed());
            try (GanTrainer trainer = new GanTrainer(backend, settings.hp(), settings.model(), rng,
                    settings.execution().captureSteps(),
                         resume == null ? null : resume.state());
                 StepRunner steps = new StepRunner(backend, trainer, settings.hp().batchSize(), data,
                         settings.model().range(),
                         settings.execution());
                 Sampler sampler = new Sampler(backend, trainer.generatorState(), settings.model(),
                         settings.sampleCount())) {
                announce();
                quality = QualityLog.open(settings, loaded, backend, out);
                try {
                    return train(trainer, steps, sampler, stop);
                } finally {
                    closeLogs();
                }
            }
        }

        private void closeLogs() throws IOException {
            try {
                if (quality != null) {
                    quality.close();
                }
            } finally {
                if (log != null) {
                    log.close();
                }
            }
        }

        /** The run loop: a batch and a step, the losses logged; at each epoch's end the samples and checkpoint. */
        private Result train(GanTrainer trainer, StepRunner steps, Sampler sampler, StopCheck stop) throws IOException {
            progress = new Progress(out, settings.epochs(), stepsPerEpoch, totalSteps, settings.hp().batchSize(),
                    startStep);
            long start = System.nanoTime();
            for (long step = startStep; step < totalSteps; step++) {
                if (stop.stopBefore(step)) {
                    if (!record(steps.finish(), stop)) {
                        return stoppedBeforeWriting();
                    }
                    return stopped(trainer, step);
                }
                if (!record(steps.step(firstImage(step)), stop)) {
                    return stoppedBeforeWriting();
                }
                warnOnceIfCaptureFailed(trainer);
                if (endsEpoch(step + 1)) {
                    if (!record(steps.finish(), stop)) {
                        return stoppedBeforeWriting();
                    }
                    endEpoch(trainer, sampler, step + 1);
                }
            }
            log.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            long done = totalSteps - startStep;
            out.printf(Locale.ROOT, "trained %s in %s (%.1f img/s on average, sample grids and checkpoints "
                    + "included)%n", Progress.count(done, "step"), Progress.duration(seconds),
                    done * settings.hp().batchSize() / seconds);
            return new Result(totalSteps, lastLosses, lastGrid, lastSamples, false, dir.checkpoint());
        }

        /**
         * When the first step is done, before it is logged: the changes to the output directory decided before
         * (an earlier run's files kept or deleted, logs mended), then the logs opened. False if the run is to
         * stop instead, with the directory as it was.
         */
        private boolean startWriting(StopCheck stop) throws IOException {
            if (!stop.startWriting() || !dir.claim()) {
                return false;
            }
            dir.start();
            if (quality != null) {
                quality.start(dir.dir(), startStep);
            }
            log = RunLog.open(dir.dir(), startStep + 1);
            return true;
        }

        private Result stoppedBeforeWriting() {
            out.println("stopped before the first step; nothing to save, and " + dir.dir() + " is as it was");
            return new Result(startStep, null, null, null, true, null);
        }

        private void warnOnceIfCaptureFailed(GanTrainer trainer) {
            if (trainer.captureFailure() != null && !captureWarned) {
                captureWarned = true;
                out.println("warning: capturing the steps failed (" + trainer.captureFailure().getMessage()
                            + "); continuing without CUDA graphs, with the same results");
            }
        }

        private void announce() {
            Hyperparameters hp = settings.hp();
            out.printf(Locale.ROOT, "training on %s with %s: %s x %s of %d images (%s in all)%n", data.source(),
                    backend.describe(), Progress.count(settings.epochs(), "epoch"), Progress.count(stepsPerEpoch, "step"),
                    hp.batchSize(), Progress.count(totalSteps, "step"));
            if (!settings.execution().equals(StepExecution.DEFAULT)) {
                out.println("steps: " + settings.execution().describe());
            }
            out.printf(Locale.ROOT, "model: %s; lr D %.3g, G %.3g; beta1 %.3g; z %d (%s); seed %d%n",
                    settings.model().describe(), hp.lr(), hp.generatorLr(), hp.beta1(), settings.model().zDim(),
                    settings.model().noise() == ModelSpec.Noise.UNIFORM ? "U(-1, 1)" : "N(0, 1)", settings.seed());
            out.println("writing to " + settings.outDir());
            if (resume != null) {
                out.printf(Locale.ROOT, "resuming at step %d (epoch %d, step %d/%d)%n", startStep, resume.epoch(),
                        resume.stepInEpoch(), stepsPerEpoch);
            }
        }

        /** The first image of step {@code step + 1}'s batch: every epoch visits the data in the same order. */
        private int firstImage(long step) {
            return (int) (step % stepsPerEpoch) * settings.hp().batchSize();
        }

        private int epochOf(long step) {
            return (int) ((step - 1) / stepsPerEpoch) + 1;
        }

        /** After this step an epoch's samples and checkpoint are due: it ends an epoch, or the run. */
        private boolean endsEpoch(long step) {
            return step % stepsPerEpoch == 0 || step == totalSteps;
        }

        /**
         * Logs a finished step's losses (if a step finished), stops a diverged run, and shows progress; the first
         * one starts the run's writing. False if the run is to stop before it writes anything.
         */
        private boolean record(Optional<StepRunner.Done> finished, StopCheck stop) throws IOException {
            if (finished.isEmpty()) {
                return true;
            }
            if (log == null && !startWriting(stop)) {
                return false;
            }
            long step = finished.get().step();
            StepLosses losses = finished.get().losses();
            log.step(step, epochOf(step), losses);
            if (!losses.finite()) {
                throw new IllegalStateException("training diverged at step " + step + ": " + losses);
            }
            if (progress.update(step, epochOf(step), losses, endsEpoch(step))) {
                log.flush();
            }
            lastLosses = losses;
            return true;
        }

        /** At the end of an epoch (or of a step-limited run): the sample grid, and the checkpoint when due. */
        private void endEpoch(GanTrainer trainer, Sampler sampler, long step) throws IOException {
            int epoch = epochOf(step);
            writeSamples(sampler, epoch, step);
            if (quality != null && quality.due(epoch)) {
                quality.measure(trainer, step, epoch, log);
            }
            drawPictures(epoch);
            boolean epochComplete = step % stepsPerEpoch == 0;
            boolean keep = epochComplete && settings.keepEvery() > 0 && epoch % settings.keepEvery() == 0;
            boolean last = epoch == settings.epochs() || step == totalSteps;
            if (keep || last || epoch % settings.saveEvery() == 0) {
                save(trainer);
                if (keep) {
                    out.println("kept a copy as " + dir.keepCheckpoint(epoch));
                }
                out.println("wrote " + lastGrid + " and " + dir.checkpoint());
            } else {
                out.println("wrote " + lastGrid);
            }
        }

        /** losses.png and progress.gif; a machine that cannot draw (no fonts, say) loses them, not the run. */
        private void drawPictures(int epoch) throws IOException {
            try {
                RunPictures.update(dir, epoch);
            } catch (RuntimeException | java.awt.AWTError e) {
                if (!picturesWarned) {
                    picturesWarned = true;
                    out.println("warning: could not draw " + RunPictures.LOSSES + " and " + RunPictures.PROGRESS + " ("
                                + e + "); training goes on without them");
                }
            }
        }

        private void writeSamples(Sampler sampler, int epoch, long step) throws IOException {
            int n = settings.sampleCount();
            lastSamples = sampler.sample(gridNoise);
            lastGrid = dir.samples(epoch);
            int size = settings.model().imageSize();
            int channels = settings.model().channels();
            int scale = PngGrid.scaleFor(size);
            byte[] png = PngGrid.encode(lastSamples, 0, n, channels, size, size, columns, scale);
            AtomicFiles.write(lastGrid, o -> o.write(png));
            log.image(step, png, channels, PngGrid.gridHeight(n, size, columns, scale),
                    PngGrid.gridWidth(size, columns, scale));
            log.flush();
        }

        private void save(GanTrainer trainer) throws IOException {
            CheckpointFile.write(dir.checkpoint(), new Checkpoint(settings, data.count(), fingerprint, trainer.snapshot()));
            savedStep = trainer.steps();
        }

        private Result stopped(GanTrainer trainer, long step) throws IOException {
            if (step == startStep) {
                return stoppedBeforeWriting();
            }
            log.flush();
            if (step != savedStep) {
                save(trainer);
            }
            out.printf(Locale.ROOT, "stopped after step %d; the checkpoint %s holds it%n", step, dir.checkpoint());
            return new Result(step, lastLosses, lastGrid, lastSamples, true, dir.checkpoint());
        }
    }
}
