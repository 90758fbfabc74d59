package dcgan.train;

import dcgan.io.EventFileReader;
import dcgan.io.PngGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunLogTest {

    /** Red, green, blue, white and a dark orange, as [C, H, W] colours. */
    private static final float[][] COLOURS = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {0.6f, 0.3f, 0.1f}};
    private static final int SIZE = 3;
    private static final int COLUMNS = 2;

    @TempDir
    Path dir;

    @Test
    void aColourGridIsAnRgbImageSummaryWhosePngHoldsItsColours() throws IOException {
        int count = COLOURS.length;
        float[] images = new float[count * 3 * SIZE * SIZE];
        for (int k = 0; k < count; k++) {
            for (int c = 0; c < 3; c++) {
                java.util.Arrays.fill(images, (k * 3 + c) * SIZE * SIZE, (k * 3 + c + 1) * SIZE * SIZE, COLOURS[k][c]);
            }
        }
        byte[] png = PngGrid.encode(images, 0, count, 3, SIZE, SIZE, COLUMNS, 2);
        int height = PngGrid.gridHeight(count, SIZE, COLUMNS, 2);
        int width = PngGrid.gridWidth(SIZE, COLUMNS, 2);

        Map<Integer, List<Object>> image = writeAndReadImageSummary(png, 3, height, width);

        assertEquals(3L, image.get(3).get(0), "Summary.Image.colorspace: RGB");
        assertEquals((long) height, image.get(1).get(0));
        assertEquals((long) width, image.get(2).get(0));
        byte[] stored = (byte[]) image.get(4).get(0);
        assertArrayEquals(png, stored);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(stored));
        assertEquals(width, decoded.getWidth());
        assertEquals(height, decoded.getHeight());
        int cell = SIZE * 2 + 2;
        for (int k = 0; k < count; k++) {
            // The middle of tile k.
            int rgb = decoded.getRGB(2 + (k % COLUMNS) * cell + SIZE, 2 + (k / COLUMNS) * cell + SIZE);
            int[] expected = new int[3];
            for (int c = 0; c < 3; c++) {
                expected[c] = Math.round(COLOURS[k][c] * 255);
            }
            assertArrayEquals(expected, new int[] {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255}, "tile " + k);
        }
    }

    @Test
    void aGreyGridIsAGreyscaleImageSummary() throws IOException {
        float[] images = {0f, 0.5f, 1f, 0.25f};
        byte[] png = PngGrid.encode(images, 0, 1, 1, 2, 2, 1, 1);
        Map<Integer, List<Object>> image = writeAndReadImageSummary(png, 1, 6, 6);
        assertEquals(1L, image.get(3).get(0), "Summary.Image.colorspace: grayscale");
        assertArrayEquals(png, (byte[]) image.get(4).get(0));
    }

    @Test
    void otherChannelCountsAreRefused() throws IOException {
        try (RunLog log = RunLog.open(dir, 1)) {
            for (int channels : new int[] {0, 2, 4}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> log.image(1, new byte[8], channels, 6, 6));
                assertTrue(e.getMessage().contains("1 or 3") && e.getMessage().contains(String.valueOf(channels)),
                        e.getMessage());
            }
        }
    }

    /** Logs one image with RunLog and returns the fields of the {@code Summary.Image} read back from the file. */
    private Map<Integer, List<Object>> writeAndReadImageSummary(byte[] png, int channels, int height, int width)
            throws IOException {
        Path file;
        try (RunLog log = RunLog.open(dir, 1)) {
            file = log.eventFile();
            log.image(42, png, channels, height, width);
        }
        List<byte[]> records = EventFileReader.records(file);
        Map<Integer, List<Object>> found = null;
        for (byte[] record : records) {
            Map<Integer, List<Object>> event = EventFileReader.fields(record);
            if (!event.containsKey(5)) {
                continue;
            }
            Map<Integer, List<Object>> value = EventFileReader.fields(
                    (byte[]) EventFileReader.fields((byte[]) event.get(5).get(0)).get(1).get(0));
            if (value.containsKey(4)) {
                assertEquals(42L, event.get(2).get(0), "step");
                assertEquals(RunLog.IMAGE_TAG, new String((byte[]) value.get(1).get(0), StandardCharsets.UTF_8));
                assertEquals(null, found, "one image summary");
                found = EventFileReader.fields((byte[]) value.get(4).get(0));
            }
        }
        assertTrue(found != null, "an image summary in " + records.size() + " records");
        return found;
    }
}
