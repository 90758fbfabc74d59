package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;

/**
 * Rearrangements between NCHW images and the matrices that turn a 4x4/stride-2/pad-1 convolution into
 * one matrix product. The patch matrix has one row per (image, output pixel) and one column per
 * (input channel, kernel row, kernel column), the column order of a flattened {@code [out, in, 4, 4]}
 * weight, so {@code conv(x) = patches(x) * W^T} in NHWC order.
 *
 * <p>Every method handles the images {@code [from, to)} only, so callers split the batch across threads.
 */
final class Im2col {

    private Im2col() {
    }

    /** cols[(b * P + p) * K + (c * 16 + kh * 4 + kw)] = x[b, c, 2 oh - 1 + kh, 2 ow - 1 + kw] or 0 outside. */
    static void patches(ConvGeometry g, float[] x, int xOff, float[] cols, int from, int to) {
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int oh = g.outHeight(), ow = g.outWidth(), k = g.patchSize();
        for (int b = from; b < to; b++) {
            int xImage = xOff + b * c * h * w;
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    int row = ((b * oh + py) * ow + px) * k;
                    for (int ch = 0; ch < c; ch++) {
                        int xPlane = xImage + ch * h * w;
                        int col = row + ch * 16;
                        for (int kh = 0; kh < 4; kh++) {
                            int iy = 2 * py - 1 + kh;
                            boolean rowInside = iy >= 0 && iy < h;
                            for (int kw = 0; kw < 4; kw++) {
                                int ix = 2 * px - 1 + kw;
                                cols[col + kh * 4 + kw] = rowInside && ix >= 0 && ix < w ? x[xPlane + iy * w + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #patches}: dx[b] = sum of every patch entry back onto its pixel (overwrites dx[b]). */
    static void accumulatePatches(ConvGeometry g, float[] cols, float[] dx, int dxOff, int from, int to) {
        int c = g.inChannels(), h = g.inHeight(), w = g.inWidth();
        int oh = g.outHeight(), ow = g.outWidth(), k = g.patchSize();
        for (int b = from; b < to; b++) {
            int xImage = dxOff + b * c * h * w;
            java.util.Arrays.fill(dx, xImage, xImage + c * h * w, 0f);
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    int row = ((b * oh + py) * ow + px) * k;
                    for (int ch = 0; ch < c; ch++) {
                        int xPlane = xImage + ch * h * w;
                        int col = row + ch * 16;
                        for (int kh = 0; kh < 4; kh++) {
                            int iy = 2 * py - 1 + kh;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int kw = 0; kw < 4; kw++) {
                                int ix = 2 * px - 1 + kw;
                                if (ix >= 0 && ix < w) {
                                    dx[xPlane + iy * w + ix] += cols[col + kh * 4 + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** NCHW [b, c, p] to rows of channels [b * P + p, c] for images [from, to). */
    static void toChannelsLast(float[] src, int srcOff, float[] dst, int channels, int pixels, int from, int to) {
        for (int b = from; b < to; b++) {
            int s = srcOff + b * channels * pixels;
            int d = b * pixels * channels;
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < pixels; p++) {
                    dst[d + p * channels + ch] = src[s + ch * pixels + p];
                }
            }
        }
    }

    /** Rows of channels [b * P + p, c] to NCHW [b, c, p], adding bias[c] (bias may be null), images [from, to). */
    static void toChannelsFirst(float[] src, float[] dst, int dstOff, float[] bias, int biasOff,
                                int channels, int pixels, int from, int to) {
        for (int b = from; b < to; b++) {
            int s = b * pixels * channels;
            int d = dstOff + b * channels * pixels;
            for (int ch = 0; ch < channels; ch++) {
                float add = bias == null ? 0f : bias[biasOff + ch];
                for (int p = 0; p < pixels; p++) {
                    dst[d + ch * pixels + p] = src[s + p * channels + ch] + add;
                }
            }
        }
    }
}
