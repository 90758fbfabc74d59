package dcgan.model;

import java.util.Set;

/**
 * The biases that feed straight into a batch norm, for tests that compare whole training iterations.
 * Batch norm subtracts the batch mean, so their gradient is exactly zero in exact arithmetic, and what
 * float arithmetic leaves there is rounding noise, which Adam's first step turns into a step of up to
 * +-lr in either direction. Such tests check that noise against the gradient of the batch norm shift
 * that follows (a sum of the same kind of terms) instead of comparing it element by element.
 */
public final class PreBatchNormBiases {

    public static final Set<String> NAMES = Set.of("D.c2.bias", "D.l3.bias", "G.l1.bias", "G.l2.bias", "G.d3.bias");

    private PreBatchNormBiases() {
    }

    /** "D.c2.bias" -> "D.bn2.bias", "G.d3.bias" -> "G.bn3.bias": the shift of the batch norm right after it. */
    public static String followingShift(String bias) {
        String layer = bias.substring(0, bias.indexOf(".bias"));
        return layer.substring(0, 2) + "bn" + layer.charAt(layer.length() - 1) + ".bias";
    }
}
