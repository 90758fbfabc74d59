package dcgan.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ResizeCropTest {

    /** A {@code w x h} plane of random bytes. */
    private static byte[] random(int w, int h, long seed) {
        byte[] b = new byte[w * h];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] resize(byte[] src, int w, int h, int size) {
        byte[] dst = new byte[size * size];
        ResizeCrop.resizePlane(src, 0, w, h, size, dst, 0);
        return dst;
    }

    @Test
    void aConstantImageStaysConstant() {
        int[][] shapes = {{10, 10}, {100, 37}, {37, 100}, {64, 64}, {7, 5}, {300, 200}, {1, 1}, {3, 90}};
        for (int[] s : shapes) {
            for (int size : new int[] {28, 32, 64}) {
                byte[] src = new byte[s[0] * s[1]];
                java.util.Arrays.fill(src, (byte) 201);
                byte[] out = resize(src, s[0], s[1], size);
                for (byte b : out) {
                    assertEquals(201, b & 0xff, s[0] + "x" + s[1] + " to " + size);
                }
            }
        }
    }

    @Test
    void anImageOfTheSizeIsCopiedBitForBit() {
        for (int size : new int[] {28, 32, 64}) {
            byte[] src = random(size, size, size);
            assertArrayEquals(src, resize(src, size, size, size));
        }
    }

    @Test
    void aKnownCaseWorkedByHand() {
        // 4x4 to 2x2, every row 0, 70, 140, 210. Halving: the triangle is 2 input pixels wide each side. Output 0 is
        // centred at 1.0; inputs 0, 1, 2 (centres 0.5, 1.5, 2.5) weigh 1 - 0.5/2, 1 - 0.5/2, 1 - 1.5/2 = 3/7, 3/7,
        // 1/7 once normalised: (0*3 + 70*3 + 140) / 7 = 50. Output 1 (centre 3.0) weighs inputs 1, 2, 3 by 1/7, 3/7,
        // 3/7: (70 + 140*3 + 210*3) / 7 = 160. Down the columns the same weights average equal rows.
        byte[] src = new byte[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                src[y * 4 + x] = (byte) (70 * x);
            }
        }
        byte[] out = resize(src, 4, 4, 2);
        assertArrayEquals(new byte[] {50, (byte) 160, 50, (byte) 160}, out);
    }

    /**
     * The same filter written plainly, in double precision: every output pixel a weighted sum over every input
     * pixel, with the product of the two axes' triangles as the weight, normalised.
     */
    private static double[] reference(byte[] src, int w, int h, int size) {
        int scaledW;
        int scaledH;
        if (w <= h) {
            scaledW = size;
            scaledH = (int) Math.floor((double) size * h / w);
        } else {
            scaledH = size;
            scaledW = (int) Math.floor((double) size * w / h);
        }
        int left = (int) Math.rint((scaledW - size) / 2.0);
        int top = (int) Math.rint((scaledH - size) / 2.0);
        double sx = (double) w / scaledW;
        double sy = (double) h / scaledH;
        double fx = Math.max(1, sx);
        double fy = Math.max(1, sy);
        double[] out = new double[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double cy = (top + y + 0.5) * sy;
                double cx = (left + x + 0.5) * sx;
                double sum = 0;
                double weights = 0;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double wt = Math.max(0, 1 - Math.abs(i + 0.5 - cy) / fy)
                                    * Math.max(0, 1 - Math.abs(j + 0.5 - cx) / fx);
                        sum += wt * (src[i * w + j] & 0xff);
                        weights += wt;
                    }
                }
                out[y * size + x] = sum / weights;
            }
        }
        return out;
    }

    @Test
    void agreesWithThePlainReferenceDownAndUp() {
        int[][] cases = {{100, 75, 32}, {75, 100, 28}, {178, 218, 64}, {20, 13, 64}, {5, 5, 28}, {2, 3, 32},
                         {64, 100, 64}, {65, 64, 64}, {31, 33, 32}};
        for (int[] c : cases) {
            byte[] src = random(c[0], c[1], 31L * c[0] + c[1]);
            byte[] out = resize(src, c[0], c[1], c[2]);
            double[] ref = reference(src, c[0], c[1], c[2]);
            for (int p = 0; p < out.length; p++) {
                double diff = Math.abs((out[p] & 0xff) - ref[p]);
                assertTrue(diff <= 0.5 + 1e-9, c[0] + "x" + c[1] + " to " + c[2] + ", pixel " + p + ": " + (out[p] & 0xff)
                        + " for " + ref[p]);
            }
        }
    }

    @Test
    void theShorterSideIsScaledAndTheCentreCropped() {
        // Python's int(size * long / short), and round((side - size) / 2) with halves to even.
        assertEquals(new ResizeCrop.Geometry(64, 128, 0, 32), ResizeCrop.geometry(50, 100, 64));
        assertEquals(new ResizeCrop.Geometry(128, 64, 32, 0), ResizeCrop.geometry(100, 50, 64));
        assertEquals(new ResizeCrop.Geometry(64, 78, 0, 7), ResizeCrop.geometry(178, 218, 64));
        assertEquals(new ResizeCrop.Geometry(65, 64, 0, 0), ResizeCrop.geometry(65, 64, 64), "0.5 rounds to 0");
        assertEquals(new ResizeCrop.Geometry(67, 64, 2, 0), ResizeCrop.geometry(67, 64, 64), "1.5 rounds to 2");
        assertEquals(new ResizeCrop.Geometry(69, 64, 2, 0), ResizeCrop.geometry(69, 64, 64), "2.5 rounds to 2");
        assertEquals(new ResizeCrop.Geometry(42, 28, 7, 0), ResizeCrop.geometry(3, 2, 28));
        assertEquals(new ResizeCrop.Geometry(32, 32, 0, 0), ResizeCrop.geometry(7, 7, 32));
    }

    @Test
    void cropOffsetsTakeTheMiddleOfTheLongerSide() {
        // 64 high: no scaling, so the crop is the input's columns 2..65 of 67 (and rows 3..66 of 69) exactly.
        byte[] wide = random(67, 64, 1);
        byte[] out = resize(wide, 67, 64, 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(wide[y * 67 + x + 2], out[y * 64 + x]);
            }
        }
        byte[] tall = random(64, 71, 2);
        out = resize(tall, 64, 71, 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(tall[(y + 4) * 64 + x], out[y * 64 + x], "round(3.5) = 4");
            }
        }
    }

    @Test
    void enlargingInterpolatesBetweenNeighbours() {
        // 2x2 to 4x4: output 1 (centre 0.75 of the input) lies between input pixels 0 and 1 (centres 0.5 and
        // 1.5), a quarter of the way: 0.75 * a + 0.25 * b. The corners lie outside the centres and keep the corner.
        byte[] src = {0, 100, 100, (byte) 200};
        byte[] out = resize(src, 2, 2, 4);
        assertEquals(0, out[0] & 0xff);
        assertEquals(25, out[1] & 0xff);
        assertEquals(75, out[2] & 0xff);
        assertEquals(100, out[3] & 0xff);
        assertEquals(200, out[15] & 0xff);
        assertEquals(50, out[5] & 0xff, "0.75^2 * 0 + 2 * 0.75 * 0.25 * 100 + 0.25^2 * 200 = 50");
    }

    @Test
    void channelsAreMadeWhatIsAsked() {
        // A colour picture to one channel: ITU-R 601 luma, rounded; grey to three: the plane three times.
        // Pixels (255, 0, 0), (0, 255, 0), (10, 20, 30), (0, 0, 255), as three planes.
        byte[] rgb = {(byte) 255, 0, 10, 0, 0, (byte) 255, 20, 0, 0, 0, 30, (byte) 255};
        Picture colour = new Picture(2, 2, 3, rgb.clone());
        byte[] one = new byte[4];
        ResizeCrop.apply(colour, 2, 1, one, 0);
        // 255 * 0.299 = 76.2; 255 * 0.587 = 149.7; (10*299 + 20*587 + 30*114 + 500) / 1000 = 18; 255 * 0.114 = 29.1
        assertArrayEquals(new byte[] {76, (byte) 150, 18, 29}, one);
        byte[] three = new byte[12];
        ResizeCrop.apply(Picture.grey(2, 2, new byte[] {1, 2, 3, 4}), 2, 3, three, 0);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}, three);
        byte[] same = new byte[12];
        ResizeCrop.apply(colour, 2, 3, same, 0);
        assertArrayEquals(rgb, same);
    }
}
