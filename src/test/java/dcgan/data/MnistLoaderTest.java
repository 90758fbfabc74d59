package dcgan.data;

import static dcgan.data.IdxReaderTest.assertBad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.io.BadFileException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistLoaderTest {

    @TempDir
    Path dir;

    @Test
    void loadsBundledTestData() throws IOException {
        ImageSet data = MnistLoader.load(Path.of("test-data"));

        assertEquals(10000, data.count());
        float[] images = data.images();
        assertEquals(10000 * 784, images.length);
        double sum = 0;
        for (float v : images) {
            assertTrue(v >= 0f && v <= 1f, "pixel " + v);
            sum += v;
        }
        double mean = sum / images.length;
        assertTrue(mean > 0.1 && mean < 0.15, "mean intensity " + mean);

        int[] perDigit = new int[10];
        for (int label : data.labels()) {
            assertTrue(label >= 0 && label <= 9, "label " + label);
            perDigit[label]++;
        }
        for (int digit = 0; digit < 10; digit++) {
            assertTrue(perDigit[digit] > 0, "no image of digit " + digit);
        }
        assertTrue(data.source().contains("mnist10k-images-idx3-ubyte.gz"), data.source());
        assertTrue(data.source().contains("10000 images"), data.source());
    }

    @Test
    void standardLayoutIsTrainThenTest() throws IOException {
        // Train image i has pixel value 10 + i, test image i has 100 + i, so order is visible.
        IdxFiles.images(dir.resolve("train-images-idx3-ubyte.gz"), 5, 28, 28, 10);
        IdxFiles.labels(dir.resolve("train-labels-idx1-ubyte.gz"), (byte) 0, (byte) 1, (byte) 2,
                (byte) 3, (byte) 4);
        IdxFiles.images(dir.resolve("t10k-images-idx3-ubyte.gz"), 3, 28, 28, 100);
        IdxFiles.labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), (byte) 7, (byte) 8, (byte) 9);

        ImageSet data = MnistLoader.load(dir);

        assertEquals(8, data.count());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 7, 8, 9}, data.labels());
        float[] images = data.images();
        int[] expected = {10, 11, 12, 13, 14, 100, 101, 102};
        for (int i = 0; i < 8; i++) {
            assertEquals(expected[i] / 255f, images[i * 784], "image " + i);
            assertEquals(expected[i] / 255f, images[(i + 1) * 784 - 1], "image " + i);
        }
        assertEquals("4 MNIST files in " + dir + " (8 images)", data.source());
    }

    @Test
    void standardLayoutWinsOverOtherPairs() throws IOException {
        writeStandard(dir, 2, 1);
        IdxFiles.images(dir.resolve("extra-images-idx3-ubyte.gz"), 4);
        IdxFiles.labels(dir.resolve("extra-labels-idx1-ubyte.gz"), 4);
        assertEquals(3, MnistLoader.load(dir).count());
    }

    @Test
    void singlePairWithAnyPrefix() throws IOException {
        IdxFiles.images(dir.resolve("mine-images-idx3-ubyte.gz"), 4);
        IdxFiles.labels(dir.resolve("mine-labels-idx1-ubyte.gz"), 4);
        ImageSet data = MnistLoader.load(dir);
        assertEquals(4, data.count());
        assertArrayEquals(new int[] {0, 1, 2, 3}, data.labels());
    }

    @Test
    void missingDirectory() {
        Path missing = dir.resolve("mnist");
        assertBad(missing, "directory not found", () -> MnistLoader.load(missing));
    }

    @Test
    void fileInsteadOfDirectory() throws IOException {
        Path file = Files.createFile(dir.resolve("mnist"));
        assertBad(file, "not a directory", () -> MnistLoader.load(file));
    }

    @Test
    void partialStandardLayout() throws IOException {
        IdxFiles.images(dir.resolve("train-images-idx3-ubyte.gz"), 2);
        IdxFiles.labels(dir.resolve("train-labels-idx1-ubyte.gz"), 2);
        BadFileException e = assertBad(dir, "missing t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz",
                () -> MnistLoader.load(dir));
        assertTrue(!e.getMessage().contains("missing train"), e.getMessage());
    }

    @Test
    void emptyDirectoryExplainsExpectedFiles() {
        assertBad(dir, "no MNIST files found; expected either the four standard MNIST files",
                () -> MnistLoader.load(dir));
    }

    @Test
    void imagesWithoutLabels() throws IOException {
        IdxFiles.images(dir.resolve("a-images-idx3-ubyte.gz"), 2);
        assertBad(dir, "found a-images-idx3-ubyte.gz but not its labels file a-labels-idx1-ubyte.gz",
                () -> MnistLoader.load(dir));
    }

    @Test
    void severalPairsAreAmbiguous() throws IOException {
        for (String prefix : new String[] {"a", "b"}) {
            IdxFiles.images(dir.resolve(prefix + "-images-idx3-ubyte.gz"), 2);
            IdxFiles.labels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), 2);
        }
        assertBad(dir, "several image files (a-images-idx3-ubyte.gz, b-images-idx3-ubyte.gz)",
                () -> MnistLoader.load(dir));
    }

    @Test
    void imageLabelCountMismatch() throws IOException {
        Path images = IdxFiles.images(dir.resolve("x-images-idx3-ubyte.gz"), 5);
        Path labels = IdxFiles.labels(dir.resolve("x-labels-idx1-ubyte.gz"), 3);
        BadFileException e = assertBad(labels, "has 3 labels but", () -> MnistLoader.load(dir));
        assertTrue(e.getMessage().contains(images + " has 5 images"), e.getMessage());
    }

    @Test
    void countMismatchInStandardTestPair() throws IOException {
        writeStandard(dir, 4, 2);
        Path labels = IdxFiles.labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), 3);
        assertBad(labels, "has 3 labels but " + dir.resolve("t10k-images-idx3-ubyte.gz")
                + " has 2 images", () -> MnistLoader.load(dir));
    }

    @Test
    void unexpectedImageSize() throws IOException {
        Path images = IdxFiles.images(dir.resolve("big-images.gz"), 2, 32, 32, 0);
        Path labels = IdxFiles.labels(dir.resolve("big-labels.gz"), 2);
        assertBad(images, "images are 32x32, expected 28x28",
                () -> MnistLoader.loadPair(images, labels));
    }

    @Test
    void badFileInsideDirectoryIsNamed() throws IOException {
        writeStandard(dir, 2, 2);
        Path broken = IdxFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"), "oops".getBytes());
        assertBad(broken, "not a gzip file", () -> MnistLoader.load(dir));
    }

    @Test
    void loadPairDescribesItsSource() throws IOException {
        Path images = IdxFiles.images(dir.resolve("p-images-idx3-ubyte.gz"), 3);
        Path labels = IdxFiles.labels(dir.resolve("p-labels-idx1-ubyte.gz"), 3);
        ImageSet data = MnistLoader.loadPair(images, labels);
        assertEquals("p-images-idx3-ubyte.gz + p-labels-idx1-ubyte.gz in " + dir + " (3 images)",
                data.source());
    }

    private static void writeStandard(Path dir, int train, int test) throws IOException {
        IdxFiles.images(dir.resolve("train-images-idx3-ubyte.gz"), train);
        IdxFiles.labels(dir.resolve("train-labels-idx1-ubyte.gz"), train);
        IdxFiles.images(dir.resolve("t10k-images-idx3-ubyte.gz"), test);
        IdxFiles.labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), test);
    }
}
