package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;

import java.util.List;

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

    /**
     * The buffers that a network holds for this layer at a batch size, each of which a backend keeps in one
     * allocation: its input (and the input's gradient), its output, its weight, and for a convolution or a
     * transposed one the im2col patch matrix of the CPU backend's products, {@code [batch x pixels, channels x
     * 16]}. An activation works in place and holds none.
     */
    List<BufferSize> buffers(int batch);

    /** The parameters of the layer (its share of the network's flat parameter buffer). */
    long parameterCount();

    /** {@code NAME's im2col patch matrix}: one row per output pixel of the convolution, one column per tap. */
    private static BufferSize patchMatrix(String name, ConvGeometry g) {
        return BufferSize.of(name + "'s im2col patch matrix", (long) g.batch() * g.outHeight() * g.outWidth(),
                g.patchSize());
    }

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
            return (long) out * in * ConvGeometry.KERNEL * ConvGeometry.KERNEL + out;
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

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s input", batch, in, size, size),
                    BufferSize.of(name + "'s output", batch, out, 2L * size, 2L * size),
                    BufferSize.of(name + ".weight", in, out, ConvGeometry.KERNEL, ConvGeometry.KERNEL),
                    Layer.patchMatrix(name, geometry(batch)));
        }

        @Override
        public long parameterCount() {
            return (long) in * out * ConvGeometry.KERNEL * ConvGeometry.KERNEL + out;
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

        @Override
        public List<BufferSize> buffers(int batch) {
            return List.of(BufferSize.of(name + "'s input", batch, in), BufferSize.of(name + "'s output", batch, out),
                    BufferSize.of(name + ".weight", out, in));
        }

        @Override
        public long parameterCount() {
            return (long) out * in + out;
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
