package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.model.ModelSpec;

/** Tests' shorthand for a trainer fed batches copied from a host array, as training does by default. */
public final class HostBatches implements AutoCloseable {

    private final Backend backend;
    private final GanTrainer trainer;
    private final Tensor batch;

    /** For a trainer of the notebook's model on MNIST's digits. */
    public HostBatches(Backend backend, GanTrainer trainer, int batchSize) {
        this(backend, trainer, batchSize, ModelSpec.MNIST);
    }

    /** For a trainer of {@code model}: batches of its images, {@code [batchSize, C, S, S]}. */
    public HostBatches(Backend backend, GanTrainer trainer, int batchSize, ModelSpec model) {
        this.backend = backend;
        this.trainer = trainer;
        this.batch = backend.allocate(model.imageShape(batchSize));
    }

    /** One step on the images at {@code images[offset...]}; returns its losses. */
    public StepLosses step(float[] images, int offset) {
        backend.upload(images, offset, batch);
        trainer.step(batch);
        return trainer.losses();
    }

    /** The first half of a step (z, then D's update) on the images at {@code images[offset...]}. */
    public void updateDiscriminator(float[] images, int offset) {
        backend.upload(images, offset, batch);
        trainer.updateDiscriminator(batch);
    }

    @Override
    public void close() {
        batch.close();
    }
}
