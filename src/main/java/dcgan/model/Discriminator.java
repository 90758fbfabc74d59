package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.ConvGeometry;
import dcgan.backend.Tensor;

/**
 * D(x): a 28x28 image in [0, 1] to one logit (real vs generated), as in SPEC.md:
 * <pre>
 *   c1  conv 1 -> 64, 28x28 -> 14x14, + bias; leaky ReLU
 *   c2  conv 64 -> 128, 14x14 -> 7x7, + bias; bn2; leaky ReLU
 *   l3  flatten 6272 -> 1024, + bias; bn3; leaky ReLU
 *   l4  1024 -> 1, + bias: the logit
 * </pre>
 * One instance holds the activations of one batch: {@link #backward} differentiates the latest
 * {@link #forward}. Several instances (for other batch sizes) can share one {@link NetworkState}.
 */
public final class Discriminator implements AutoCloseable {

    public static final float LEAKY_SLOPE = 0.2f;

    private final Backend backend;
    private final int batch;
    private final WeightedLayer c1;
    private final WeightedLayer c2;
    private final BatchNorm bn2;
    private final WeightedLayer l3;
    private final BatchNorm bn3;
    private final WeightedLayer l4;
    // Gradients flowing backwards, one buffer per activation shape.
    private final Tensor dH1;
    private final Tensor dZ2;
    private final Tensor dH2;
    private final Tensor dZ3;
    private final Tensor dH3;
    private Tensor input;

    /** Names, shapes and initial values of D's tensors. */
    public static NetworkLayout layout() {
        NetworkLayout n = new NetworkLayout();
        WeightedLayer.declareConv(n.params(), "D.c1", 1, 64);
        WeightedLayer.declareConv(n.params(), "D.c2", 64, 128);
        BatchNorm.declare(n, "D.bn2", 128);
        WeightedLayer.declareLinear(n.params(), "D.l3", 128 * 7 * 7, 1024);
        BatchNorm.declare(n, "D.bn3", 1024);
        WeightedLayer.declareLinear(n.params(), "D.l4", 1024, 1);
        return n;
    }

    public Discriminator(Backend backend, NetworkState state, int batch) {
        this.backend = backend;
        this.batch = batch;
        c1 = WeightedLayer.conv(backend, state, "D.c1", new ConvGeometry(batch, 1, 28, 28, 64));
        c2 = WeightedLayer.conv(backend, state, "D.c2", new ConvGeometry(batch, 64, 14, 14, 128));
        bn2 = new BatchNorm(backend, state, "D.bn2", batch, 128, 7 * 7);
        l3 = WeightedLayer.linear(backend, state, "D.l3", batch, 128 * 7 * 7, 1024);
        bn3 = new BatchNorm(backend, state, "D.bn3", batch, 1024, 1);
        l4 = WeightedLayer.linear(backend, state, "D.l4", batch, 1024, 1);
        dH1 = backend.allocate(batch, 64, 14, 14);
        dZ2 = backend.allocate(batch, 128 * 7 * 7);
        dH2 = backend.allocate(batch, 128 * 7 * 7);
        dZ3 = backend.allocate(batch, 1024);
        dH3 = backend.allocate(batch, 1024);
    }

    public int batch() {
        return batch;
    }

    /** Logits {@code [batch, 1]} for images {@code [batch, 1, 28, 28]}. */
    public Tensor forward(Tensor x, Mode mode) {
        input = x;
        Tensor h1 = c1.forward(x);
        backend.leakyRelu(h1, h1, LEAKY_SLOPE);
        Tensor h2 = bn2.forward(c2.forward(h1), mode);
        backend.leakyRelu(h2, h2, LEAKY_SLOPE);
        Tensor h3 = bn3.forward(l3.forward(h2), mode);
        backend.leakyRelu(h3, h3, LEAKY_SLOPE);
        return l4.forward(h3);
    }

    /**
     * Backpropagates dLogits through the latest training-mode forward. dx (the gradient with respect to
     * the images) may be null when not needed; parameter gradients as {@code want} says.
     */
    public void backward(Tensor dLogits, Tensor dx, Gradients want) {
        Tensor h1 = c1.output;
        Tensor h2 = bn2.output;
        Tensor h3 = bn3.output;
        l4.backward(h3, dLogits, dH3, want);
        backend.leakyReluBackward(h3, dH3, dH3, LEAKY_SLOPE);
        bn3.backward(l3.output, dH3, dZ3, want);
        l3.backward(h2, dZ3, dH2, want);
        backend.leakyReluBackward(h2, dH2, dH2, LEAKY_SLOPE);
        bn2.backward(c2.output, dH2, dZ2, want);
        c2.backward(h1, dZ2, dH1, want);
        backend.leakyReluBackward(h1, dH1, dH1, LEAKY_SLOPE);
        c1.backward(input, dH1, dx, want);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {c1, c2, bn2, l3, bn3, l4}) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a discriminator layer", e);
            }
        }
        dH1.close();
        dZ2.close();
        dH2.close();
        dZ3.close();
        dH3.close();
    }
}
