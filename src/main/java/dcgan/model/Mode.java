package dcgan.model;

/** Batch norm's two behaviours: batch statistics while training, moving averages for sampling. */
public enum Mode {
    TRAINING,
    INFERENCE
}
