package dcgan.train;

import dcgan.io.AtomicFiles;
import dcgan.io.EventFileWriter;
import dcgan.io.MetricsCsv;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a run's numbers go as it trains: metrics.csv, and a TensorBoard event file with the notebook's
 * tags (scalars {@code D_loss}, {@code D_real_loss}, {@code D_fake_loss}, {@code G_loss} per step, and the
 * sample grid as image {@code G_images} per epoch).
 */
final class RunLog implements AutoCloseable {

    static final String[] LOSS_TAGS = {"D_loss", "D_real_loss", "D_fake_loss", "G_loss"};
    static final String IMAGE_TAG = "G_images";
    static final String[] QUALITY_TAGS = {"FD", "classifier_score"};

    private final MetricsCsv metrics;
    private final EventFileWriter events;

    private RunLog(MetricsCsv metrics, EventFileWriter events) {
        this.metrics = metrics;
        this.events = events;
    }

    /**
     * Opens metrics.csv for appending and starts a new event file whose first step is {@code firstStep};
     * its session-start marker tells TensorBoard to drop what earlier files logged from that step on.
     */
    static RunLog open(Path dir, long firstStep) throws IOException {
        MetricsCsv metrics = MetricsCsv.open(dir);
        try {
            EventFileWriter events = EventFileWriter.create(dir);
            events.sessionStart(firstStep);
            return new RunLog(metrics, events);
        } catch (IOException e) {
            metrics.close();
            throw e;
        }
    }

    Path eventFile() {
        return events.file();
    }

    void step(long step, int epoch, StepLosses l) throws IOException {
        try {
            metrics.append(step, epoch, l.d(), l.dReal(), l.dFake(), l.g());
        } catch (IOException e) {
            throw failed(metrics.file(), e);
        }
        try {
            events.scalars(step, LOSS_TAGS, new float[] {l.d(), l.dReal(), l.dFake(), l.g()});
        } catch (IOException e) {
            throw failed(events.file(), e);
        }
    }

    /** The quality measured at {@code step}: TensorBoard scalars {@code FD} and {@code classifier_score}. */
    void quality(long step, double fd, double score) throws IOException {
        try {
            events.scalars(step, QUALITY_TAGS, new float[] {(float) fd, (float) score});
        } catch (IOException e) {
            throw failed(events.file(), e);
        }
    }

    /**
     * The sample grid as TensorBoard image {@code G_images}: {@code png} is a grid of images of {@code channels}
     * channels (1: a grey PNG, 3: an RGB one, as {@link dcgan.io.PngGrid} writes them), {@code height} x
     * {@code width} pixels in all.
     */
    void image(long step, byte[] png, int channels, int height, int width) throws IOException {
        int colorspace = EventFileWriter.colorspace(channels);
        try {
            events.image(step, IMAGE_TAG, png, height, width, colorspace);
        } catch (IOException e) {
            throw failed(events.file(), e);
        }
    }

    /** With every progress line, so that an interrupted run loses at most a few seconds of rows. */
    void flush() throws IOException {
        try {
            metrics.flush();
        } catch (IOException e) {
            throw failed(metrics.file(), e);
        }
        try {
            events.flush();
        } catch (IOException e) {
            throw failed(events.file(), e);
        }
    }

    /** An append that failed (a full disk, say): the file and what it still holds. */
    private static IOException failed(Path file, IOException e) {
        return new IOException("could not append to " + file + ": " + AtomicFiles.reason(e)
                               + "; what it held before is intact", e);
    }

    @Override
    public void close() throws IOException {
        try {
            metrics.close();
        } finally {
            events.close();
        }
    }
}
