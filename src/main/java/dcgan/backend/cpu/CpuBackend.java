package dcgan.backend.cpu;

import dcgan.backend.Backend;
import dcgan.backend.BatchNormOp;
import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;
import dcgan.random.CounterRng;

import java.util.Arrays;

/**
 * The pure-Java reference backend: plain float arrays, multi-threaded, deterministic (the same inputs
 * give bit-identical outputs whatever the thread count). Tests check the GPU backend against it.
 */
public final class CpuBackend implements Backend {

    private final Parallel parallel;
    private final Sgemm gemm;

    public CpuBackend(int threads) {
        this.parallel = new Parallel(threads);
        this.gemm = new Sgemm(parallel);
    }

    Parallel parallel() {
        return parallel;
    }

    Sgemm gemm() {
        return gemm;
    }

    /**
     * The speed of this backend's matrix multiply on a large square product (GFLOP/s, best of a few runs
     * after a warm-up): the ceiling for the whole model, since nearly all of its work is such products.
     */
    public double measureGemmGflops() {
        int n = 1024;
        float[] a = new CounterRng(1).uniform(n * n, -1f, 1f, 1, 0);
        float[] b = new CounterRng(2).uniform(n * n, -1f, 1f, 1, 0);
        float[] c = new float[n * n];
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 8; rep++) {
            long t = System.nanoTime();
            gemm.multiply(false, false, n, n, n, a, 0, n, b, 0, n, c, 0, n, false);
            best = Math.min(best, (System.nanoTime() - t) / 1e9);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    @Override
    public String describe() {
        return "cpu (" + parallel.threads() + (parallel.threads() == 1 ? " thread)" : " threads)");
    }

    @Override
    public Tensor allocate(int... shape) {
        return new CpuTensor(new float[Tensor.sizeOf(shape)], 0, shape);
    }

    @Override
    public Tensor view(Tensor base, int offset, int... shape) {
        CpuTensor b = CpuTensor.of(base);
        if (offset < 0 || offset + Tensor.sizeOf(shape) > b.size()) {
            throw new IllegalArgumentException("view " + Arrays.toString(shape) + " at " + offset
                                               + " is outside " + Arrays.toString(b.shape()));
        }
        return new CpuTensor(b.data, b.offset + offset, shape);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        CpuTensor d = CpuTensor.of(dst);
        System.arraycopy(src, srcOffset, d.data, d.offset, d.size());
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        CpuTensor s = CpuTensor.of(src);
        System.arraycopy(s.data, s.offset, dst, dstOffset, s.size());
    }

    @Override
    public void fill(Tensor t, float value) {
        CpuTensor c = CpuTensor.of(t);
        Arrays.fill(c.data, c.offset, c.offset + c.size(), value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuTensor s = CpuTensor.of(src);
        CpuTensor d = CpuTensor.of(dst, s.size(), "copy destination");
        System.arraycopy(s.data, s.offset, d.data, d.offset, s.size());
    }

    @Override
    public ConvOp conv(ConvGeometry geometry) {
        return new CpuConv(this, geometry);
    }

    @Override
    public ConvTransposeOp convTranspose(ConvGeometry geometry) {
        return new CpuConvTranspose(this, geometry);
    }

    @Override
    public LinearOp linear(int batch, int inFeatures, int outFeatures) {
        return new CpuLinear(this, batch, inFeatures, outFeatures);
    }

    @Override
    public BatchNormOp batchNorm(int batch, int channels, int spatial) {
        return new CpuBatchNorm(this, batch, channels, spatial);
    }

    @Override
    public void leakyRelu(Tensor xT, Tensor yT, float alpha) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "leaky ReLU output");
        parallel.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = x.data[x.offset + i];
                y.data[y.offset + i] = v > 0 ? v : alpha * v;
            }
        });
    }

    @Override
    public void leakyReluBackward(Tensor yT, Tensor dyT, Tensor dxT, float alpha) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "leaky ReLU output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "leaky ReLU input gradient");
        parallel.forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = dy.data[dy.offset + i];
                dx.data[dx.offset + i] = y.data[y.offset + i] > 0 ? g : alpha * g;
            }
        });
    }

    @Override
    public void relu(Tensor xT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "ReLU output");
        parallel.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float v = x.data[x.offset + i];
                y.data[y.offset + i] = v > 0 ? v : 0f;
            }
        });
    }

    @Override
    public void reluBackward(Tensor yT, Tensor dyT, Tensor dxT) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "ReLU output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "ReLU input gradient");
        parallel.forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                dx.data[dx.offset + i] = y.data[y.offset + i] > 0 ? dy.data[dy.offset + i] : 0f;
            }
        });
    }

    @Override
    public void sigmoid(Tensor xT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "sigmoid output");
        parallel.forRange(x.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                y.data[y.offset + i] = CpuOps.sigmoid(x.data[x.offset + i]);
            }
        });
    }

    @Override
    public void sigmoidBackward(Tensor yT, Tensor dyT, Tensor dxT) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "sigmoid output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "sigmoid input gradient");
        parallel.forRange(y.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float s = y.data[y.offset + i];
                dx.data[dx.offset + i] = dy.data[dy.offset + i] * s * (1f - s);
            }
        });
    }

    @Override
    public void sigmoidCrossEntropy(Tensor logitsT, float label, Tensor dLogitsT, Tensor lossT, int lossIndex) {
        CpuTensor logits = CpuTensor.of(logitsT);
        CpuTensor dLogits = CpuTensor.of(dLogitsT, logits.size(), "loss gradient");
        CpuTensor loss = CpuTensor.of(lossT);
        if (lossIndex < 0 || lossIndex >= loss.size()) {
            throw new IllegalArgumentException("loss index " + lossIndex + " outside a tensor of " + loss.size());
        }
        if (logits.data == dLogits.data && logits.offset == dLogits.offset) {
            throw new IllegalArgumentException("sigmoid cross-entropy cannot write its gradient over the logits");
        }
        int n = logits.size();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float x = logits.data[logits.offset + i];
            sum += Math.max(x, 0.0) - (double) x * label + Math.log1p(Math.exp(-Math.abs((double) x)));
            dLogits.data[dLogits.offset + i] = (CpuOps.sigmoid(x) - label) / n;
        }
        loss.data[loss.offset + lossIndex] = (float) (sum / n);
    }

    @Override
    public void adam(Tensor pT, Tensor gT, Tensor mT, Tensor vT, float lrT, float beta1, float beta2, float epsilon) {
        CpuTensor p = CpuTensor.of(pT);
        CpuTensor g = CpuTensor.of(gT, p.size(), "Adam gradients");
        CpuTensor m = CpuTensor.of(mT, p.size(), "Adam first moments");
        CpuTensor v = CpuTensor.of(vT, p.size(), "Adam second moments");
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        parallel.forRange(p.size(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g.data[g.offset + i];
                float mi = beta1 * m.data[m.offset + i] + oneMinusB1 * gi;
                float vi = beta2 * v.data[v.offset + i] + oneMinusB2 * gi * gi;
                m.data[m.offset + i] = mi;
                v.data[v.offset + i] = vi;
                p.data[p.offset + i] -= lrT * mi / ((float) Math.sqrt(vi) + epsilon);
            }
        });
    }

    @Override
    public void uniform(Tensor dstT, CounterRng rng, int stream, long step, float lo, float hi) {
        CpuTensor dst = CpuTensor.of(dstT);
        rng.fillUniform(dst.data, dst.offset, dst.size(), lo, hi, stream, step);
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
        parallel.close();
    }
}
