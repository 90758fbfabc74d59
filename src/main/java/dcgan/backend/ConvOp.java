package dcgan.backend;

/**
 * A 4x4/stride-2/pad-1 convolution of a fixed {@link ConvGeometry}, with its bias (PyTorch's
 * Conv2d(in, out, 4, 2, 1)). Shapes: x {@code inShape}, w {@code [out, in, 4, 4]}, b {@code [out]},
 * y {@code outShape}.
 */
public interface ConvOp extends WeightedOp {

    ConvGeometry geometry();
}
