package dcgan.backend;

/**
 * A layer operation with a weight and a bias: convolution, transposed convolution or linear. Made once
 * per layer (and batch size) so that a backend can keep workspaces, descriptors and chosen algorithms
 * with it.
 *
 * <p>Contract shared by every backend: {@link #backward} belongs to the latest {@link #forward} of this
 * object and must be given the same {@code x}; a backend may reuse work cached by that forward.
 */
public interface WeightedOp extends AutoCloseable {

    /** y = op(x, w) + b. */
    void forward(Tensor x, Tensor w, Tensor b, Tensor y);

    /**
     * Gradients from dy. dx (null: not needed) is overwritten. dw and db (both null: not needed) are
     * overwritten, or added to when {@code accumulate}.
     */
    void backward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, boolean accumulate);

    @Override
    void close();
}
