package dcgan.backend;

/**
 * A fully connected layer y = x W^T + b over a fixed batch, with PyTorch's Linear layout:
 * x {@code [batch, in]}, W {@code [out, in]}, b {@code [out]}, y {@code [batch, out]}.
 */
public interface LinearOp extends WeightedOp {

    int batch();

    int inFeatures();

    int outFeatures();
}
