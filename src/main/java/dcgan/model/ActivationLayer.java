package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;

/** Leaky ReLU, ReLU, sigmoid or tanh, in place: forward overwrites its input, backward reads that output. */
final class ActivationLayer implements BuiltLayer {

    private final Backend backend;
    private final Layer.Activation spec;
    private Tensor output;

    ActivationLayer(Backend backend, Layer.Activation spec) {
        this.backend = backend;
        this.spec = spec;
    }

    @Override
    public Tensor forward(Tensor x, Mode mode) {
        switch (spec.kind()) {
            case LEAKY_RELU -> backend.leakyRelu(x, x, spec.slope());
            case RELU -> backend.relu(x, x);
            case SIGMOID -> backend.sigmoid(x, x);
            case TANH -> backend.tanh(x, x);
        }
        output = x;
        return x;
    }

    @Override
    public void backward(Tensor dy, Tensor dx, Gradients want) {
        if (dx == null) {
            return;
        }
        switch (spec.kind()) {
            case LEAKY_RELU -> backend.leakyReluBackward(output, dy, dx, spec.slope());
            case RELU -> backend.reluBackward(output, dy, dx);
            case SIGMOID -> backend.sigmoidBackward(output, dy, dx);
            case TANH -> backend.tanhBackward(output, dy, dx);
        }
    }

    @Override
    public boolean inPlace() {
        return true;
    }

    @Override
    public void close() {
        // The output is the previous layer's tensor.
    }
}
