package dcgan.train;

import java.util.List;

/** What {@link GanTrainer} needs to continue exactly: both networks and the number of steps done. */
public record TrainerState(long step, NetworkSnapshot discriminator, NetworkSnapshot generator) {

    /** Every array of both networks, D's then G's, each as parameters, moving averages, Adam m, Adam v. */
    public List<float[]> arrays() {
        return List.of(discriminator.params(), discriminator.buffers(), discriminator.adamM(), discriminator.adamV(),
                generator.params(), generator.buffers(), generator.adamM(), generator.adamV());
    }

    public TrainerState {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
    }
}
