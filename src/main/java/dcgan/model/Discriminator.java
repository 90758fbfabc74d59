package dcgan.model;

import dcgan.backend.Backend;

import java.util.ArrayList;
import java.util.List;

import static dcgan.model.Layer.Bias.NO_BIAS;
import static dcgan.model.Layer.batchNorm;
import static dcgan.model.Layer.conv;
import static dcgan.model.Layer.convFrom4x4To1x1;
import static dcgan.model.Layer.leakyRelu;
import static dcgan.model.Layer.linear;
import static dcgan.model.ParameterLayout.Init.NORMAL;
import static dcgan.model.ParameterLayout.Init.NORMAL_MEAN_ONE;

/** D(x): an image to one logit, real against generated, as the layer list of its model (docs/model.md). */
public final class Discriminator extends Network {

    public static final float LEAKY_SLOPE = 0.2f;

    /** D's layers for a model. */
    public static List<Layer> layers(ModelSpec m) {
        return m.family() == ModelSpec.Family.NOTEBOOK ? notebook(m.channels()) : dcgan(m);
    }

    /**
     * The notebook's D: a 28x28 image in [0, 1] to one logit.
     * <pre>
     *   D.c1   conv 4x4/2, C -> 64              28x28 -> 14x14   leaky ReLU
     *   D.c2   conv 4x4/2, 64 -> 128            14x14 -> 7x7     D.bn2, leaky ReLU
     *   D.l3   linear 6272 -> 1024 (flattened)                   D.bn3, leaky ReLU
     *   D.l4   linear 1024 -> 1                                  the logit
     * </pre>
     */
    private static List<Layer> notebook(int channels) {
        return List.of(
                conv("D.c1", channels, 64, 28), leakyRelu(LEAKY_SLOPE),
                conv("D.c2", 64, 128, 14), batchNorm("D.bn2", 128, 7 * 7), leakyRelu(LEAKY_SLOPE),
                linear("D.l3", 128 * 7 * 7, 1024), batchNorm("D.bn3", 1024), leakyRelu(LEAKY_SLOPE),
                linear("D.l4", 1024, 1));
    }

    /**
     * PyTorch's example's D, G's mirror: an S x S image in [-1, 1] to one logit, named as its
     * {@code nn.Sequential main}. At 64x64, ndf = 64:
     * <pre>
     *   D.main.0    conv 4x4/2/1, C -> 64       64x64 -> 32x32                leaky ReLU
     *   D.main.2    conv 4x4/2/1, 64 -> 128     32x32 -> 16x16   D.main.3 BN, leaky ReLU
     *   D.main.5    conv 4x4/2/1, 128 -> 256    16x16 -> 8x8     D.main.6 BN, leaky ReLU
     *   D.main.8    conv 4x4/2/1, 256 -> 512    8x8 -> 4x4       D.main.9 BN, leaky ReLU
     *   D.main.11   conv 4x4/1/0, 512 -> 1      4x4 -> 1x1 (a linear layer): the logit
     * </pre>
     * At 32x32 the first layer goes from C to 128 channels (no BN), and the last is D.main.8. The example's final
     * sigmoid is part of the loss here (cross-entropy with logits). No layer has a bias.
     */
    private static List<Layer> dcgan(ModelSpec m) {
        int levels = Integer.numberOfTrailingZeros(m.imageSize() / 4); // stride-2 convolutions: 4 at 64, 3 at 32
        int width = 8 * m.ndf() >> (levels - 1);
        int size = m.imageSize();
        List<Layer> layers = new ArrayList<>();
        layers.add(conv("D.main.0", m.channels(), width, size, NO_BIAS, NORMAL));
        layers.add(leakyRelu(LEAKY_SLOPE));
        int index = 2;
        for (size /= 2; size > 4; size /= 2, width *= 2, index += 3) {
            layers.add(conv("D.main." + index, width, 2 * width, size, NO_BIAS, NORMAL));
            layers.add(batchNorm("D.main." + (index + 1), 2 * width, size * size / 4, NORMAL_MEAN_ONE));
            layers.add(leakyRelu(LEAKY_SLOPE));
        }
        layers.add(convFrom4x4To1x1("D.main." + index, width, 1, NORMAL));
        return List.copyOf(layers);
    }

    /** Names, shapes and initial values of D's tensors. */
    public static NetworkLayout layout(ModelSpec m) {
        return NetworkLayout.of(layers(m));
    }

    /** D for batches of {@code batch} images, with its tensors in {@code state}. */
    public Discriminator(Backend backend, NetworkState state, ModelSpec m, int batch) {
        super(backend, state, layers(m), batch);
    }
}
