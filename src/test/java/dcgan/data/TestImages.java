package dcgan.data;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;

/**
 * Small images written with ImageIO, and a way to load data and see what the loader said, for the data tests; and
 * random image sets for tests elsewhere that need images of some shape but not of anything in particular.
 */
public final class TestImages {

    private TestImages() {
    }

    /** An opaque RGB image whose pixel (x, y) is {@code rgb.applyAsInt(x, y)} (0xRRGGBB). */
    static BufferedImage rgb(int w, int h, IntBinaryOperator rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        return image;
    }

    /** An RGBA image whose pixel (x, y) is {@code argb.applyAsInt(x, y)} (0xAARRGGBB, not premultiplied). */
    static BufferedImage argb(int w, int h, IntBinaryOperator argb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, argb.applyAsInt(x, y));
            }
        }
        return image;
    }

    /** An 8-bit grey image whose pixel (x, y) has the sample {@code grey.applyAsInt(x, y)}. */
    static BufferedImage grey(int w, int h, IntBinaryOperator grey) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = image.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, grey.applyAsInt(x, y));
            }
        }
        return image;
    }

    /** A grey image with alpha (PNG colour type 4): every pixel grey {@code value}, opacity {@code alpha}. */
    static BufferedImage greyAlpha(int w, int h, int value, int alpha) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.setSample(x, y, 0, value);
                r.setSample(x, y, 1, alpha);
            }
        }
        return new BufferedImage(cm, r, false, null);
    }

    /** Writes {@code image} to {@code file} in {@code format} ("png", "jpg", "gif", "bmp"), making its folders. */
    static Path write(Path file, BufferedImage image, String format) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(image, format, file.toFile())) {
            throw new IllegalStateException("no " + format + " writer for " + image);
        }
        return file;
    }

    static Path png(Path file, BufferedImage image) throws IOException {
        return write(file, image, "png");
    }

    /** A PNG of one colour. */
    static Path solid(Path file, int w, int h, int rgb) throws IOException {
        return png(file, rgb(w, h, (x, y) -> rgb));
    }

    /** What a load printed, and how to load with a given preprocessing, cache and heap. */
    static final class Loader {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Preprocessing prep = Preprocessing.DEFAULT;
        Path cacheDir;
        long maxHeap = Long.MAX_VALUE;

        Loader prep(int size, int channels) {
            prep = new Preprocessing(size, channels, prep.background());
            return this;
        }

        Loader background(Background background) {
            prep = new Preprocessing(prep.size(), prep.channels(), background);
            return this;
        }

        Loader cache(Path dir) {
            cacheDir = dir;
            return this;
        }

        ImageSet load(Path path) throws IOException {
            return DataSets.load(path, context());
        }

        DataSets.Context context() {
            return new DataSets.Context(prep, cacheDir, out, maxHeap, new Workers(2, out, 0));
        }

        /** Everything printed so far; then forgets it. */
        String printed() {
            String s = bytes.toString(StandardCharsets.UTF_8);
            bytes.reset();
            return s;
        }
    }

    /** The unsigned bytes of image {@code i} of {@code set}. */
    static int[] image(ImageSet set, int i) {
        float[] v = new float[set.pixelsPerImage()];
        set.copyImage(i, v, 0);
        int[] out = new int[v.length];
        for (int p = 0; p < v.length; p++) {
            out[p] = Math.round(v[p] * 255f);
        }
        return out;
    }

    /** {@code count} unlabelled images of random pixels, {@code channels x size x size}, from {@code seed}. */
    public static ImageSet random(long seed, int count, int channels, int size) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pixels = new byte[count * channels * size * size];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) r.nextInt(256);
        }
        return ImageSet.of(pixels, channels, size, null, List.of(), "random pixels");
    }
}
