package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.LinearOp;

import java.util.List;
import java.util.Objects;

/**
 * One layer of a network, as the network declares it: what it computes, the names and shapes of its
 * tensors, and its sizes. A network is a list of these ({@link Discriminator#LAYERS},
 * {@link Generator#layers}); its parameter layout ({@link NetworkLayout#of}), its activation and gradient
 * buffers, and its forward and backward passes ({@link Network}) all follow from the list.
 *
 * <p>Tensor names are those of the equivalent PyTorch modules ({@code NAME.weight}, {@code NAME.bias},
 * and for batch norm {@code NAME.running_mean} and {@code NAME.running_var}); sizes are per image.
 */
public sealed interface Layer {

    /** Whether a convolution, transposed convolution or linear layer adds a learned bias. */
    enum Bias {
        /** A {@code NAME.bias} of one value per output channel (or feature), starting at 0. */
        WITH_BIAS,
        /** No bias tensor; the op adds none (PyTorch's {@code bias=False}). */
        NO_BIAS
    }

    /**
     * 4x4 convolution, stride 2, padding 1 (TensorFlow's SAME here): {@code in x size x size -> out x size/2 x size/2},
     * with a bias and weights from a truncated normal (the notebook's layers).
     */
    static Layer conv(String name, int in, int out, int size) {
        return conv(name, in, out, size, Bias.WITH_BIAS, ParameterLayout.Init.TRUNCATED_NORMAL);
    }

    /** 4x4 convolution, stride 2, padding 1, with or without a bias, its weight starting as {@code weightInit} says. */
    static Layer conv(String name, int in, int out, int size, Bias bias, ParameterLayout.Init weightInit) {
        return new Conv(name, in, out, size, bias, weightInit);
    }

    /**
     * 4x4 transposed convolution, stride 2, padding 1: {@code in x size x size -> out x 2size x 2size}, with a bias
     * and weights from a truncated normal (the notebook's layers).
     */
    static Layer convTranspose(String name, int in, int out, int size) {
        return convTranspose(name, in, out, size, Bias.WITH_BIAS, ParameterLayout.Init.TRUNCATED_NORMAL);
    }

    /** 4x4 transposed convolution, stride 2, padding 1, with or without a bias, its weight starting as {@code weightInit} says. */
    static Layer convTranspose(String name, int in, int out, int size, Bias bias, ParameterLayout.Init weightInit) {
        return new ConvTranspose(name, in, out, size, bias, weightInit);
    }

    /** Fully connected, {@code y = x W^T + b}, with weights from a truncated normal (the notebook's layers). */
    static Layer linear(String name, int in, int out) {
        return linear(name, in, out, Bias.WITH_BIAS, ParameterLayout.Init.TRUNCATED_NORMAL);
    }

    /** Fully connected, {@code y = x W^T (+ b)}, weight {@code [out, in]} starting as {@code weightInit} says. */
    static Layer linear(String name, int in, int out, Bias bias, ParameterLayout.Init weightInit) {
        return new Linear(name, in, out, bias, weightInit);
    }

    /**
     * 4x4 transposed convolution, stride 1, padding 0, from 1x1 to 4x4 (PyTorch's
     * {@code ConvTranspose2d(in, outChannels, 4, 1, 0, bias=False)} on a {@code in x 1 x 1} input, the first layer of
     * its DCGAN's generator): {@code in -> outChannels x 4 x 4}, no bias. Its weight has ConvTranspose2d's layout
     * {@code [in, outChannels, 4, 4]}; it is computed as a linear layer {@code y = x W} with W that weight as an
     * {@code [in, outChannels * 16]} matrix (output feature {@code c * 16 + y * 4 + x}).
     */
    static Layer convTransposeFrom1x1To4x4(String name, int in, int outChannels, ParameterLayout.Init weightInit) {
        return new ConvTransposeFrom1x1To4x4(name, in, outChannels, weightInit);
    }

    /**
     * 4x4 convolution, stride 1, padding 0, from 4x4 to 1x1 (PyTorch's {@code Conv2d(inChannels, out, 4, 1, 0,
     * bias=False)} on a {@code inChannels x 4 x 4} input, the last layer of its DCGAN's discriminator):
     * {@code inChannels x 4 x 4 -> out}, no bias. Its weight has Conv2d's layout {@code [out, inChannels, 4, 4]}; it is
     * computed as a linear layer {@code y = x W^T} with W that weight as an {@code [out, inChannels * 16]} matrix.
     */
    static Layer convFrom4x4To1x1(String name, int inChannels, int out, ParameterLayout.Init weightInit) {
        return new ConvFrom4x4To1x1(name, inChannels, out, weightInit);
    }

