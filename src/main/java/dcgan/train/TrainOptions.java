package dcgan.train;

import java.nio.file.Path;

/**
 * What a training run does besides the optimisation constants: where the data and outputs are, how
 * long to train, and the seeds.
 *
 * @param shuffleSeed the dataset is shuffled once with this seed, as the notebook does (547)
 * @param seed        initial weights and the noise z of every step
 * @param maxSteps    stop after this many iterations (0: no limit)
 * @param sampleCount images in each per-epoch grid
 * @param keepEvery   also keep a copy of the checkpoint every this many epochs (0: only the latest)
 * @param saveEvery   write the checkpoint every this many epochs (1: after each), and always after the last
 *                    step and on a stop; a checkpoint of this model is about 160 MB, which on a fast GPU takes
 *                    longer to write than an epoch takes to train
 */
public record TrainOptions(Path dataDir, Path outDir, int epochs, long maxSteps, long seed, long shuffleSeed,
                           int sampleCount, int keepEvery, int saveEvery) {

    public static final long NOTEBOOK_SHUFFLE_SEED = 547;
    public static final int DEFAULT_EPOCHS = 100;
    public static final int DEFAULT_SAMPLES = 64;

    public TrainOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (maxSteps < 0) {
            throw new IllegalArgumentException("max steps must be >= 0, got " + maxSteps);
        }
        if (sampleCount < 1) {
            throw new IllegalArgumentException("sample count must be positive, got " + sampleCount);
        }
        if (keepEvery < 0) {
            throw new IllegalArgumentException("keep-every must be >= 0, got " + keepEvery);
        }
        if (saveEvery < 1) {
            throw new IllegalArgumentException("save-every must be at least 1, got " + saveEvery);
        }
    }

    /** Options that save the checkpoint after every epoch. */
    public TrainOptions(Path dataDir, Path outDir, int epochs, long maxSteps, long seed, long shuffleSeed,
                        int sampleCount, int keepEvery) {
        this(dataDir, outDir, epochs, maxSteps, seed, shuffleSeed, sampleCount, keepEvery, 1);
    }

    /** Options that keep only the latest checkpoint. */
    public TrainOptions(Path dataDir, Path outDir, int epochs, long maxSteps, long seed, long shuffleSeed,
                        int sampleCount) {
        this(dataDir, outDir, epochs, maxSteps, seed, shuffleSeed, sampleCount, 0);
    }
}
