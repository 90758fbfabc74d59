package dcgan.model;

import dcgan.backend.Tensor;
import dcgan.backend.WeightedOp;

/**
 * A convolution, transposed convolution or linear layer on a backend: the operation, its output, and views
 * of {@code NAME.weight}, {@code NAME.bias} and their gradients in the network's flat buffers.
 */
final class WeightedLayer implements BuiltLayer {

    private final WeightedOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGrad;
    private final Tensor biasGrad;
    private final Tensor output;
    private Tensor input;

    WeightedLayer(NetworkState state, String name, WeightedOp op, Tensor output) {
        this.op = op;
        this.weight = state.param(name + ".weight");
        this.bias = state.param(name + ".bias");
        this.weightGrad = state.grad(name + ".weight");
        this.biasGrad = state.grad(name + ".bias");
        this.output = output;
    }

    /** Declares {@code NAME.weight} (truncated normal) of the given shape and {@code NAME.bias} (zeros). */
    static void declare(NetworkLayout layout, String name, int biasSize, int... weightShape) {
        layout.params().add(name + ".weight", ParameterLayout.Init.TRUNCATED_NORMAL, weightShape);
        layout.params().add(name + ".bias", ParameterLayout.Init.ZEROS, biasSize);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        input = x;
        op.forward(x, weight, bias, output);
        return output;
    }

    @Override
    public void backward(Tensor dy, Tensor dx, Gradients want) {
        op.backward(input, weight, dy, dx, want.params() ? weightGrad : null, want.params() ? biasGrad : null,
                want.accumulate());
    }

    @Override
    public void close() {
        op.close();
        output.close();
    }
}
