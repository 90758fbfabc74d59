package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.io.BadFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    /** Asserts a BadFileException about {@code file} whose message names it and the problem. */
    static BadFileException assertBad(Path file, String problem, Executable action) {
        BadFileException e = assertThrows(BadFileException.class, action);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        return e;
    }

    @Test
    void readsImagesAndLabels() throws IOException {
        Path images = IdxFiles.images(dir.resolve("a-images-idx3-ubyte.gz"), 3, 2, 4, 7);
        Path labels = IdxFiles.labels(dir.resolve("a-labels-idx1-ubyte.gz"), (byte) 9, (byte) 0);

        IdxImages read = IdxReader.readImages(images);
        assertEquals(images, read.file());
        assertEquals(3, read.count());
        assertEquals(2, read.rows());
        assertEquals(4, read.cols());
        assertArrayEquals(IdxFiles.imagePixels(3, 8, 7), read.pixels());
        assertArrayEquals(new byte[] {9, 0}, IdxReader.readLabels(labels));
    }

    @Test
    void pixelsAreUnsignedBytes() throws IOException {
        Path images = IdxFiles.images(dir.resolve("x.gz"), 1, 1, 1, 255);
        assertEquals(255, Byte.toUnsignedInt(IdxReader.readImages(images).pixels()[0]));
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nope-images-idx3-ubyte.gz");
        assertBad(file, "no such file", () -> IdxReader.readImages(file));
    }

    @Test
    void notAGzipFile() throws IOException {
        Path file = IdxFiles.write(dir.resolve("zipped.gz"), new byte[] {0x50, 0x4b, 3, 4, 0, 0});
        assertBad(file, "not a gzip file (starts with bytes 50 4b 03 04)",
                () -> IdxReader.readImages(file));
    }

    @Test
    void emptyFileIsNotGzip() throws IOException {
        Path file = IdxFiles.write(dir.resolve("empty.gz"), new byte[0]);
        assertBad(file, "not a gzip file (the file is empty)", () -> IdxReader.readLabels(file));
    }

    @Test
    void gzipTruncatedMidStream() throws IOException {
        // Random pixels do not compress, so cutting the file in half cuts the deflate stream.
        byte[] pixels = new byte[20 * 784];
        new Random(1).nextBytes(pixels);
        byte[] gz = IdxFiles.gzipIdx(new int[] {2051, 20, 28, 28}, pixels);
        Path file = IdxFiles.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertBad(file, "gzip data is corrupt or truncated (", () -> IdxReader.readImages(file));
    }

    @Test
    void gzipWithCorruptCrcTrailer() throws IOException {
        byte[] gz = IdxFiles.gzipIdx(new int[] {2049, 3}, new byte[] {1, 2, 3});
        gz[gz.length - 8] ^= 0x55; // first byte of the CRC-32 in the 8-byte trailer
        Path file = IdxFiles.write(dir.resolve("crc.gz"), gz);
        assertBad(file, "gzip data is corrupt or truncated (", () -> IdxReader.readLabels(file));
    }

    @Test
    void payloadShorterThanHeaderPromises() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("short.gz"), new int[] {2051, 10, 28, 28},
                new byte[3 * 784 + 100]);
        assertBad(file, "truncated: header promises 10 images of 28x28 but the data ends after 3 images",
                () -> IdxReader.readImages(file));
    }

    @Test
    void labelsShorterThanHeaderPromises() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("short.gz"), new int[] {2049, 10}, new byte[4]);
        assertBad(file, "truncated: header promises 10 labels but the data ends after 4 labels",
                () -> IdxReader.readLabels(file));
    }

    @Test
    void headerCutShort() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("hdr.gz"), new int[] {2051, 10}, new byte[0]);
        assertBad(file, "truncated: the data ends inside the 16-byte IDX header",
                () -> IdxReader.readImages(file));
    }

    @Test
    void trailingBytes() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("long.gz"), new int[] {2051, 2, 28, 28},
                new byte[2 * 784 + 12]);
        assertBad(file, "12 unexpected bytes after the last image", () -> IdxReader.readImages(file));
    }

    @Test
    void labelsFileGivenAsImages() throws IOException {
        Path file = IdxFiles.labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), 40);
        assertBad(file, "wrong magic number 2049, expected 2051 (an IDX image file)",
                () -> IdxReader.readImages(file));
    }

    @Test
    void imagesFileGivenAsLabels() throws IOException {
        Path file = IdxFiles.images(dir.resolve("img.gz"), 1);
        assertBad(file, "wrong magic number 2051, expected 2049 (an IDX label file)",
                () -> IdxReader.readLabels(file));
    }

    @Test
    void negativeCount() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("neg.gz"), new int[] {2049, -5}, new byte[0]);
        assertBad(file, "negative item count -5", () -> IdxReader.readLabels(file));
    }

    @Test
    void zeroSizedImages() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("zero.gz"), new int[] {2051, 1, 0, 28}, new byte[0]);
        assertBad(file, "invalid image size 0x28", () -> IdxReader.readImages(file));
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path file = IdxFiles.labels(dir.resolve("lab.gz"), (byte) 3, (byte) 9, (byte) 200);
        assertBad(file, "label at index 2 has value 200, expected a digit 0..9",
                () -> IdxReader.readLabels(file));
    }

    @Test
    void directoryIsNotARegularFile() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub.gz"));
        assertBad(sub, "is a directory, expected a gzip-compressed IDX file", () -> IdxReader.readImages(sub));
    }

    /**
     * A header that promises 2,700,000 images (2.1 GB) in a file of a few kilobytes is found out as the data
     * runs short, without first allocating what the header promises: the reader allocates as the data arrives.
     */
    @Test
    void aLyingCountIsFoundOutWithoutAllocatingWhatItPromises() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("lying-images-idx3-ubyte.gz"),
                new int[] {IdxReader.IMAGES_MAGIC, 2_700_000, 28, 28}, IdxFiles.imagePixels(64, 784, 0));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertBad(file, "truncated: header promises 2700000 images of 28x28 but the data ends after 64 images",
                () -> IdxReader.readImages(file));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 32 << 20, "allocated " + allocated + " bytes for 50 KB of images");
    }

    @Test
    void countsOfOneAreSingular() throws IOException {
        Path file = IdxFiles.writeIdx(dir.resolve("one.gz"), new int[] {IdxReader.IMAGES_MAGIC, 1, 28, 28}, new byte[10]);
        assertBad(file, "truncated: header promises 1 image of 28x28 but the data ends after 0 images",
                () -> IdxReader.readImages(file));
        Path labels = IdxFiles.writeIdx(dir.resolve("two.gz"), new int[] {IdxReader.LABELS_MAGIC, 2}, new byte[1]);
        assertBad(labels, "truncated: header promises 2 labels but the data ends after 1 label",
                () -> IdxReader.readLabels(labels));
    }
}
