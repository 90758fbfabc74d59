package dcgan.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A TensorBoard event file ({@code tensorboard --logdir DIR}): a sequence of TFRecords (see
 * {@link TfRecordWriter}), each one {@code tensorflow.Event} protocol buffer, encoded by hand:
 * <pre>
 *   Event          { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
 *                    SessionLog session_log = 7; }
 *   Summary        { repeated Value value = 1; }
 *   Summary.Value  { string tag = 1; float simple_value = 2; Image image = 4; }
 *   Summary.Image  { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
 *   SessionLog     { SessionStatus status = 1; }   (START = 1)
 * </pre>
 * The first event carries only {@code file_version = "brain.Event:2"}, as TensorFlow writes it.
 * The file is named {@code events.out.tfevents.<unix seconds>.<hostname>}: TensorBoard only reads files
 * whose name contains "tfevents" and orders them by name, so a later run's file sorts after an earlier one.
 *
 * <p>Records are appended as they come; {@link #flush} hands them to the operating system. A killed run
 * leaves at most a cut-off last record, which TensorBoard's reader skips.
 */
public final class EventFileWriter implements AutoCloseable {

    public static final String FILE_PREFIX = "events.out.tfevents.";
    public static final String FILE_VERSION = "brain.Event:2";
    /** {@code Summary.Image.colorspace} of a grayscale image. */
    public static final int GRAYSCALE = 1;
    /** {@code Summary.Image.colorspace} of an RGB image. */
    public static final int RGB = 3;
    private static final int SESSION_START = 1;

    private final Path file;
    private final OutputStream stream;
    private final TfRecordWriter records;

    private EventFileWriter(Path file, OutputStream stream) {
        this.file = file;
        this.stream = stream;
        this.records = new TfRecordWriter(stream);
    }

    /** Creates a new event file in {@code dir} (never replacing one) and writes the file-version event. */
    public static EventFileWriter create(Path dir) throws IOException {
        Files.createDirectories(dir);
        String base = FILE_PREFIX + System.currentTimeMillis() / 1000 + "." + hostname();
        for (int n = 0; ; n++) {
            // Two runs started in the same second on one host would collide: number the later ones.
            Path candidate = dir.resolve(n == 0 ? base : base + "." + n);
            OutputStream stream;
            try {
                stream = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            EventFileWriter writer = new EventFileWriter(candidate, new BufferedOutputStream(stream, 1 << 16));
            try {
                writer.write(event(0, wallTime()).string(3, FILE_VERSION));
            } catch (IOException e) {
                writer.close();
                throw e;
            }
            return writer;
        }
    }

    public Path file() {
        return file;
    }

    /** One event holding a scalar per tag, all at {@code step}. */
    public void scalars(long step, String[] tags, float[] values) throws IOException {
        if (tags.length != values.length) {
            throw new IllegalArgumentException(tags.length + " tags but " + values.length + " values");
        }
        ProtoWriter summary = new ProtoWriter();
        for (int i = 0; i < tags.length; i++) {
            summary.message(1, new ProtoWriter().string(1, tags[i]).floatField(2, values[i]));
        }
        write(event(step, wallTime()).message(5, summary));
    }

    /**
     * The {@code Summary.Image.colorspace} of an image of {@code channels} channels: {@link #GRAYSCALE} for 1,
     * {@link #RGB} for 3.
     */
    public static int colorspace(int channels) {
        return switch (channels) {
            case 1 -> GRAYSCALE;
            case 3 -> RGB;
            default -> throw new IllegalArgumentException("an image summary has 1 or 3 channels, not " + channels);
        };
    }

    /**
     * An image summary: already encoded image bytes (PNG) of the given size and colorspace
     * ({@link #GRAYSCALE} or {@link #RGB}, as {@link #colorspace} gives them), which the image must match.
     */
    public void image(long step, String tag, byte[] encoded, int height, int width, int colorspace)
            throws IOException {
        ProtoWriter image = new ProtoWriter().varint(1, height).varint(2, width).varint(3, colorspace)
                .bytes(4, encoded);
        ProtoWriter summary = new ProtoWriter().message(1, new ProtoWriter().string(1, tag).message(4, image));
        write(event(step, wallTime()).message(5, summary));
    }

    /**
     * Marks a (re)start at {@code step}. TensorBoard then drops the events of earlier files with a step at
     * or after it: the steps a killed run logged after its last checkpoint, which the resumed run redoes.
     */
    public void sessionStart(long step) throws IOException {
        write(event(step, wallTime()).message(7, new ProtoWriter().varint(1, SESSION_START)));
    }

    public void flush() throws IOException {
        stream.flush();
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    private void write(ProtoWriter event) throws IOException {
        records.write(event.toByteArray());
    }

    /** An Event with its wall time and step; a zero step is left out, as proto3 encoders do. */
    private static ProtoWriter event(long step, double wallTime) {
        ProtoWriter e = new ProtoWriter().doubleField(1, wallTime);
        return step != 0 ? e.varint(2, step) : e;
    }

    private static double wallTime() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** The host name for the file name, reduced to characters that are safe in one. */
    static String hostname() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "localhost";
            }
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() ? "localhost" : safe;
    }
}
