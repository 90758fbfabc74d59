package dcgan.data;

import dcgan.random.CounterRng;

import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * An immutable in-memory set of 28x28 MNIST digits and their labels.
 *
 * <p>Pixels are kept as the original bytes (a quarter of the memory of floats) and converted to
 * {@code [0, 1]} floats on the way out. Every accessor returns a fresh copy so no caller can change
 * the data another caller sees.
 */
public final class MnistData {

    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int PIXELS = ROWS * COLS;

    private final byte[] pixels;
    private final byte[] labels;
    private final String source;

    /** Takes ownership of the arrays: callers in this package must not keep or change them. */
    MnistData(byte[] pixels, byte[] labels, String source) {
        if (pixels.length != (long) labels.length * PIXELS) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not make "
                    + labels.length + " images of " + ROWS + "x" + COLS);
        }
        this.pixels = pixels;
        this.labels = labels;
        this.source = source;
    }

    /**
     * Builds a dataset from raw arrays (e.g. synthetic data in tests); the arrays are copied.
     *
     * @param pixels {@code labels.length * PIXELS} unsigned bytes, image i at {@code i * PIXELS}
     * @param labels one digit 0..9 per image
     */
    public static MnistData of(byte[] pixels, byte[] labels, String source) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 9) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i]
                        + ", expected a digit 0..9");
            }
        }
        return new MnistData(pixels.clone(), labels.clone(), source);
    }

    public int count() {
        return labels.length;
    }

    /**
     * All images as {@code count() * PIXELS} values in {@code [0, 1]}, row-major, image i at offset
     * {@code i * PIXELS}. Builds a new array on every call, so fetch it once rather than per batch
     * (or use {@link #copyImage}).
     */
    public float[] images() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            out[i] = Byte.toUnsignedInt(pixels[i]) / 255f;
        }
        return out;
    }

    /** Writes image {@code index} as {@code PIXELS} values in {@code [0, 1]} into {@code dst}. */
    public void copyImage(int index, float[] dst, int offset) {
        if (index < 0 || index >= count()) {
            throw new IndexOutOfBoundsException("image " + index + " of " + count());
        }
        int from = index * PIXELS;
        for (int p = 0; p < PIXELS; p++) {
            dst[offset + p] = Byte.toUnsignedInt(pixels[from + p]) / 255f;
        }
    }

    /**
     * CRC-32C of the pixels in their current order, as 8 hex digits: a checkpoint records it so that a
     * resumed run can tell whether it sees the same images in the same (shuffled) order.
     */
    public String fingerprint() {
        CRC32C crc = new CRC32C();
        crc.update(pixels);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /** One digit 0..9 per image (a copy). */
    public byte[] labels() {
        return labels.clone();
    }

    /** Where the data came from, for logs, e.g. "4 MNIST files in ./mnist (70000 images)". */
    public String source() {
        return source;
    }

    /**
     * The images (and labels) shuffled once with {@code seed}, as a training run sees them: the same seed
     * gives the same order on every machine ({@link CounterRng#permutation}, stream
     * {@link CounterRng#STREAM_SHUFFLE}).
     */
    public MnistData shuffled(long seed) {
        return permuted(new CounterRng(seed).permutation(count(), CounterRng.STREAM_SHUFFLE));
    }

    /** A new dataset whose image (and label) k is this dataset's image {@code order[k]}. */
    public MnistData permuted(int[] order) {
        checkPermutation(order);
        byte[] newPixels = new byte[pixels.length];
        byte[] newLabels = new byte[labels.length];
        for (int k = 0; k < order.length; k++) {
            System.arraycopy(pixels, order[k] * PIXELS, newPixels, k * PIXELS, PIXELS);
            newLabels[k] = labels[order[k]];
        }
        return new MnistData(newPixels, newLabels, source);
    }

    /** The first {@code n} images, e.g. for a quick smoke run. */
    public MnistData firstN(int n) {
        if (n < 0 || n > count()) {
            throw new IllegalArgumentException("cannot take the first " + n + " of "
                    + count() + " images");
        }
        return new MnistData(Arrays.copyOf(pixels, n * PIXELS), Arrays.copyOf(labels, n),
                source + ", first " + n);
    }

    private void checkPermutation(int[] order) {
        if (order.length != count()) {
            throw new IllegalArgumentException("order has " + order.length
                    + " entries, expected " + count() + " (one per image)");
        }
        boolean[] seen = new boolean[order.length];
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            if (i < 0 || i >= order.length) {
                throw new IllegalArgumentException("order[" + k + "] = " + i
                        + " is outside 0.." + (order.length - 1));
            }
            if (seen[i]) {
                throw new IllegalArgumentException("order[" + k + "] = " + i
                        + " repeats an earlier entry, so order is not a permutation");
            }
            seen[i] = true;
        }
    }

    @Override
    public String toString() {
        return "MnistData[" + count() + " images from " + source + "]";
    }
}
