package dcgan.train;

import dcgan.backend.Tensor;
import dcgan.model.BufferSize;
import dcgan.model.Discriminator;
import dcgan.model.Generator;
import dcgan.model.Network;

import java.util.function.IntFunction;

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
        BufferSize largest = largestBuffer(batchSize, zDim);
        if (largest.floats() > Tensor.MAX_SIZE) {
            int maxBatch = maxBatchSize(zDim);
            throw new IllegalArgumentException(maxBatch < 2
                    ? "z dimension " + zDim + " is too large: " + tooLarge(largestBuffer(2, zDim)) + "; at most " + maxZDim()
                    : "batch size " + batchSize + " is too large: " + tooLarge(largest) + "; at most " + maxBatch
                      + " images per batch at z dimension " + zDim);
        }
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("Adam's beta1 must be at least 0 and less than 1, got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam's beta2 must be at least 0 and less than 1, got " + beta2);
        }
    }

    /**
     * The largest buffer that training D and G holds at a batch size and z dimension, on any backend: their
     * layers' inputs, outputs and weights, the CPU convolutions' im2col patch matrices, and their parameters.
     */
    public static BufferSize largestBuffer(int batchSize, int zDim) {
        return Network.largestBuffer("D", Discriminator.LAYERS, batchSize)
                .max(Network.largestBuffer("G", Generator.layers(zDim), batchSize));
    }

    /** "X would hold N floats, more than one buffer can hold (M)". */
    public static String tooLarge(BufferSize b) {
        return b.what() + " would hold " + b.floats() + " floats, more than one buffer can hold (" + Tensor.MAX_SIZE + ")";
    }

    /** The largest batch whose buffers ({@link #largestBuffer}) all fit at this z dimension; below 2 if none does. */
    public static int maxBatchSize(int zDim) {
        return largestFitting(batch -> largestBuffer(batch, zDim));
    }

    /** The largest z dimension whose buffers fit at the smallest batch, 2. */
    public static int maxZDim() {
        return largestFitting(zDim -> largestBuffer(2, zDim));
    }

    /**
     * The largest n >= 1 whose largest buffer fits {@link Tensor#MAX_SIZE}, or 0 if even 1 does not: buffers grow
     * with n, so a binary search finds it.
     */
    private static int largestFitting(IntFunction<BufferSize> largestAt) {
        if (largestAt.apply(1).floats() > Tensor.MAX_SIZE) {
            return 0;
        }
        int fits = 1;
        int tooMany = Integer.MAX_VALUE; // may fit too: checked last
        if (largestAt.apply(tooMany).floats() <= Tensor.MAX_SIZE) {
            return tooMany;
        }
        while (tooMany - fits > 1) {
            int mid = fits + (tooMany - fits) / 2;
            if (largestAt.apply(mid).floats() <= Tensor.MAX_SIZE) {
                fits = mid;
            } else {
                tooMany = mid;
            }
        }
        return fits;
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
