package dcgan.backend;

/**
 * A fully connected layer y = x W^T + b over a fixed batch, with PyTorch's Linear layout:
 * x {@code [batch, in]}, W {@code [out, in]}, b {@code [out]}, y {@code [batch, out]}.
 */
public interface LinearOp extends AutoCloseable {

    int batch();

    int inFeatures();

    int outFeatures();

    void forward(Tensor x, Tensor w, Tensor b, Tensor y);

    /** As {@link ConvOp#backward}: dx may be null; dw and db may both be null; accumulate adds into dw and db. */
    void backward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, boolean accumulate);

    @Override
    void close();
}
