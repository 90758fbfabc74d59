package dcgan.io;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Tiles images into one 8-bit PNG: grey for one channel, RGB for three. A value of 1.0 is full intensity
 * (a white stroke, for MNIST), 0.0 none (black background).
 *
 * <p>The images are floats in [0, 1], {@code [count, channels, height, width]} from {@code offset}: image
 * after image, each channel a full {@code height x width} plane, rows top to bottom (PyTorch's layout).
 * Values are clamped to [0, 1] and rounded to 0..255 ({@link #toLevel}); NaN is drawn black.
 *
 * <p>Layout: {@code columns} columns and {@code ceil(count / columns)} rows of tiles, each tile
 * {@code width*scale} by {@code height*scale} pixels, separated from each other and from the edge by a
 * {@value #GAP}-pixel band of grey {@value #GAP_VALUE} (in every channel). The image is therefore
 * {@code columns*(width*scale + GAP) + GAP} pixels wide and {@code rows*(height*scale + GAP) + GAP} high;
 * unused cells of the last row stay {@value #GAP_VALUE}.
 */
public final class PngGrid {

    /** Border and gap thickness in pixels. */
    public static final int GAP = 2;
    /** Border and gap gray level: mid-gray, distinct from both background and stroke. */
    public static final int GAP_VALUE = 128;

    private PngGrid() {}

    /** Width in pixels of a grid of {@code columns} tiles of {@code width} pixels at {@code scale}. */
    /** How much a grid enlarges its images: each pixel doubled for small images (28 and 32), as is for larger ones. */
    public static int scaleFor(int imageSize) {
        return imageSize < 48 ? 2 : 1;
    }

    public static int gridWidth(int width, int columns, int scale) {
        return columns * (width * scale + GAP) + GAP;
    }

    /** Height in pixels of a grid of {@code count} tiles of {@code height} pixels in {@code columns} columns. */
    public static int gridHeight(int count, int height, int columns, int scale) {
        int rows = (count + columns - 1) / columns;
        return rows * (height * scale + GAP) + GAP;
    }

    /**
     * Writes the grid of {@code count} images of {@code channels} (1 or 3) x {@code height} x {@code width}
     * atomically to {@code file}, each pixel enlarged to a {@code scale x scale} block.
     */
    public static void write(Path file, float[] images, int offset, int count, int channels, int height, int width,
                             int columns, int scale) throws IOException {
        // Encode first so that bad arguments never leave a temporary file behind.
        byte[] png = encode(images, offset, count, channels, height, width, columns, scale);
        AtomicFiles.write(file, out -> out.write(png));
    }

    /**
     * Returns the PNG bytes of the grid of {@code count} images of {@code channels} (1: grey PNG, 3: RGB PNG)
     * x {@code height} x {@code width}, each pixel enlarged to a {@code scale x scale} block.
     */
    public static byte[] encode(float[] images, int offset, int count, int channels, int height, int width,
                                int columns, int scale) throws IOException {
        BufferedImage image = render(images, offset, count, channels, height, width, columns, scale);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // An explicit memory cache: ImageIO's default may spill to temp files in java.io.tmpdir.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available in this JRE");
            }
        }
        return bytes.toByteArray();
    }

    static BufferedImage render(float[] images, int offset, int count, int channels, int height, int width,
                                int columns, int scale) {
        validate(images, offset, count, channels, height, width, columns, scale);
        int rows = (count + columns - 1) / columns;
        // Checked in double, which cannot overflow; once the product fits an int, every factor does too.
        double byteCount = (columns * ((double) width * scale + GAP) + GAP)
                * (rows * ((double) height * scale + GAP) + GAP) * channels;
        if (byteCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("grid too large: " + (long) (byteCount / channels) + " pixels, "
                    + (long) byteCount + " bytes");
        }
        int tileW = width * scale;
        int tileH = height * scale;
        int gridW = columns * (tileW + GAP) + GAP;
        int gridH = rows * (tileH + GAP) + GAP;

        // Both types are backed by one byte per sample, row-major with no padding; TYPE_3BYTE_BGR holds a
        // pixel's samples in the order blue, green, red.
        BufferedImage image = new BufferedImage(gridW, gridH,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        Arrays.fill(pixels, (byte) GAP_VALUE);

        int plane = height * width;
        for (int k = 0; k < count; k++) {
            int left = GAP + (k % columns) * (tileW + GAP);
            int top = GAP + (k / columns) * (tileH + GAP);
            for (int c = 0; c < channels; c++) {
                int base = offset + (k * channels + c) * plane;
                int sample = channels - 1 - c; // red, the first channel, is the last sample of a BGR pixel
                for (int y = 0; y < tileH; y++) {
                    int src = base + (y / scale) * width;
                    int dst = ((top + y) * gridW + left) * channels + sample;
                    for (int x = 0; x < tileW; x++) {
                        pixels[dst + x * channels] = (byte) toLevel(images[src + x / scale]);
                    }
                }
            }
        }
        return image;
    }

    /**
     * Maps [0,1] to 0..255 (one channel of a pixel), clamping outliers; NaN becomes black so a diverged
     * generator is visible, not an error.
     */
    static int toLevel(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        return v >= 1f ? 255 : Math.round(v * 255f);
    }

    private static void validate(float[] images, int offset, int count, int channels, int height, int width,
                                 int columns, int scale) {
        if (images == null) {
            throw new IllegalArgumentException("images must not be null");
        }
        requirePositive(count, "count");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 (grey) or 3 (RGB), got " + channels);
        }
        requirePositive(height, "height");
        requirePositive(width, "width");
        requirePositive(columns, "columns");
        requirePositive(scale, "scale");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        long imageSize = (long) channels * height * width;
        // Divide rather than multiply so that absurd sizes cannot overflow into a passing check.
        if (offset > images.length || (images.length - offset) / imageSize < count) {
            throw new IllegalArgumentException("images array too short: " + count + " images of " + channels + "x"
                    + height + "x" + width + " from offset " + offset + " do not fit in length " + images.length);
        }
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
