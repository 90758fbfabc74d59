package dcgan.backend;

/**
 * A layer operation with a weight and, when the layer has one, a bias: convolution, transposed convolution
 * or linear. Made once per layer (and batch size) so that a backend can keep workspaces, descriptors and
 * chosen algorithms with it.
 *
 * <p>A layer without a bias passes {@code b = null} to {@link #forward} and {@code db = null} to
 * {@link #backward}: the op then adds no bias and sums no bias gradient, and computes everything else
 * exactly as with a bias (bit for bit the same dx and dw).
 *
 * <p>Contract shared by every backend: {@link #backward} belongs to the latest {@link #forward} of this
 * object and must be given the same {@code x}; a backend may reuse work cached by that forward.
 */
public interface WeightedOp extends AutoCloseable {

    /** y = op(x, w) + b, or y = op(x, w) when b is null. */
    void forward(Tensor x, Tensor w, Tensor b, Tensor y);

    /**
     * Gradients from dy. dx (null: not needed) is overwritten. dw and db (each null when not needed, db
     * also for a layer without a bias) are overwritten, or added to when {@code accumulate}.
     */
    void backward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, boolean accumulate);

    @Override
    void close();
}
