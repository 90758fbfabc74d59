package dcgan.model;

/** A network's two layouts: trainable parameters, and buffers (batch-norm moving averages). */
public record NetworkLayout(ParameterLayout params, ParameterLayout buffers) {

    public NetworkLayout() {
        this(new ParameterLayout(), new ParameterLayout());
    }
}
