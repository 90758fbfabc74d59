package dcgan.train;

/**
 * A host copy of everything that one network carries from one training step to the next: its parameters,
 * its batch-norm moving averages, its Adam moments, and its Adam step count (which sets the next step size).
 * Gradients are not part of it: every step overwrites them before reading them.
 *
 * <p>The arrays are the flat buffers of {@link dcgan.model.NetworkState}, laid out by its
 * {@link dcgan.model.ParameterLayout}s; they are shared, not copied.
 */
public record NetworkSnapshot(float[] params, float[] buffers, float[] adamM, float[] adamV, long adamStep) {

    public NetworkSnapshot {
        if (adamM.length != params.length || adamV.length != params.length) {
            throw new IllegalArgumentException("Adam moments (" + adamM.length + ", " + adamV.length
                    + " values) do not match the " + params.length + " parameters");
        }
        if (adamStep < 0) {
            throw new IllegalArgumentException("Adam step must be >= 0, got " + adamStep);
        }
    }

    /** What sampling needs of a generator's snapshot. */
    public GeneratorWeights asWeights(dcgan.model.ModelSpec model, long step) {
        return new GeneratorWeights(model, step, params, buffers);
    }
}
