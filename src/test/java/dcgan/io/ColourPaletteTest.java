package dcgan.io;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColourPaletteTest {

    /** Pixels as ColourPalette takes them: blue, green, red. */
    private static void put(byte[] bgr, int pixel, int r, int g, int b) {
        bgr[3 * pixel] = (byte) b;
        bgr[3 * pixel + 1] = (byte) g;
        bgr[3 * pixel + 2] = (byte) r;
    }

    /** The colour, as {@code 0xRRGGBB}, that the palette gives pixel {@code p}. */
    private static int shown(ColourPalette palette, byte[] entries, int p) {
        byte[] table = palette.colourTable();
        int e = entries[p] & 255;
        assertTrue(e < palette.size(), "entry " + e + " of " + palette.size());
        return (table[3 * e] & 255) << 16 | (table[3 * e + 1] & 255) << 8 | (table[3 * e + 2] & 255);
    }

    @Test
    void keeps256ColoursExactly() {
        // 8 x 8 x 4 colours, each in a histogram cell of its own, in uneven numbers, in a shuffled order.
        Random random = new Random(1);
        int[] colours = new int[256];
        for (int i = 0; i < 256; i++) {
            colours[i] = ((i % 8) * 32 + 5) << 16 | (((i / 8) % 8) * 32 + 9) << 8 | ((i / 64) * 64 + 3);
        }
        int pixels = 20_000;
        byte[] bgr = new byte[3 * pixels];
        int[] expected = new int[pixels];
        for (int p = 0; p < pixels; p++) {
            int c = p < 256 ? colours[p] : colours[(int) Math.abs(random.nextGaussian() * 60) % 256];
            expected[p] = c;
            put(bgr, p, c >> 16, (c >> 8) & 255, c & 255);
        }
        ColourPalette palette = ColourPalette.of(bgr);
        assertEquals(256, palette.size());
        byte[] entries = palette.entries(bgr);
        for (int p = 0; p < pixels; p++) {
            assertEquals(expected[p], shown(palette, entries, p), "pixel " + p);
        }
    }

    @Test
    void fewColoursTakeAsManyEntries() {
        byte[] bgr = new byte[3 * 6];
        int[] colours = {0xff0000, 0x00ff00, 0x0000ff, 0xff0000, 0x808080, 0x00ff00};
        for (int p = 0; p < colours.length; p++) {
            put(bgr, p, colours[p] >> 16, (colours[p] >> 8) & 255, colours[p] & 255);
        }
        ColourPalette palette = ColourPalette.of(bgr);
        assertEquals(4, palette.size());
        byte[] table = palette.colourTable();
        assertEquals(3 * ColourPalette.MAX_COLOURS, table.length, "a whole GIF colour table");
        for (int i = 3 * 4; i < table.length; i++) {
            assertEquals(0, table[i], "unused entries are black");
        }
        byte[] entries = palette.entries(bgr);
        for (int p = 0; p < colours.length; p++) {
            assertEquals(colours[p], shown(palette, entries, p));
        }
    }

    @Test
    void clustersOfColoursEachGetEntriesNearThem() {
        // 12 colours, each spread by noise of about 6 levels, and 1% of pixels anywhere: tens of thousands of
        // colours. Every pixel of a cluster must be shown close to its colour, however rare the cluster (a
        // cluster without an entry of its own would be shown as another, tens of levels away).
        Random random = new Random(7);
        int[][] centres = new int[12][3];
        for (int[] centre : centres) {
            for (int c = 0; c < 3; c++) {
                centre[c] = 20 + random.nextInt(216);
            }
        }
        int pixels = 200_000;
        byte[] bgr = new byte[3 * pixels];
        int[][] colour = new int[pixels][3];
        boolean[] inCluster = new boolean[pixels];
        for (int p = 0; p < pixels; p++) {
            // Cluster k holds a share of the pixels proportional to 2^-k: the last one 1 in 4,000.
            int k = Math.min(11, Integer.numberOfTrailingZeros(random.nextInt() | 1 << 11));
            inCluster[p] = random.nextInt(100) != 0;
            for (int c = 0; c < 3; c++) {
                colour[p][c] = inCluster[p]
                        ? Math.max(0, Math.min(255, centres[k][c] + (int) Math.round(random.nextGaussian() * 6)))
                        : random.nextInt(256);
            }
            put(bgr, p, colour[p][0], colour[p][1], colour[p][2]);
        }
        ColourPalette palette = ColourPalette.of(bgr);
        assertEquals(256, palette.size());
        byte[] entries = palette.entries(bgr);
        long error = 0;
        int worstInCluster = 0;
        for (int p = 0; p < pixels; p++) {
            int shown = shown(palette, entries, p);
            for (int c = 0; c < 3; c++) {
                int e = Math.abs(colour[p][c] - ((shown >> (16 - 8 * c)) & 255));
                error += e;
                if (inCluster[p]) {
                    worstInCluster = Math.max(worstInCluster, e);
                }
            }
        }
        double meanError = error / (3.0 * pixels);
        assertTrue(meanError < 4, "mean error " + meanError);
        assertTrue(worstInCluster <= 30, "largest error in a cluster " + worstInCluster);
    }

    @Test
    void theSamePixelsGiveTheSamePalette() {
        Random random = new Random(3);
        byte[] bgr = new byte[3 * 50_000];
        random.nextBytes(bgr);
        ColourPalette a = ColourPalette.of(bgr);
        ColourPalette b = ColourPalette.of(bgr.clone());
        assertArrayEquals(a.colourTable(), b.colourTable());
        assertArrayEquals(a.entries(bgr), b.entries(bgr));
    }

    @Test
    void bytesThatAreNotWholePixelsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ColourPalette.of(new byte[7]));
        assertTrue(e.getMessage().contains("7 bytes"), e.getMessage());
    }
}
