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
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int oh = g.outHeight(), ow = g.outWidth(), k = g.patchSize();
        int imageSize = c * h * w;
        int blockSize = oh * ow * k;
        int pw = w + 2;
        int plane = (h + 2) * pw;
        float[] image = new float[imageSize];
        float[] padded = new float[c * plane]; // the image inside a border of zeros, one pixel wide
        float[] block = new float[blockSize];
        for (int b = from; b < to; b++) {
            x.read(b * imageSize, image, 0, imageSize);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(image, (ch * h + y) * w, padded, ch * plane + (y + 1) * pw + 1, w);
                }
            }
            // Output pixel (py, px) sees padded rows 2 py .. 2 py + 3 and columns 2 px .. 2 px + 3.
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    int row = (py * ow + px) * k;
                    int corner = 2 * py * pw + 2 * px;
                    for (int ch = 0; ch < c; ch++) {
                        int src = ch * plane + corner;
                        int dst = row + ch * 16;
                        for (int kh = 0; kh < 4; kh++) {
                            int s = src + kh * pw;
                            int d = dst + kh * 4;
                            block[d] = padded[s];
                            block[d + 1] = padded[s + 1];
                            block[d + 2] = padded[s + 2];
                            block[d + 3] = padded[s + 3];
                        }
                    }
                }
            }
            cols.write(b * blockSize, block, 0, blockSize);
        }
    }

    /**
     * The adjoint of {@link #patches}: y[b] = sum of every patch entry back onto its pixel, plus bias[c] on
     * channel c when bias is not null (overwrites y[b]). Each pixel's entries are added in the order of the
     * patch matrix's rows and columns.
     */
    static void accumulatePatches(ConvGeometry g, CpuTensor cols, CpuTensor y, float[] bias, int from, int to) {
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int oh = g.outHeight(), ow = g.outWidth(), k = g.patchSize();
        int imageSize = c * h * w;
        int blockSize = oh * ow * k;
        int pw = w + 2;
        int plane = (h + 2) * pw;
        float[] image = new float[imageSize];
        float[] padded = new float[c * plane]; // entries that fall on the border are summed there and dropped
        float[] block = new float[blockSize];
        for (int b = from; b < to; b++) {
            cols.read(b * blockSize, block, 0, blockSize);
            Arrays.fill(padded, 0f);
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    int row = (py * ow + px) * k;
                    int corner = 2 * py * pw + 2 * px;
                    for (int ch = 0; ch < c; ch++) {
                        int dst = ch * plane + corner;
                        int src = row + ch * 16;
                        for (int kh = 0; kh < 4; kh++) {
                            int d = dst + kh * pw;
                            int s = src + kh * 4;
                            padded[d] += block[s];
                            padded[d + 1] += block[s + 1];
                            padded[d + 2] += block[s + 2];
                            padded[d + 3] += block[s + 3];
                        }
                    }
                }
            }
            for (int ch = 0; ch < c; ch++) {
                for (int yy = 0; yy < h; yy++) {
                    System.arraycopy(padded, ch * plane + (yy + 1) * pw + 1, image, (ch * h + yy) * w, w);
                }
            }
            if (bias != null) {
                CpuOps.addChannelBias(image, bias, c, h * w);
            }
            y.write(b * imageSize, image, 0, imageSize);
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
