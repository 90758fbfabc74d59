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
import org.junit.jupiter.params.provider.CsvSource;
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
        PngGrid.write(file, patterns(5), 5, N, 1, H, W, COLS, scale);

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
                PngGrid.encode(pixels, 0, 1, 1, 1, pixels.length, 1, 1)));
        int[] expected = {0, 0, 128, 255, 255, 0, 255, 0};
        for (int x = 0; x < expected.length; x++) {
            assertEquals(expected[x], image.getRaster().getSample(2 + x, 2, 0), "pixel " + x);
        }
    }

    @Test
    void encodeMatchesWrittenFile() throws IOException {
        float[] images = patterns(0);
        Path file = dir.resolve("g.png");
        PngGrid.write(file, images, 0, N, 1, H, W, COLS, 1);
        assertArrayEquals(PngGrid.encode(images, 0, N, 1, H, W, COLS, 1), Files.readAllBytes(file));
    }

    @Test
    void rejectsBadArgumentsWithoutWriting() {
        float[] images = new float[2 * H * W];
        Path file = dir.resolve("bad.png");
        assertMessage("count", () -> PngGrid.write(file, images, 0, 0, 1, H, W, 4, 1));
        assertMessage("columns", () -> PngGrid.write(file, images, 0, 2, 1, H, W, 0, 1));
        assertMessage("scale", () -> PngGrid.write(file, images, 0, 2, 1, H, W, 4, 0));
        assertMessage("offset", () -> PngGrid.write(file, images, -1, 2, 1, H, W, 4, 1));
        assertMessage("too short", () -> PngGrid.write(file, images, 1, 2, 1, H, W, 4, 1));
        assertMessage("too short", () -> PngGrid.write(file, images, 0, 3, 1, H, W, 4, 1));
        assertMessage("too short", () -> PngGrid.encode(images, 0, Integer.MAX_VALUE, 1, 65536, 65536, 4, 1));
        assertMessage("too large", () -> PngGrid.encode(new float[1], 0, 1, 1, 1, 1, 1, 1 << 20));
        assertMessage("null", () -> PngGrid.encode(null, 0, 1, 1, 1, 1, 1, 1));
        assertMessage("channels", () -> PngGrid.write(file, images, 0, 1, 0, H, W, 4, 1));
        assertMessage("channels", () -> PngGrid.write(file, images, 0, 1, 2, H, W, 4, 1));
        assertMessage("channels", () -> PngGrid.write(file, images, 0, 1, 4, H, W, 4, 1));
        // Two grey images fit the array, two colour ones do not.
        assertMessage("too short", () -> PngGrid.write(file, images, 0, 2, 3, H, W, 4, 1));
        // 30,002 x 30,002 pixels fit an int, their three bytes each do not.
        assertMessage("too large", () -> PngGrid.encode(new float[3], 0, 1, 3, 1, 1, 1, 30_000));
        assertFalse(Files.exists(file));
    }

    /** Image k, channel c, pixel (y, x): a value that differs between images, channels, rows and columns. */
    private static float colourValue(int k, int c, int y, int x) {
        return ((k * 31 + c * 71 + y * 13 + x * 7) % 256) / 255f;
    }

    private static float[] colourImages(int offset, int count, int size) {
        float[] images = new float[offset + count * 3 * size * size];
        Arrays.fill(images, -3f); // padding before offset must never be read
        for (int k = 0; k < count; k++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        images[offset + ((k * 3 + c) * size + y) * size + x] = colourValue(k, c, y, x);
                    }
                }
            }
        }
        return images;
    }

    @ParameterizedTest
    @CsvSource({"7, 1", "7, 3", "32, 2", "64, 1"})
    void colourGridHoldsEveryChannelOfEveryPixel(int size, int scale) throws IOException {
        int count = 5;
        int columns = 3;
        Path file = dir.resolve("colour.png");
        PngGrid.write(file, colourImages(4, count, size), 4, count, 3, size, size, columns, scale);

        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, PNG_SIGNATURE.length));
        assertEquals(8, bytes[24], "bit depth");
        assertEquals(2, bytes[25], "PNG colour type 2: RGB");
        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(3, image.getColorModel().getNumColorComponents());
        int cell = size * scale + 2;
        assertEquals(columns * cell + 2, image.getWidth());
        assertEquals(2 * cell + 2, image.getHeight());
        assertEquals(image.getWidth(), PngGrid.gridWidth(size, columns, scale));
        assertEquals(image.getHeight(), PngGrid.gridHeight(count, size, columns, scale));

        for (int gy = 0; gy < image.getHeight(); gy++) {
            for (int gx = 0; gx < image.getWidth(); gx++) {
                int rgb = image.getRGB(gx, gy);
                int[] actual = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
                // Where (gx, gy) falls: a gap, or pixel (y, x) of tile k.
                int col = (gx - 2) / cell;
                int row = (gy - 2) / cell;
                int inX = (gx - 2) % cell;
                int inY = (gy - 2) % cell;
                int k = row * columns + col;
                boolean inTile = gx >= 2 && gy >= 2 && inX < size * scale && inY < size * scale && col < columns
                        && k < count;
                for (int c = 0; c < 3; c++) {
                    int expected = inTile ? Math.round(255 * colourValue(k, c, inY / scale, inX / scale)) : 128;
                    assertEquals(expected, actual[c], "channel " + c + " at (" + gx + ", " + gy + ")");
                }
            }
        }
    }

    @Test
    void colourClampsAndRoundsEachChannelLikeGrey() throws IOException {
        float[] values = {-0.5f, 0f, 0.5f, 1f, 1.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int[] expected = {0, 0, 128, 255, 255, 0, 255, 0};
        int n = values.length;
        float[] image = new float[3 * n]; // one image of 1 x n pixels; each channel reads the values shifted
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < n; x++) {
                image[c * n + x] = values[(x + c) % n];
            }
        }
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(PngGrid.encode(image, 0, 1, 3, 1, n, 1, 1)));
        for (int x = 0; x < n; x++) {
            int rgb = decoded.getRGB(2 + x, 2);
            assertEquals(expected[x % n], (rgb >> 16) & 255, "red " + x);
            assertEquals(expected[(x + 1) % n], (rgb >> 8) & 255, "green " + x);
            assertEquals(expected[(x + 2) % n], rgb & 255, "blue " + x);
        }
    }

    @ParameterizedTest
    @CsvSource({"28, 10, 4, 2", "28, 64, 8, 2", "28, 3, 4, 1", "5, 7, 3, 3"})
    void greyBytesAreThoseOfTheGreyOnlyEncoder(int size, int count, int columns, int scale) throws IOException {
        float[] images = new float[count * size * size];
        for (int i = 0; i < images.length; i++) {
            images[i] = ((i * 37) % 301) / 280f - 0.03f; // every grey level, and some beyond [0, 1]
        }
        images[5] = Float.NaN;
        byte[] png = PngGrid.encode(images, 0, count, 1, size, size, columns, scale);
        assertArrayEquals(GreyOnlyEncoder.encode(images, count, size, columns, scale), png);
        assertEquals(0, png[25], "PNG colour type 0: grey");
    }

    /**
     * The grid encoder as it was before it took colour (grey only), kept here as the reference that grey
     * grids must still match byte for byte.
     */
    private static final class GreyOnlyEncoder {
        static byte[] encode(float[] images, int count, int size, int columns, int scale) throws IOException {
            int rows = (count + columns - 1) / columns;
            int tile = size * scale;
            int gridW = columns * (tile + 2) + 2;
            int gridH = rows * (tile + 2) + 2;
            BufferedImage image = new BufferedImage(gridW, gridH, BufferedImage.TYPE_BYTE_GRAY);
            byte[] pixels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
            Arrays.fill(pixels, (byte) 128);
            for (int k = 0; k < count; k++) {
                int left = 2 + (k % columns) * (tile + 2);
                int top = 2 + (k / columns) * (tile + 2);
                for (int y = 0; y < tile; y++) {
                    for (int x = 0; x < tile; x++) {
                        float v = images[k * size * size + (y / scale) * size + x / scale];
                        int grey = !(v > 0f) ? 0 : v >= 1f ? 255 : Math.round(v * 255f);
                        pixels[(top + y) * gridW + left + x] = (byte) grey;
                    }
                }
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (javax.imageio.stream.ImageOutputStream out =
                         new javax.imageio.stream.MemoryCacheImageOutputStream(bytes)) {
                assertTrue(ImageIO.write(image, "png", out));
            }
            return bytes.toByteArray();
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
