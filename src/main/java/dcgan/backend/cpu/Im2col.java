package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;

import java.util.Arrays;

/**
 * Rearrangements between NCHW images and the matrices that turn a 4x4/stride-2/pad-1 convolution into
 * one matrix product. The patch matrix has one row per (image, output pixel) and one column per
 * (kernel row, kernel column, input channel), channel fastest: the four values of one kernel row then lie
 * side by side in a channel-last (NHWC) copy of the image, so a patch row is four plain copies of
 * {@code 4 * channels} values, and its adjoint four additions of such runs. A flattened Conv2d weight
 * {@code [out, in, 4, 4]} orders its columns (channel, kernel row, kernel column); {@link #toPatchOrder} and
 * {@link #addFromPatchOrder} move weights and their gradients between the two orders, so that
 * {@code conv(x) = patches(x) * W'^T} in NHWC order with W' the weight in patch order.
 *
 * <p>Every method on images handles the images {@code [from, to)} only, so callers split the batch across
 * threads. Each image is copied between off-heap memory and Java arrays in one piece and rearranged there.
 */
final class Im2col {

    private static final int TAPS = 16; // 4 x 4 kernel positions

    private Im2col() {
    }

    /**
     * cols[(b * P + p) * K + (kh * 4 + kw) * C + c] = x[b, c, 2 oh - 1 + kh, 2 ow - 1 + kw], or 0 outside
     * the image.
     */
    static void patches(ConvGeometry g, CpuTensor x, CpuTensor cols, int from, int to) {
        int imageSize = g.inImageSize();
        int k = g.patchSize();
        int run = 4 * g.inChannels();            // one kernel row: 4 pixels of all channels
        int rowStride = (g.inWidth() + 2) * g.inChannels(); // one padded NHWC row
        int rowSize = g.outWidth() * k;          // the patch rows of one row of output pixels
        float[] image = new float[imageSize];
        float[] padded = new float[(g.inHeight() + 2) * rowStride];
        float[] rows = new float[rowSize];
        for (int b = from; b < to; b++) {
            x.read(b * imageSize, image, 0, imageSize);
            toPaddedChannelsLast(g, image, padded);
            for (int py = 0; py < g.outHeight(); py++) {
                if (g.inChannels() == 1) {
                    singleChannelRow(padded, rowStride, py, g.outWidth(), rows);
                } else {
                    for (int px = 0; px < g.outWidth(); px++) {
                        // Output pixel (py, px) sees padded rows 2 py .. 2 py + 3, columns 2 px .. 2 px + 3.
                        int src = 2 * py * rowStride + 2 * px * g.inChannels();
                        int dst = px * k;
                        for (int kh = 0; kh < 4; kh++) {
                            System.arraycopy(padded, src + kh * rowStride, rows, dst + kh * run, run);
                        }
                    }
                }
                cols.write((b * g.outHeight() + py) * rowSize, rows, 0, rowSize);
            }
        }
    }

    /** The patch rows of output row py of a one-channel image: 16 values per pixel, moved one by one. */
    private static void singleChannelRow(float[] padded, int rowStride, int py, int outWidth, float[] rows) {
        for (int px = 0; px < outWidth; px++) {
            int src = 2 * py * rowStride + 2 * px;
            int dst = px * TAPS;
            for (int kh = 0; kh < 4; kh++) {
                int s = src + kh * rowStride;
                int d = dst + kh * 4;
                rows[d] = padded[s];
                rows[d + 1] = padded[s + 1];
                rows[d + 2] = padded[s + 2];
                rows[d + 3] = padded[s + 3];
            }
        }
    }

