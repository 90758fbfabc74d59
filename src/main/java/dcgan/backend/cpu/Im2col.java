package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;

import java.util.Arrays;

/**
 * Rearrangements between NCHW images and the matrices that turn a 4x4/stride-2/pad-1 convolution into
 * one matrix product. The patch matrix has one row per (image, output pixel) and one column per
 * (input channel, kernel row, kernel column), the column order of a flattened {@code [out, in, 4, 4]}
 * weight, so {@code conv(x) = patches(x) * W^T} in NHWC order.
 *
 * <p>Every method handles the images {@code [from, to)} only, so callers split the batch across threads.
 * Each image is copied between off-heap memory and Java arrays in one piece and rearranged there.
 */
final class Im2col {

    private Im2col() {
    }

    /** cols[(b * P + p) * K + (c * 16 + kh * 4 + kw)] = x[b, c, 2 oh - 1 + kh, 2 ow - 1 + kw] or 0 outside. */
    static void patches(ConvGeometry g, CpuTensor x, CpuTensor cols, int from, int to) {
        int imageSize = g.inImageSize();
        int rowSize = g.outWidth() * g.patchSize(); // the patch rows of one row of output pixels
        float[] image = new float[imageSize];
        float[] padded = new float[g.inChannels() * (g.inHeight() + 2) * (g.inWidth() + 2)];
        float[] rows = new float[rowSize];
        for (int b = from; b < to; b++) {
            x.read(b * imageSize, image, 0, imageSize);
            pad(g, image, padded);
            for (int py = 0; py < g.outHeight(); py++) {
                gather(g, padded, py, rows);
                cols.write((b * g.outHeight() + py) * rowSize, rows, 0, rowSize);
            }
        }
    }

    /** padded = the image inside a border of zeros one pixel wide (the border is never written). */
    private static void pad(ConvGeometry g, float[] image, float[] padded) {
        int h = g.inHeight(), w = g.inWidth();
        int pw = w + 2;
        int plane = (h + 2) * pw;
        for (int ch = 0; ch < g.inChannels(); ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(image, (ch * h + y) * w, padded, ch * plane + (y + 1) * pw + 1, w);
            }
        }
    }

    /**
     * The patch rows of output row py from the padded planes: output pixel (py, px) sees padded rows
     * 2 py .. 2 py + 3, columns 2 px .. 2 px + 3. One output row at a time keeps the rows written in the L1
     * cache until they are copied out.
     */
    private static void gather(ConvGeometry g, float[] padded, int py, float[] rows) {
        int c = g.inChannels(), ow = g.outWidth(), k = g.patchSize();
        int pw = g.inWidth() + 2;
        int plane = (g.inHeight() + 2) * pw;
        for (int ch = 0; ch < c; ch++) {
            for (int px = 0; px < ow; px++) {
                int src = ch * plane + 2 * py * pw + 2 * px;
                int dst = px * k + ch * 16;
                for (int kh = 0; kh < 4; kh++) {
                    int s = src + kh * pw;
                    int d = dst + kh * 4;
                    rows[d] = padded[s];
                    rows[d + 1] = padded[s + 1];
                    rows[d + 2] = padded[s + 2];
                    rows[d + 3] = padded[s + 3];
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
        int rowSize = g.outWidth() * g.patchSize();
        float[] image = new float[imageSize];
        float[] padded = new float[g.inChannels() * (g.inHeight() + 2) * (g.inWidth() + 2)];
        float[] rows = new float[rowSize];
        for (int b = from; b < to; b++) {
            Arrays.fill(padded, 0f);
            for (int py = 0; py < g.outHeight(); py++) {
                cols.read((b * g.outHeight() + py) * rowSize, rows, 0, rowSize);
                scatterAdd(g, rows, py, padded);
            }
            unpad(g, padded, image);
            if (bias != null) {
                CpuOps.addChannelBias(image, bias, g.inChannels(), g.inHeight() * g.inWidth());
            }
            y.write(b * imageSize, image, 0, imageSize);
        }
    }

    /**
     * The adjoint of {@link #gather}: each entry of output row py's patch rows added onto its padded pixel
     * (border entries land on the border).
     */
    private static void scatterAdd(ConvGeometry g, float[] rows, int py, float[] padded) {
        int c = g.inChannels(), ow = g.outWidth(), k = g.patchSize();
        int pw = g.inWidth() + 2;
        int plane = (g.inHeight() + 2) * pw;
        for (int ch = 0; ch < c; ch++) {
            for (int px = 0; px < ow; px++) {
                int dst = ch * plane + 2 * py * pw + 2 * px;
                int src = px * k + ch * 16;
                for (int kh = 0; kh < 4; kh++) {
                    int d = dst + kh * pw;
                    int s = src + kh * 4;
                    padded[d] += rows[s];
                    padded[d + 1] += rows[s + 1];
                    padded[d + 2] += rows[s + 2];
                    padded[d + 3] += rows[s + 3];
                }
            }
        }
    }

    /** The image inside the padded planes, without the border. */
    private static void unpad(ConvGeometry g, float[] padded, float[] image) {
        int h = g.inHeight(), w = g.inWidth();
        int pw = w + 2;
        int plane = (h + 2) * pw;
        for (int ch = 0; ch < g.inChannels(); ch++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(padded, ch * plane + (y + 1) * pw + 1, image, (ch * h + y) * w, w);
            }
        }
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
