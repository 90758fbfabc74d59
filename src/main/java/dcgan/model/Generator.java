package dcgan.model;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;

/**
 * G(z): noise {@code [batch, zDim]} in (-1, 1) to 28x28 images in (0, 1), as in SPEC.md:
 * <pre>
 *   l1  zDim -> 1024, + bias; bn1; ReLU
 *   l2  1024 -> 6272, + bias; bn2; ReLU; viewed as 128 x 7 x 7
 *   d3  transposed conv 128 -> 64, 7x7 -> 14x14, + bias; bn3; ReLU
 *   d4  transposed conv 64 -> 1, 14x14 -> 28x28, + bias; sigmoid
 * </pre>
 * One instance holds the activations of one batch; several (say, one for training and one for
 * sampling grids) can share one {@link NetworkState}.
 */
public final class Generator implements AutoCloseable {

    private final Backend backend;
    private final int batch;
    private final WeightedLayer l1;
    private final BatchNorm bn1;
    private final WeightedLayer l2;
    private final BatchNorm bn2;
    private final WeightedLayer d3;
    private final BatchNorm bn3;
    private final WeightedLayer d4;
    private final Tensor images;
    private final Tensor dZ4;
    private final Tensor dH3;
    private final Tensor dZ3;
    private final Tensor dH2;
    private final Tensor dZ2;
    private final Tensor dH1;
    private final Tensor dZ1;
    private Tensor input;

    /** Names, shapes and initial values of G's tensors. */
    public static NetworkLayout layout(int zDim) {
        NetworkLayout n = new NetworkLayout();
        WeightedLayer.declareLinear(n.params(), "G.l1", zDim, 1024);
        BatchNorm.declare(n, "G.bn1", 1024);
        WeightedLayer.declareLinear(n.params(), "G.l2", 1024, 128 * 7 * 7);
        BatchNorm.declare(n, "G.bn2", 128 * 7 * 7);
        WeightedLayer.declareConvTranspose(n.params(), "G.d3", 128, 64);
        BatchNorm.declare(n, "G.bn3", 64);
        WeightedLayer.declareConvTranspose(n.params(), "G.d4", 64, 1);
        return n;
    }

    public Generator(Backend backend, NetworkState state, int batch, int zDim) {
        this.backend = backend;
        this.batch = batch;
        l1 = WeightedLayer.linear(backend, state, "G.l1", batch, zDim, 1024);
        bn1 = new BatchNorm(backend, state, "G.bn1", batch, 1024, 1);
        l2 = WeightedLayer.linear(backend, state, "G.l2", batch, 1024, 128 * 7 * 7);
        bn2 = new BatchNorm(backend, state, "G.bn2", batch, 128 * 7 * 7, 1);
        d3 = WeightedLayer.convTranspose(backend, state, "G.d3", batch, 128, 64, 7, 7);
        bn3 = new BatchNorm(backend, state, "G.bn3", batch, 64, 14 * 14);
        d4 = WeightedLayer.convTranspose(backend, state, "G.d4", batch, 64, 1, 14, 14);
        images = backend.allocate(batch, 1, 28, 28);
        dZ4 = backend.allocate(batch, 1, 28, 28);
        dH3 = backend.allocate(batch, 64, 14, 14);
        dZ3 = backend.allocate(batch, 64, 14, 14);
        dH2 = backend.allocate(batch, 128 * 7 * 7);
        dZ2 = backend.allocate(batch, 128 * 7 * 7);
        dH1 = backend.allocate(batch, 1024);
        dZ1 = backend.allocate(batch, 1024);
    }

    public int batch() {
        return batch;
    }

    /** Images {@code [batch, 1, 28, 28]} for noise {@code [batch, zDim]}; the tensor is reused by the next call. */
    public Tensor forward(Tensor z, Mode mode) {
        input = z;
        Tensor h1 = bn1.forward(l1.forward(z), mode);
        backend.relu(h1, h1);
        Tensor h2 = bn2.forward(l2.forward(h1), mode);
        backend.relu(h2, h2);
        Tensor h3 = bn3.forward(d3.forward(h2), mode);
        backend.relu(h3, h3);
        backend.sigmoid(d4.forward(h3), images);
        return images;
    }

    /** Backpropagates dImages through the latest training-mode forward into G's parameter gradients. */
    public void backward(Tensor dImages, Gradients want) {
        Tensor h1 = bn1.output;
        Tensor h2 = bn2.output;
        Tensor h3 = bn3.output;
        backend.sigmoidBackward(images, dImages, dZ4);
        d4.backward(h3, dZ4, dH3, want);
        backend.reluBackward(h3, dH3, dH3);
        bn3.backward(d3.output, dH3, dZ3, want);
        d3.backward(h2, dZ3, dH2, want);
        backend.reluBackward(h2, dH2, dH2);
        bn2.backward(l2.output, dH2, dZ2, want);
        l2.backward(h1, dZ2, dH1, want);
        backend.reluBackward(h1, dH1, dH1);
        bn1.backward(l1.output, dH1, dZ1, want);
        l1.backward(input, dZ1, null, want);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {l1, bn1, l2, bn2, d3, bn3, d4}) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a generator layer", e);
            }
        }
        for (Tensor t : new Tensor[] {images, dZ4, dH3, dZ3, dH2, dZ2, dH1, dZ1}) {
            t.close();
        }
    }
}
