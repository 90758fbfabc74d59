package dcgan.train;

import dcgan.model.ModelSpec;

/**
 * The optimisation constants of a run (docs/model.md): the batch size and Adam's. G's learning rate is
 * {@code gLrScale} times D's: 5 in the notebook ({@code lr * 5}), 1 in PyTorch's example.
 */
public record Hyperparameters(int batchSize, float lr, float beta1, float beta2, float epsilon, float gLrScale) {

    public static final float DEFAULT_LR = 2e-4f;
    public static final float DEFAULT_BETA1 = 0.5f;

    public Hyperparameters {
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be at least 2 (batch norm needs 2 samples), got " + batchSize);
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

    /** The notebook's values: batch 256, lr 2e-4 (G: 1e-3), beta1 0.5, beta2 0.999, epsilon 1e-8. */
    public static Hyperparameters notebook() {
        return new Hyperparameters(256, DEFAULT_LR, DEFAULT_BETA1, 0.999f, 1e-8f, 5f);
    }

    /** PyTorch's example's values: batch 64, lr 2e-4 for both networks, beta1 0.5, beta2 0.999, epsilon 1e-8. */
    public static Hyperparameters pytorchExample() {
        return new Hyperparameters(64, DEFAULT_LR, DEFAULT_BETA1, 0.999f, 1e-8f, 1f);
    }

    /** The notebook's constants with this batch size, learning rate and beta1. */
    public static Hyperparameters of(int batchSize, float lr, float beta1) {
        return notebook().with(batchSize, lr, beta1);
    }

    /** The defaults of a model's family: the notebook's, or PyTorch's example's. */
    public static Hyperparameters defaults(ModelSpec.Family family) {
        return family == ModelSpec.Family.NOTEBOOK ? notebook() : pytorchExample();
    }

    /** These constants with another batch size, learning rate and beta1 (G's learning-rate scale kept). */
    public Hyperparameters with(int batchSize, float lr, float beta1) {
        return new Hyperparameters(batchSize, lr, beta1, beta2, epsilon, gLrScale);
    }

    public float generatorLr() {
        return lr * gLrScale;
    }
}
