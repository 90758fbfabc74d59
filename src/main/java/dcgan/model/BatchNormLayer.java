package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;

/**
 * Batch norm on a backend: batch statistics in training mode, the moving averages in inference mode. Every
 * training-mode forward also updates the moving averages (decay 0.9, unbiased variance), as PyTorch's module
 * does.
 */
final class BatchNormLayer implements BuiltLayer {

    static final float MOVING_AVERAGE_DECAY = 0.9f;

    private final BatchNormOp op;
    private final Tensor gamma;
    private final Tensor beta;
    private final Tensor gammaGrad;
    private final Tensor betaGrad;
    private final Tensor movingMean;
    private final Tensor movingVar;
    private final Tensor output;
    private Tensor input;

    BatchNormLayer(Backend backend, NetworkState state, String name, int batch, int channels, int spatial) {
        this.op = backend.batchNorm(batch, channels, spatial);
        this.gamma = state.param(name + ".weight");
        this.beta = state.param(name + ".bias");
        this.gammaGrad = state.grad(name + ".weight");
        this.betaGrad = state.grad(name + ".bias");
        this.movingMean = state.buffer(name + ".running_mean");
        this.movingVar = state.buffer(name + ".running_var");
        this.output = backend.allocate(batch, channels * spatial);
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        input = x;
        if (mode == Mode.TRAINING) {
            op.forwardTraining(x, gamma, beta, movingMean, movingVar, MOVING_AVERAGE_DECAY, true, output);
        } else {
            op.forwardInference(x, gamma, beta, movingMean, movingVar, output);
        }
        return output;
    }

    @Override
    public void backward(Tensor dy, Tensor dx, Gradients want) {
        op.backward(input, gamma, dy, dx, want.params() ? gammaGrad : null, want.params() ? betaGrad : null,
                want.accumulate());
    }

    @Override
    public void close() {
        op.close();
        output.close();
    }
}
