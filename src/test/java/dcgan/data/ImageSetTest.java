package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageSetTest {

    /** Four images; image i has every pixel equal to 50 * i + 105 (the last one 255). */
    private static ImageSet sample() {
        byte[] pixels = new byte[4 * 784];
        for (int i = 0; i < 4; i++) {
            java.util.Arrays.fill(pixels, i * 784, (i + 1) * 784,
                    (byte) (50 * i + 105));
        }
        return ImageSet.digits(pixels, new byte[] {3, 4, 5, 6}, "sample");
    }

    @Test
    void imagesAreScaledBytes() {
        ImageSet data = sample();
        float[] images = data.images();
        assertEquals(4 * 784, images.length);
        assertEquals(105 / 255f, images[0]);
        assertEquals(255 / 255f, images[3 * 784 + 783]); // byte 255 reads as unsigned
        assertEquals(4, data.count());
        assertEquals("sample", data.source());
    }

    @Test
    void copyImageMatchesImages() {
        ImageSet data = sample();
        float[] dst = new float[784 + 1];
        data.copyImage(2, dst, 1);
        float[] all = data.images();
        for (int p = 0; p < 784; p++) {
            assertEquals(all[2 * 784 + p], dst[1 + p]);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> data.copyImage(4, dst, 0));
    }

    @Test
    void accessorsReturnCopies() {
        ImageSet data = sample();
        data.images()[0] = 42f;
        data.labels()[0] = 9;
        assertEquals(105 / 255f, data.images()[0]);
        assertEquals(3, data.labels()[0]);
    }

    @Test
    void permutedReordersImagesAndLabelsTogether() {
        ImageSet data = sample();
        ImageSet shuffled = data.permuted(new int[] {2, 0, 3, 1});

        assertArrayEquals(new int[] {5, 3, 6, 4}, shuffled.labels());
        float[] images = shuffled.images();
        int[] expected = {205, 105, 255, 155};
        for (int k = 0; k < 4; k++) {
            assertEquals(expected[k] / 255f, images[k * 784], "image " + k);
            assertEquals(expected[k] / 255f, images[k * 784 + 783], "image " + k);
        }
        assertArrayEquals(new int[] {3, 4, 5, 6}, data.labels(), "original unchanged");
    }

    @Test
    void permutedRejectsNonPermutations() {
        ImageSet data = sample();
        IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
                () -> data.permuted(new int[] {0, 1, 2}));
        assertTrue(wrongLength.getMessage().contains("3 entries, expected 4"));
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
                () -> data.permuted(new int[] {0, 1, 4, 2}));
        assertTrue(outOfRange.getMessage().contains("order[2] = 4"));
        IllegalArgumentException repeat = assertThrows(IllegalArgumentException.class,
                () -> data.permuted(new int[] {0, 1, 1, 2}));
        assertTrue(repeat.getMessage().contains("order[2] = 1 repeats"));
    }

    @Test
    void firstN() {
        ImageSet data = sample().permuted(new int[] {3, 2, 1, 0});
        ImageSet first = data.firstN(2);

        assertEquals(2, first.count());
        assertArrayEquals(new int[] {6, 5}, first.labels());
        assertEquals(2 * 784, first.images().length);
        assertEquals(255 / 255f, first.images()[0]);
        assertEquals("sample, first 2", first.source());
        assertEquals(0, data.firstN(0).count());
        assertEquals(4, data.firstN(4).count());
        assertThrows(IllegalArgumentException.class, () -> data.firstN(5));
        assertThrows(IllegalArgumentException.class, () -> data.firstN(-1));
    }

    @Test
    void ofValidatesInput() {
        assertThrows(IllegalArgumentException.class,
                () -> ImageSet.digits(new byte[783], new byte[] {1}, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> ImageSet.digits(new byte[784], new byte[] {10}, "x"));
    }
}
