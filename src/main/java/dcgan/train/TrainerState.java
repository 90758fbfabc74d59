package dcgan.train;

/** What {@link GanTrainer} needs to continue exactly: both networks and the number of steps done. */
public record TrainerState(long step, NetworkSnapshot discriminator, NetworkSnapshot generator) {

    public TrainerState {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }
}
