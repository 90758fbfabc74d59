package dcgan.data;

import dcgan.random.CounterRng;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * An immutable in-memory set of square images, {@code channels x size x size} each, with a class label per
 * image or none.
 *
 * <p>Pixels are kept as the original unsigned bytes, image after image, each image channel after channel
 * ({@code [N, C, S, S]}, PyTorch's layout): a quarter of the memory of floats, which is what lets 200,000
 * colour images of 64x64 fit in a few GB. They are held in chunks of whole images ({@link Pixels}), since one Java
 * array holds at most 2 GiB and such a set takes 2.5 GB. They become floats only a batch at a time, on the way to the model
 * ({@link #copyImages}). Accessors return copies, so no caller can change what another caller sees.
 */
public final class ImageSet {

    private final Pixels pixels;
    private final int count;
    private final int channels;
    private final int size;
    private final int[] labels;        // one class index per image, or null: unlabelled
    private final List<String> classes; // the name of each class index; empty when unlabelled
    private final String source;

    /** Takes ownership of the arrays: callers in this package must not keep or change them. */
    ImageSet(byte[] pixels, int channels, int size, int[] labels, List<String> classes, String source) {
        this(wrap(pixels, channels, size), channels, size, labels, classes, source);
    }

    /** Takes ownership of the pixels and labels: callers in this package must not keep or change them. */
    ImageSet(Pixels pixels, int channels, int size, int[] labels, List<String> classes, String source) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
        }
        if (size < 1 || pixels.perImage() != (long) channels * size * size) {
            throw new IllegalArgumentException("images of " + pixels.perImage() + " bytes are not " + channels + " x "
                    + size + " x " + size);
        }
        this.pixels = pixels;
        this.count = pixels.count();
        this.channels = channels;
        this.size = size;
        this.classes = List.copyOf(classes);
        this.source = source;
        if (labels != null) {
            if (labels.length != count) {
                throw new IllegalArgumentException(labels.length + " labels for " + count + " images");
            }
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= this.classes.size()) {
                    throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected a class 0.."
                            + (this.classes.size() - 1));
                }
            }
        } else if (!this.classes.isEmpty()) {
            throw new IllegalArgumentException("class names without labels");
        }
        this.labels = labels;
    }

    /**
     * A set from raw arrays (synthetic data in tests, say); the arrays are copied.
     *
     * @param pixels  {@code N * channels * size * size} unsigned bytes, {@code [N, C, S, S]}
     * @param labels  a class index per image, or null for unlabelled images
     * @param classes the name of each class (empty when unlabelled)
     */
    public static ImageSet of(byte[] pixels, int channels, int size, int[] labels, List<String> classes, String source) {
        return new ImageSet(pixels.clone(), channels, size, labels == null ? null : labels.clone(), classes, source);
    }

    private static Pixels wrap(byte[] pixels, int channels, int size) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels, not " + channels);
        }
        long perImage = (long) channels * size * size;
        if (size < 1 || perImage > Integer.MAX_VALUE || pixels.length % perImage != 0) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not make whole images of " + channels
                    + " x " + size + " x " + size);
        }
        return Pixels.wrap(pixels, (int) perImage);
    }

    /** 28x28 grey digits labelled 0..9, as MNIST's: {@code labels.length * 784} pixel bytes. */
    public static ImageSet digits(byte[] pixels, byte[] labels, String source) {
        int[] l = new int[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels[i];
        }
        if (pixels.length != (long) labels.length * 28 * 28) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not make " + labels.length
                    + " images of 28x28");
        }
        return new ImageSet(pixels.clone(), 1, 28, l, DIGITS, source);
    }

    /** The class names of digits: "0" .. "9". */
    static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    public int count() {
        return count;
    }

    public int channels() {
        return channels;
    }

    /** The height and width of every image. */
    public int size() {
        return size;
    }

    /** Values per image: {@code channels * size * size}. */
    public int pixelsPerImage() {
        return channels * size * size;
    }

    public boolean labelled() {
        return labels != null;
    }

    /** A class index per image (a copy); null when the images are unlabelled. */
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** The name of each class, by index: folder names, CIFAR-10's classes, "0".."9"; empty when unlabelled. */
    public List<String> classNames() {
        return classes;
    }

    /** Where the data came from, for logs, e.g. "4 MNIST files in ./mnist (70,000 images)". */
    public String source() {
        return source;
    }

    /**
     * All images as floats in {@code [0, 1]} (byte / 255), image i at {@code i * pixelsPerImage()}. A new array on
     * every call, of four times the bytes: for sets that are small, or a batch at a time through
     * {@link #copyImages}.
     */
    public float[] images() {
        float[] out = new float[Math.multiplyExact(count, pixelsPerImage())];
        copyImages(0, count, PixelRange.UNIT, out, 0);
        return out;
    }

    /** Writes image {@code index} as {@code pixelsPerImage()} values in {@code [0, 1]} into {@code dst}. */
    public void copyImage(int index, float[] dst, int offset) {
        copyImages(index, 1, PixelRange.UNIT, dst, offset);
    }

    /** Writes images {@code [first, first + n)} into {@code dst} at {@code offset}, scaled to {@code range}. */
    public void copyImages(int first, int n, PixelRange range, float[] dst, int offset) {
        if (first < 0 || n < 0 || first + n > count) {
            throw new IndexOutOfBoundsException("images " + first + ".." + (first + n - 1) + " of " + count);
        }
        int per = pixelsPerImage();
        for (int k = 0; k < n; k++) {
            byte[] chunk = pixels.chunk(first + k);
            int from = pixels.offset(first + k);
            int to = offset + k * per;
            for (int p = 0; p < per; p++) {
                dst[to + p] = range.fromByte(chunk[from + p]);
            }
        }
    }

    /** The pixel bytes themselves, for this package's readers and cache: not to be changed. */
    Pixels pixels() {
        return pixels;
    }

    /**
     * CRC-32C of the pixels in their current order, as 8 hex digits: a checkpoint records it so that a
     * resumed run can tell whether it sees the same images in the same (shuffled) order.
     */
    public String fingerprint() {
        CRC32C crc = new CRC32C();
        pixels.update(crc);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /**
     * The images (and labels) shuffled once with {@code seed}, as a training run sees them: the same seed
     * gives the same order on every machine ({@link CounterRng#permutation}, stream
     * {@link CounterRng#STREAM_SHUFFLE}).
     */
    public ImageSet shuffled(long seed) {
        return permuted(new CounterRng(seed).permutation(count, CounterRng.STREAM_SHUFFLE));
    }

    /** A new set whose image (and label) k is this set's image {@code order[k]}. */
    public ImageSet permuted(int[] order) {
        checkPermutation(order);
        Pixels newPixels = Pixels.allocate(count, pixelsPerImage());
        int[] newLabels = labels == null ? null : new int[count];
        for (int k = 0; k < order.length; k++) {
            pixels.copyImage(order[k], newPixels, k);
            if (newLabels != null) {
                newLabels[k] = labels[order[k]];
            }
        }
        return new ImageSet(newPixels, channels, size, newLabels, classes, source);
    }

    /** The first {@code n} images, e.g. for a quick smoke run. */
    public ImageSet firstN(int n) {
        if (n < 0 || n > count) {
            throw new IllegalArgumentException("cannot take the first " + n + " of " + count + " images");
        }
        return new ImageSet(pixels.first(n), channels, size,
                labels == null ? null : Arrays.copyOf(labels, n), classes, source + ", first " + n);
    }

    private void checkPermutation(int[] order) {
        if (order.length != count) {
            throw new IllegalArgumentException("order has " + order.length + " entries, expected " + count
                    + " (one per image)");
        }
        boolean[] seen = new boolean[order.length];
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            if (i < 0 || i >= order.length) {
                throw new IllegalArgumentException("order[" + k + "] = " + i + " is outside 0.." + (order.length - 1));
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
        return "ImageSet[" + dcgan.io.Plural.count(count, "image") + " of " + channels + "x" + size + "x" + size + " from " + source + "]";
    }
}
