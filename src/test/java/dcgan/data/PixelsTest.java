package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class PixelsTest {

    /** 10 images of 12 bytes in chunks of 3 images (the last of 1), and the same bytes in one array. */
    private static byte[] bytes() {
        byte[] b = new byte[120];
        new Random(5).nextBytes(b);
        return b;
    }

    private static Pixels chunked(byte[] b) {
        Pixels p = Pixels.allocate(10, 12, 36);
        for (int i = 0; i < 10; i++) {
            System.arraycopy(b, i * 12, p.chunk(i), p.offset(i), 12);
        }
        return p;
    }

    @Test
    void imagesLieInChunksOfWholeImages() {
        Pixels p = Pixels.allocate(10, 12, 40);
        assertEquals(36, p.chunk(0).length, "40 bytes hold 3 whole images");
        assertEquals(12, p.chunk(9).length, "the last chunk holds the rest exactly");
        assertEquals(24, p.offset(5));
        assertEquals(120, p.bytes());
        assertEquals(1, Pixels.allocate(2, 50, 10).chunk(1).length / 50, "an image larger than a chunk has its own");
    }

    @Test
    void aChunkedSetIsTheSameSetAsOneArray() {
        byte[] b = bytes();
        ImageSet one = new ImageSet(b.clone(), 3, 2, null, List.of(), "one");
        ImageSet many = new ImageSet(chunked(b), 3, 2, null, List.of(), "many");
        assertEquals(one.fingerprint(), many.fingerprint());
        CRC32C crc = new CRC32C();
        crc.update(b);
        assertEquals(String.format("%08x", crc.getValue()), many.fingerprint());
        assertArrayEquals(one.images(), many.images());
        float[] a = new float[4 * 12 + 1];
        float[] c = new float[4 * 12 + 1];
        one.copyImages(2, 4, PixelRange.SYMMETRIC, a, 1);
        many.copyImages(2, 4, PixelRange.SYMMETRIC, c, 1);
        assertArrayEquals(a, c, "across chunk boundaries");
        int[] order = {9, 0, 8, 1, 7, 2, 6, 3, 5, 4};
        assertEquals(one.permuted(order).fingerprint(), many.permuted(order).fingerprint());
        assertEquals(one.firstN(7).fingerprint(), many.firstN(7).fingerprint());
        assertArrayEquals(one.firstN(7).images(), many.firstN(7).images());
        assertEquals(one.shuffled(3).fingerprint(), many.shuffled(3).fingerprint());
    }

    @Test
    void truncateKeepsTheFirstImages() {
        byte[] b = bytes();
        Pixels kept = chunked(b).truncate(7);
        assertEquals(7, kept.count());
        ImageSet set = new ImageSet(kept, 3, 2, null, List.of(), "t");
        ImageSet expected = new ImageSet(java.util.Arrays.copyOf(b, 84), 3, 2, null, List.of(), "e");
        assertEquals(expected.fingerprint(), set.fingerprint());
        Pixels all = chunked(b);
        assertEquals(all, all.truncate(10));
        assertNotSame(all, chunked(b).truncate(0));
        assertEquals(0, chunked(b).truncate(0).count());
    }

    @Test
    void firstPlanesTakesEachImagesFirstChannel() {
        byte[] b = bytes();
        Pixels grey = chunked(b).firstPlanes(4);
        assertEquals(10, grey.count());
        assertEquals(4, grey.perImage());
        for (int i = 0; i < 10; i++) {
            for (int p = 0; p < 4; p++) {
                assertEquals(b[i * 12 + p], grey.chunk(i)[grey.offset(i) + p]);
            }
        }
    }
}
