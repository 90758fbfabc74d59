package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.Tensor;

/** A 4x4/stride-2/pad-1 convolution layer: parameters {@code NAME.weight [out, in, 4, 4]}, {@code NAME.bias [out]}. */
final class Conv2d implements AutoCloseable {

    private final ConvOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGrad;
    private final Tensor biasGrad;
    final Tensor output;

    Conv2d(Backend backend, NetworkState state, String name, ConvGeometry g) {
        this.op = backend.conv(g);
        this.weight = state.param(name + ".weight");
        this.bias = state.param(name + ".bias");
        this.weightGrad = state.grad(name + ".weight");
        this.biasGrad = state.grad(name + ".bias");
        this.output = backend.allocate(g.outShape());
    }

    static void declare(ParameterLayout layout, String name, int in, int out) {
        layout.add(name + ".weight", ParameterLayout.Init.TRUNCATED_NORMAL, out, in, 4, 4);
        layout.add(name + ".bias", ParameterLayout.Init.ZEROS, out);
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
