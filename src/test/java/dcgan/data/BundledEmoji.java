package dcgan.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bundled colour images, {@code test-data/emoji-noto-64} (64x64 RGBA PNGs, one folder per category), decoded
 * for tests that train on real colour images: RGB bytes with the transparency composited onto white, the way a
 * picture of them shows them.
 */
public final class BundledEmoji {

    public static final Path DIR = Path.of("test-data", "emoji-noto-64");
    public static final int SIZE = 64;
    public static final int CHANNELS = 3;

    private BundledEmoji() {
    }

    /** Every PNG under {@link #DIR}, sorted by path (category, then name). */
    public static List<Path> files() {
        try (Stream<Path> s = Files.walk(DIR)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".png")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalStateException(DIR + " holds no PNG");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code count} images, {@code 3 x 64 x 64} bytes each (NCHW), spread evenly over the sorted files (so over the
     * categories); when {@code count} exceeds the files, they repeat in that order.
     */
    public static ImageSet images(int count) {
        List<Path> files = files();
        byte[] pixels = new byte[count * CHANNELS * SIZE * SIZE];
        if (count <= files.size()) {
            for (int i = 0; i < count; i++) {
                decode(files.get((int) ((long) i * files.size() / count)), pixels, i);
            }
        } else {
            for (int i = 0; i < count; i++) {
                decode(files.get(i % files.size()), pixels, i);
            }
        }
        return ImageSet.of(pixels, CHANNELS, SIZE, null, List.of(), "the bundled emoji");
    }

    /** {@link #images} in the range a model reads, {@code [count, 3, 64, 64]}. */
    public static float[] batch(int count, PixelRange range) {
        ImageSet set = images(count);
        float[] out = new float[count * set.pixelsPerImage()];
        set.copyImages(0, count, range, out, 0);
        return out;
    }

    /** One PNG as image {@code index} of {@code pixels}: each colour over white by its alpha, rounded to a byte. */
    private static void decode(Path file, byte[] pixels, int index) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        if (image == null || image.getWidth() != SIZE || image.getHeight() != SIZE) {
            throw new IllegalStateException(file + ": not a " + SIZE + "x" + SIZE + " image");
        }
        int plane = SIZE * SIZE;
        int base = index * CHANNELS * plane;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int argb = image.getRGB(x, y); // not premultiplied, sRGB
                int alpha = argb >>> 24;
                for (int c = 0; c < CHANNELS; c++) {
                    int colour = (argb >>> (16 - 8 * c)) & 0xff;
                    int over = (colour * alpha + 255 * (255 - alpha) + 127) / 255;
                    pixels[base + c * plane + y * SIZE + x] = (byte) over;
                }
            }
        }
    }
}
