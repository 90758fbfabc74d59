package dcgan.model;

import dcgan.backend.Backend;

import java.util.List;

import static dcgan.model.Layer.batchNorm;
import static dcgan.model.Layer.convTranspose;
import static dcgan.model.Layer.linear;
import static dcgan.model.Layer.relu;
import static dcgan.model.Layer.sigmoid;

/**
 * G(z): noise in (-1, 1)^zDim to a 28x28 image in (0, 1) (docs/model.md).
 * <pre>
 *   G.l1   linear zDim -> 1024                               G.bn1, ReLU
 *   G.l2   linear 1024 -> 6272, viewed as 128 x 7 x 7        G.bn2 (per feature), ReLU
 *   G.d3   transposed conv 4x4/2, 128 -> 64   7x7 -> 14x14   G.bn3, ReLU
 *   G.d4   transposed conv 4x4/2, 64 -> 1     14x14 -> 28x28 sigmoid
 * </pre>
 */
public final class Generator extends Network {

    public static List<Layer> layers(int zDim) {
        return List.of(
                linear("G.l1", zDim, 1024), batchNorm("G.bn1", 1024), relu(),
                linear("G.l2", 1024, 128 * 7 * 7), batchNorm("G.bn2", 128 * 7 * 7), relu(),
                convTranspose("G.d3", 128, 64, 7), batchNorm("G.bn3", 64, 14 * 14), relu(),
                convTranspose("G.d4", 64, 1, 14), sigmoid());
    }

    /** Names, shapes and initial values of G's tensors. */
    public static NetworkLayout layout(int zDim) {
        return NetworkLayout.of(layers(zDim));
    }

    /** G for batches of {@code batch} noise vectors of {@code zDim}, with its tensors in {@code state}. */
    public Generator(Backend backend, NetworkState state, int batch, int zDim) {
        super(backend, state, layers(zDim), batch);
    }
}
