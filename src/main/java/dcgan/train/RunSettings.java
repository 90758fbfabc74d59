package dcgan.train;

import dcgan.data.Background;
import dcgan.eval.Scorer;
import dcgan.model.ModelSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a training run is told: the constants that make it this run, and where, how long and how it
 * trains. A checkpoint records the run's settings; a resumed run starts from them.
 *
 * <p>The first five make the run what it is, and a resumed run must keep them ({@link #requireContinues}):
 * the optimisation constants, the model (its image size, channels, noise dimension and widths), the background
 * that transparent images are composited onto, {@code seed} (the initial weights and the noise of every step),
 * {@code shuffleSeed} (the one-time shuffle of the data, 547 in the notebook) and {@code sampleCount} (the
 * images in each epoch's grid). The rest may change between sessions of one run.
 *
 * @param maxSteps  stop after this many iterations in all (0: no limit)
 * @param keepEvery also keep a copy of the checkpoint every this many epochs (0: only the latest)
 * @param saveEvery write the checkpoint every this many epochs, and always after the last step and on a stop
 *                  (a checkpoint of this model is about 160 MB: on a fast GPU writing one takes longer than an
 *                  epoch); not recorded in the checkpoint
 * @param overwrite a new run deletes an earlier run's files in {@code outDir} instead of keeping them under
 *                  numbered names; not recorded
 * @param evalEvery measure the samples' quality every this many epochs (0: never; docs/quality.md)
 * @param scorerCache where the quality scorer is cached (needed when {@code evalEvery > 0})
 * @param execution how steps run on the backend; none of it changes the results; not recorded either
 */
public record RunSettings(Hyperparameters hp, ModelSpec model, Background background, long seed, long shuffleSeed, int sampleCount,
                          Path dataDir, Path outDir, int epochs, long maxSteps, int keepEvery, int saveEvery,
                          boolean overwrite, int evalEvery, Path scorerCache, StepExecution execution) {

    public static final long NOTEBOOK_SHUFFLE_SEED = 547;
    /** The notebook's epochs; PyTorch's example trains 25 ({@link #defaultEpochs}). */
    public static final int DEFAULT_EPOCHS = 100;
    public static final int DEFAULT_SAMPLES = 64;
    public static final int DEFAULT_EVAL_EVERY = 1;

    /** The notebook's run: its constants, 100 epochs over {@code ./mnist}, output in {@code ./log/DCGAN}. */
    public static final RunSettings NOTEBOOK = new RunSettings(Hyperparameters.notebook(), ModelSpec.MNIST,
            Background.WHITE, 0, NOTEBOOK_SHUFFLE_SEED, DEFAULT_SAMPLES, Path.of("./mnist"), Path.of("./log/DCGAN"), DEFAULT_EPOCHS, 0, 0, 1, false,
            DEFAULT_EVAL_EVERY, Scorer.defaultCacheDir(), StepExecution.DEFAULT);

    /**
     * The defaults of a new run of {@code model}: the notebook's for its model, PyTorch's example's (batch 64, both
     * learning rates 2e-4, 25 epochs) for the DCGAN.
     */
    public static RunSettings defaults(ModelSpec model) {
        return new RunSettings(Hyperparameters.defaults(model.family()), model, Background.WHITE, 0,
                NOTEBOOK_SHUFFLE_SEED, DEFAULT_SAMPLES, NOTEBOOK.dataDir(), NOTEBOOK.outDir(), defaultEpochs(model), 0, 0, 1, false,
                DEFAULT_EVAL_EVERY, Scorer.defaultCacheDir(), StepExecution.DEFAULT);
    }

    public RunSettings {
        Objects.requireNonNull(hp, "hp");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(background, "background");
        model.requireFits(hp.batchSize());
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(execution, "execution");
        if (sampleCount < 1) {
            throw new IllegalArgumentException("sample count must be positive, got " + sampleCount);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("max steps must be >= 0, got " + maxSteps);
        }
        if (keepEvery < 0) {
            throw new IllegalArgumentException("keep-every must be >= 0, got " + keepEvery);
        }
        if (saveEvery < 1) {
            throw new IllegalArgumentException("save-every must be at least 1, got " + saveEvery);
        }
        if (evalEvery < 0) {
            throw new IllegalArgumentException("eval-every must be >= 0, got " + evalEvery);
        }
        if (evalEvery > 0 && scorerCache == null) {
            throw new IllegalArgumentException("measuring quality needs a scorer cache directory");
        }
    }

    /**
     * Refuses to continue {@code saved}'s run (a checkpoint's settings) with other constants: the steps after
     * the checkpoint would be neither the old run's nor a new one's. The message names each option that
     * differs.
     *
     * @throws IllegalArgumentException if any of the run's constants differ
     */
    public void requireContinues(RunSettings saved) {
        List<String> conflicts = new ArrayList<>();
        Hyperparameters h = saved.hp;
        conflict(conflicts, "--batch-size", h.batchSize(), hp.batchSize());
        conflict(conflicts, "the model", saved.model.describe(), model.describe());
        conflict(conflicts, "--z-dim", saved.model.zDim(), model.zDim());
        conflict(conflicts, "--background", saved.background, background);
        conflict(conflicts, "--lr", h.lr(), hp.lr());
        conflict(conflicts, "--beta1", h.beta1(), hp.beta1());
        conflict(conflicts, "beta2", h.beta2(), hp.beta2());
        conflict(conflicts, "epsilon", h.epsilon(), hp.epsilon());
        conflict(conflicts, "G's learning-rate scale", h.gLrScale(), hp.gLrScale());
        conflict(conflicts, "--seed", saved.seed, seed);
        conflict(conflicts, "--shuffle-seed", saved.shuffleSeed, shuffleSeed);
        conflict(conflicts, "samples per grid", saved.sampleCount, sampleCount);
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", conflicts) + "; a resumed run keeps its "
                    + "checkpoint's values (leave those options out, or start a new run in another --out directory)");
        }
    }

    private static void conflict(List<String> out, String name, Object saved, Object given) {
        if (!saved.equals(given)) {
            out.add(name + " " + given + " conflicts with the checkpoint, which was trained with " + saved);
        }
    }

    /** The epochs a run of this model trains unless told: the notebook's 100, PyTorch's example's 25. */
    public static int defaultEpochs(ModelSpec model) {
        return model.family() == ModelSpec.Family.NOTEBOOK ? DEFAULT_EPOCHS : 25;
    }

    /** The last step of the run: its epochs over {@code stepsPerEpoch}, or {@link #maxSteps} if sooner. */
    public long totalSteps(long stepsPerEpoch) {
        long all = stepsPerEpoch * epochs;
        return maxSteps > 0 ? Math.min(all, maxSteps) : all;
    }
}
