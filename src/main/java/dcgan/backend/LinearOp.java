package dcgan.backend;

/**
 * A fully connected layer over a fixed batch: x {@code [batch, in]}, b {@code [out]} (or none),
 * y {@code [batch, out]}, and the weight W in one of two layouts ({@link WeightLayout}): PyTorch's Linear
 * {@code [out, in]} with y = x W^T + b, or {@code [in, out]} with y = x W + b.
 */
public interface LinearOp extends WeightedOp {

    /** How the weight matrix is stored, row-major. */
    enum WeightLayout {
        /**
         * {@code [out, in]}, y = x W^T + b: PyTorch's Linear, and a Conv2d whose kernel covers its whole input
         * ({@code [out, inChannels, kh, kw]} flattened).
         */
        OUT_IN,
        /**
         * {@code [in, out]}, y = x W + b: a ConvTranspose2d from a 1x1 input ({@code [in, outChannels, kh, kw]}
         * flattened, output feature {@code c * kh * kw + y * kw + x}).
         */
        IN_OUT
    }

    int batch();

    int inFeatures();

    int outFeatures();

    WeightLayout weightLayout();
}
