package dcgan.train;

import dcgan.backend.Backend;
import dcgan.backend.HostMirror;
import dcgan.backend.Tensor;
import dcgan.data.ImageSet;
import dcgan.data.PixelRange;

import java.util.Optional;

/**
 * Feeds a trainer its batches and brings its losses back, as {@link StepExecution} says: batches copied
 * from the host or taken from a dataset uploaded once, and each step's losses read at once or one step late
 * (while the next step runs, so that the device never waits for the host). The training loop and the
 * benchmark both run their steps through here; how a step computes (directly or captured) is the trainer's.
 */
public final class StepRunner implements AutoCloseable {

    /** A finished step and its losses. */
    public record Done(long step, StepLosses losses) {
    }

    private final Backend backend;
    private final GanTrainer trainer;
    private final ImageSet images;
    private final PixelRange range;
    private final int batchSize;
    private final float[] hostValues; // the batch as floats on the host, or null
    private final Tensor hostBatch;   // the batch copied from the host, or null
    private final Tensor dataset;     // every image on the backend, or null
    private final HostMirror[] mirrors; // losses read one step late: two, used in turn; or null
    private long pending = -1;        // the step whose losses are still to be read, or -1

    /**
     * @param images the whole (shuffled) dataset, as bytes; each batch becomes floats in {@code range}, the
     *               model's
     */
    public StepRunner(Backend backend, GanTrainer trainer, int batchSize, ImageSet images, PixelRange range,
                      StepExecution how) {
        this.backend = backend;
        this.trainer = trainer;
        this.images = images;
        this.range = range;
        this.batchSize = batchSize;
        int[] batchShape = {batchSize, images.channels(), images.size(), images.size()};
        if (how.dataOnDevice()) {
            hostBatch = null;
            hostValues = null;
            dataset = backend.allocate(images.count(), images.channels(), images.size(), images.size());
            uploadAll();
        } else {
            hostBatch = backend.allocate(batchShape);
            hostValues = new float[hostBatch.size()];
            dataset = null;
        }
        mirrors = how.asyncLosses()
                ? new HostMirror[] {backend.hostMirror(trainer.lossTensor()), backend.hostMirror(trainer.lossTensor())}
                : null;
    }

    /**
     * Runs the step on the batch of images that starts at image {@code first}, and returns the step whose
     * losses have come back: this one, or with losses read one step late the previous one (none after the
     * first).
     */
    public Optional<Done> step(int first) {
        trainer.step(batch(first));
        if (mirrors == null) {
            return Optional.of(new Done(trainer.steps(), trainer.losses()));
        }
        mirrors[(int) (trainer.steps() % 2)].refresh(); // queued behind the step: read when the next one runs
        Optional<Done> previous = finish();
        pending = trainer.steps();
        return previous;
    }

    /** The step whose losses have not been read yet, if any: waits for them. */
    public Optional<Done> finish() {
        if (pending < 0) {
            return Optional.empty();
        }
        Done done = new Done(pending, StepLosses.of(mirrors[(int) (pending % 2)].values()));
        pending = -1;
        return Optional.of(done);
    }

    private Tensor batch(int first) {
        int per = images.pixelsPerImage();
        if (dataset != null) {
            return backend.view(dataset, first * per, batchSize, images.channels(), images.size(), images.size());
        }
        images.copyImages(first, batchSize, range, hostValues, 0);
        backend.upload(hostValues, 0, hostBatch);
        return hostBatch;
    }

    /** The whole dataset to the backend as floats, a slice at a time: never all of it as floats on the host. */
    private void uploadAll() {
        int per = images.pixelsPerImage();
        int slice = Math.max(1, (1 << 24) / per); // about 64 MB of floats
        float[] values = new float[Math.min(slice, images.count()) * per];
        for (int first = 0; first < images.count(); first += slice) {
            int n = Math.min(slice, images.count() - first);
            images.copyImages(first, n, range, values, 0);
            try (Tensor part = backend.view(dataset, first * per, n * per)) {
                backend.upload(values, 0, part);
            }
        }
    }

    @Override
    public void close() {
        if (mirrors != null) {
            for (HostMirror m : mirrors) {
                m.close();
            }
        }
        for (Tensor t : new Tensor[] {hostBatch, dataset}) {
            if (t != null) {
                t.close();
            }
        }
    }
}
