package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;

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

    /** 4x4 convolution, stride 2, padding 1 (TensorFlow's SAME here): {@code in x size x size -> out x size/2 x size/2}. */
    static Layer conv(String name, int in, int out, int size) {
        return new Conv(name, in, out, size);
    }

    /** 4x4 transposed convolution, stride 2, padding 1: {@code in x size x size -> out x 2size x 2size}. */
    static Layer convTranspose(String name, int in, int out, int size) {
        return new ConvTranspose(name, in, out, size);
    }

    /** Fully connected, {@code y = x W^T + b}. */
    static Layer linear(String name, int in, int out) {
        return new Linear(name, in, out);
    }

    /** Batch norm per channel over {@code spatial} positions (1 after a linear layer: per feature). */
    static Layer batchNorm(String name, int channels, int spatial) {
        return new BatchNorm(name, channels, spatial);
    }

    /** Batch norm per feature, after a linear layer. */
    static Layer batchNorm(String name, int features) {
        return new BatchNorm(name, features, 1);
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

    /** Conv2d(in, out, 4, stride 2, padding 1): weight {@code [out, in, 4, 4]}, bias {@code [out]}. */
    record Conv(String name, int in, int out, int size) implements Layer {
        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, out, out, in, ConvGeometry.KERNEL, ConvGeometry.KERNEL);
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
            return new WeightedLayer(state, name, backend.conv(g), backend.allocate(g.outShape()));
        }

        /** The convolution's shape at a batch size. */
        public ConvGeometry geometry(int batch) {
            return new ConvGeometry(batch, in, size, size, out);
        }
    }

    /**
     * ConvTranspose2d(in, out, 4, stride 2, padding 1): weight {@code [in, out, 4, 4]}, bias {@code [out]}; the
     * adjoint of the convolution {@code out x 2size x 2size -> in x size x size}.
     */
    record ConvTranspose(String name, int in, int out, int size) implements Layer {
        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, out, in, out, ConvGeometry.KERNEL, ConvGeometry.KERNEL);
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
            return new WeightedLayer(state, name, backend.convTranspose(transposed),
                    backend.allocate(transposed.inShape()));
        }

        /** The shape, at a batch size, of the convolution this layer transposes ({@code out x 2size x 2size -> in x size x size}). */
        public ConvGeometry geometry(int batch) {
            return new ConvGeometry(batch, out, 2 * size, 2 * size, in);
        }
    }

    /** Linear(in, out): weight {@code [out, in]}, bias {@code [out]}. */
    record Linear(String name, int in, int out) implements Layer {
        @Override
        public void declare(NetworkLayout layout) {
            WeightedLayer.declare(layout, name, out, out, in);
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
            return new WeightedLayer(state, name, backend.linear(batch, in, out), backend.allocate(batch, out));
        }
    }

    /**
     * Batch norm with learnable {@code weight} (gamma, starts at 1) and {@code bias} (beta, 0), and the moving
     * averages {@code running_mean} (0) and {@code running_var} (1) as buffers, which the optimiser leaves alone.
     */
    record BatchNorm(String name, int channels, int spatial) implements Layer {
        @Override
        public void declare(NetworkLayout layout) {
            layout.params().add(name + ".weight", ParameterLayout.Init.ONES, channels);
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
    }

    /** An elementwise activation without parameters, computed in place. */
    record Activation(Kind kind, float slope) implements Layer {

        public enum Kind { LEAKY_RELU, RELU, SIGMOID }

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
    }
}
