package dcgan.data;

import static dcgan.data.IdxReaderTest.assertBad;
import static dcgan.data.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.io.BadFileException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetsTest {

    @TempDir
    Path dir;

    private final TestImages.Loader loader = new TestImages.Loader();

    private static final String LOOKED_FOR = "expected image files (png, jpg, jpeg, gif, bmp) in it or in a subfolder "
            + "per class, MNIST's IDX files (NAME-images-idx3-ubyte.gz and NAME-labels-idx1-ubyte.gz), CIFAR-10's "
            + "binary batches (data_batch_1.bin .. data_batch_5.bin, test_batch.bin) or a NumPy .npy array";

    @Test
    void theBundledDigitsByDefaultAreMnistsBytesExactly() throws IOException {
        ImageSet direct = MnistLoader.load(Path.of("test-data"));
        ImageSet loaded = DataSets.load(Path.of("test-data"), Preprocessing.DEFAULT, dir.resolve("cache"),
                new PrintStream(PrintStream.nullOutputStream()));
        assertEquals(direct.fingerprint(), loaded.fingerprint());
        assertArrayEquals(direct.labels(), loaded.labels());
        assertEquals(direct.classNames(), loaded.classNames());
        assertEquals(direct.source(), loaded.source());
        assertEquals(1, loaded.channels());
        assertEquals(28, loaded.size());
        assertEquals(10000, loaded.count());
        assertEquals("3e6e2cd4", loaded.fingerprint(), "the bundled digits' own checksum");
        assertTrue(Files.notExists(dir.resolve("cache")), "MNIST is not cached");
    }

    @Test
    void explicitDefaultsOfMnistChangeNothingEither() throws IOException {
        ImageSet mnist = MnistLoader.load(Path.of("test-data"));
        assertSame(mnist, DataSets.conform(mnist, Path.of("test-data"), loader.prep(28, 1).context()));
    }

    @Test
    void mnistAtAnotherSizeIsResized() throws IOException {
        ImageSet mnist = MnistLoader.load(Path.of("test-data")).firstN(50);
        ImageSet big = DataSets.conform(mnist, Path.of("test-data"), loader.prep(32, 3).context());
        assertEquals(3, big.channels());
        assertEquals(32, big.size());
        assertEquals(50, big.count());
        assertArrayEquals(mnist.labels(), big.labels());
        assertEquals(mnist.source() + ", as 3x32x32", big.source());
        int[] px = image(big, 0);
        int[] one = image(DataSets.conform(mnist, Path.of("test-data"), loader.prep(32, 1).context()), 0);
        for (int p = 0; p < 1024; p++) {
            assertEquals(one[p], px[p]);
            assertEquals(one[p], px[1024 + p]);
            assertEquals(one[p], px[2048 + p]);
        }
        assertTrue(Math.abs(mean(one) - mean(image(mnist, 0))) < 3, "a resized digit keeps its ink");
    }

    private static double mean(int[] v) {
        double s = 0;
        for (int x : v) {
            s += x;
        }
        return s / v.length;
    }

    @Test
    void theBundledEmojiAreTenClassesOfColour() throws IOException {
        ImageSet emoji = loader.cache(dir).load(Path.of("test-data/emoji-noto-64"));
        assertEquals(329, emoji.count());
        assertEquals(3, emoji.channels());
        assertEquals(64, emoji.size());
        assertEquals(10, emoji.classNames().size());
        assertEquals(List.of("activities", "animals-and-nature", "component", "flags", "food-and-drink", "objects",
                "people-and-body", "smileys-and-emotion", "symbols", "travel-and-places"), emoji.classNames());
        int[] perClass = new int[10];
        for (int label : emoji.labels()) {
            perClass[label]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(perClass[c] > 0 && perClass[c] <= 36, emoji.classNames().get(c) + ": " + perClass[c]);
        }
        ImageSet again = loader.load(Path.of("test-data/emoji-noto-64"));
        assertEquals(emoji.fingerprint(), again.fingerprint());
        assertTrue(loader.printed().contains("from the cache"));
    }

    @Test
    void anEmptyDirectoryHoldsNothingThatFits() {
        assertBad(dir, "no data found; " + LOOKED_FOR + "; it is empty", () -> loader.load(dir));
    }

    @Test
    void aDirectoryOfOtherFilesSaysWhatItHolds() throws IOException {
        Files.writeString(dir.resolve("README"), "x");
        Files.writeString(dir.resolve("notes.txt"), "x");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/data.csv"), "x");
        Files.writeString(dir.resolve("sub/more.csv"), "x");
        Files.writeString(dir.resolve(".hidden.png"), "x");
        BadFileException e = assertBad(dir, "no data found; " + LOOKED_FOR + "; it holds 4 other files (README, "
                + "notes.txt, sub/data.csv and 1 more)", () -> loader.load(dir));
        assertTrue(e.getMessage().indexOf('\n') < 0);
    }

    @Test
    void commonMistakesAreNamed() throws IOException {
        Files.writeString(dir.resolve("data_batch_1"), "pickle");
        assertBad(dir, "data_batch_1 is of CIFAR-10's Python version: use its binary version (cifar-10-binary.tar.gz)",
                () -> loader.load(dir));
        Files.delete(dir.resolve("data_batch_1"));
        Files.writeString(dir.resolve("train-images-idx3-ubyte"), "raw");
        assertBad(dir, "train-images-idx3-ubyte is an IDX file without gzip compression: compress it (gzip "
                + "train-images-idx3-ubyte)", () -> loader.load(dir));
        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        Files.writeString(dir.resolve("faces.tar.gz"), "archive");
        assertBad(dir, "faces.tar.gz is an archive: unpack it first", () -> loader.load(dir));
        Files.delete(dir.resolve("faces.tar.gz"));
        Files.createDirectories(dir.resolve("a/b"));
        assertBad(dir, "; it holds only empty folders", () -> loader.load(dir));
    }

    @Test
    void aMissingPathOrAFileOfAnotherKind() throws IOException {
        Path missing = dir.resolve("nothing");
        assertBad(missing, "not found; " + LOOKED_FOR, () -> loader.load(missing));
        Path text = Files.writeString(dir.resolve("notes.txt"), "x");
        assertBad(text, "is a file, not a directory or a .npy array; " + LOOKED_FOR, () -> loader.load(text));
        Path png = TestImages.solid(dir.resolve("one.png"), 4, 4, 0);
        assertBad(png, "is a file, not a directory or a .npy array; give the directory that holds it; " + LOOKED_FOR,
                () -> loader.load(png));
    }

    @Test
    void idxComesFirstThenCifarThenNpyThenImages() throws IOException {
        TestImages.solid(dir.resolve("a.png"), 28, 28, 0);
        IdxFiles.images(dir.resolve("x-images-idx3-ubyte.gz"), 3);
        IdxFiles.labels(dir.resolve("x-labels-idx1-ubyte.gz"), 3);
        CifarFiles.write(dir.resolve("test_batch.bin"), 2);
        assertTrue(loader.load(dir).source().contains("x-images-idx3-ubyte.gz"));
        Files.delete(dir.resolve("x-images-idx3-ubyte.gz"));
        Files.delete(dir.resolve("x-labels-idx1-ubyte.gz"));
        assertTrue(loader.load(dir).source().startsWith("1 CIFAR-10 file in"));
        Files.delete(dir.resolve("test_batch.bin"));
        NpyFiles.uint8(dir.resolve("x.npy"), new int[] {2, 28, 28}, new byte[2 * 784]);
        assertTrue(loader.load(dir).source().startsWith("x.npy in"));
        Files.delete(dir.resolve("x.npy"));
        assertTrue(loader.load(dir).source().startsWith(dir + " (1 image"));
    }

    @Test
    void anIdxMistakeIsStillMnistsMessage() throws IOException {
        IdxFiles.images(dir.resolve("train-images-idx3-ubyte.gz"), 2);
        assertBad(dir, "incomplete MNIST download: missing", () -> loader.load(dir));
    }
}
