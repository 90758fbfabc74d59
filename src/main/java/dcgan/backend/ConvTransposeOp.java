package dcgan.backend;

/**
 * The transpose of a 4x4/stride-2/pad-1 convolution (PyTorch's ConvTranspose2d(in, out, 4, 2, 1),
 * TensorFlow's conv2d_transpose with SAME padding), with its bias. The geometry is that of the
 * convolution being transposed: this op maps {@code geometry.outShape()} to {@code geometry.inShape()},
 * and its weight has ConvTranspose2d's layout {@code [geometry.outChannels, geometry.inChannels, 4, 4]},
 * i.e. {@code [this op's input channels, this op's output channels, 4, 4]}.
 *
 * <p>The same backward contract as {@link ConvOp}.
 */
public interface ConvTransposeOp extends AutoCloseable {

    ConvGeometry geometry();

    /** y = conv_transpose(x, w) + b; b has one value per output channel ({@code geometry.inChannels}). */
    void forward(Tensor x, Tensor w, Tensor b, Tensor y);

    /** As {@link ConvOp#backward}: dx may be null; dw and db may both be null; accumulate adds into dw and db. */
    void backward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, boolean accumulate);

    @Override
    void close();
}
