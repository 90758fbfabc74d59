package dcgan.data;

import static dcgan.data.IdxReaderTest.assertBad;
import static dcgan.data.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyImagesTest {

    @TempDir
    Path dir;

    private final TestImages.Loader loader = new TestImages.Loader();

    /** {@code n} random bytes, the same on every run. */
    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(n).nextBytes(b);
        return b;
    }

    @Test
    void uint8GreyImagesAsTheyAre() throws IOException {
        byte[] data = bytes(3 * 28 * 28);
        Path file = NpyFiles.uint8(dir.resolve("digits.npy"), new int[] {3, 28, 28}, data);
        ImageSet set = loader.load(file);
        assertEquals(3, set.count());
        assertEquals(1, set.channels());
        assertEquals(28, set.size());
        assertFalse(set.labelled());
        assertEquals(file + " (3 images)", set.source());
        for (int i = 0; i < 3; i++) {
            int[] px = image(set, i);
            for (int p = 0; p < 784; p++) {
                assertEquals(data[i * 784 + p] & 0xff, px[p]);
            }
        }
        assertEquals("digits.npy in " + dir + " (3 images)", loader.load(dir).source());
    }

    @Test
    void channelsLastAndChannelsSecond() throws IOException {
        byte[] hwc = bytes(2 * 32 * 32 * 3);
        ImageSet last = loader.load(NpyFiles.uint8(dir.resolve("last.npy"), new int[] {2, 32, 32, 3}, hwc));
        byte[] chw = bytes(2 * 3 * 32 * 32);
        ImageSet second = loader.load(NpyFiles.uint8(dir.resolve("second.npy"), new int[] {2, 3, 32, 32}, chw));
        assertEquals(3, last.channels());
        assertEquals(3, second.channels());
        assertEquals(32, last.size());
        for (int i = 0; i < 2; i++) {
            int[] a = image(last, i);
            int[] b = image(second, i);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 1024; p++) {
                    assertEquals(hwc[((i * 1024) + p) * 3 + c] & 0xff, a[c * 1024 + p]);
                    assertEquals(chw[(i * 3 + c) * 1024 + p] & 0xff, b[c * 1024 + p]);
                }
            }
        }
        ImageSet one = loader.load(NpyFiles.uint8(dir.resolve("one.npy"), new int[] {1, 28, 28, 1}, bytes(784)));
        assertEquals(1, one.channels());
        assertEquals(28, one.size());
    }

    @Test
    void rgbaIsCompositedOntoTheBackground() throws IOException {
        // One 28x28 image, every pixel (200, 100, 0) at opacity 64.
        byte[] data = new byte[28 * 28 * 4];
        for (int p = 0; p < 784; p++) {
            data[4 * p] = (byte) 200;
            data[4 * p + 1] = 100;
            data[4 * p + 3] = 64;
        }
        Path file = NpyFiles.uint8(dir.resolve("rgba.npy"), new int[] {1, 28, 28, 4}, data);
        Background bg = new Background(0, 50, 255);
        ImageSet set = loader.background(bg).load(file);
        assertEquals(3, set.channels());
        int[] px = image(set, 0);
        int[] colour = {200, 100, 0};
        for (int c = 0; c < 3; c++) {
            assertEquals((int) Math.round((colour[c] * 64 + bg.component(c) * 191) / 255.0), px[c * 784 + 100]);
        }
        assertEquals(file + " (1 image)", set.source(), "RGBA to RGB is the array's own colours");
    }

    @Test
    void floatImagesInZeroToOne() throws IOException {
        float[] f = new float[28 * 28];
        double[] d = new double[28 * 28];
        for (int p = 0; p < f.length; p++) {
            f[p] = p % 3 == 0 ? 0f : p % 3 == 1 ? 1f : 0.5f;
            d[p] = p / 783.0;
        }
        int[] a = image(loader.load(NpyFiles.float32(dir.resolve("f.npy"), new int[] {1, 28, 28}, f)), 0);
        assertEquals(0, a[0]);
        assertEquals(255, a[1]);
        assertEquals(128, a[2], "127.5 rounds up");
        int[] b = image(loader.load(NpyFiles.float64(dir.resolve("d.npy"), new int[] {1, 28, 28}, d)), 0);
        for (int p = 0; p < d.length; p++) {
            assertEquals(Math.round(d[p] * 255), b[p]);
        }
    }

    @Test
    void floatValuesOutsideZeroToOneAreRefusedByTheirIndex() throws IOException {
        float[] f = new float[2 * 4 * 5];
        f[20 + 2 * 5 + 3] = 1.5f;
        Path file = NpyFiles.float32(dir.resolve("f.npy"), new int[] {2, 4, 5}, f);
        assertBad(file, "value [1, 2, 3] is 1.5, outside [0, 1]; float32 images must be in [0, 1] (for images in "
                + "[-1, 1], save (x + 1) / 2)", () -> loader.load(file));
        double[] d = new double[1 * 4 * 4 * 3];
        d[(1 * 4 + 2) * 3 + 1] = Double.NaN;
        Path nan = NpyFiles.float64(dir.resolve("n.npy"), new int[] {1, 4, 4, 3}, d);
        assertBad(nan, "value [0, 1, 2, 1] is NaN, outside [0, 1]", () -> loader.load(nan));
        d[(1 * 4 + 2) * 3 + 1] = -0.25; // element 19: channel 1, row 0, column 3 of (1, 3, 4, 4)
        Path chw = NpyFiles.float64(dir.resolve("c.npy"), new int[] {1, 3, 4, 4}, d);
        assertBad(chw, "value [0, 1, 0, 3] is -0.25", () -> loader.load(chw));
    }

    @Test
    void labelsByNameOrByShape() throws IOException {
        NpyFiles.uint8(dir.resolve("images.npy"), new int[] {3, 28, 28}, bytes(3 * 784));
        NpyFiles.int64(dir.resolve("labels.npy"), 7, 3, 7);
        ImageSet set = loader.load(dir);
        assertEquals(List.of("3", "7"), set.classNames());
        assertArrayEquals(new int[] {1, 0, 1}, set.labels());
        assertEquals("images.npy + labels.npy in " + dir + " (3 images)", set.source());

        Path other = dir.resolve("other");
        java.nio.file.Files.createDirectories(other);
        NpyFiles.uint8(other.resolve("x_train.npy"), new int[] {2, 28, 28}, bytes(2 * 784));
        NpyFiles.int32(other.resolve("y_train.npy"), 0, 9);
        ImageSet byShape = loader.load(other);
        assertEquals(List.of("0", "9"), byShape.classNames());
        assertArrayEquals(new int[] {0, 1}, byShape.labels());
        assertEquals("x_train.npy + y_train.npy in " + other + " (2 images)", byShape.source());
    }

    @Test
    void nonSquareImagesAreCropped() throws IOException {
        ImageSet set = loader.load(NpyFiles.uint8(dir.resolve("w.npy"), new int[] {2, 20, 30}, new byte[1200]));
        assertEquals(64, set.size());
        assertEquals(1, set.channels());
        assertEquals(dir.resolve("w.npy") + " (2 images), as 1x64x64", set.source());
        assertNull(set.labels());
    }

    @Test
    void arraysThatAreNotImages() throws IOException {
        Path ints = NpyFiles.int32(dir.resolve("i.npy"), 1, 2, 3);
        assertBad(ints, "dtype is '<i4', expected images of uint8 ('|u1', 0..255), float32 ('<f4') or float64 ('<f8', "
                + "both in [0, 1])", () -> loader.load(ints));
        Path flat = NpyFiles.uint8(dir.resolve("flat.npy"), new int[] {6}, new byte[6]);
        assertBad(flat, "shape (6,) has 1 dimension; expected images (N, H, W), (N, H, W, C) or (N, C, H, W) with C "
                + "= 1, 3 or 4", () -> loader.load(flat));
        Path two = NpyFiles.uint8(dir.resolve("two.npy"), new int[] {2, 3}, new byte[6]);
        assertBad(two, "shape (2, 3) has 2 dimensions", () -> loader.load(two));
        Path five = NpyFiles.uint8(dir.resolve("five.npy"), new int[] {1, 5, 2, 2}, new byte[20]);
        assertBad(five, "shape (1, 5, 2, 2) has no channel axis; expected", () -> loader.load(five));
        Path none = NpyFiles.uint8(dir.resolve("none.npy"), new int[] {0, 28, 28}, new byte[0]);
        assertBad(none, "shape (0, 28, 28) holds no images", () -> loader.load(none));
        Path empty = NpyFiles.uint8(dir.resolve("empty.npy"), new int[] {2, 0, 28}, new byte[0]);
        assertBad(empty, "shape (2, 0, 28) holds images of no pixels", () -> loader.load(empty));
        Path shortData = NpyFiles.uint8(dir.resolve("short.npy"), new int[] {2, 28, 28}, new byte[784]);
        assertBad(shortData, "shape (2, 28, 28) needs 1568 bytes of uint8 data, but the file holds 784 (truncated)",
                () -> loader.load(shortData));
        Path fortran = NpyFiles.raw(dir.resolve("fortran.npy"), "|u1", new int[] {1, 2, 2}, true, new byte[4]);
        assertBad(fortran, "array is stored in Fortran order, expected C order", () -> loader.load(fortran));
    }

    @Test
    void labelsThatDoNotFit() throws IOException {
        Path images = NpyFiles.uint8(dir.resolve("images.npy"), new int[] {3, 28, 28}, bytes(3 * 784));
        Path labels = NpyFiles.int64(dir.resolve("labels.npy"), 1, 2);
        assertBad(labels, "holds 2 labels but " + images + " holds 3 images", () -> loader.load(dir));
        NpyFiles.int64(labels, 1, -2, 3);
        assertBad(labels, "label at index 1 is -2, expected a class number 0 or more", () -> loader.load(dir));
        NpyFiles.float32(labels, new int[] {3}, new float[3]);
        assertBad(labels, "dtype is '<f4', expected labels of a little-endian integer type ('|u1', '<i4', '<i8', ...)",
                () -> loader.load(dir));
        byte[] huge = new byte[24];
        java.util.Arrays.fill(huge, 16, 24, (byte) 0xff);
        NpyFiles.raw(labels, "<u8", new int[] {3}, false, huge);
        assertBad(labels, "label at index 2 is 18446744073709551615, expected a class number 0 or more",
                () -> loader.load(dir));
        NpyFiles.raw(labels, "<i8", new int[] {3, 1}, false, new byte[24]);
        assertBad(labels, "shape (3, 1) is not a list of labels; expected a 1-D array, one class number per image",
                () -> loader.load(dir));
    }

    @Test
    void directoriesOfArraysThatCannotBeToldApart() throws IOException {
        NpyFiles.uint8(dir.resolve("a.npy"), new int[] {1, 28, 28}, new byte[784]);
        NpyFiles.uint8(dir.resolve("b.npy"), new int[] {1, 28, 28}, new byte[784]);
        assertBad(dir, "holds a.npy and b.npy and cannot tell which holds the labels: expected one images array and "
                + "one 1-D labels array, or a labels array with \"label\" in its name", () -> loader.load(dir));
        NpyFiles.int32(dir.resolve("c.npy"), 1);
        assertBad(dir, "holds 3 .npy files (a.npy, b.npy, c.npy); expected one images array and at most one labels "
                + "array", () -> loader.load(dir));
    }
}
