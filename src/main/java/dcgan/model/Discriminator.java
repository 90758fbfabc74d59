package dcgan.model;

import dcgan.backend.Backend;

import java.util.List;

import static dcgan.model.Layer.batchNorm;
import static dcgan.model.Layer.conv;
import static dcgan.model.Layer.leakyRelu;
import static dcgan.model.Layer.linear;

/**
 * D(x): a 28x28 image in [0, 1] to one logit, real against generated (docs/model.md).
 * <pre>
 *   D.c1   conv 4x4/2, 1 -> 64              28x28 -> 14x14   leaky ReLU
 *   D.c2   conv 4x4/2, 64 -> 128            14x14 -> 7x7     D.bn2, leaky ReLU
 *   D.l3   linear 6272 -> 1024 (flattened)                   D.bn3, leaky ReLU
 *   D.l4   linear 1024 -> 1                                  the logit
 * </pre>
 */
public final class Discriminator extends Network {

    public static final float LEAKY_SLOPE = 0.2f;

    public static final List<Layer> LAYERS = List.of(
            conv("D.c1", 1, 64, 28), leakyRelu(LEAKY_SLOPE),
            conv("D.c2", 64, 128, 14), batchNorm("D.bn2", 128, 7 * 7), leakyRelu(LEAKY_SLOPE),
            linear("D.l3", 128 * 7 * 7, 1024), batchNorm("D.bn3", 1024), leakyRelu(LEAKY_SLOPE),
            linear("D.l4", 1024, 1));

    /** Names, shapes and initial values of D's tensors. */
    public static NetworkLayout layout() {
        return NetworkLayout.of(LAYERS);
    }

    /** D for batches of {@code batch} images, with its tensors in {@code state}. */
    public Discriminator(Backend backend, NetworkState state, int batch) {
        super(backend, state, LAYERS, batch);
    }
}
