package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;

/**
 * Batch norm with learnable {@code NAME.weight} (gamma) and {@code NAME.bias} (beta), and moving
 * averages {@code NAME.running_mean} and {@code NAME.running_var} kept as buffers, not parameters.
 * Every training-mode forward updates the moving averages (decay 0.9), as PyTorch's module does.
 */
final class BatchNorm implements AutoCloseable {

    static final float MOVING_AVERAGE_DECAY = 0.9f;

    private final BatchNormOp op;
    private final Tensor gamma;
    private final Tensor beta;
    private final Tensor gammaGrad;
    private final Tensor betaGrad;
    private final Tensor movingMean;
    private final Tensor movingVar;
    final Tensor output;

    BatchNorm(Backend backend, NetworkState state, String name, int batch, int channels, int spatial) {
        this.op = backend.batchNorm(batch, channels, spatial);
        this.gamma = state.param(name + ".weight");
        this.beta = state.param(name + ".bias");
        this.gammaGrad = state.grad(name + ".weight");
        this.betaGrad = state.grad(name + ".bias");
        this.movingMean = state.buffer(name + ".running_mean");
        this.movingVar = state.buffer(name + ".running_var");
        this.output = backend.allocate(batch, channels * spatial);
    }

    static void declare(NetworkLayout layout, String name, int channels) {
        ParameterLayout params = layout.params();
        ParameterLayout buffers = layout.buffers();
        params.add(name + ".weight", ParameterLayout.Init.ONES, channels);
        params.add(name + ".bias", ParameterLayout.Init.ZEROS, channels);
        buffers.add(name + ".running_mean", ParameterLayout.Init.ZEROS, channels);
        buffers.add(name + ".running_var", ParameterLayout.Init.ONES, channels);
    }

    Tensor forward(Tensor x, Mode mode) {
        if (mode == Mode.TRAINING) {
            op.forwardTraining(x, gamma, beta, movingMean, movingVar, MOVING_AVERAGE_DECAY, true, output);
        } else {
            op.forwardInference(x, gamma, beta, movingMean, movingVar, output);
        }
        return output;
    }

    void backward(Tensor x, Tensor dy, Tensor dx, Gradients want) {
        op.backward(x, gamma, dy, dx, want.params() ? gammaGrad : null, want.params() ? betaGrad : null,
                want.accumulate());
    }

    @Override
    public void close() {
        op.close();
        output.close();
    }
}
