package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.Tensor;

/**
 * A 4x4/stride-2/pad-1 transposed convolution doubling height and width: parameters
 * {@code NAME.weight [in, out, 4, 4]} (ConvTranspose2d's layout) and {@code NAME.bias [out]}.
 */
final class ConvTranspose2d implements AutoCloseable {

    private final ConvTransposeOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGrad;
    private final Tensor biasGrad;
    final Tensor output;

    /** in x h x w -> out x 2h x 2w. */
    ConvTranspose2d(Backend backend, NetworkState state, String name, int batch, int in, int out, int h, int w) {
        ConvGeometry transposed = new ConvGeometry(batch, out, 2 * h, 2 * w, in);
        this.op = backend.convTranspose(transposed);
        this.weight = state.param(name + ".weight");
        this.bias = state.param(name + ".bias");
        this.weightGrad = state.grad(name + ".weight");
        this.biasGrad = state.grad(name + ".bias");
        this.output = backend.allocate(transposed.inShape());
    }

    static void declare(ParameterLayout layout, String name, int in, int out) {
        layout.add(name + ".weight", ParameterLayout.Init.TRUNCATED_NORMAL, in, out, 4, 4);
        layout.add(name + ".bias", ParameterLayout.Init.ZEROS, out);
    }

    Tensor forward(Tensor x) {
        op.forward(x, weight, bias, output);
        return output;
    }

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
