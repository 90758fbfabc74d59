package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;

/** Tests' shorthand for a trainer fed batches copied from a host array, as training does by default. */
public final class HostBatches implements AutoCloseable {

    private final Backend backend;
    private final GanTrainer trainer;
    private final Tensor batch;

    public HostBatches(Backend backend, GanTrainer trainer, int batchSize) {
        this(backend, trainer, dcgan.model.ModelSpec.MNIST, batchSize);
    }

    /** Batches of {@code model}'s images. */
    public HostBatches(Backend backend, GanTrainer trainer, dcgan.model.ModelSpec model, int batchSize) {
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
