package dcgan.backend.cpu;

/**
 * Double-precision reference implementations written straight from the definitions with nested loops:
 * no im2col, no matrix products, no sharing with the code under test. All arrays are flat, row-major
 * (NCHW for images). The convolution is always 4x4, stride 2, padding 1, so an output pixel (oy, ox)
 * sees the input pixels (2 oy - 1 + kh, 2 ox - 1 + kw) for kh, kw in 0..3.
 *
 * <p>Public so that the whole-iteration reference ({@code dcgan.train.FullIterationReferenceTest}) can
 * compose the same independent ops into D and G.
 */
public final class NaiveOps {

    private NaiveOps() {
    }

    public static final int K = 4;

    // ------------------------------------------------------------------ convolution

    /**
     * Conv2d(c -> o, 4, stride 2, pad 1): y[b, o, oy, ox] = bias[o] + sum over c, kh, kw of
     * x[b, c, 2oy-1+kh, 2ox-1+kw] * w[o, c, kh, kw], padding reading as zero.
     */
    public static double[] conv(double[] x, double[] w, double[] bias, int batch, int inC, int h, int wd, int outC) {
        int oh = h / 2, ow = wd / 2;
        double[] y = new double[batch * outC * oh * ow];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < outC; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int c = 0; c < inC; c++) {
                            for (int kh = 0; kh < K; kh++) {
                                int iy = 2 * oy - 1 + kh;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kw = 0; kw < K; kw++) {
                                    int ix = 2 * ox - 1 + kw;
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    s += x[((b * inC + c) * h + iy) * wd + ix] * w[((o * inC + c) * K + kh) * K + kw];
                                }
                            }
                        }
                        y[((b * outC + o) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    /** dL/dx of the convolution: each dy[b, o, oy, ox] * w[o, c, kh, kw] summed back onto the pixel it came from. */
    public static double[] convInputGrad(double[] dy, double[] w, int batch, int inC, int h, int wd, int outC) {
        int oh = h / 2, ow = wd / 2;
        double[] dx = new double[batch * inC * h * wd];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < outC; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double g = dy[((b * outC + o) * oh + oy) * ow + ox];
                        for (int c = 0; c < inC; c++) {
                            for (int kh = 0; kh < K; kh++) {
                                int iy = 2 * oy - 1 + kh;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kw = 0; kw < K; kw++) {
                                    int ix = 2 * ox - 1 + kw;
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    dx[((b * inC + c) * h + iy) * wd + ix] += g * w[((o * inC + c) * K + kh) * K + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** dL/dw of the convolution: dw[o, c, kh, kw] = sum over b, oy, ox of dy[b, o, oy, ox] * x[b, c, 2oy-1+kh, 2ox-1+kw]. */
    public static double[] convWeightGrad(double[] x, double[] dy, int batch, int inC, int h, int wd, int outC) {
        int oh = h / 2, ow = wd / 2;
        double[] dw = new double[outC * inC * K * K];
        for (int o = 0; o < outC; o++) {
            for (int c = 0; c < inC; c++) {
                for (int kh = 0; kh < K; kh++) {
                    for (int kw = 0; kw < K; kw++) {
                        double s = 0;
                        for (int b = 0; b < batch; b++) {
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = 2 * oy - 1 + kh;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = 2 * ox - 1 + kw;
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    s += dy[((b * outC + o) * oh + oy) * ow + ox] * x[((b * inC + c) * h + iy) * wd + ix];
                                }
                            }
                        }
                        dw[((o * inC + c) * K + kh) * K + kw] = s;
                    }
                }
            }
        }
        return dw;
    }

    /** Sum of t[b, c, p] over b and p: the bias gradient of a [batch, channels, pixels] output. */
    public static double[] channelSums(double[] t, int batch, int channels, int pixels) {
        double[] s = new double[channels];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < pixels; p++) {
                    s[c] += t[(b * channels + c) * pixels + p];
                }
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ transposed convolution

    /**
     * ConvTranspose2d(inC -> outC, 4, stride 2, pad 1) from h x wd to 2h x 2wd, weight [inC, outC, 4, 4]:
     * every input value x[b, i, iy, ix] adds x * w[i, o, kh, kw] to y[b, o, 2iy-1+kh, 2ix-1+kw] (dropped
     * where that falls in the padding), plus bias[o] everywhere.
     */
    public static double[] convTranspose(double[] x, double[] w, double[] bias, int batch, int inC, int h, int wd, int outC) {
        int yh = 2 * h, yw = 2 * wd;
        double[] y = new double[batch * outC * yh * yw];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < outC; o++) {
                for (int p = 0; p < yh * yw; p++) {
                    y[(b * outC + o) * yh * yw + p] = bias == null ? 0 : bias[o];
                }
            }
            for (int i = 0; i < inC; i++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < wd; ix++) {
                        double v = x[((b * inC + i) * h + iy) * wd + ix];
                        for (int o = 0; o < outC; o++) {
                            for (int kh = 0; kh < K; kh++) {
                                int y0 = 2 * iy - 1 + kh;
                                if (y0 < 0 || y0 >= yh) {
                                    continue;
                                }
                                for (int kw = 0; kw < K; kw++) {
                                    int x0 = 2 * ix - 1 + kw;
                                    if (x0 < 0 || x0 >= yw) {
                                        continue;
                                    }
                                    y[((b * outC + o) * yh + y0) * yw + x0] += v * w[((i * outC + o) * K + kh) * K + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    /** dL/dx of the transposed convolution: dx[b, i, iy, ix] = sum over o, kh, kw of dy[b, o, 2iy-1+kh, 2ix-1+kw] * w[i, o, kh, kw]. */
    public static double[] convTransposeInputGrad(double[] dy, double[] w, int batch, int inC, int h, int wd, int outC) {
        int yh = 2 * h, yw = 2 * wd;
        double[] dx = new double[batch * inC * h * wd];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < inC; i++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < wd; ix++) {
                        double s = 0;
                        for (int o = 0; o < outC; o++) {
                            for (int kh = 0; kh < K; kh++) {
                                int y0 = 2 * iy - 1 + kh;
                                if (y0 < 0 || y0 >= yh) {
                                    continue;
                                }
                                for (int kw = 0; kw < K; kw++) {
                                    int x0 = 2 * ix - 1 + kw;
                                    if (x0 < 0 || x0 >= yw) {
                                        continue;
                                    }
                                    s += dy[((b * outC + o) * yh + y0) * yw + x0] * w[((i * outC + o) * K + kh) * K + kw];
                                }
                            }
                        }
                        dx[((b * inC + i) * h + iy) * wd + ix] = s;
                    }
                }
            }
        }
        return dx;
    }

    /** dL/dw of the transposed convolution: dw[i, o, kh, kw] = sum over b, iy, ix of x[b, i, iy, ix] * dy[b, o, 2iy-1+kh, 2ix-1+kw]. */
    public static double[] convTransposeWeightGrad(double[] x, double[] dy, int batch, int inC, int h, int wd, int outC) {
        int yh = 2 * h, yw = 2 * wd;
        double[] dw = new double[inC * outC * K * K];
        for (int i = 0; i < inC; i++) {
            for (int o = 0; o < outC; o++) {
                for (int kh = 0; kh < K; kh++) {
                    for (int kw = 0; kw < K; kw++) {
                        double s = 0;
                        for (int b = 0; b < batch; b++) {
                            for (int iy = 0; iy < h; iy++) {
                                int y0 = 2 * iy - 1 + kh;
                                if (y0 < 0 || y0 >= yh) {
                                    continue;
                                }
                                for (int ix = 0; ix < wd; ix++) {
                                    int x0 = 2 * ix - 1 + kw;
                                    if (x0 < 0 || x0 >= yw) {
                                        continue;
                                    }
                                    s += x[((b * inC + i) * h + iy) * wd + ix] * dy[((b * outC + o) * yh + y0) * yw + x0];
                                }
                            }
                        }
                        dw[((i * outC + o) * K + kh) * K + kw] = s;
                    }
                }
            }
        }
        return dw;
    }

    // ------------------------------------------------------------------ linear

    /** y[r, j] = bias[j] + sum over i of x[r, i] * w[j, i] (no bias when bias is null). */
    public static double[] linear(double[] x, double[] w, double[] bias, int batch, int in, int out) {
        double[] y = new double[batch * out];
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < out; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[j * in + i];
                }
                y[r * out + j] = s;
            }
        }
        return y;
    }

    /** dx[r, i] = sum over j of dy[r, j] * w[j, i]. */
    public static double[] linearInputGrad(double[] dy, double[] w, int batch, int in, int out) {
        double[] dx = new double[batch * in];
        for (int r = 0; r < batch; r++) {
            for (int i = 0; i < in; i++) {
                double s = 0;
                for (int j = 0; j < out; j++) {
                    s += dy[r * out + j] * w[j * in + i];
                }
                dx[r * in + i] = s;
            }
        }
        return dx;
    }

    /** dw[j, i] = sum over r of dy[r, j] * x[r, i]. */
    public static double[] linearWeightGrad(double[] x, double[] dy, int batch, int in, int out) {
        double[] dw = new double[out * in];
        for (int j = 0; j < out; j++) {
            for (int i = 0; i < in; i++) {
                double s = 0;
                for (int r = 0; r < batch; r++) {
                    s += dy[r * out + j] * x[r * in + i];
                }
                dw[j * in + i] = s;
            }
        }
        return dw;
    }

    // ------------------------------------------------------------------ 4x4 kernels over the whole image

    /**
     * ConvTranspose2d(in -> outC, 4, stride 1, padding 0) of a 1x1 image, no bias: every input value spreads over
     * the 4x4 output through its kernel, y[b, o, ky, kx] = sum over i of x[b, i] * w[i, o, ky, kx].
     */
    public static double[] convTransposeFrom1x1(double[] x, double[] w, int batch, int in, int outC) {
        double[] y = new double[batch * outC * K * K];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < outC; o++) {
                for (int ky = 0; ky < K; ky++) {
                    for (int kx = 0; kx < K; kx++) {
                        double s = 0;
                        for (int i = 0; i < in; i++) {
                            s += x[b * in + i] * w[((i * outC + o) * K + ky) * K + kx];
                        }
                        y[((b * outC + o) * K + ky) * K + kx] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Conv2d(inC -> out, 4, stride 1, padding 0) of a 4x4 image, no bias: one output pixel that sees the whole
     * image, y[b, o] = sum over c, ky, kx of x[b, c, ky, kx] * w[o, c, ky, kx].
     */
    public static double[] convTo1x1(double[] x, double[] w, int batch, int inC, int out) {
        double[] y = new double[batch * out];
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int c = 0; c < inC; c++) {
                    for (int ky = 0; ky < K; ky++) {
                        for (int kx = 0; kx < K; kx++) {
                            s += x[((b * inC + c) * K + ky) * K + kx] * w[((o * inC + c) * K + ky) * K + kx];
                        }
                    }
                }
                y[b * out + o] = s;
            }
        }
        return y;
    }

    /**
     * dL/dx of {@link #convTransposeFrom1x1}: each input value's share of every output it spread to,
     * dx[b, i] = sum over o, ky, kx of dy[b, o, ky, kx] * w[i, o, ky, kx].
     */
    public static double[] convTransposeFrom1x1InputGrad(double[] dy, double[] w, int batch, int in, int outC) {
        double[] dx = new double[batch * in];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < in; i++) {
                double s = 0;
                for (int o = 0; o < outC; o++) {
                    for (int k = 0; k < K * K; k++) {
                        s += dy[(b * outC + o) * K * K + k] * w[(i * outC + o) * K * K + k];
                    }
                }
                dx[b * in + i] = s;
            }
        }
        return dx;
    }

    /** dL/dw of {@link #convTransposeFrom1x1}: dw[i, o, ky, kx] = sum over b of x[b, i] * dy[b, o, ky, kx]. */
    public static double[] convTransposeFrom1x1WeightGrad(double[] x, double[] dy, int batch, int in, int outC) {
        double[] dw = new double[in * outC * K * K];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < outC; o++) {
                for (int k = 0; k < K * K; k++) {
                    double s = 0;
                    for (int b = 0; b < batch; b++) {
                        s += x[b * in + i] * dy[(b * outC + o) * K * K + k];
                    }
                    dw[(i * outC + o) * K * K + k] = s;
                }
            }
        }
        return dw;
    }

    /** dL/dx of {@link #convTo1x1}: dx[b, c, ky, kx] = sum over o of dy[b, o] * w[o, c, ky, kx]. */
    public static double[] convTo1x1InputGrad(double[] dy, double[] w, int batch, int inC, int out) {
        double[] dx = new double[batch * inC * K * K];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < inC; c++) {
                for (int k = 0; k < K * K; k++) {
                    double s = 0;
                    for (int o = 0; o < out; o++) {
                        s += dy[b * out + o] * w[(o * inC + c) * K * K + k];
                    }
                    dx[(b * inC + c) * K * K + k] = s;
                }
            }
        }
        return dx;
    }

    /** dL/dw of {@link #convTo1x1}: dw[o, c, ky, kx] = sum over b of dy[b, o] * x[b, c, ky, kx]. */
    public static double[] convTo1x1WeightGrad(double[] x, double[] dy, int batch, int inC, int out) {
        double[] dw = new double[out * inC * K * K];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < inC; c++) {
                for (int k = 0; k < K * K; k++) {
                    double s = 0;
                    for (int b = 0; b < batch; b++) {
                        s += dy[b * out + o] * x[(b * inC + c) * K * K + k];
                    }
                    dw[(o * inC + c) * K * K + k] = s;
                }
            }
        }
        return dw;
    }

    // ------------------------------------------------------------------ batch norm

    /** Per-channel mean of a [batch, channels, spatial] tensor. */
    public static double[] channelMean(double[] x, int batch, int channels, int spatial) {
        double[] mean = channelSums(x, batch, channels, spatial);
        for (int c = 0; c < channels; c++) {
            mean[c] /= batch * spatial;
        }
        return mean;
    }

    /** Per-channel sum of squared deviations from the mean. */
    public static double[] channelSquaredDeviations(double[] x, double[] mean, int batch, int channels, int spatial) {
        double[] sq = new double[channels];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                for (int s = 0; s < spatial; s++) {
                    double d = x[(b * channels + c) * spatial + s] - mean[c];
                    sq[c] += d * d;
                }
            }
        }
        return sq;
    }

    /** y = gamma (x - mean) / sqrt(var + eps) + beta with the given per-channel mean and variance. */
    public static double[] normalise(double[] x, double[] gamma, double[] beta, double[] mean, double[] var, double eps,
                              int batch, int channels, int spatial) {
        double[] y = new double[x.length];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                double inv = 1.0 / Math.sqrt(var[c] + eps);
                for (int s = 0; s < spatial; s++) {
                    int i = (b * channels + c) * spatial + s;
                    y[i] = gamma[c] * (x[i] - mean[c]) * inv + beta[c];
                }
            }
        }
        return y;
    }

    /** Training-mode batch norm: normalised with the batch mean and the biased (divide by n) batch variance. */
    public static double[] batchNormTraining(double[] x, double[] gamma, double[] beta, double eps, int batch, int channels, int spatial) {
        double[] mean = channelMean(x, batch, channels, spatial);
        double[] var = channelSquaredDeviations(x, mean, batch, channels, spatial);
        for (int c = 0; c < channels; c++) {
            var[c] /= batch * spatial;
        }
        return normalise(x, gamma, beta, mean, var, eps, batch, channels, spatial);
    }

    /**
     * Analytic gradients of training-mode batch norm in double, for dy: returns {dx, dGamma, dBeta}, with
     * xhat = (x - mean) / sqrt(var + eps), dGamma = sum(dy * xhat), dBeta = sum(dy) and
     * dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat)) (the batch statistics depend on x).
     */
    public static double[][] batchNormTrainingGrads(double[] x, double[] gamma, double[] dy, double eps,
                                             int batch, int channels, int spatial) {
        int n = batch * spatial;
        double[] mean = channelMean(x, batch, channels, spatial);
        double[] var = channelSquaredDeviations(x, mean, batch, channels, spatial);
        double[] dx = new double[x.length];
        double[] dGamma = new double[channels];
        double[] dBeta = new double[channels];
        for (int c = 0; c < channels; c++) {
            double inv = 1.0 / Math.sqrt(var[c] / n + eps);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < spatial; s++) {
                    int i = (b * channels + c) * spatial + s;
                    sumDy += dy[i];
                    sumDyXhat += dy[i] * (x[i] - mean[c]) * inv;
                }
            }
            dGamma[c] = sumDyXhat;
            dBeta[c] = sumDy;
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < spatial; s++) {
                    int i = (b * channels + c) * spatial + s;
                    double xhat = (x[i] - mean[c]) * inv;
                    dx[i] = gamma[c] * inv * (dy[i] - sumDy / n - xhat * sumDyXhat / n);
                }
            }
        }
        return new double[][] {dx, dGamma, dBeta};
    }
}
