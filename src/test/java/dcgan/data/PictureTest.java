package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PictureTest {

    /** The same ARGB pixels in an image of {@code type}. */
    private static BufferedImage image(int type, int[] argb, int w, int h) {
        BufferedImage image = new BufferedImage(w, h, type);
        image.setRGB(0, 0, w, h, argb, 0, w);
        return image;
    }

    @Test
    void everyLayoutOfTheSamePixelsGivesTheSamePicture() {
        int w = 7;
        int h = 5;
        int[] argb = new int[w * h];
        Random random = new Random(3);
        for (int p = 0; p < argb.length; p++) {
            argb[p] = random.nextInt();
        }
        argb[0] |= 0xff000000;
        argb[1] &= 0x00ffffff;
        Background bg = new Background(9, 99, 199);
        // Byte-interleaved images are read from their arrays, the others through Java's conversion.
        Picture abgr = Picture.of(image(BufferedImage.TYPE_4BYTE_ABGR, argb, w, h), bg);
        Picture intArgb = Picture.of(image(BufferedImage.TYPE_INT_ARGB, argb, w, h), bg);
        assertEquals(3, abgr.channels());
        assertArrayEquals(intArgb.planes(), abgr.planes());
        int n = w * h;
        for (int p = 0; p < n; p++) {
            int a = argb[p] >>> 24;
            for (int c = 0; c < 3; c++) {
                int v = (argb[p] >> (16 - 8 * c)) & 0xff;
                assertEquals(Math.round((v * a + bg.component(c) * (255 - a)) / 255.0), abgr.planes()[c * n + p] & 0xff);
            }
        }
        for (int p = 0; p < argb.length; p++) {
            argb[p] |= 0xff000000;
        }
        Picture bgr = Picture.of(image(BufferedImage.TYPE_3BYTE_BGR, argb, w, h), bg);
        Picture intRgb = Picture.of(image(BufferedImage.TYPE_INT_RGB, argb, w, h), bg);
        assertArrayEquals(intRgb.planes(), bgr.planes());
        assertEquals((argb[4] >> 8) & 0xff, bgr.planes()[n + 4] & 0xff);
    }

    @Test
    void greyPixelsMakeOnePlane() {
        int[] argb = {0xff101010, 0xff202020, 0xff303030, 0xff404040};
        Picture p = Picture.of(image(BufferedImage.TYPE_3BYTE_BGR, argb, 2, 2), Background.WHITE);
        assertEquals(1, p.channels());
        assertArrayEquals(new byte[] {0x10, 0x20, 0x30, 0x40}, p.planes());
    }
}
