package dcgan.train;

/**
 * The optimisation constants of docs/model.md. G's learning rate is {@code gLrScale} times D's, as in the
 * notebook ({@code lr * 5}).
 */
public record Hyperparameters(int batchSize, int zDim, float lr, float beta1, float beta2, float epsilon,
                              float gLrScale) {

    public static final int DEFAULT_BATCH = 256;
    public static final int DEFAULT_Z_DIM = 100;
    public static final float DEFAULT_LR = 2e-4f;
    public static final float DEFAULT_BETA1 = 0.5f;
    /** Values per image of the largest tensor a step makes: D.c2's convolution patches, 64 x 16 x 7 x 7. */
    private static final int LARGEST_PER_IMAGE = 64 * 16 * 7 * 7;
    /** G.l1's outputs: its weight is [1024, zDim]. */
    private static final int G_L1_OUT = 1024;

    public Hyperparameters {
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be at least 2 (batch norm needs 2 samples), got " + batchSize);
        }
        if (zDim < 1) {
            throw new IllegalArgumentException("z dimension must be positive, got " + zDim);
        }
        // Every tensor must fit a Java array (and a CUDA launch's int count).
        if ((long) batchSize * LARGEST_PER_IMAGE > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch size " + batchSize + " is too large: a batch's largest tensor "
                    + "would hold more values than an array can (at most " + Integer.MAX_VALUE / LARGEST_PER_IMAGE
                    + " images per batch)");
        }
        if ((long) zDim * Math.max(batchSize, G_L1_OUT) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("z dimension " + zDim + " is too large: G.l1's weight or the batch's "
                    + "noise would hold more values than an array can (at most " + Integer.MAX_VALUE
                    / Math.max(batchSize, G_L1_OUT) + " at batch size " + batchSize + ")");
        }
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
    }

    /** The notebook's values: batch 256, z 100, lr 2e-4 (G: 1e-3), beta1 0.5, beta2 0.999, epsilon 1e-8. */
    public static Hyperparameters notebook() {
        return of(DEFAULT_BATCH, DEFAULT_Z_DIM, DEFAULT_LR, DEFAULT_BETA1);
    }

    public static Hyperparameters of(int batchSize, int zDim, float lr, float beta1) {
        return new Hyperparameters(batchSize, zDim, lr, beta1, 0.999f, 1e-8f, 5f);
    }

    public float generatorLr() {
        return lr * gLrScale;
    }
}
