package dcgan.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The at most 256 colours of one GIF frame of an RGB picture, chosen for that picture, and the entry that
 * each of its pixels takes.
 *
 * <p>The pixels are first counted in a histogram of 32 x 32 x 32 cells (the top 5 bits of each channel), each
 * cell keeping its number of pixels and the sum of their colours. The cells are then divided into boxes, one
 * cut at a time: the box whose cells spread most (the largest sum of squared distances of their pixels from
 * the box's mean) is cut in two across one channel, between two of its 32 levels of 5 bits, choosing the
 * channel and the place that leave the two halves the least spread, until there are 256 boxes or no box
 * holds two cells. An entry is the mean colour of a box's pixels; the pixels of a cell all take the entry
 * nearest to the cell's mean colour. So the colours that cover the most pixels and differ most get entries of
 * their own, and a picture whose colours fall in at most 256 cells, one colour to a cell, keeps every colour
 * exactly. No dithering: the frames stay as sharp as the grids, and they compress better.
 *
 * <p>The work is a pass over the pixels, a few hundred passes over at most 32,768 cells and a search for
 * each cell's entry, so a frame of a million pixels takes a few tens of milliseconds; the same pixels always
 * give the same palette.
 */
final class ColourPalette {

    static final int MAX_COLOURS = 256;
    private static final int BITS = 5;
    private static final int CELLS = 1 << (3 * BITS);

    /** Red, green and blue of each of the {@value #MAX_COLOURS} entries; the unused ones stay black. */
    private final byte[] table;
    private final int size;
    /** The entry of each histogram cell that holds pixels. */
    private final byte[] entryOfCell;

    private ColourPalette(byte[] table, int size, byte[] entryOfCell) {
        this.table = table;
        this.size = size;
        this.entryOfCell = entryOfCell;
    }

    /** The palette of the pixels {@code bgr}: blue, green and red bytes of each pixel in turn (TYPE_3BYTE_BGR). */
    static ColourPalette of(byte[] bgr) {
        if (bgr.length % 3 != 0) {
            throw new IllegalArgumentException(bgr.length + " bytes are not whole pixels of blue, green and red");
        }
        int[] count = new int[CELLS];
        long[] sum = new long[3 * CELLS]; // red, green, blue sums of each cell
        for (int i = 0; i < bgr.length; i += 3) {
            int b = bgr[i] & 255;
            int g = bgr[i + 1] & 255;
            int r = bgr[i + 2] & 255;
            int cell = cell(r, g, b);
            count[cell]++;
            sum[3 * cell] += r;
            sum[3 * cell + 1] += g;
            sum[3 * cell + 2] += b;
        }
        Cells cells = new Cells(count, sum);

        List<Box> boxes = new ArrayList<>();
        if (cells.n > 0) {
            boxes.add(cells.box(0, cells.n));
        }
        while (boxes.size() < MAX_COLOURS) {
            Box widest = null;
            for (Box box : boxes) {
                if (box.to - box.from > 1 && (widest == null || box.spread > widest.spread)) {
                    widest = box;
                }
            }
            if (widest == null) {
                break; // every box is a single cell
            }
            int at = cells.bestCut(widest);
            boxes.set(boxes.indexOf(widest), cells.box(widest.from, at));
            boxes.add(cells.box(at, widest.to));
        }

        int size = boxes.size();
        byte[] table = new byte[3 * MAX_COLOURS];
        for (int e = 0; e < size; e++) {
            Box box = boxes.get(e);
            for (int c = 0; c < 3; c++) {
                table[3 * e + c] = (byte) Math.min(255, Math.round(box.sum[c] / box.pixels));
            }
        }
        // Each cell's pixels take the entry nearest to the cell's mean colour; the search starts at its box's.
        Nearest nearest = new Nearest(table, size);
        byte[] entryOfCell = new byte[CELLS];
        for (int e = 0; e < size; e++) {
            Box box = boxes.get(e);
            for (int i = box.from; i < box.to; i++) {
                int cell = cells.order[i];
                int r = (int) Math.round(cells.mean[3 * cell]);
                int g = (int) Math.round(cells.mean[3 * cell + 1]);
                int b = (int) Math.round(cells.mean[3 * cell + 2]);
                entryOfCell[cell] = (byte) nearest.find(r, g, b, e);
            }
        }
        return new ColourPalette(table, Math.max(1, size), entryOfCell);
    }

    /** Red, green and blue of every entry, {@value #MAX_COLOURS} entries in all (a GIF's colour table). */
    byte[] colourTable() {
        return table.clone();
    }

    /** The number of entries in use, 1 to {@value #MAX_COLOURS}; the others are black. */
    int size() {
        return size;
    }

    /** Each pixel's entry, for pixels in the order of {@code bgr} (the pixels the palette was made for). */
    byte[] entries(byte[] bgr) {
        byte[] entries = new byte[bgr.length / 3];
        for (int i = 0, p = 0; p < entries.length; i += 3, p++) {
            entries[p] = entryOfCell[cell(bgr[i + 2] & 255, bgr[i + 1] & 255, bgr[i] & 255)];
        }
        return entries;
    }

    private static int cell(int r, int g, int b) {
        int shift = 8 - BITS;
        return (r >> shift) << (2 * BITS) | (g >> shift) << BITS | (b >> shift);
    }

    /**
     * The entry nearest to a colour (least squared distance in RGB), found among the entries in order of red
     * from the colour's red outwards, stopping each way where red alone is farther than the best so far.
     */
    private static final class Nearest {
        private final int[] entry; // entry indices by red, then by index
        private final int[] red;
        private final int[] green;
        private final int[] blue;
        private final int[] colour; // of each entry, by index: red, green, blue

        Nearest(byte[] table, int size) {
            long[] keys = new long[size];
            for (int e = 0; e < size; e++) {
                keys[e] = (long) (table[3 * e] & 255) << 16 | e;
            }
            Arrays.sort(keys);
            entry = new int[size];
            red = new int[size];
            green = new int[size];
            blue = new int[size];
            colour = new int[3 * size];
            for (int e = 0; e < size; e++) {
                for (int c = 0; c < 3; c++) {
                    colour[3 * e + c] = table[3 * e + c] & 255;
                }
            }
            for (int i = 0; i < size; i++) {
                int e = (int) (keys[i] & 0xffff);
                entry[i] = e;
                red[i] = colour[3 * e];
                green[i] = colour[3 * e + 1];
                blue[i] = colour[3 * e + 2];
            }
        }

        /** The entry nearest to (r, g, b); {@code guess}, an entry, starts the search. */
        int find(int r, int g, int b, int guess) {
            int best = guess;
            int dr0 = colour[3 * guess] - r;
            int dg0 = colour[3 * guess + 1] - g;
            int db0 = colour[3 * guess + 2] - b;
            int bestDistance = dr0 * dr0 + dg0 * dg0 + db0 * db0;
            int start = 0;
            while (start < red.length && red[start] < r) {
                start++;
            }
            for (int i = start; i < red.length; i++) {
                int dr = red[i] - r;
                if (dr * dr >= bestDistance) {
                    break;
                }
                int dg = green[i] - g;
                int db = blue[i] - b;
                int distance = dr * dr + dg * dg + db * db;
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = entry[i];
                }
            }
            for (int i = start - 1; i >= 0; i--) {
                int dr = r - red[i];
                if (dr * dr >= bestDistance) {
                    break;
                }
                int dg = green[i] - g;
                int db = blue[i] - b;
                int distance = dr * dr + dg * dg + db * db;
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = entry[i];
                }
            }
            return best;
        }
    }

    /** A run {@code [from, to)} of the cells in their current order, its pixels, colour sums and spread. */
    private record Box(int from, int to, double pixels, double[] sum, double spread) {
    }

    /** The cells that hold pixels, in an order that keeps every box's cells together. */
    private static final class Cells {
        private static final int SLABS = 1 << BITS;

        final int n;
        final int[] order;     // cell indices; each box is a run of them
        final double[] count;  // by cell index
        final double[] sum;    // by cell index: red, green, blue sums
        final double[] mean;   // by cell index: red, green, blue means
        final double[] squares; // by cell index: count * |mean|^2, the cell's part of a box's sum of squares

        Cells(int[] counts, long[] sums) {
            int occupied = 0;
            for (int c : counts) {
                occupied += c > 0 ? 1 : 0;
            }
            n = occupied;
            order = new int[n];
            count = new double[CELLS];
            sum = new double[3 * CELLS];
            mean = new double[3 * CELLS];
            squares = new double[CELLS];
            for (int cell = 0, i = 0; cell < CELLS; cell++) {
                if (counts[cell] > 0) {
                    order[i++] = cell;
                    count[cell] = counts[cell];
                    for (int c = 0; c < 3; c++) {
                        sum[3 * cell + c] = sums[3 * cell + c];
                        mean[3 * cell + c] = sums[3 * cell + c] / (double) counts[cell];
                        squares[cell] += sum[3 * cell + c] * mean[3 * cell + c];
                    }
                }
            }
        }

        /**
         * The box of the cells {@code order[from..to)}. Its spread, the sum over its cells of
         * count * |cell mean - box mean|^2, is {@code sum(count * |mean|^2) - |sum|^2 / pixels}.
         */
        Box box(int from, int to) {
            double pixels = 0;
            double[] s = new double[3];
            double sumOfSquares = 0;
            for (int i = from; i < to; i++) {
                int cell = order[i];
                pixels += count[cell];
                sumOfSquares += squares[cell];
                for (int c = 0; c < 3; c++) {
                    s[c] += sum[3 * cell + c];
                }
            }
            double spread = sumOfSquares - (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]) / pixels;
            return new Box(from, to, pixels, s, Math.max(0, spread));
        }

        /**
         * Divides the box (of two cells or more) in two across one channel, between two of the 32 slabs of
         * cells that the channel's 5 bits make: of all such cuts, the one that leaves the two halves the
         * least spread. Reorders the box's cells so that the first half comes first, and returns the index
         * where the second half starts.
         */
        int bestCut(Box box) {
            int bestChannel = -1;
            int bestSlab = -1;
            double bestKept = -1;
            for (int channel = 0; channel < 3; channel++) {
                int shift = (2 - channel) * BITS; // red is the cell index's top 5 bits
                double[] slabPixels = new double[SLABS];
                double[] slabSums = new double[3 * SLABS];
                for (int i = box.from; i < box.to; i++) {
                    int cell = order[i];
                    int slab = (cell >> shift) & (SLABS - 1);
                    slabPixels[slab] += count[cell];
                    for (int c = 0; c < 3; c++) {
                        slabSums[3 * slab + c] += sum[3 * cell + c];
                    }
                }
                // The two halves' spreads add up to the box's sum of squares less, for each half, |sum|^2 /
                // pixels: the cut that leaves the most of the latter is the best.
                double pixels = 0;
                double[] s = new double[3];
                for (int slab = 0; slab < SLABS - 1; slab++) {
                    pixels += slabPixels[slab];
                    for (int c = 0; c < 3; c++) {
                        s[c] += slabSums[3 * slab + c];
                    }
                    double rightPixels = box.pixels - pixels;
                    if (slabPixels[slab] == 0 || pixels == 0 || rightPixels <= 0) {
                        continue; // the same cut as the slab before, or one with an empty half
                    }
                    double kept = (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]) / pixels;
                    for (int c = 0; c < 3; c++) {
                        double right = box.sum[c] - s[c];
                        kept += right * right / rightPixels;
                    }
                    if (kept > bestKept) {
                        bestKept = kept;
                        bestChannel = channel;
                        bestSlab = slab;
                    }
                }
            }
            // Cells of the first half first, each half in its earlier order.
            int shift = (2 - bestChannel) * BITS;
            int[] second = new int[box.to - box.from];
            int first = box.from;
            int seconds = 0;
            for (int i = box.from; i < box.to; i++) {
                int cell = order[i];
                if (((cell >> shift) & (SLABS - 1)) <= bestSlab) {
                    order[first++] = cell;
                } else {
                    second[seconds++] = cell;
                }
            }
            System.arraycopy(second, 0, order, first, seconds);
            return first;
        }
    }
}
