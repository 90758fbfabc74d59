package dcgan.backend;

/**
 * A 4x4/stride-2/pad-1 convolution of a fixed {@link ConvGeometry}, with its bias or without one (PyTorch's
 * Conv2d(in, out, 4, 2, 1), bias or {@code bias=False}). Shapes: x {@code inShape}, w {@code [out, in, 4, 4]},
 * b {@code [out]} or null, y {@code outShape}.
 */
public interface ConvOp extends WeightedOp {

    ConvGeometry geometry();
}
