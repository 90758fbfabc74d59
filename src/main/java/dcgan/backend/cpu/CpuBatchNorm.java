package dcgan.backend.cpu;

import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;

/**
 * Batch norm over {@code [batch, channels, spatial]}. Each task handles a range of channels, reading each
 * image's values of those channels in one piece; every channel's sums are taken in double in a fixed
 * order (image by image, and within an image in a few interleaved partial sums), so results are
 * reproducible whatever the thread count.
 */
final class CpuBatchNorm implements BatchNormOp {

    private final CpuBackend cpu;
    private final int batch;
    private final int channels;
    private final int spatial;
    private final float[] savedMean;
    private final float[] savedInvStd;

    CpuBatchNorm(CpuBackend cpu, int batch, int channels, int spatial) {
        if (batch <= 0 || channels <= 0 || spatial <= 0) {
            throw new IllegalArgumentException("batch norm needs positive sizes: " + batch + "x" + channels + "x" + spatial);
        }
        this.cpu = cpu;
        this.batch = batch;
        this.channels = channels;
        this.spatial = spatial;
        this.savedMean = new float[channels];
        this.savedInvStd = new float[channels];
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int spatial() {
        return spatial;
    }

    private int size() {
        return batch * channels * spatial;
    }

    /**
     * Channel ranges to split the work into: a few per thread, and small enough that one image's values of
     * a range (read in one piece) stay in the L1 cache.
     */
    private int tasks() {
        int byCache = (channels * spatial + CpuOps.CHUNK - 1) / CpuOps.CHUNK;
        return Math.min(channels, Math.max(4 * cpu.parallel().threads(), byCache));
    }

    @Override
    public void forwardTraining(Tensor xT, Tensor gammaT, Tensor betaT, Tensor meanT, Tensor varT,
                                float momentum, boolean updateMovingAverages, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT, size(), "batch norm input");
        CpuTensor gamma = CpuTensor.of(gammaT, channels, "batch norm gamma");
        CpuTensor beta = CpuTensor.of(betaT, channels, "batch norm beta");
        CpuTensor mm = CpuTensor.of(meanT, channels, "batch norm moving mean");
        CpuTensor mv = CpuTensor.of(varT, channels, "batch norm moving variance");
        CpuTensor y = CpuTensor.of(yT, size(), "batch norm output");
        int n = batch * spatial;
        if (n < 2) {
            throw new IllegalArgumentException("batch norm in training needs at least 2 values per channel, got " + n);
        }
        cpu.parallel().forRange(channels, tasks(), (from, to) -> {
            int count = to - from;
            float[] run = new float[count * spatial];
            double[] sum = new double[count];
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, run);
                addSums(run, count, spatial, sum);
            }
            double[] mean = new double[count];
            for (int c = 0; c < count; c++) {
                mean[c] = sum[c] / n;
            }
            double[] sq = new double[count];
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, run);
                addSquaredDeviations(run, count, spatial, mean, sq);
            }
            float[] shift = new float[count];
            float[] scale = new float[count];
            float[] offset = new float[count];
            for (int c = from; c < to; c++) {
                int j = c - from;
                double var = sq[j] / n;
                float meanF = (float) mean[j];
                float invStd = (float) (1.0 / Math.sqrt(var + EPSILON));
                savedMean[c] = meanF;
                savedInvStd[c] = invStd;
                if (updateMovingAverages) {
                    float unbiased = (float) (sq[j] / (n - 1));
                    mm.set(c, momentum * mm.get(c) + (1 - momentum) * meanF);
                    mv.set(c, momentum * mv.get(c) + (1 - momentum) * unbiased);
                }
                shift[j] = meanF;
                scale[j] = gamma.get(c) * invStd;
                offset[j] = beta.get(c);
            }
            normalise(x, y, from, to, run, shift, scale, offset);
        });
    }

    @Override
    public void forwardInference(Tensor xT, Tensor gammaT, Tensor betaT, Tensor meanT, Tensor varT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT, size(), "batch norm input");
        CpuTensor gamma = CpuTensor.of(gammaT, channels, "batch norm gamma");
        CpuTensor beta = CpuTensor.of(betaT, channels, "batch norm beta");
        CpuTensor mm = CpuTensor.of(meanT, channels, "batch norm moving mean");
        CpuTensor mv = CpuTensor.of(varT, channels, "batch norm moving variance");
        CpuTensor y = CpuTensor.of(yT, size(), "batch norm output");
        cpu.parallel().forRange(channels, tasks(), (from, to) -> {
            int count = to - from;
            float[] shift = new float[count];
            float[] scale = new float[count];
            float[] offset = new float[count];
            for (int c = from; c < to; c++) {
                float invStd = (float) (1.0 / Math.sqrt(mv.get(c) + (double) EPSILON));
                shift[c - from] = mm.get(c);
                scale[c - from] = gamma.get(c) * invStd;
                offset[c - from] = beta.get(c);
            }
            normalise(x, y, from, to, new float[count * spatial], shift, scale, offset);
        });
    }

    /** The values of channels [from, to) of image b, into run. */
    private void read(CpuTensor t, int b, int from, int to, float[] run) {
        t.read((b * channels + from) * spatial, run, 0, (to - from) * spatial);
    }

    private void write(CpuTensor t, int b, int from, int to, float[] run) {
        t.write((b * channels + from) * spatial, run, 0, (to - from) * spatial);
    }

    /** y = (x - shift[c]) * scale[c] + offset[c] on channels [from, to), indexed from 0 in the arrays. */
    private void normalise(CpuTensor x, CpuTensor y, int from, int to, float[] run,
                           float[] shift, float[] scale, float[] offset) {
        for (int b = 0; b < batch; b++) {
            read(x, b, from, to, run);
            normaliseRun(run, to - from, spatial, shift, scale, offset);
            write(y, b, from, to, run);
        }
    }

    @Override
    public void backward(Tensor xT, Tensor gammaT, Tensor dyT, Tensor dxT, Tensor dGammaT, Tensor dBetaT,
                         boolean accumulate) {
        CpuTensor x = CpuTensor.of(xT, size(), "batch norm input");
        CpuTensor gamma = CpuTensor.of(gammaT, channels, "batch norm gamma");
        CpuTensor dy = CpuTensor.of(dyT, size(), "batch norm output gradient");
        CpuTensor dx = CpuTensor.of(dxT, size(), "batch norm input gradient");
        boolean paramGrads = dGammaT != null || dBetaT != null;
        CpuTensor dGamma = paramGrads ? CpuTensor.of(dGammaT, channels, "batch norm gamma gradient") : null;
        CpuTensor dBeta = paramGrads ? CpuTensor.of(dBetaT, channels, "batch norm beta gradient") : null;
        int n = batch * spatial;
        cpu.parallel().forRange(channels, tasks(), (from, to) -> {
            int count = to - from;
            float[] mean = java.util.Arrays.copyOfRange(savedMean, from, to);
            float[] invStd = java.util.Arrays.copyOfRange(savedInvStd, from, to);
            float[] xs = new float[count * spatial];
            float[] gs = new float[count * spatial];
            double[] sumDy = new double[count];
            double[] sumDyXhat = new double[count];
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, xs);
                read(dy, b, from, to, gs);
                addGradientSums(xs, gs, count, spatial, mean, invStd, sumDy, sumDyXhat);
            }
            float[] scale = new float[count];
            float[] meanDy = new float[count];
            float[] meanDyXhat = new float[count];
            for (int c = from; c < to; c++) {
                int j = c - from;
                if (paramGrads) {
                    float dg = (float) sumDyXhat[j];
                    float dbv = (float) sumDy[j];
                    dGamma.set(c, accumulate ? dGamma.get(c) + dg : dg);
                    dBeta.set(c, accumulate ? dBeta.get(c) + dbv : dbv);
                }
                scale[j] = gamma.get(c) * invStd[j];
                meanDy[j] = (float) (sumDy[j] / n);
                meanDyXhat[j] = (float) (sumDyXhat[j] / n);
            }
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, xs);
                read(dy, b, from, to, gs);
                inputGradient(xs, gs, count, spatial, mean, invStd, scale, meanDy, meanDyXhat);
                write(dx, b, from, to, gs);
            }
        });
    }

    // Kernels on one image's values of a range of channels: count channels of spatial values each, channel c
    // at [c * spatial, (c + 1) * spatial). With one value per channel the channel loop is the inner one, in a
    // method of its own (the *Feature* ones), so that C2 compiles each shape's loop apart.

    /** sum[c] += the values of channel c (four interleaved partial sums, added in a fixed order). */
    private static void addSums(float[] run, int count, int spatial, double[] sum) {
        if (spatial == 1) {
            addFeatureSums(run, count, sum);
            return;
        }
        for (int c = 0; c < count; c++) {
            int start = c * spatial;
            int end = start + spatial;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = start;
            for (; i + 3 < end; i += 4) {
                s0 += run[i];
                s1 += run[i + 1];
                s2 += run[i + 2];
                s3 += run[i + 3];
            }
            for (; i < end; i++) {
                s0 += run[i];
            }
            sum[c] += (s0 + s1) + (s2 + s3);
        }
    }

    private static void addFeatureSums(float[] run, int count, double[] sum) {
        for (int c = 0; c < count; c++) {
            sum[c] += run[c];
        }
    }

    /** sq[c] += (value - mean[c])^2 over the values of channel c, in double (as {@link #addSums}). */
    private static void addSquaredDeviations(float[] run, int count, int spatial, double[] mean, double[] sq) {
        if (spatial == 1) {
            addFeatureSquaredDeviations(run, count, mean, sq);
            return;
        }
        for (int c = 0; c < count; c++) {
            double m = mean[c];
            int start = c * spatial;
            int end = start + spatial;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = start;
            for (; i + 3 < end; i += 4) {
                double d0 = run[i] - m;
                double d1 = run[i + 1] - m;
                double d2 = run[i + 2] - m;
                double d3 = run[i + 3] - m;
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; i < end; i++) {
                double d = run[i] - m;
                s0 += d * d;
            }
            sq[c] += (s0 + s1) + (s2 + s3);
        }
    }

    private static void addFeatureSquaredDeviations(float[] run, int count, double[] mean, double[] sq) {
        for (int c = 0; c < count; c++) {
            double d = run[c] - mean[c];
            sq[c] += d * d;
        }
    }

    /** value = (value - shift[c]) * scale[c] + offset[c]; (x - mean) first, as folding the mean into a shift
     *  would lose digits when |mean| >> std. */
    private static void normaliseRun(float[] run, int count, int spatial, float[] shift, float[] scale, float[] offset) {
        if (spatial == 1) {
            normaliseFeatures(run, count, shift, scale, offset);
            return;
        }
        for (int c = 0; c < count; c++) {
            float mean = shift[c];
            float sc = scale[c];
            float add = offset[c];
            for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                run[i] = (run[i] - mean) * sc + add;
            }
        }
    }

    private static void normaliseFeatures(float[] run, int count, float[] shift, float[] scale, float[] offset) {
        for (int c = 0; c < count; c++) {
            run[c] = (run[c] - shift[c]) * scale[c] + offset[c];
        }
    }

    /**
     * sumDy[c] += dy and sumDyXhat[c] += dy * xhat, xhat = (x - mean[c]) * invStd[c], over the values of
     * channel c (as {@link #addSums}).
     */
    private static void addGradientSums(float[] xs, float[] gs, int count, int spatial, float[] mean, float[] invStd,
                                        double[] sumDy, double[] sumDyXhat) {
        if (spatial == 1) {
            addFeatureGradientSums(xs, gs, count, mean, invStd, sumDy, sumDyXhat);
            return;
        }
        for (int c = 0; c < count; c++) {
            float m = mean[c];
            float is = invStd[c];
            int start = c * spatial;
            int end = start + spatial;
            double s0 = 0, s1 = 0, x0 = 0, x1 = 0;
            int i = start;
            for (; i + 1 < end; i += 2) {
                float g0 = gs[i];
                float g1 = gs[i + 1];
                s0 += g0;
                s1 += g1;
                x0 += g0 * ((xs[i] - m) * is);
                x1 += g1 * ((xs[i + 1] - m) * is);
            }
            for (; i < end; i++) {
                float g = gs[i];
                s0 += g;
                x0 += g * ((xs[i] - m) * is);
            }
            sumDy[c] += s0 + s1;
            sumDyXhat[c] += x0 + x1;
        }
    }

    private static void addFeatureGradientSums(float[] xs, float[] gs, int count, float[] mean, float[] invStd,
                                               double[] sumDy, double[] sumDyXhat) {
        for (int c = 0; c < count; c++) {
            float g = gs[c];
            sumDy[c] += g;
            sumDyXhat[c] += g * ((xs[c] - mean[c]) * invStd[c]);
        }
    }

    /** dy becomes dx = scale * (dy - mean(dy) - xhat * mean(dy * xhat)), scale = gamma * invStd. */
    private static void inputGradient(float[] xs, float[] gs, int count, int spatial, float[] mean, float[] invStd,
                                      float[] scale, float[] meanDy, float[] meanDyXhat) {
        if (spatial == 1) {
            featureInputGradient(xs, gs, count, mean, invStd, scale, meanDy, meanDyXhat);
            return;
        }
        for (int c = 0; c < count; c++) {
            float m = mean[c];
            float is = invStd[c];
            float sc = scale[c];
            float md = meanDy[c];
            float mdx = meanDyXhat[c];
            for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                float xhat = (xs[i] - m) * is;
                gs[i] = sc * (gs[i] - md - xhat * mdx);
            }
        }
    }

    private static void featureInputGradient(float[] xs, float[] gs, int count, float[] mean, float[] invStd,
                                             float[] scale, float[] meanDy, float[] meanDyXhat) {
        for (int c = 0; c < count; c++) {
            float xhat = (xs[c] - mean[c]) * invStd[c];
            gs[c] = scale[c] * (gs[c] - meanDy[c] - xhat * meanDyXhat[c]);
        }
    }

    @Override
    public void close() {
    }
}
