package dcgan.backend;

/**
 * The transpose of a 4x4/stride-2/pad-1 convolution (PyTorch's ConvTranspose2d(in, out, 4, 2, 1),
 * TensorFlow's conv2d_transpose with SAME padding), with its bias or without one (b null). The geometry is that of the
 * convolution being transposed: this op maps {@code geometry.outShape()} to {@code geometry.inShape()},
 * its weight has ConvTranspose2d's layout {@code [geometry.outChannels, geometry.inChannels, 4, 4]},
 * i.e. {@code [this op's input channels, this op's output channels, 4, 4]}, and its bias has one value
 * per output channel ({@code geometry.inChannels}).
 */
public interface ConvTransposeOp extends WeightedOp {

    ConvGeometry geometry();
}
