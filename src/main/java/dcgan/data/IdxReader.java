package dcgan.data;

import dcgan.io.BadFileException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
            String promise = "header promises " + count + " images of " + rows + "x" + cols;
            byte[] pixels = readPayload(gz, in, count, rows * cols, promise, "images");
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
            String promise = "header promises " + count + " labels";
            byte[] labels = readPayload(gz, in, count, 1, promise, "labels");
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
        if (!Files.exists(gz)) {
            throw new BadFileException(gz, "file not found");
        }
        if (!Files.isRegularFile(gz)) {
            throw new BadFileException(gz, "not a regular file");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(gz), BUFFER_SIZE);
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
                    + length + "-byte IDX header (" + bytes.length + " bytes)");
        }
        ByteBuffer header = ByteBuffer.wrap(bytes); // big-endian by default, as IDX is
        int actualMagic = header.getInt();
        if (actualMagic != magic) {
            throw new BadFileException(gz, "wrong magic number " + actualMagic
                    + ", expected " + magic + " (" + kind + ")");
        }
        if (bytes.length < length) {
            throw new BadFileException(gz, "truncated: the data ends inside the "
                    + length + "-byte IDX header (" + bytes.length + " bytes)");
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

    private static byte[] readPayload(Path gz, InputStream in, int count, int itemSize,
            String promise, String items) throws IOException {
        long length = (long) count * itemSize;
        if (length > Integer.MAX_VALUE - 8) {
            throw new BadFileException(gz, promise + ", too large to hold in memory");
        }
        byte[] payload = new byte[(int) length];
        int read = in.readNBytes(payload, 0, payload.length);
        if (read < payload.length) {
            throw new BadFileException(gz, "truncated: " + promise
                    + " but the data ends after " + read / itemSize + " " + items);
        }
        return payload;
    }

    /** Draining to the end also makes GZIPInputStream verify the CRC and length trailer. */
    private static void expectEnd(Path gz, InputStream in, String item) throws IOException {
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new BadFileException(gz, extra + " unexpected bytes after the last " + item);
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
