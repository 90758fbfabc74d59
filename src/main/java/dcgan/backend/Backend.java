package dcgan.backend;

import dcgan.random.CounterRng;

/**
 * The small set of operations the DCGAN is written against. Two implementations compute the same math:
 * the pure-Java CPU reference ({@code dcgan.backend.cpu}) and the GPU backend. Model code holds only
 * {@link Tensor}s and calls these methods, so one model definition serves both.
 *
 * <p>Elementwise methods accept the output tensor equal to an input (in place) unless stated otherwise.
 */
public interface Backend extends AutoCloseable {

    /** One line for logs, e.g. "cpu (2 threads)". */
    String describe();

    /** A new zero-filled tensor. */
    Tensor allocate(int... shape);

    /** A view of {@code Tensor.sizeOf(shape)} elements of base starting at element offset; shares storage. */
    Tensor view(Tensor base, int offset, int... shape);

    /** Copies dst.size() floats from src[srcOffset...] into dst. */
    void upload(float[] src, int srcOffset, Tensor dst);

    /** Copies src.size() floats into dst[dstOffset...]. Waits for pending work that writes src. */
    void download(Tensor src, float[] dst, int dstOffset);

    /** A host copy of the whole tensor. */
    default float[] download(Tensor src) {
        float[] out = new float[src.size()];
        download(src, out, 0);
        return out;
    }

    void fill(Tensor t, float value);

    void copy(Tensor src, Tensor dst);

    ConvOp conv(ConvGeometry geometry);

    ConvTransposeOp convTranspose(ConvGeometry geometry);

    /** A linear layer with PyTorch's Linear weight {@code [out, in]}: {@code linear(..., WeightLayout.OUT_IN)}. */
    default LinearOp linear(int batch, int inFeatures, int outFeatures) {
        return linear(batch, inFeatures, outFeatures, LinearOp.WeightLayout.OUT_IN);
    }

    /** A linear layer whose weight is stored as {@code layout} says. */
    LinearOp linear(int batch, int inFeatures, int outFeatures, LinearOp.WeightLayout layout);

    BatchNormOp batchNorm(int batch, int channels, int spatial);

    /** y = x > 0 ? x : alpha * x. */
    void leakyRelu(Tensor x, Tensor y, float alpha);

    /** dx = dy where y > 0, alpha * dy elsewhere (y is the forward output; alpha > 0 keeps its sign). */
    void leakyReluBackward(Tensor y, Tensor dy, Tensor dx, float alpha);

    /** y = max(x, 0). */
    void relu(Tensor x, Tensor y);

    /** dx = dy where y > 0, else 0 (y is the forward output). */
    void reluBackward(Tensor y, Tensor dy, Tensor dx);

    /** y = 1 / (1 + exp(-x)). */
    void sigmoid(Tensor x, Tensor y);

    /** dx = dy * y * (1 - y) (y is the forward output). */
    void sigmoidBackward(Tensor y, Tensor dy, Tensor dx);

    /**
     * y = tanh(x), computed so that every backend gives the same bits (the CPU backend's {@code Tanh}, the GPU's
     * kernels/tanh.cu: one fixed sequence of IEEE double operations, rounded to float once).
     */
    void tanh(Tensor x, Tensor y);

    /** dx = dy * (1 - y * y) in float, y * y first (y is the forward output). */
    void tanhBackward(Tensor y, Tensor dy, Tensor dx);

    /**
     * Sigmoid cross-entropy with logits against a constant label, averaged over the batch, fused with its
     * gradient: per element {@code max(x, 0) - x * label + log(1 + exp(-|x|))}; the mean goes to
     * {@code loss[lossIndex]} (a small tensor read back for logging), and
     * {@code dLogits = (sigmoid(x) - label) / n} (not in place: dLogits != logits).
     */
    void sigmoidCrossEntropy(Tensor logits, float label, Tensor dLogits, Tensor loss, int lossIndex);

    /**
     * One Adam step in TensorFlow's form over a whole parameter buffer:
     * {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lrT * m / (sqrt(v) + eps)},
     * where the caller computes {@code lrT = lr * sqrt(1 - b2^t) / (1 - b1^t)}.
     */
    void adam(Tensor params, Tensor grads, Tensor m, Tensor v, float lrT, float beta1, float beta2, float epsilon);

    /**
     * Fills dst with uniform noise in [lo, hi) exactly as {@link CounterRng#fillUniform} does for the same
     * seed, stream and step, so that both backends draw bit-identical noise.
     */
    void uniform(Tensor dst, CounterRng rng, int stream, long step, float lo, float hi);

    /**
     * Fills dst with standard normal noise, N(0, 1), exactly as {@link CounterRng#fillNormal(float[], int, int,
     * int, long)} does for the same seed, stream and step, so that both backends draw bit-identical noise.
     */
    void normal(Tensor dst, CounterRng rng, int stream, long step);

    /**
     * Records the backend work that {@code work} queues, without doing it yet; each
     * {@link CapturedWork#replay} then does it on the same tensors. What the work reads on the host while
     * it is recorded (scalars, which tensors) is fixed in the recording, so it must be work that repeats
     * exactly, with per-call inputs in tensors written before each replay. It must not wait for the
     * backend, copy to or from the host, or allocate.
     *
     * <p>The default records nothing and reruns {@code work} on each replay, which is what a synchronous
     * backend would do anyway.
     */
    default CapturedWork capture(Runnable work) {
        return CapturedWork.rerun(work);
    }

    /**
     * A host copy of {@code src} that {@link HostMirror#refresh} updates behind the queued work without
     * waiting for it. The default copies at once, which is all a synchronous backend can do.
     */
    default HostMirror hostMirror(Tensor src) {
        return HostMirror.immediate(this, src);
    }

    /** Waits until all queued work has finished (a no-op on synchronous backends). */
    void synchronize();

    @Override
    void close();
}
