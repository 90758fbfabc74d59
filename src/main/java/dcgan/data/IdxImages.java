package dcgan.data;

import java.nio.file.Path;

/**
 * The contents of one IDX image file: {@code count} images of {@code rows x cols} unsigned bytes,
 * row-major, image {@code i} starting at {@code i * rows * cols}.
 *
 * <p>The pixel array is shared, not copied: this is a short-lived carrier between the reader and
 * {@link MnistLoader}, and copying 47 MB just to pass it along would be wasteful.
 */
public record IdxImages(Path file, int count, int rows, int cols, byte[] pixels) {

    public IdxImages {
        if (count < 0 || rows <= 0 || cols <= 0 || pixels.length != (long) count * rows * cols) {
            throw new IllegalArgumentException("inconsistent IDX images: " + count + " of "
                    + rows + "x" + cols + " with " + pixels.length + " pixel bytes");
        }
    }
}
