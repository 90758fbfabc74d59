package dcgan.train;

/**
 * What sampling needs from a checkpoint: G's parameters and batch-norm moving averages (flat, laid out by
 * {@code Generator.layout(zDim)}), and the step they were saved at, for messages.
 */
public record GeneratorWeights(int zDim, long step, float[] params, float[] buffers) {
}
