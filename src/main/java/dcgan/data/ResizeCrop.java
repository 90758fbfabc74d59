package dcgan.data;

/**
 * Scales a picture's shorter side to {@code size} and crops its centre to {@code size x size}, as PyTorch's
 * {@code Resize(size)} then {@code CenterCrop(size)} do for an image: the longer side becomes
 * {@code int(size * long / short)}, and the crop starts at {@code round((side - size) / 2)} (halves to even, as
 * Python rounds).
 *
 * <p>The scaling is a convolution with a triangle (tent) filter, one axis after the other: output pixel {@code o}
 * of an axis scaled from {@code in} to {@code out} pixels is centred at {@code (o + 0.5) * in / out} in the input,
 * and input pixel {@code x} (centred at {@code x + 0.5}) weighs {@code max(0, 1 - |d| / s)} at distance {@code d},
 * the weights normalised to sum to 1. {@code s} is 1 when enlarging (linear interpolation) and the reduction
 * factor {@code in / out} when reducing, so that every input pixel counts (antialiasing), as PIL's bilinear
 * resize does. The sums are in double precision and rounded once, to the nearest byte. An axis that keeps its
 * size keeps its pixels exactly.
 */
final class ResizeCrop {

    private ResizeCrop() {
    }

    /** The scaled size of a {@code width x height} image and where its centre crop starts. */
    record Geometry(int scaledWidth, int scaledHeight, int left, int top) {
    }

    static Geometry geometry(int width, int height, int size) {
        int scaledWidth;
        int scaledHeight;
        if (width <= height) {
            scaledWidth = size;
            scaledHeight = (int) ((double) size * height / width);
        } else {
            scaledHeight = size;
            scaledWidth = (int) ((double) size * width / height);
        }
        return new Geometry(scaledWidth, scaledHeight, (int) Math.rint((scaledWidth - size) / 2.0),
                (int) Math.rint((scaledHeight - size) / 2.0));
    }

    /**
     * The filter taps of outputs {@code first .. first + n - 1} of an axis scaled from {@code in} to {@code out}
     * pixels: output k reads {@code count[k]} inputs from {@code start[k]} on, weighted by
     * {@code weights[k * stride ..]}.
     */
    record Taps(int[] start, int[] count, double[] weights, int stride) {
        /** The weight of input {@code start[k] + j} in output k. */
        double weight(int k, int j) {
            return weights[k * stride + j];
        }

        /** One past the last input any output reads. */
        int end() {
            int n = start.length;
            return start[n - 1] + count[n - 1];
        }
    }

