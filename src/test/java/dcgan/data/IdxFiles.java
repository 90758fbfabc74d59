package dcgan.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small (and deliberately broken) gzip-compressed IDX files for tests. */
final class IdxFiles {

    private IdxFiles() {}

    /** Gzip bytes of a big-endian int32 header followed by the payload. */
    static byte[] gzipIdx(int[] header, byte[] payload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            for (int value : header) {
                out.writeInt(value);
            }
            out.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] content) throws IOException {
        return Files.write(file, content);
    }

    static Path writeIdx(Path file, int[] header, byte[] payload) throws IOException {
        return write(file, gzipIdx(header, payload));
    }

    /** An image file whose image i has every pixel equal to {@code firstValue + i}. */
    static Path images(Path file, int count, int rows, int cols, int firstValue) throws IOException {
        return writeIdx(file, new int[] {IdxReader.IMAGES_MAGIC, count, rows, cols},
                imagePixels(count, rows * cols, firstValue));
    }

    static Path images(Path file, int count) throws IOException {
        return images(file, count, 28, 28, 0);
    }

    static byte[] imagePixels(int count, int size, int firstValue) {
        byte[] pixels = new byte[count * size];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(pixels, i * size, (i + 1) * size, (byte) (firstValue + i));
        }
        return pixels;
    }

    static Path labels(Path file, byte... labels) throws IOException {
        return writeIdx(file, new int[] {IdxReader.LABELS_MAGIC, labels.length}, labels);
    }

    /** {@code count} labels cycling through 0..9. */
    static Path labels(Path file, int count) throws IOException {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        return labels(file, labels);
    }
}
