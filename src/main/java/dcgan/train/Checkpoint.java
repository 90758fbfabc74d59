package dcgan.train;

/**
 * Everything needed to continue a training run exactly where it stopped: its settings, which data it trains
 * on, and the trainer's state after {@code state.step()} steps. {@link CheckpointFile} stores it.
 *
 * <p>The position within the data follows from the step: every epoch has {@code dataImages / batchSize}
 * steps (the last partial batch is dropped), always over the same order.
 *
 * @param dataImages      how many images the run trains on
 * @param dataFingerprint {@link dcgan.data.ImageSet#fingerprint()} of the images after the run's shuffle
 */
public record Checkpoint(RunSettings settings, int dataImages, String dataFingerprint, TrainerState state) {

    public long stepsPerEpoch() {
        return dataImages / settings.hp().batchSize();
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