    /** Batch norm per channel over {@code spatial} positions (1 after a linear layer: per feature), gamma starting at 1. */
    static Layer batchNorm(String name, int channels, int spatial) {
        return batchNorm(name, channels, spatial, ParameterLayout.Init.ONES);
    }

    /** Batch norm per channel over {@code spatial} positions, gamma starting as {@code weightInit} says. */
    static Layer batchNorm(String name, int channels, int spatial, ParameterLayout.Init weightInit) {
        return new BatchNorm(name, channels, spatial, weightInit);
    }

    /** Batch norm per feature, after a linear layer. */
    static Layer batchNorm(String name, int features) {
        return batchNorm(name, features, 1);
    }

    static Layer leakyRelu(float slope) {
        return new Activation(Activation.Kind.LEAKY_RELU, slope);
    }

    static Layer relu() {
        return new Activation(Activation.Kind.RELU, 0f);
    }

    static Layer sigmoid() {
        return new Activation(Activation.Kind.SIGMOID, 0f);
    }

    static Layer tanh() {
        return new Activation(Activation.Kind.TANH, 0f);
    }

    /** {@link #inSize} of a layer that takes whatever size comes (an activation). */
    int ANY = -1;

    /** Adds this layer's parameters and buffers to a network's layout, in order. */
    void declare(NetworkLayout layout);

    /** Elements of one image's input; {@link #ANY} for a layer that takes whatever comes. */
    int inSize();

    /** Elements of one image's output, given its input size. */
    int outSize(int inSize);

