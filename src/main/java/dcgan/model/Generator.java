package dcgan.model;

import dcgan.backend.Backend;

import java.util.ArrayList;
import java.util.List;

import static dcgan.model.Layer.Bias.NO_BIAS;
import static dcgan.model.Layer.batchNorm;
import static dcgan.model.Layer.convTranspose;
import static dcgan.model.Layer.convTransposeFrom1x1To4x4;
import static dcgan.model.Layer.linear;
import static dcgan.model.Layer.relu;
import static dcgan.model.Layer.sigmoid;
import static dcgan.model.Layer.tanh;
import static dcgan.model.ParameterLayout.Init.NORMAL;
import static dcgan.model.ParameterLayout.Init.NORMAL_MEAN_ONE;

/** G(z): noise to an image, as the layer list of its model (docs/model.md). */
public final class Generator extends Network {

    /** G's layers for a model. */
    public static List<Layer> layers(ModelSpec m) {
        return m.family() == ModelSpec.Family.NOTEBOOK ? notebook(m.zDim(), m.channels()) : dcgan(m);
    }

    /**
     * The notebook's G: noise in (-1, 1)^zDim to a 28x28 image in (0, 1).
     * <pre>
     *   G.l1   linear zDim -> 1024                               G.bn1, ReLU
     *   G.l2   linear 1024 -> 6272, viewed as 128 x 7 x 7        G.bn2 (per feature), ReLU
     *   G.d3   transposed conv 4x4/2, 128 -> 64   7x7 -> 14x14   G.bn3, ReLU
     *   G.d4   transposed conv 4x4/2, 64 -> C     14x14 -> 28x28 sigmoid
     * </pre>
     */
    private static List<Layer> notebook(int zDim, int channels) {
        return List.of(
                linear("G.l1", zDim, 1024), batchNorm("G.bn1", 1024), relu(),
                linear("G.l2", 1024, 128 * 7 * 7), batchNorm("G.bn2", 128 * 7 * 7), relu(),
                convTranspose("G.d3", 128, 64, 7), batchNorm("G.bn3", 64, 14 * 14), relu(),
                convTranspose("G.d4", 64, channels, 14), sigmoid());
    }

    /**
     * PyTorch's example's G: noise from N(0, 1)^zDim to an S x S image in (-1, 1), named as its
     * {@code nn.Sequential main} (the index counts every module, activations included). At 64x64, ngf = 64:
     * <pre>
     *   G.main.0    transposed conv 4x4/1/0, zDim -> 512   1x1 -> 4x4 (a linear layer)   G.main.1 BN, ReLU
     *   G.main.3    transposed conv 4x4/2/1, 512 -> 256    4x4 -> 8x8                    G.main.4 BN, ReLU
     *   G.main.6    transposed conv 4x4/2/1, 256 -> 128    8x8 -> 16x16                  G.main.7 BN, ReLU
     *   G.main.9    transposed conv 4x4/2/1, 128 -> 64     16x16 -> 32x32                G.main.10 BN, ReLU
     *   G.main.12   transposed conv 4x4/2/1, 64 -> C       32x32 -> 64x64                tanh
     * </pre>
     * At 32x32 the 64-channel layer is left out: G.main.9 goes from 128 channels to C. No layer has a bias.
     */
    private static List<Layer> dcgan(ModelSpec m) {
        List<Layer> layers = new ArrayList<>();
        int width = 8 * m.ngf();
        layers.add(convTransposeFrom1x1To4x4("G.main.0", m.zDim(), width, NORMAL));
        layers.add(batchNorm("G.main.1", width, 4 * 4, NORMAL_MEAN_ONE));
        layers.add(relu());
        int index = 3;
        int size = 4;
        for (; 2 * size < m.imageSize(); size *= 2, width /= 2, index += 3) {
            layers.add(convTranspose("G.main." + index, width, width / 2, size, NO_BIAS, NORMAL));
            layers.add(batchNorm("G.main." + (index + 1), width / 2, 4 * size * size, NORMAL_MEAN_ONE));
            layers.add(relu());
        }
        layers.add(convTranspose("G.main." + index, width, m.channels(), size, NO_BIAS, NORMAL));
        layers.add(tanh());
        return List.copyOf(layers);
    }

    /** Names, shapes and initial values of G's tensors. */
    public static NetworkLayout layout(ModelSpec m) {
        return NetworkLayout.of(layers(m));
    }

    /** G for batches of {@code batch} noise vectors, with its tensors in {@code state}. */
    public Generator(Backend backend, NetworkState state, ModelSpec m, int batch) {
        super(backend, state, layers(m), batch);
    }
}
