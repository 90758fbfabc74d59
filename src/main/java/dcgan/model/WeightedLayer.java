package dcgan.model;

import dcgan.backend.Tensor;
import dcgan.backend.WeightedOp;

/**
 * A convolution, transposed convolution or linear layer on a backend: the operation, its output, and views
 * of {@code NAME.weight}, {@code NAME.bias} (unless the layer has none) and their gradients in the network's
 * flat buffers.
 */
final class WeightedLayer implements BuiltLayer {

    private final WeightedOp op;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor weightGrad;
    private final Tensor biasGrad;
    private final Tensor output;
    private Tensor input;

    WeightedLayer(NetworkState state, String name, Layer.Bias hasBias, WeightedOp op, Tensor output) {
        boolean withBias = hasBias == Layer.Bias.WITH_BIAS;
        this.op = op;
        this.weight = state.param(name + ".weight");
        this.bias = withBias ? state.param(name + ".bias") : null;
        this.weightGrad = state.grad(name + ".weight");
        this.biasGrad = withBias ? state.grad(name + ".bias") : null;
        this.output = output;
    }

    /**
     * Declares {@code NAME.weight} of the given shape, starting as weightInit says, and {@code NAME.bias} of
     * biasSize (zeros) when the layer has a bias.
     */
    static void declare(NetworkLayout layout, String name, ParameterLayout.Init weightInit, Layer.Bias bias,
                        int biasSize, int... weightShape) {
        layout.params().add(name + ".weight", weightInit, weightShape);
        if (bias == Layer.Bias.WITH_BIAS) {
            layout.params().add(name + ".bias", ParameterLayout.Init.ZEROS, biasSize);
        }
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
