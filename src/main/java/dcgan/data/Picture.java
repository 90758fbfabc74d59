package dcgan.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * One image at its own size with its transparency composited away: one plane when it is grey (every pixel has
 * R = G = B), else three (red, green, blue), each {@code height x width} bytes, row-major, the planes one after
 * another.
 */
record Picture(int width, int height, int channels, byte[] planes) {

    Picture {
        if ((channels != 1 && channels != 3) || width < 1 || height < 1
                || planes.length != (long) channels * width * height) {
            throw new IllegalArgumentException(channels + " planes of " + width + "x" + height + " in "
                    + planes.length + " bytes");
        }
    }

    boolean grey() {
        return channels == 1;
    }

    /** A grey picture of {@code width x height} bytes, kept (not copied). */
    static Picture grey(int width, int height, byte[] plane) {
        return new Picture(width, height, 1, plane);
    }

    /** Three planes (kept, not copied), or the first alone when the three are equal. */
    static Picture colour(int width, int height, byte[] planes) {
        int n = width * height;
        for (int p = 0; p < n; p++) {
            if (planes[p] != planes[n + p] || planes[p] != planes[2 * n + p]) {
                return new Picture(width, height, 3, planes);
            }
        }
        return new Picture(width, height, 1, java.util.Arrays.copyOf(planes, n));
    }

    /**
     * The pixels of a decoded image, composited onto {@code background}. A grey image's samples are taken as they
     * are (not through Java's sRGB conversion, which would brighten them), scaled to 8 bits; every other image is
     * read as 8-bit sRGB.
     */
    static Picture of(BufferedImage image, Background background) {
        int w = image.getWidth();
        int h = image.getHeight();
        ColorModel cm = image.getColorModel();
        if (!(cm instanceof IndexColorModel) && cm.getNumColorComponents() == 1
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            if (cm.isAlphaPremultiplied()) {
                image.coerceData(false);
            }
            Raster raster = image.getRaster();
            int greyMax = (1 << cm.getComponentSize(0)) - 1;
            int[] grey = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            int[] alpha = cm.hasAlpha() ? raster.getSamples(0, 0, w, h, 1, (int[]) null) : null;
            int alphaMax = cm.hasAlpha() ? (1 << cm.getComponentSize(1)) - 1 : 0;
            int n = w * h;
            int planes = alpha == null || background.grey() ? 1 : 3;
            byte[] out = new byte[planes * n];
            for (int p = 0; p < n; p++) {
                int v = scale(grey[p], greyMax);
                for (int c = 0; c < planes; c++) {
                    out[c * n + p] = (byte) (alpha == null ? v : over(v, alpha[p], alphaMax, background.component(c)));
                }
            }
            return planes == 1 ? grey(w, h, out) : colour(w, h, out);
        }
        Picture direct = interleavedBytes(image, background);
        if (direct != null) {
            return direct;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int n = w * h;
        byte[] out = new byte[3 * n];
        boolean alpha = cm.hasAlpha();
        for (int p = 0; p < n; p++) {
            int px = argb[p];
            int a = px >>> 24;
            for (int c = 0; c < 3; c++) {
                int v = (px >> (16 - 8 * c)) & 0xff;
                out[c * n + p] = (byte) (alpha ? over(v, a, 255, background.component(c)) : v);
            }
        }
        return colour(w, h, out);
    }

    /**
     * The pixels of an image of 8-bit sRGB samples interleaved in one byte array (what the PNG and JPEG decoders
     * give: RGB, RGBA, BGR, ABGR), read straight from the array, or null for any other image. Java's own
     * conversion, which this skips, goes through its colour model a pixel at a time.
     */
    private static Picture interleavedBytes(BufferedImage image, Background background) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (!(cm instanceof ComponentColorModel) || !cm.getColorSpace().isCS_sRGB() || cm.isAlphaPremultiplied()
            || !(raster.getDataBuffer() instanceof DataBufferByte data) || data.getNumBanks() != 1
            || data.getOffset() != 0 || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
            || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
            || sm.getNumBands() != cm.getNumComponents() || cm.getNumColorComponents() != 3) {
            return null;
        }
        for (int c = 0; c < cm.getNumComponents(); c++) {
            if (cm.getComponentSize(c) != 8) {
                return null;
            }
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int n = w * h;
        byte[] bytes = data.getData();
        int[] band = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int lineStride = sm.getScanlineStride();
        boolean alpha = cm.hasAlpha();
        byte[] out = new byte[3 * n];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int at = y * lineStride + x * pixelStride;
                int p = y * w + x;
                int a = alpha ? bytes[at + band[3]] & 0xff : 255;
                for (int c = 0; c < 3; c++) {
                    int v = bytes[at + band[c]] & 0xff;
                    out[c * n + p] = (byte) (a == 255 ? v : over(v, a, 255, background.component(c)));
                }
            }
        }
        return colour(w, h, out);
    }

    /** A sample of {@code 0..max} as a byte value, rounded. */
    static int scale(int v, int max) {
        return max == 255 ? v : (int) ((v * 255L + max / 2) / max);
    }

    /** Colour {@code v} of opacity {@code a} (of {@code 0..max}) over {@code background}, rounded. */
    static int over(int v, int a, int max, int background) {
        if (a == max) {
            return v;
        }
        return (int) (((long) v * a + (long) background * (max - a) + max / 2) / max);
    }
}
