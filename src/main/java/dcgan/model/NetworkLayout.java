package dcgan.model;

import java.util.List;

/** A network's two layouts: trainable parameters, and buffers (batch-norm moving averages). */
public record NetworkLayout(ParameterLayout params, ParameterLayout buffers) {

    public NetworkLayout() {
        this(new ParameterLayout(), new ParameterLayout());
    }

    /** The layout of a list of layers: each layer's tensors in the order the layers come. */
    public static NetworkLayout of(List<Layer> layers) {
        NetworkLayout n = new NetworkLayout();
        for (Layer l : layers) {
            l.declare(n);
        }
        return n;
    }
}