    /** padded[(y + 1, x + 1, c)] = image[c, y, x], NHWC inside a border of zeros one pixel wide (never written). */
    private static void toPaddedChannelsLast(ConvGeometry g, float[] image, float[] padded) {
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int rowStride = (w + 2) * c;
        if (c == 1) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(image, y * w, padded, (y + 1) * rowStride + 1, w);
            }
            return;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int dst = (y + 1) * rowStride + (x + 1) * c;
                int src = y * w + x;
                for (int ch = 0; ch < c; ch++) {
                    padded[dst + ch] = image[src + ch * h * w];
                }
            }
        }
    }

    /**
     * The adjoint of {@link #patches}: y[b] = sum of every patch entry back onto its pixel, plus bias[c] on
     * channel c when bias is not null (overwrites y[b]). Each pixel's entries are added in the order of the
     * patch matrix's rows.
     */
    static void accumulatePatches(ConvGeometry g, CpuTensor cols, CpuTensor y, float[] bias, int from, int to) {
        int imageSize = g.inImageSize();
        int k = g.patchSize();
        int run = 4 * g.inChannels();
        int rowStride = (g.inWidth() + 2) * g.inChannels();
        int rowSize = g.outWidth() * k;
        float[] image = new float[imageSize];
        float[] padded = new float[(g.inHeight() + 2) * rowStride];
        float[] rows = new float[rowSize];
        for (int b = from; b < to; b++) {
            Arrays.fill(padded, 0f);
            for (int py = 0; py < g.outHeight(); py++) {
                cols.read((b * g.outHeight() + py) * rowSize, rows, 0, rowSize);
                for (int px = 0; px < g.outWidth(); px++) {
                    int dst = 2 * py * rowStride + 2 * px * g.inChannels();
                    int src = px * k;
                    for (int kh = 0; kh < 4; kh++) {
                        addInto(rows, src + kh * run, padded, dst + kh * rowStride, run);
                    }
                }
            }
            fromPaddedChannelsLast(g, padded, image);
            if (bias != null) {
                CpuOps.addChannelBias(image, bias, g.inChannels(), g.inHeight() * g.inWidth());
            }
            y.write(b * imageSize, image, 0, imageSize);
        }
    }

    /** dst[d + i] += src[s + i] for i in [0, n). */
    private static void addInto(float[] src, int s, float[] dst, int d, int n) {
        if (n == 4) {
            dst[d] += src[s];
            dst[d + 1] += src[s + 1];
            dst[d + 2] += src[s + 2];
            dst[d + 3] += src[s + 3];
            return;
        }
        for (int i = 0; i < n; i++) {
            dst[d + i] += src[s + i];
        }
    }

    /** image[c, y, x] = padded[(y + 1, x + 1, c)]: the inverse of {@link #toPaddedChannelsLast}, border dropped. */
    private static void fromPaddedChannelsLast(ConvGeometry g, float[] padded, float[] image) {
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int rowStride = (w + 2) * c;
        if (c == 1) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(padded, (y + 1) * rowStride + 1, image, y * w, w);
            }
            return;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int src = (y + 1) * rowStride + (x + 1) * c;
                int dst = y * w + x;
                for (int ch = 0; ch < c; ch++) {
                    image[dst + ch * h * w] = padded[src + ch];
                }
            }
        }
    }

    /**
     * dst[r, t * C + c] = w[r, c * 16 + t]: a weight matrix {@code [rows, C * 16]} in Conv2d's column order
     * (channel, kernel position) rewritten in the patch matrix's (kernel position, channel).
     */
    static void toPatchOrder(CpuTensor w, int rows, int channels, CpuTensor dst) {
        int k = channels * TAPS;
        float[] in = new float[k];
        float[] out = new float[k];
        for (int r = 0; r < rows; r++) {
            w.read(r * k, in, 0, k);
            for (int c = 0; c < channels; c++) {
                for (int t = 0; t < TAPS; t++) {
                    out[t * channels + c] = in[c * TAPS + t];
                }
            }
            dst.write(r * k, out, 0, k);
        }
    }

    /**
     * The adjoint move for gradients: dw[r, c * 16 + t] = src's entry for (r, t * C + c), plus dw's own
     * value when accumulating. src is {@code [rows, C * 16]} in patch order, or, when transposed, its
     * transpose {@code [C * 16, rows]}.
     */
    static void addFromPatchOrder(CpuTensor src, boolean transposed, int rows, int channels, CpuTensor dw,
                                  boolean accumulate) {
        int k = channels * TAPS;
        float[] s = CpuOps.toArray(src);
        float[] d = accumulate ? CpuOps.toArray(dw) : new float[rows * k];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) {
                for (int t = 0; t < TAPS; t++) {
                    int patchColumn = t * channels + c;
                    float v = transposed ? s[patchColumn * rows + r] : s[r * k + patchColumn];
                    int i = r * k + c * TAPS + t;
                    d[i] = accumulate ? d[i] + v : v;
                }
            }
        }
        dw.write(0, d, 0, d.length);
    }

    /**
     * NCHW {@code [b, c, p]} to channel-major {@code [c, b * P + p]} (one row of the whole batch per channel)
     * for images [from, to): runs of P values, copied as they are.
     */
    static void toChannelMajor(CpuTensor src, CpuTensor dst, int batch, int channels, int pixels, int from, int to) {
        int rowLength = batch * pixels;
        for (int b = from; b < to; b++) {
            for (int ch = 0; ch < channels; ch++) {
                dst.copyFrom((ch * rowLength) + b * pixels, src, (b * channels + ch) * pixels, pixels);
            }
        }
    }

    /**
     * Channel-major {@code [c, b * P + p]} to NCHW {@code [b, c, p]}, adding bias[c] (bias may be null), for
     * images [from, to).
     */
    static void fromChannelMajor(CpuTensor src, CpuTensor dst, float[] bias, int batch, int channels, int pixels,
                                 int from, int to) {
        int rowLength = batch * pixels;
        if (bias == null) {
            for (int b = from; b < to; b++) {
                for (int ch = 0; ch < channels; ch++) {
                    dst.copyFrom((b * channels + ch) * pixels, src, ch * rowLength + b * pixels, pixels);
                }
            }
            return;
        }
        float[] image = new float[channels * pixels];
        for (int b = from; b < to; b++) {
            for (int ch = 0; ch < channels; ch++) {
                src.read(ch * rowLength + b * pixels, image, ch * pixels, pixels);
            }
            CpuOps.addChannelBias(image, bias, channels, pixels);
            dst.write(b * channels * pixels, image, 0, image.length);
        }
    }
}
