package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;

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
        float[] image = new float[imageSize];
        float[] block = new float[blockSize];
        for (int b = from; b < to; b++) {
            x.read(b * imageSize, image, 0, imageSize);
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    int row = (py * ow + px) * k;
                    for (int ch = 0; ch < c; ch++) {
                        int plane = ch * h * w;
                        int col = row + ch * 16;
                        for (int kh = 0; kh < 4; kh++) {
                            int iy = 2 * py - 1 + kh;
                            boolean rowInside = iy >= 0 && iy < h;
                            for (int kw = 0; kw < 4; kw++) {
                                int ix = 2 * px - 1 + kw;
                                block[col + kh * 4 + kw] = rowInside && ix >= 0 && ix < w ? image[plane + iy * w + ix] : 0f;
                            }
                        }
                    }
                }
            }
            cols.write(b * blockSize, block, 0, blockSize);
        }
    }

    /**
     * The adjoint of {@link #patches}: y[b] = sum of every patch entry back onto its pixel, plus bias[c] on
     * channel c when bias is not null (overwrites y[b]).
     */
    static void accumulatePatches(ConvGeometry g, CpuTensor cols, CpuTensor y, float[] bias, int from, int to) {
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int oh = g.outHeight(), ow = g.outWidth(), k = g.patchSize();
        int imageSize = c * h * w;
        int blockSize = oh * ow * k;
        float[] image = new float[imageSize];
        float[] block = new float[blockSize];
        for (int b = from; b < to; b++) {
            cols.read(b * blockSize, block, 0, blockSize);
            java.util.Arrays.fill(image, 0f);
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    int row = (py * ow + px) * k;
                    for (int ch = 0; ch < c; ch++) {
                        int plane = ch * h * w;
                        int col = row + ch * 16;
                        for (int kh = 0; kh < 4; kh++) {
                            int iy = 2 * py - 1 + kh;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int kw = 0; kw < 4; kw++) {
                                int ix = 2 * px - 1 + kw;
                                if (ix >= 0 && ix < w) {
                                    image[plane + iy * w + ix] += block[col + kh * 4 + kw];
                                }
                            }
                        }
                    }
                }
            }
            if (bias != null) {
                CpuOps.addChannelBias(image, bias, c, h * w);
            }
            y.write(b * imageSize, image, 0, imageSize);
        }
    }

    /** NCHW [b, c, p] to rows of channels [b * P + p, c] for images [from, to). */
    static void toChannelsLast(CpuTensor src, CpuTensor dst, int channels, int pixels, int from, int to) {
        int imageSize = channels * pixels;
        float[] in = new float[imageSize];
        float[] out = new float[imageSize];
        for (int b = from; b < to; b++) {
            src.read(b * imageSize, in, 0, imageSize);
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < pixels; p++) {
                    out[p * channels + ch] = in[ch * pixels + p];
                }
            }
            dst.write(b * imageSize, out, 0, imageSize);
        }
    }

    /** Rows of channels [b * P + p, c] to NCHW [b, c, p], adding bias[c] (bias may be null), images [from, to). */
    static void toChannelsFirst(CpuTensor src, CpuTensor dst, float[] bias, int channels, int pixels, int from, int to) {
        int imageSize = channels * pixels;
        float[] in = new float[imageSize];
        float[] out = new float[imageSize];
        for (int b = from; b < to; b++) {
            src.read(b * imageSize, in, 0, imageSize);
            for (int ch = 0; ch < channels; ch++) {
                float add = bias == null ? 0f : bias[ch];
                for (int p = 0; p < pixels; p++) {
                    out[ch * pixels + p] = in[p * channels + ch] + add;
                }
            }
            dst.write(b * imageSize, out, 0, imageSize);
        }
    }
}
