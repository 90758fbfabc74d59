package dcgan.data;

import dcgan.io.BadFileException;
import dcgan.io.InputFiles;
import dcgan.io.Plural;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads gzip-compressed MNIST IDX files, checking everything that can be wrong with them so a bad
 * download fails with a precise message instead of training on garbage.
 *
 * <p>Layout: big-endian int32 magic (2051 images, 2049 labels), int32 count, for images int32 rows
 * and int32 cols, then exactly the promised number of unsigned bytes.
 */
public final class IdxReader {

    static final int IMAGES_MAGIC = 2051;
    static final int LABELS_MAGIC = 2049;

    private static final int BUFFER_SIZE = 1 << 16;
    /** The payload array's first size; it doubles as the data comes. */
    private static final int FIRST_CHUNK = 1 << 20;

    private IdxReader() {}

    public static IdxImages readImages(Path gz) throws BadFileException {
        try (InputStream in = openGzip(gz)) {
            int[] header = readHeader(gz, in, IMAGES_MAGIC, "an IDX image file", 3);
            int count = header[0];
            int rows = header[1];
            int cols = header[2];
            if (rows <= 0 || cols <= 0) {
                throw new BadFileException(gz, "invalid image size " + rows + "x" + cols);
            }
            String promise = "header promises " + Plural.count(count, "image") + " of " + rows + "x" + cols;
            byte[] pixels = readPayload(gz, in, count, (long) rows * cols, promise, "image");
            expectEnd(gz, in, "image");
            return new IdxImages(gz, count, rows, cols, pixels);
        } catch (IOException e) {
            throw explain(gz, e);
        }
    }

    /** Returns one label per item, each checked to be a digit 0..9. */
    public static byte[] readLabels(Path gz) throws BadFileException {
        try (InputStream in = openGzip(gz)) {
            int count = readHeader(gz, in, LABELS_MAGIC, "an IDX label file", 1)[0];
            String promise = "header promises " + Plural.count(count, "label");
            byte[] labels = readPayload(gz, in, count, 1, promise, "label");
            expectEnd(gz, in, "label");
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] > 9) {
                    throw new BadFileException(gz, "label at index " + i + " has value "
                            + Byte.toUnsignedInt(labels[i]) + ", expected a digit 0..9");
                }
            }
            return labels;
        } catch (IOException e) {
            throw explain(gz, e);
        }
    }

    /**
     * Opens the file after checking the gzip magic ourselves: otherwise GZIPInputStream's
     * "Not in GZIP format" would hide the common mistake of feeding an uncompressed or zipped file.
     */
    private static InputStream openGzip(Path gz) throws IOException {
        InputFiles.requireRegularFile(gz, "a gzip-compressed IDX file");
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(gz), BUFFER_SIZE);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(gz, e);
        }
        try {
            raw.mark(4);
            byte[] start = raw.readNBytes(4);
            raw.reset();
            if (start.length < 2 || (start[0] & 0xff) != 0x1f || (start[1] & 0xff) != 0x8b) {
                String seen = start.length == 0 ? "the file is empty" : "starts with bytes " + hex(start);
                throw new BadFileException(gz, "not a gzip file (" + seen + ")");
            }
            return new GZIPInputStream(raw, BUFFER_SIZE);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Reads magic and {@code dims} int32 values after it; returns the dims (count first). */
    private static int[] readHeader(Path gz, InputStream in, int magic, String kind, int dims)
            throws IOException {
        int length = 4 * (1 + dims);
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < 4) {
            throw new BadFileException(gz, "truncated: the data ends inside the "
                    + length + "-byte IDX header (" + Plural.count(bytes.length, "byte") + ")");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes); // big-endian by default, as IDX is
        int actualMagic = header.getInt();
        if (actualMagic != magic) {
            throw new BadFileException(gz, "wrong magic number " + actualMagic
                    + ", expected " + magic + " (" + kind + ")");
        }
        if (bytes.length < length) {
            throw new BadFileException(gz, "truncated: the data ends inside the "
                    + length + "-byte IDX header (" + Plural.count(bytes.length, "byte") + ")");
        }
        int[] values = new int[dims];
        for (int i = 0; i < dims; i++) {
            values[i] = header.getInt();
        }
        if (values[0] < 0) {
            throw new BadFileException(gz, "negative item count " + values[0] + " in the header");
        }
        return values;
    }

    /**
     * The {@code count} items the header promises. The array grows as the data arrives, never beyond what has
     * been read and the same again, so that a header that promises more than the file holds is found out before
     * it costs what it promises.
     */
    private static byte[] readPayload(Path gz, InputStream in, int count, long itemSize,
            String promise, String item) throws IOException {
        long length = count * itemSize;
        if (length > Integer.MAX_VALUE - 8) {
            throw new BadFileException(gz, promise + ", too large to hold in memory");
        }
        byte[] payload = new byte[(int) Math.min(length, FIRST_CHUNK)];
        int read = 0;
        while (read < length) {
            if (read == payload.length) {
                payload = grown(gz, payload, (int) Math.min(length, 2L * payload.length), promise, length);
            }
            int n = in.read(payload, read, payload.length - read);
            if (n < 0) {
                throw new BadFileException(gz, "truncated: " + promise
                        + " but the data ends after " + Plural.count(read / itemSize, item));
            }
            read += n;
        }
        return payload;
    }

    /** {@code payload} copied into a larger array; a heap too small for it is named with the file. */
    private static byte[] grown(Path gz, byte[] payload, int size, String promise, long length) throws BadFileException {
        try {
            return Arrays.copyOf(payload, size);
        } catch (OutOfMemoryError e) {
            throw new BadFileException(gz, String.format(Locale.ROOT, "%s (%.1f MB), more than the Java heap (at most "
                    + "%d MiB) can hold with the rest; give Java a larger heap: JAVA_OPTS=-Xmx8g ./run.sh ...", promise,
                    length / 1e6, Runtime.getRuntime().maxMemory() >> 20));
        }
    }

    /** Draining to the end also makes GZIPInputStream verify the CRC and length trailer. */
    private static void expectEnd(Path gz, InputStream in, String item) throws IOException {
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new BadFileException(gz, Plural.count(extra, "unexpected byte") + " after the last " + item);
        }
    }

    /** Turns low-level failures into a message about the file; our own exceptions pass through. */
    private static BadFileException explain(Path gz, IOException e) {
        if (e instanceof BadFileException bad) {
            return bad;
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return new BadFileException(gz,
                    "gzip data is corrupt or truncated (" + e.getMessage() + ")", e);
        }
        return new BadFileException(gz, "cannot read (" + e + ")", e);
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(String.format("%02x", b & 0xff));
        }
        return s.toString();
    }
}
