package dcgan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PngGridTest {

    private static final int H = 28;
    private static final int W = 28;
    private static final int N = 10;
    private static final int COLS = 4;
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    /** Image k is constant k/10 except its first row, a horizontal gradient x/(W-1). */
    private static float[] patterns(int offset) {
        float[] images = new float[offset + N * H * W];
        Arrays.fill(images, -3f); // padding before offset must never be read
        for (int k = 0; k < N; k++) {
            int base = offset + k * H * W;
            Arrays.fill(images, base, base + H * W, k / 10f);
            for (int x = 0; x < W; x++) {
                images[base + x] = x / (float) (W - 1);
            }
        }
        return images;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void gridLayoutTilesAndBorders(int scale) throws IOException {
        Path file = dir.resolve("sub/grid.png");
        PngGrid.write(file, patterns(5), 5, N, H, W, COLS, scale);

        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length));
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
        int rows = 3;
        int tileW = W * scale;
        int tileH = H * scale;
        assertEquals(COLS * (tileW + 2) + 2, image.getWidth());
        assertEquals(rows * (tileH + 2) + 2, image.getHeight());

        Raster r = image.getRaster();
        for (int k = 0; k < N; k++) {
            int left = 2 + (k % COLS) * (tileW + 2);
            int top = 2 + (k / COLS) * (tileH + 2);
            int expected = Math.round(255 * (k / 10f));
            assertEquals(expected, r.getSample(left, top + tileH - 1, 0), "tile " + k + " bottom-left");
            assertEquals(expected, r.getSample(left + tileW - 1, top + scale, 0), "tile " + k + " second row");
            for (int x = 0; x < tileW; x++) {
                int gradient = Math.round(255 * ((x / scale) / (float) (W - 1)));
                for (int dy = 0; dy < scale; dy++) {
                    assertEquals(gradient, r.getSample(left + x, top + dy, 0), "tile " + k + " gradient x=" + x);
                }
            }
            // The gap pixels just outside each tile.
            assertEquals(128, r.getSample(left - 1, top, 0));
            assertEquals(128, r.getSample(left + tileW, top + tileH - 1, 0));
            assertEquals(128, r.getSample(left, top - 1, 0));
            assertEquals(128, r.getSample(left, top + tileH, 0));
        }
        for (int x = 0; x < image.getWidth(); x++) {
            for (int b = 0; b < 2; b++) {
                assertEquals(128, r.getSample(x, b, 0));
                assertEquals(128, r.getSample(x, image.getHeight() - 1 - b, 0));
            }
        }
        for (int y = 0; y < image.getHeight(); y++) {
            for (int b = 0; b < 2; b++) {
                assertEquals(128, r.getSample(b, y, 0));
                assertEquals(128, r.getSample(image.getWidth() - 1 - b, y, 0));
            }
        }
        // Cells 10 and 11 of the last row are empty and stay gap-gray.
        assertEquals(128, r.getSample(2 + 3 * (tileW + 2) + tileW / 2, 2 + 2 * (tileH + 2) + tileH / 2, 0));
    }

    @Test
    void clampsOutOfRangeAndNaN() throws IOException {
        float[] pixels = {-0.5f, 0f, 0.5f, 1f, 1.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(
                PngGrid.encode(pixels, 0, 1, 1, pixels.length, 1)));
        int[] expected = {0, 0, 128, 255, 255, 0, 255, 0};
        for (int x = 0; x < expected.length; x++) {
            assertEquals(expected[x], image.getRaster().getSample(2 + x, 2, 0), "pixel " + x);
        }
    }

    @Test
    void encodeMatchesWrittenFile() throws IOException {
        float[] images = patterns(0);
        Path file = dir.resolve("g.png");
        PngGrid.write(file, images, 0, N, H, W, COLS);
        assertArrayEquals(PngGrid.encode(images, 0, N, H, W, COLS), Files.readAllBytes(file));
    }

    @Test
    void rejectsBadArgumentsWithoutWriting() {
        float[] images = new float[2 * H * W];
        Path file = dir.resolve("bad.png");
        assertMessage("count", () -> PngGrid.write(file, images, 0, 0, H, W, 4));
        assertMessage("columns", () -> PngGrid.write(file, images, 0, 2, H, W, 0));
        assertMessage("scale", () -> PngGrid.write(file, images, 0, 2, H, W, 4, 0));
        assertMessage("offset", () -> PngGrid.write(file, images, -1, 2, H, W, 4));
        assertMessage("too short", () -> PngGrid.write(file, images, 1, 2, H, W, 4));
        assertMessage("too short", () -> PngGrid.write(file, images, 0, 3, H, W, 4));
        assertMessage("too short", () -> PngGrid.encode(images, 0, Integer.MAX_VALUE, 65536, 65536, 4));
        assertMessage("too large", () -> PngGrid.encode(new float[1], 0, 1, 1, 1, 1, 1 << 20));
        assertMessage("null", () -> PngGrid.encode(null, 0, 1, 1, 1, 1));
        assertFalse(Files.exists(file));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
