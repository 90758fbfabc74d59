package dcgan.train;

/**
 * Everything needed to continue a training run exactly where it stopped: the constants it was started
 * with, and the trainer's state after {@code state.step()} steps. {@link CheckpointFile} stores it.
 *
 * <p>The position within the data follows from the step: every epoch has
 * {@code dataImages / batchSize} steps (the last partial batch is dropped), always over the same order.
 */
public record Checkpoint(Hyperparameters hp, RunSetup setup, TrainerState state) {

    public long stepsPerEpoch() {
        return setup.dataImages() / hp.batchSize();
    }

    /** The epoch that the latest step belonged to (1-based); 1 before the first step. */
    public int epoch() {
        long step = state.step();
        return step == 0 ? 1 : (int) ((step - 1) / stepsPerEpoch() + 1);
    }

    /** Steps of {@link #epoch()} done: {@link #stepsPerEpoch()} when the checkpoint ends an epoch. */
    public long stepInEpoch() {
        return state.step() - (long) (epoch() - 1) * stepsPerEpoch();
    }
}