    /** Makes the layer on a backend for one batch size, with its tensors in {@code state}. */
    BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize);

    /**
     * The buffers that a network holds for this layer at a batch size, each of which a backend keeps in one
     * allocation: its input (and the input's gradient), its output, its weight, and for a convolution or a
     * transposed one the im2col patch matrix of the CPU backend's products, {@code [batch x pixels, channels x
     * 16]}. An activation works in place and holds none.
     */
    List<BufferSize> buffers(int batch);

    /** Multiply-adds of the layer's forward pass per image (0 for a layer without a product). */
    default long multiplyAdds() {
        return 0;
    }

    /**
     * The parameters of the layer (its share of the network's flat parameter buffer), computed in {@code long}
     * so that sizes too large to declare can be asked about.
     */
    long parameterCount();

    /** {@code NAME's im2col patch matrix}: one row per output pixel of the convolution, one column per tap. */
    private static BufferSize patchMatrix(String name, ConvGeometry g) {
        return BufferSize.of(name + "'s im2col patch matrix", (long) g.batch() * g.outHeight() * g.outWidth(),
                g.patchSize());
    }

    /** Conv2d(in, out, 4, stride 2, padding 1): weight {@code [out, in, 4, 4]}, bias {@code [out]} or none. */
    record Conv(String name, int in, int out, int size, Bias bias, ParameterLayout.Init weightInit) implements Layer {
        public Conv {
            Objects.requireNonNull(bias, "bias");
            Objects.requireNonNull(weightInit, "weightInit");
        }

        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, weightInit, bias, out, out, in, ConvGeometry.KERNEL, ConvGeometry.KERNEL);
        }

        @Override
        public int inSize() {
            return in * size * size;
        }

        @Override
        public int outSize(int inSize) {
            return out * (size / 2) * (size / 2);
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            ConvGeometry g = geometry(batch);
            return new WeightedLayer(state, name, bias, backend.conv(g), backend.allocate(g.outShape()));
        }

        /** The convolution's shape at a batch size. */
        public ConvGeometry geometry(int batch) {
            return new ConvGeometry(batch, in, size, size, out);
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            ConvGeometry g = geometry(batch);
            return List.of(BufferSize.of(name + "'s input", batch, in, size, size),
                    BufferSize.of(name + "'s output", batch, out, g.outHeight(), g.outWidth()),
                    BufferSize.of(name + ".weight", out, in, ConvGeometry.KERNEL, ConvGeometry.KERNEL),
                    Layer.patchMatrix(name, g));
        }

        @Override
        public long parameterCount() {
            return (long) out * in * ConvGeometry.KERNEL * ConvGeometry.KERNEL + (bias == Bias.WITH_BIAS ? out : 0);
        }

        @Override
        public long multiplyAdds() {
            ConvGeometry g = geometry(1);
            return (long) g.outHeight() * g.outWidth() * out * g.patchSize();
        }
    }

    /**
     * ConvTranspose2d(in, out, 4, stride 2, padding 1): weight {@code [in, out, 4, 4]}, bias {@code [out]} or none;
     * the adjoint of the convolution {@code out x 2size x 2size -> in x size x size}.
     */
    record ConvTranspose(String name, int in, int out, int size, Bias bias, ParameterLayout.Init weightInit)
            implements Layer {
        public ConvTranspose {
            Objects.requireNonNull(bias, "bias");
            Objects.requireNonNull(weightInit, "weightInit");
        }

        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, weightInit, bias, out, in, out, ConvGeometry.KERNEL, ConvGeometry.KERNEL);
        }

        @Override
        public int inSize() {
            return in * size * size;
        }

        @Override
        public int outSize(int inSize) {
            return out * (2 * size) * (2 * size);
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            ConvGeometry transposed = geometry(batch);
            return new WeightedLayer(state, name, bias, backend.convTranspose(transposed),
                    backend.allocate(transposed.inShape()));
        }

        /** The shape, at a batch size, of the convolution this layer transposes ({@code out x 2size x 2size -> in x size x size}). */
        public ConvGeometry geometry(int batch) {
            return new ConvGeometry(batch, out, 2 * size, 2 * size, in);
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s input", batch, in, size, size),
                    BufferSize.of(name + "'s output", batch, out, 2L * size, 2L * size),
                    BufferSize.of(name + ".weight", in, out, ConvGeometry.KERNEL, ConvGeometry.KERNEL),
                    Layer.patchMatrix(name, geometry(batch)));
        }

        @Override
        public long parameterCount() {
            return (long) in * out * ConvGeometry.KERNEL * ConvGeometry.KERNEL + (bias == Bias.WITH_BIAS ? out : 0);
        }

        @Override
        public long multiplyAdds() {
            ConvGeometry g = geometry(1); // the convolution it transposes: the same products
            return (long) g.outHeight() * g.outWidth() * g.outChannels() * g.patchSize();
        }
    }

    /** Linear(in, out): weight {@code [out, in]}, bias {@code [out]} or none. */
    record Linear(String name, int in, int out, Bias bias, ParameterLayout.Init weightInit) implements Layer {
        public Linear {
            Objects.requireNonNull(bias, "bias");
            Objects.requireNonNull(weightInit, "weightInit");
        }

        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, weightInit, bias, out, out, in);
        }

        @Override
        public int inSize() {
            return in;
        }

        @Override
        public int outSize(int inSize) {
            return out;
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            return new WeightedLayer(state, name, bias, backend.linear(batch, in, out), backend.allocate(batch, out));
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s input", batch, in), BufferSize.of(name + "'s output", batch, out),
                    BufferSize.of(name + ".weight", out, in));
        }

        @Override
        public long parameterCount() {
            return (long) out * in + (bias == Bias.WITH_BIAS ? out : 0);
        }

        @Override
        public long multiplyAdds() {
            return (long) in * out;
        }
    }

    /**
     * ConvTranspose2d(in, outChannels, 4, stride 1, padding 0, bias=False) on a 1x1 input: weight
     * {@code [in, outChannels, 4, 4]}, output {@code outChannels x 4 x 4}; a linear layer with weight {@code [in, out]}.
     */
    record ConvTransposeFrom1x1To4x4(String name, int in, int outChannels, ParameterLayout.Init weightInit)
            implements Layer {
        public ConvTransposeFrom1x1To4x4 {
            Objects.requireNonNull(weightInit, "weightInit");
        }

        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, weightInit, Bias.NO_BIAS, 0, in, outChannels, ConvGeometry.KERNEL,
                    ConvGeometry.KERNEL);
        }

        @Override
        public int inSize() {
            return in;
        }

        @Override
        public int outSize(int inSize) {
            return outChannels * ConvGeometry.KERNEL * ConvGeometry.KERNEL;
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            return new WeightedLayer(state, name, Bias.NO_BIAS,
                    backend.linear(batch, in, outSize(in), LinearOp.WeightLayout.IN_OUT),
                    backend.allocate(batch, outChannels, ConvGeometry.KERNEL, ConvGeometry.KERNEL));
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s input", batch, in),
                    BufferSize.of(name + "'s output", batch, outChannels, ConvGeometry.KERNEL, ConvGeometry.KERNEL),
                    BufferSize.of(name + ".weight", in, outChannels, ConvGeometry.KERNEL, ConvGeometry.KERNEL));
        }

        @Override
        public long parameterCount() {
            return (long) in * outChannels * ConvGeometry.KERNEL * ConvGeometry.KERNEL;
        }

        @Override
        public long multiplyAdds() {
            return (long) in * outChannels * ConvGeometry.KERNEL * ConvGeometry.KERNEL;
        }
    }

    /**
     * Conv2d(inChannels, out, 4, stride 1, padding 0, bias=False) on a 4x4 input: weight {@code [out, inChannels, 4, 4]},
     * output {@code out} values (1x1); a linear layer with weight {@code [out, in]}.
     */
    record ConvFrom4x4To1x1(String name, int inChannels, int out, ParameterLayout.Init weightInit) implements Layer {
        public ConvFrom4x4To1x1 {
            Objects.requireNonNull(weightInit, "weightInit");
        }

        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, weightInit, Bias.NO_BIAS, 0, out, inChannels, ConvGeometry.KERNEL,
                    ConvGeometry.KERNEL);
        }

        @Override
        public int inSize() {
            return inChannels * ConvGeometry.KERNEL * ConvGeometry.KERNEL;
        }

        @Override
        public int outSize(int inSize) {
            return out;
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            return new WeightedLayer(state, name, Bias.NO_BIAS, backend.linear(batch, inSize(), out),
                    backend.allocate(batch, out));
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s input", batch, inChannels, ConvGeometry.KERNEL, ConvGeometry.KERNEL),
                    BufferSize.of(name + "'s output", batch, out),
                    BufferSize.of(name + ".weight", out, inChannels, ConvGeometry.KERNEL, ConvGeometry.KERNEL));
        }

        @Override
        public long parameterCount() {
            return (long) out * inChannels * ConvGeometry.KERNEL * ConvGeometry.KERNEL;
        }

        @Override
        public long multiplyAdds() {
            return (long) out * inChannels * ConvGeometry.KERNEL * ConvGeometry.KERNEL;
        }
    }

    /**
     * Batch norm with learnable {@code weight} (gamma, starts as {@code weightInit} says: 1, or drawn around 1) and
     * {@code bias} (beta, 0), and the moving averages {@code running_mean} (0) and {@code running_var} (1) as buffers,
     * which the optimiser leaves alone.
     */
    record BatchNorm(String name, int channels, int spatial, ParameterLayout.Init weightInit) implements Layer {
        public BatchNorm {
            Objects.requireNonNull(weightInit, "weightInit");
        }

        @Override
        public void declare(NetworkLayout layout) {
            layout.params().add(name + ".weight", weightInit, channels);
            layout.params().add(name + ".bias", ParameterLayout.Init.ZEROS, channels);
            layout.buffers().add(name + ".running_mean", ParameterLayout.Init.ZEROS, channels);
            layout.buffers().add(name + ".running_var", ParameterLayout.Init.ONES, channels);
        }

        @Override
        public int inSize() {
            return channels * spatial;
        }

        @Override
        public int outSize(int inSize) {
            return channels * spatial;
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            return new BatchNormLayer(backend, state, name, batch, channels, spatial);
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s output", batch, (long) channels * spatial));
        }

        @Override
        public long parameterCount() {
            return 2L * channels;
        }
    }

    /** An elementwise activation without parameters, computed in place. */
    record Activation(Kind kind, float slope) implements Layer {

        public enum Kind { LEAKY_RELU, RELU, SIGMOID, TANH }

        @Override
        public void declare(NetworkLayout layout) {
        }

        @Override
        public int inSize() {
            return ANY;
        }

        @Override
        public int outSize(int inSize) {
            return inSize;
        }

        @Override
        public BuiltLayer build(Backend backend, NetworkState state, int batch, int inSize) {
            return new ActivationLayer(backend, this);
        }

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of();
        }

        @Override
        public long parameterCount() {
            return 0;
        }
    }
}