    static Taps taps(int in, int out, int first, int n) {
        double scale = (double) in / out;
        double width = Math.max(scale, 1.0); // the triangle's half-width, in input pixels
        int stride = (int) Math.ceil(width) * 2 + 1; // the most inputs one output can reach
        int[] start = new int[n];
        int[] count = new int[n];
        double[] weights = new double[n * stride];
        for (int k = 0; k < n; k++) {
            double centre = (first + k + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - width + 0.5));
            int hi = Math.min(in, Math.min(lo + stride, (int) Math.floor(centre + width + 0.5)));
            double sum = 0;
            for (int x = lo; x < hi; x++) {
                double w = Math.max(0.0, 1.0 - Math.abs(x + 0.5 - centre) / width);
                weights[k * stride + x - lo] = w;
                sum += w;
            }
            for (int j = 0; j < hi - lo; j++) {
                weights[k * stride + j] /= sum;
            }
            start[k] = lo;
            count[k] = hi - lo;
        }
        return new Taps(start, count, weights, stride);
    }

    /**
     * Writes {@code picture}, scaled and cropped to {@code size x size} and made {@code channels} planes, at
     * {@code dst[offset ..]}: a grey picture's plane is repeated for three channels; a colour picture becomes one by
     * ITU-R 601 luma, {@code (299 R + 587 G + 114 B) / 1000} rounded, before it is scaled.
     */
    static void apply(Picture picture, int size, int channels, byte[] dst, int offset) {
        int w = picture.width();
        int h = picture.height();
        int plane = w * h;
        int outPlane = size * size;
        Scaler scaler = new Scaler(w, h, size);
        if (channels == 1) {
            byte[] grey = picture.grey() ? picture.planes() : luma(picture.planes(), plane);
            scaler.plane(grey, 0, dst, offset);
        } else if (picture.grey()) {
            scaler.plane(picture.planes(), 0, dst, offset);
            System.arraycopy(dst, offset, dst, offset + outPlane, outPlane);
            System.arraycopy(dst, offset, dst, offset + 2 * outPlane, outPlane);
        } else {
            for (int c = 0; c < 3; c++) {
                scaler.plane(picture.planes(), c * plane, dst, offset + c * outPlane);
            }
        }
    }

    /** One plane of three RGB planes: {@code (299 R + 587 G + 114 B + 500) / 1000}. */
    static byte[] luma(byte[] rgb, int plane) {
        byte[] out = new byte[plane];
        for (int p = 0; p < plane; p++) {
            int r = rgb[p] & 0xff;
            int g = rgb[plane + p] & 0xff;
            int b = rgb[2 * plane + p] & 0xff;
            out[p] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
        }
        return out;
    }

    /** Scales and crops the {@code w x h} plane at {@code src[from ..]} to {@code size x size} at {@code dst[to ..]}. */
    static void resizePlane(byte[] src, int from, int w, int h, int size, byte[] dst, int to) {
        new Scaler(w, h, size).plane(src, from, dst, to);
    }

    /** Scales and crops planes of one size to another: the taps of both axes, worked out once for every plane. */
    private static final class Scaler {
        private final int w;
        private final int size;
        private final Geometry g;
        private final Taps across;
        private final Taps down;
        private final double[] rows;
        private final double[] sums;

        Scaler(int w, int h, int size) {
            this.w = w;
            this.size = size;
            g = geometry(w, h, size);
            boolean same = g.scaledWidth() == w && g.scaledHeight() == h;
            across = same ? null : taps(w, g.scaledWidth(), g.left(), size);
            down = same ? null : taps(h, g.scaledHeight(), g.top(), size);
            rows = same ? null : new double[(down.end() - down.start()[0]) * size];
            sums = new double[size];
        }

        void plane(byte[] src, int from, byte[] dst, int to) {
            if (across == null) {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(src, from + (g.top() + y) * w + g.left(), dst, to + y * size, size);
                }
                return;
            }
            // Rows first: every input row the crop reaches, scaled across to the crop's columns.
            int rowsFrom = down.start()[0];
            int rowsTo = down.end();
            for (int y = rowsFrom; y < rowsTo; y++) {
                int row = from + y * w;
                int out = (y - rowsFrom) * size;
                for (int x = 0; x < size; x++) {
                    int s = row + across.start()[x];
                    int k = x * across.stride();
                    double sum = 0;
                    for (int j = 0, n = across.count()[x]; j < n; j++) {
                        sum += across.weights()[k + j] * (src[s + j] & 0xff);
                    }
                    rows[out + x] = sum;
                }
            }
            // Then down the columns, a whole output row at a time.
            for (int y = 0; y < size; y++) {
                int first = (down.start()[y] - rowsFrom) * size;
                int k = y * down.stride();
                java.util.Arrays.fill(sums, 0.0);
                for (int i = 0, n = down.count()[y]; i < n; i++) {
                    double weight = down.weights()[k + i];
                    int row = first + i * size;
                    for (int x = 0; x < size; x++) {
                        sums[x] += weight * rows[row + x];
                    }
                }
                for (int x = 0; x < size; x++) {
                    dst[to + y * size + x] = (byte) Math.min(255, Math.max(0, (int) Math.floor(sums[x] + 0.5)));
                }
            }
        }
    }
}
