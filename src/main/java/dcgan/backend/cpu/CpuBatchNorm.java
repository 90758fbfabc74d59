package dcgan.backend.cpu;

import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;

/**
 * Batch norm over {@code [batch, channels, spatial]}. Each task handles a range of channels, reading each
 * image's values of those channels in one piece; every channel's sums are taken in double in a fixed
 * order (image by image, then pixel by pixel), so results are reproducible whatever the thread count.
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
        cpu.parallel().forRange(channels, (from, to) -> {
            int count = to - from;
            float[] run = new float[count * spatial];
            double[] sum = new double[count];
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, run);
                for (int c = 0; c < count; c++) {
                    double s = sum[c];
                    for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                        s += run[i];
                    }
                    sum[c] = s;
                }
            }
            double[] mean = new double[count];
            for (int c = 0; c < count; c++) {
                mean[c] = sum[c] / n;
            }
            double[] sq = new double[count];
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, run);
                for (int c = 0; c < count; c++) {
                    double s = sq[c];
                    for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                        double d = run[i] - mean[c];
                        s += d * d;
                    }
                    sq[c] = s;
                }
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
        cpu.parallel().forRange(channels, (from, to) -> {
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
            for (int c = 0; c < to - from; c++) {
                float mean = shift[c];
                float sc = scale[c];
                float add = offset[c];
                for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                    // (x - mean) first: folding the mean into a shift would lose digits when |mean| >> std.
                    run[i] = (run[i] - mean) * sc + add;
                }
            }
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
        cpu.parallel().forRange(channels, (from, to) -> {
            int count = to - from;
            float[] xs = new float[count * spatial];
            float[] gs = new float[count * spatial];
            double[] sumDy = new double[count];
            double[] sumDyXhat = new double[count];
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, xs);
                read(dy, b, from, to, gs);
                for (int c = 0; c < count; c++) {
                    float mean = savedMean[from + c];
                    float invStd = savedInvStd[from + c];
                    double s = sumDy[c];
                    double sx = sumDyXhat[c];
                    for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                        float g = gs[i];
                        s += g;
                        sx += g * ((xs[i] - mean) * invStd);
                    }
                    sumDy[c] = s;
                    sumDyXhat[c] = sx;
                }
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
                // dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))
                scale[j] = gamma.get(c) * savedInvStd[c];
                meanDy[j] = (float) (sumDy[j] / n);
                meanDyXhat[j] = (float) (sumDyXhat[j] / n);
            }
            for (int b = 0; b < batch; b++) {
                read(x, b, from, to, xs);
                read(dy, b, from, to, gs);
                for (int c = 0; c < count; c++) {
                    float mean = savedMean[from + c];
                    float invStd = savedInvStd[from + c];
                    float sc = scale[c];
                    float md = meanDy[c];
                    float mdx = meanDyXhat[c];
                    for (int i = c * spatial; i < (c + 1) * spatial; i++) {
                        float xhat = (xs[i] - mean) * invStd;
                        gs[i] = sc * (gs[i] - md - xhat * mdx);
                    }
                }
                write(dx, b, from, to, gs);
            }
        });
    }

    @Override
    public void close() {
    }
}
