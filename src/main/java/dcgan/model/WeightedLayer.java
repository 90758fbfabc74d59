package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.Tensor;
import dcgan.backend.WeightedOp;

/**
 * A layer with {@code NAME.weight} and {@code NAME.bias}: a convolution, transposed convolution or
 * linear layer, depending on the backend operation it wraps. It owns its output tensor and knows where
 * its parameters and their gradients live in the network's flat buffers.
 */
final class WeightedLayer implements AutoCloseable {

    private final WeightedOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGrad;
    private final Tensor biasGrad;
    final Tensor output;

    private WeightedLayer(Backend backend, NetworkState state, String name, WeightedOp op, int... outShape) {
        this.op = op;
        this.weight = state.param(name + ".weight");
        this.bias = state.param(name + ".bias");
        this.weightGrad = state.grad(name + ".weight");
        this.biasGrad = state.grad(name + ".bias");
        this.output = backend.allocate(outShape);
    }

    /** 4x4/stride-2/pad-1 convolution, weight {@code [out, in, 4, 4]}. */
    static WeightedLayer conv(Backend backend, NetworkState state, String name, ConvGeometry g) {
        return new WeightedLayer(backend, state, name, backend.conv(g), g.outShape());
    }

    /** Transposed convolution {@code in x h x w -> out x 2h x 2w}, weight {@code [in, out, 4, 4]}. */
    static WeightedLayer convTranspose(Backend backend, NetworkState state, String name,
                                       int batch, int in, int out, int h, int w) {
        ConvGeometry transposed = new ConvGeometry(batch, out, 2 * h, 2 * w, in);
        return new WeightedLayer(backend, state, name, backend.convTranspose(transposed), transposed.inShape());
    }

    /** Fully connected layer, weight {@code [out, in]}. */
    static WeightedLayer linear(Backend backend, NetworkState state, String name, int batch, int in, int out) {
        return new WeightedLayer(backend, state, name, backend.linear(batch, in, out), batch, out);
    }

    static void declareConv(ParameterLayout layout, String name, int in, int out) {
        declare(layout, name, out, out, in, 4, 4);
    }

    static void declareConvTranspose(ParameterLayout layout, String name, int in, int out) {
        declare(layout, name, out, in, out, 4, 4);
    }

    static void declareLinear(ParameterLayout layout, String name, int in, int out) {
        declare(layout, name, out, out, in);
    }

    private static void declare(ParameterLayout layout, String name, int biasSize, int... weightShape) {
        layout.add(name + ".weight", ParameterLayout.Init.TRUNCATED_NORMAL, weightShape);
        layout.add(name + ".bias", ParameterLayout.Init.ZEROS, biasSize);
    }

    Tensor forward(Tensor x) {
        op.forward(x, weight, bias, output);
        return output;
    }

    /** dx may be null; parameter gradients are written (or added, when accumulating) only if wanted. */
    void backward(Tensor x, Tensor dy, Tensor dx, Gradients want) {
        op.backward(x, weight, dy, dx, want.params() ? weightGrad : null, want.params() ? biasGrad : null,
                want.accumulate());
    }

    @Override
    public void close() {
        op.close();
        output.close();
    }
}
