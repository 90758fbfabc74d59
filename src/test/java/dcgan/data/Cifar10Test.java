package dcgan.data;

import static dcgan.data.IdxReaderTest.assertBad;
import static dcgan.data.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    @TempDir
    Path dir;

    private final TestImages.Loader loader = new TestImages.Loader();

    @Test
    void oneBatchIsThirtyTwoSquareColourWithItsLabels() throws IOException {
        CifarFiles.write(dir.resolve("data_batch_3.bin"), 12);
        ImageSet set = loader.load(dir);
        assertEquals(12, set.count());
        assertEquals(3, set.channels());
        assertEquals(32, set.size());
        assertEquals(Cifar10.CLASSES, set.classNames());
        assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                "truck"), set.classNames());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, set.labels());
        for (int k : new int[] {0, 7, 11}) {
            int[] px = image(set, k);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 1024; p++) {
                    assertEquals(CifarFiles.pixel(k, c, p), px[c * 1024 + p]);
                }
            }
        }
        assertEquals("1 CIFAR-10 file in " + dir + " (12 images)", set.source());
    }

    @Test
    void allSixFilesInTheirOrder() throws IOException {
        // Written out of order; read data_batch_1..5 then test_batch, each file's records counted on.
        List<String> names = Cifar10.FILES;
        for (int f = names.size() - 1; f >= 0; f--) {
            CifarFiles.write(dir.resolve(names.get(f)), 3, 3 * f);
        }
        Files.writeString(dir.resolve("readme.html"), "<html>");
        ImageSet set = loader.load(dir);
        assertEquals(18, set.count());
        for (int k = 0; k < 18; k++) {
            assertEquals(k % 10, set.labels()[k]);
            assertEquals(CifarFiles.pixel(k, 1, 5), image(set, k)[1024 + 5], "image " + k);
        }
        assertEquals("6 CIFAR-10 files in " + dir + " (18 images)", set.source());
    }

    @Test
    void someOfTheFiles() throws IOException {
        CifarFiles.write(dir.resolve("data_batch_2.bin"), 2, 0);
        CifarFiles.write(dir.resolve("test_batch.bin"), 1, 2);
        ImageSet set = loader.load(dir);
        assertArrayEquals(new int[] {0, 1, 2}, set.labels());
        assertEquals(CifarFiles.pixel(2, 0, 0), image(set, 2)[0]);
    }

    @Test
    void classNamesFromTheMetaFile() throws IOException {
        CifarFiles.write(dir.resolve("test_batch.bin"), 2);
        Files.writeString(dir.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), loader.load(dir).classNames());
        Path meta = Files.writeString(dir.resolve("batches.meta.txt"), "a\nb\n");
        assertBad(meta, "holds 2 class names, expected 10, one a line", () -> loader.load(dir));
        Files.write(meta, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertBad(meta, "is not UTF-8 text", () -> loader.load(dir));
    }

    @Test
    void aFileOfTheWrongLength() throws IOException {
        Path file = CifarFiles.write(dir.resolve("data_batch_1.bin"), 2);
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 2 * Cifar10.RECORD - 1));
        assertBad(file, "holds 6145 bytes, not a whole number of 3073-byte CIFAR-10 records (a label byte and 3x32x32 "
                + "pixel bytes each): it is cut short, or not CIFAR-10's binary version", () -> loader.load(dir));
        Files.write(file, new byte[0]);
        assertBad(file, "is empty, expected CIFAR-10 records of 3073 bytes", () -> loader.load(dir));
    }

    @Test
    void aLabelAboveNine() throws IOException {
        Path file = CifarFiles.write(dir.resolve("data_batch_1.bin"), 3);
        byte[] bytes = Files.readAllBytes(file);
        bytes[2 * Cifar10.RECORD] = 10;
        Files.write(file, bytes);
        CifarFiles.write(dir.resolve("data_batch_2.bin"), 1);
        assertBad(file, "record 2 (counted from 0) has label 10, expected a CIFAR-10 class 0..9",
                () -> loader.load(dir));
    }

    @Test
    void aDirectoryNamedLikeABatch() throws IOException {
        Files.createDirectories(dir.resolve("test_batch.bin"));
        assertBad(dir.resolve("test_batch.bin"), "is a directory, expected a CIFAR-10 batch file",
                () -> loader.load(dir));
    }

    @Test
    void cifarAtSixtyFourIsEnlargedAndAtOneChannelGrey() throws IOException {
        CifarFiles.write(dir.resolve("data_batch_1.bin"), 4);
        ImageSet big = loader.prep(64, Preprocessing.AUTO).load(dir);
        assertEquals(64, big.size());
        assertEquals(3, big.channels());
        assertTrue(big.source().endsWith("(4 images), as 3x64x64"), big.source());
        ImageSet grey = loader.prep(Preprocessing.AUTO, 1).load(dir);
        assertEquals(32, grey.size());
        assertEquals(1, grey.channels());
        int r = CifarFiles.pixel(1, 0, 9);
        int g = CifarFiles.pixel(1, 1, 9);
        int b = CifarFiles.pixel(1, 2, 9);
        assertEquals((r * 299 + g * 587 + b * 114 + 500) / 1000, image(grey, 1)[9]);
    }
}
