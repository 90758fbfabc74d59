package dcgan.backend.cpu;

import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;

/**
 * Batch norm over {@code [batch, channels, spatial]}. Each channel is handled by one task, its sums
 * taken in double in a fixed order, so results are reproducible whatever the thread count.
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
        int stride = channels * spatial;
        cpu.parallel().forRange(channels, (from, to) -> {
            for (int c = from; c < to; c++) {
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    int base = x.offset + b * stride + c * spatial;
                    for (int s = 0; s < spatial; s++) {
                        sum += x.data[base + s];
                    }
                }
                double mean = sum / n;
                double sq = 0;
                for (int b = 0; b < batch; b++) {
                    int base = x.offset + b * stride + c * spatial;
                    for (int s = 0; s < spatial; s++) {
                        double d = x.data[base + s] - mean;
                        sq += d * d;
                    }
                }
                double var = sq / n;
                float meanF = (float) mean;
                float invStd = (float) (1.0 / Math.sqrt(var + EPSILON));
                savedMean[c] = meanF;
                savedInvStd[c] = invStd;
                if (updateMovingAverages) {
                    float unbiased = (float) (sq / (n - 1));
                    mm.data[mm.offset + c] = momentum * mm.data[mm.offset + c] + (1 - momentum) * meanF;
                    mv.data[mv.offset + c] = momentum * mv.data[mv.offset + c] + (1 - momentum) * unbiased;
                }
                normalise(x, y, c, meanF, invStd, gamma.data[gamma.offset + c], beta.data[beta.offset + c]);
            }
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
            for (int c = from; c < to; c++) {
                float invStd = (float) (1.0 / Math.sqrt(mv.data[mv.offset + c] + (double) EPSILON));
                normalise(x, y, c, mm.data[mm.offset + c], invStd, gamma.data[gamma.offset + c], beta.data[beta.offset + c]);
            }
        });
    }

    private void normalise(CpuTensor x, CpuTensor y, int c, float mean, float invStd, float g, float b) {
        int stride = channels * spatial;
        float scale = g * invStd;
        for (int bi = 0; bi < batch; bi++) {
            int xb = x.offset + bi * stride + c * spatial;
            int yb = y.offset + bi * stride + c * spatial;
            for (int s = 0; s < spatial; s++) {
                // (x - mean) first: folding the mean into a shift would lose digits when |mean| >> std.
                y.data[yb + s] = (x.data[xb + s] - mean) * scale + b;
            }
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
        int stride = channels * spatial;
        cpu.parallel().forRange(channels, (from, to) -> {
            for (int c = from; c < to; c++) {
                float mean = savedMean[c];
                float invStd = savedInvStd[c];
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int b = 0; b < batch; b++) {
                    int base = b * stride + c * spatial;
                    for (int s = 0; s < spatial; s++) {
                        float g = dy.data[dy.offset + base + s];
                        sumDy += g;
                        sumDyXhat += g * ((x.data[x.offset + base + s] - mean) * invStd);
                    }
                }
                if (paramGrads) {
                    float dg = (float) sumDyXhat;
                    float dbv = (float) sumDy;
                    dGamma.data[dGamma.offset + c] = accumulate ? dGamma.data[dGamma.offset + c] + dg : dg;
                    dBeta.data[dBeta.offset + c] = accumulate ? dBeta.data[dBeta.offset + c] + dbv : dbv;
                }
                // dx = gamma * invStd * (dy - mean(dy) - xhat * mean(dy * xhat))
                float scale = gamma.data[gamma.offset + c] * invStd;
                float meanDy = (float) (sumDy / n);
                float meanDyXhat = (float) (sumDyXhat / n);
                for (int b = 0; b < batch; b++) {
                    int base = b * stride + c * spatial;
                    for (int s = 0; s < spatial; s++) {
                        float xhat = (x.data[x.offset + base + s] - mean) * invStd;
                        dx.data[dx.offset + base + s] =
                                scale * (dy.data[dy.offset + base + s] - meanDy - xhat * meanDyXhat);
                    }
                }
            }
        });
    }

    @Override
    public void close() {
    }
}
