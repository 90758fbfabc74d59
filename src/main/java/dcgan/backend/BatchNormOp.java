package dcgan.backend;

/**
 * Batch normalisation of a {@code [batch, channels, spatial]} tensor per channel (spatial = H*W after a
 * convolution, 1 after a linear layer, where each feature is its own channel).
 *
 * <p>Training mode normalises with the batch mean and biased variance and updates the moving averages
 * as {@code moving = momentum * moving + (1 - momentum) * batch}, the moving variance taking the unbiased
 * batch variance. Inference mode normalises with the moving averages.
 */
public interface BatchNormOp extends AutoCloseable {

    float EPSILON = 1e-5f;

    int batch();

    int channels();

    int spatial();

    /**
     * Training-mode forward. Saves the batch mean and inverse standard deviation for {@link #backward}.
     * Updates movingMean and movingVar in place when {@code updateMovingAverages}.
     */
    void forwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar,
                         float momentum, boolean updateMovingAverages, Tensor y);

    /** Inference-mode forward with the moving averages. */
    void forwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVar, Tensor y);

    /**
     * Backward of the latest {@link #forwardTraining} (same x). dx is overwritten; dGamma and dBeta (both null:
     * not needed) are overwritten, or added to when {@code accumulate}.
     */
    void backward(Tensor x, Tensor gamma, Tensor dy, Tensor dx, Tensor dGamma, Tensor dBeta, boolean accumulate);

    @Override
    void close();
}
