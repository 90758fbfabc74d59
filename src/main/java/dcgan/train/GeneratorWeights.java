package dcgan.train;

import dcgan.model.ModelSpec;

/**
 * What sampling needs from a checkpoint: the model, G's parameters and batch-norm moving averages (flat, laid
 * out by {@code Generator.layout(model)}), and the step they were saved at, for messages (-1 when unknown: a
 * generator trained by PyTorch).
 */
public record GeneratorWeights(ModelSpec model, long step, float[] params, float[] buffers) {

    public int zDim() {
        return model.zDim();
    }

    /** "step 1475", or, for a generator from PyTorch (step -1), "PyTorch's state_dict". */
    public String describeOrigin() {
        return step >= 0 ? "step " + step : "PyTorch's state_dict";
    }
}
