package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;

/** A fully connected layer: parameters {@code NAME.weight [out, in]} and {@code NAME.bias [out]}. */
final class Linear implements AutoCloseable {

    private final LinearOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGrad;
    private final Tensor biasGrad;
    final Tensor output;

    Linear(Backend backend, NetworkState state, String name, int batch, int in, int out) {
        this.op = backend.linear(batch, in, out);
        this.weight = state.param(name + ".weight");
        this.bias = state.param(name + ".bias");
        this.weightGrad = state.grad(name + ".weight");
        this.biasGrad = state.grad(name + ".bias");
        this.output = backend.allocate(batch, out);
    }

    static void declare(ParameterLayout layout, String name, int in, int out) {
        layout.add(name + ".weight", ParameterLayout.Init.TRUNCATED_NORMAL, out, in);
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
