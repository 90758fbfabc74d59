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

    public Hyperparameters {
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be at least 2 (batch norm needs 2 samples), got " + batchSize);
        }
        if (zDim < 1) {
            throw new IllegalArgumentException("z dimension must be positive, got " + zDim);
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
