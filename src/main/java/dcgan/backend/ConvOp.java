package dcgan.backend;

/**
 * A 4x4/stride-2/pad-1 convolution of a fixed {@link ConvGeometry}, with its bias. Made once per layer
 * so that a backend can keep workspaces, descriptors and chosen algorithms with it.
 *
 * <p>Contract shared by every backend: {@link #backward} belongs to the latest {@link #forward} of this
 * object and must be given the same {@code x}; a backend may reuse work cached by that forward.
 */
public interface ConvOp extends AutoCloseable {

    ConvGeometry geometry();

    /** y = conv(x, w) + b. Shapes: x {@code inShape}, w {@code [out, in, 4, 4]}, b {@code [out]}, y {@code outShape}. */
    void forward(Tensor x, Tensor w, Tensor b, Tensor y);

    /**
     * Gradients from dy. dx (may be null: not needed) is overwritten. dw and db (both null: not needed)
     * are overwritten, or added to when {@code accumulate}.
     */
    void backward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, boolean accumulate);

    @Override
    void close();
}
