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
 * Tiles grayscale images into one 8-bit PNG, MNIST style: 1.0 is a white stroke, 0.0 black background.
 *
 * <p>Layout: {@code columns} columns and {@code ceil(count / columns)} rows of tiles, each tile
 * {@code width*scale} by {@code height*scale} pixels, separated from each other and from the edge by a
 * {@value #GAP}-pixel band of value {@value #GAP_VALUE}. The image is therefore
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

    /** Writes the grid atomically to {@code file} at scale 1. */
    public static void write(Path file, float[] images, int offset, int count, int height, int width,
                             int columns) throws IOException {
        write(file, images, offset, count, height, width, columns, 1);
    }

    /** Writes the grid atomically to {@code file}, each pixel enlarged to a {@code scale x scale} block. */
    public static void write(Path file, float[] images, int offset, int count, int height, int width,
                             int columns, int scale) throws IOException {
        // Encode first so that bad arguments never leave a temporary file behind.
        byte[] png = encode(images, offset, count, height, width, columns, scale);
        AtomicFiles.write(file, out -> out.write(png));
    }

    /** Returns the PNG bytes of the grid at scale 1. */
    public static byte[] encode(float[] images, int offset, int count, int height, int width, int columns)
            throws IOException {
        return encode(images, offset, count, height, width, columns, 1);
    }

    /** Returns the PNG bytes of the grid, each pixel enlarged to a {@code scale x scale} block. */
    public static byte[] encode(float[] images, int offset, int count, int height, int width, int columns,
                                int scale) throws IOException {
        BufferedImage image = render(images, offset, count, height, width, columns, scale);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // An explicit memory cache: ImageIO's default may spill to temp files in java.io.tmpdir.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available in this JRE");
            }
        }
        return bytes.toByteArray();
    }

    static BufferedImage render(float[] images, int offset, int count, int height, int width, int columns,
                                int scale) {
        validate(images, offset, count, height, width, columns, scale);
        int rows = (count + columns - 1) / columns;
        // Checked in double, which cannot overflow; once the product fits an int, every factor does too.
        double pixelCount = (columns * ((double) width * scale + GAP) + GAP)
                * (rows * ((double) height * scale + GAP) + GAP);
        if (pixelCount > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("grid too large: " + (long) pixelCount + " pixels");
        }
        int tileW = width * scale;
        int tileH = height * scale;
        int gridW = columns * (tileW + GAP) + GAP;
        int gridH = rows * (tileH + GAP) + GAP;

        BufferedImage image = new BufferedImage(gridW, gridH, BufferedImage.TYPE_BYTE_GRAY);
        // TYPE_BYTE_GRAY is backed by one byte per pixel, row-major, with no padding.
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        Arrays.fill(pixels, (byte) GAP_VALUE);

        int imageSize = height * width;
        for (int k = 0; k < count; k++) {
            int base = offset + k * imageSize;
            int left = GAP + (k % columns) * (tileW + GAP);
            int top = GAP + (k / columns) * (tileH + GAP);
            for (int y = 0; y < tileH; y++) {
                int src = base + (y / scale) * width;
                int dst = (top + y) * gridW + left;
                for (int x = 0; x < tileW; x++) {
                    pixels[dst + x] = (byte) toGray(images[src + x / scale]);
                }
            }
        }
        return image;
    }

    /** Maps [0,1] to 0..255, clamping outliers; NaN becomes black so a diverged generator is visible, not an error. */
    static int toGray(float v) {
        if (!(v > 0f)) {
            return 0;
        }
        return v >= 1f ? 255 : Math.round(v * 255f);
    }

    private static void validate(float[] images, int offset, int count, int height, int width, int columns,
                                 int scale) {
        if (images == null) {
            throw new IllegalArgumentException("images must not be null");
        }
        requirePositive(count, "count");
        requirePositive(height, "height");
        requirePositive(width, "width");
        requirePositive(columns, "columns");
        requirePositive(scale, "scale");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        long imageSize = (long) height * width;
        // Divide rather than multiply so that absurd sizes cannot overflow into a passing check.
        if (offset > images.length || (images.length - offset) / imageSize < count) {
            throw new IllegalArgumentException("images array too short: " + count + " images of " + height + "x"
                    + width + " from offset " + offset + " do not fit in length " + images.length);
        }
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
