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
import java.util.Optional;

/**
 * The CPU backend: tensors in off-heap memory, multi-threaded, matrix products by OpenBLAS where its
 * native library loads, else by the pure-Java {@link Sgemm} (see {@link CpuGemm}). Deterministic: the same
 * inputs give bit-identical outputs whatever the thread count, with either GEMM (on one machine: OpenBLAS
 * picks its kernels for the CPU it runs on). Tests check the GPU backend against it.
 */
public final class CpuBackend implements Backend {

    private final Parallel parallel;
    private final Gemm gemm;
    private final boolean transposedProducts;

    /** A backend on {@code threads} threads that multiplies with {@link CpuGemm#preferred()}. */
    public CpuBackend(int threads) {
        this(threads, CpuGemm.preferred());
    }

    /**
     * A backend on {@code threads} threads that multiplies with {@code gemm}.
     *
     * @throws IllegalStateException when {@code gemm} is OpenBLAS and its native library cannot be loaded here
     */
    public CpuBackend(int threads, CpuGemm gemm) {
        this(threads, gemm, NativeBlas.problem());
    }

    /** As above, with what keeps OpenBLAS from loading given (empty: it loaded). */
    CpuBackend(int threads, CpuGemm gemm, Optional<String> openBlasProblem) {
        this(threads, gemm, openBlasProblem, null);
    }

    /**
     * A backend whose operations compute the gradients that can be computed either way in the form given
     * ({@link #prefersTransposedProducts}), whatever the GEMM prefers: for tests of the form not used here.
     */
    CpuBackend(int threads, CpuGemm gemm, boolean transposedProducts) {
        this(threads, gemm, NativeBlas.problem(), transposedProducts);
    }

    private CpuBackend(int threads, CpuGemm gemm, Optional<String> openBlasProblem, Boolean transposedProducts) {
        if (gemm == CpuGemm.OPENBLAS && openBlasProblem.isPresent()) {
            throw new IllegalStateException("OpenBLAS is unavailable: " + openBlasProblem.get());
        }
        this.parallel = new Parallel(threads);
        this.gemm = gemm == CpuGemm.OPENBLAS ? new OpenBlasGemm(parallel) : new Sgemm(parallel);
        this.transposedProducts = transposedProducts == null ? this.gemm.prefersTransposedOperands() : transposedProducts;
    }

    Parallel parallel() {
        return parallel;
    }

    /**
     * Whether the operations compute the convolutions' weight gradients and the linear layers' input
     * gradients as transposed products (then transposed back): {@link Gemm#prefersTransposedOperands} of
     * this backend's GEMM. Both forms give the same values up to rounding; the choice is fixed per machine,
     * so results stay reproducible there.
     */
    boolean prefersTransposedProducts() {
        return transposedProducts;
    }

    /** The name of the GEMM this backend multiplies with: "OpenBLAS" or "Java". */
    public String gemmName() {
        return gemm.name();
    }

    /**
     * C = op(A) op(B) (+ C when accumulate) on tensors holding row-major matrices from their first element,
     * as {@link Gemm#multiply}; each matrix must lie inside its tensor.
     */
    void multiply(boolean transA, boolean transB, int m, int n, int k, CpuTensor a, int lda, CpuTensor b, int ldb,
                  CpuTensor c, int ldc, boolean accumulate) {
        if (m > 0 && n > 0) {
            requireInside(c, "C", m, n, ldc);
            if (k > 0) {
                requireInside(a, "A", transA ? k : m, transA ? m : k, lda);
                requireInside(b, "B", transB ? n : k, transB ? k : n, ldb);
            }
        }
        gemm.multiply(transA, transB, m, n, k, a.floats(), a.offset, lda, b.floats(), b.offset, ldb,
                c.floats(), c.offset, ldc, accumulate);
    }

    private static void requireInside(CpuTensor t, String name, int rows, int cols, int ld) {
        if (ld < cols || (long) (rows - 1) * ld + cols > t.size()) {
            throw new IllegalArgumentException("GEMM operand " + name + ": " + rows + "x" + cols + " with leading dimension "
                                               + ld + " does not fit " + t);
        }
    }

    /**
     * The speed of this backend's matrix multiply on a large square product (GFLOP/s, the best of
     * {@code repeats} runs after one untimed run): the ceiling for the whole model, since nearly all of its
     * work is such products.
     */
    public double measureGemmGflops(int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        int n = 1024;
        try (CpuTensor a = CpuTensor.allocate(n, n); CpuTensor b = CpuTensor.allocate(n, n);
             CpuTensor c = CpuTensor.allocate(n, n)) {
            a.write(0, new CounterRng(1).uniform(n * n, -1f, 1f, 1, 0), 0, n * n);
            b.write(0, new CounterRng(2).uniform(n * n, -1f, 1f, 1, 0), 0, n * n);
            multiply(false, false, n, n, n, a, n, b, n, c, n, false);
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < repeats; rep++) {
                long t = System.nanoTime();
                multiply(false, false, n, n, n, a, n, b, n, c, n, false);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            return 2.0 * n * n * n / best / 1e9;
        }
    }

    @Override
    public String describe() {
        return "cpu (" + parallel.threads() + (parallel.threads() == 1 ? " thread, " : " threads, ") + gemm.name() + " SGEMM)";
    }

    @Override
    public Tensor allocate(int... shape) {
        return CpuTensor.allocate(shape);
    }

    @Override
    public Tensor view(Tensor base, int offset, int... shape) {
        return CpuTensor.of(base).view(offset, shape);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        CpuTensor d = CpuTensor.of(dst);
        d.write(0, src, srcOffset, d.size());
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        CpuTensor s = CpuTensor.of(src);
        s.read(0, dst, dstOffset, s.size());
    }

    @Override
    public void fill(Tensor t, float value) {
        CpuTensor c = CpuTensor.of(t);
        float[] v = new float[Math.min(CpuOps.CHUNK, c.size())];
        Arrays.fill(v, value);
        for (int i = 0; i < c.size(); i += v.length) {
            c.write(i, v, 0, Math.min(v.length, c.size() - i));
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        CpuTensor s = CpuTensor.of(src);
        CpuTensor d = CpuTensor.of(dst, s.size(), "copy destination");
        d.floats().put(d.offset, s.floats(), s.offset, s.size());
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
    public LinearOp linear(int batch, int inFeatures, int outFeatures, LinearOp.WeightLayout layout) {
        return new CpuLinear(this, batch, inFeatures, outFeatures, layout);
    }

    @Override
    public BatchNormOp batchNorm(int batch, int channels, int spatial) {
        return new CpuBatchNorm(this, batch, channels, spatial);
    }

    @Override
    public void leakyRelu(Tensor xT, Tensor yT, float alpha) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "leaky ReLU output");
        CpuOps.map(parallel, x, y, (v, n) -> CpuOps.leakyRelu(v, n, alpha));
    }

    @Override
    public void leakyReluBackward(Tensor yT, Tensor dyT, Tensor dxT, float alpha) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "leaky ReLU output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "leaky ReLU input gradient");
        CpuOps.map(parallel, y, dy, dx, (yv, g, n) -> CpuOps.leakyReluBackward(yv, g, n, alpha));
    }

    @Override
    public void relu(Tensor xT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "ReLU output");
        CpuOps.map(parallel, x, y, CpuOps::relu);
    }

    @Override
    public void reluBackward(Tensor yT, Tensor dyT, Tensor dxT) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "ReLU output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "ReLU input gradient");
        CpuOps.map(parallel, y, dy, dx, CpuOps::reluBackward);
    }

    @Override
    public void sigmoid(Tensor xT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "sigmoid output");
        CpuOps.map(parallel, x, y, CpuOps::sigmoid);
    }

    @Override
    public void sigmoidBackward(Tensor yT, Tensor dyT, Tensor dxT) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "sigmoid output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "sigmoid input gradient");
        CpuOps.map(parallel, y, dy, dx, CpuOps::sigmoidBackward);
    }

    @Override
    public void tanh(Tensor xT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT);
        CpuTensor y = CpuTensor.of(yT, x.size(), "tanh output");
        CpuOps.map(parallel, x, y, CpuOps::tanh);
    }

    @Override
    public void tanhBackward(Tensor yT, Tensor dyT, Tensor dxT) {
        CpuTensor y = CpuTensor.of(yT);
        CpuTensor dy = CpuTensor.of(dyT, y.size(), "tanh output gradient");
        CpuTensor dx = CpuTensor.of(dxT, y.size(), "tanh input gradient");
        CpuOps.map(parallel, y, dy, dx, CpuOps::tanhBackward);
    }

    @Override
    public void sigmoidCrossEntropy(Tensor logitsT, float label, Tensor dLogitsT, Tensor lossT, int lossIndex) {
        CpuTensor logits = CpuTensor.of(logitsT);
        CpuTensor dLogits = CpuTensor.of(dLogitsT, logits.size(), "loss gradient");
        CpuTensor loss = CpuTensor.of(lossT);
        if (lossIndex < 0 || lossIndex >= loss.size()) {
            throw new IllegalArgumentException("loss index " + lossIndex + " outside a tensor of " + loss.size());
        }
        if (logits.sameStart(dLogits)) {
            throw new IllegalArgumentException("sigmoid cross-entropy cannot write its gradient over the logits");
        }
        int n = logits.size();
        float[] x = CpuOps.toArray(logits);
        float[] d = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.max(x[i], 0.0) - (double) x[i] * label + Math.log1p(Math.exp(-Math.abs((double) x[i])));
            d[i] = (CpuOps.sigmoid(x[i]) - label) / n;
        }
        dLogits.write(0, d, 0, n);
        loss.set(lossIndex, (float) (sum / n));
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
            int chunk = Math.min(CpuOps.CHUNK, to - from);
            float[] pc = new float[chunk];
            float[] gc = new float[chunk];
            float[] mc = new float[chunk];
            float[] vc = new float[chunk];
            for (int i = from; i < to; i += chunk) {
                int len = Math.min(chunk, to - i);
                p.read(i, pc, 0, len);
                g.read(i, gc, 0, len);
                m.read(i, mc, 0, len);
                v.read(i, vc, 0, len);
                adamChunk(pc, gc, mc, vc, len, lrT, beta1, beta2, oneMinusB1, oneMinusB2, epsilon);
                p.write(i, pc, 0, len);
                m.write(i, mc, 0, len);
                v.write(i, vc, 0, len);
            }
        });
    }

    private static void adamChunk(float[] p, float[] g, float[] m, float[] v, int n, float lrT, float beta1, float beta2,
                                  float oneMinusB1, float oneMinusB2, float epsilon) {
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + oneMinusB1 * gi;
            float vi = beta2 * v[i] + oneMinusB2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= lrT * mi / ((float) Math.sqrt(vi) + epsilon);
        }
    }

    @Override
    public void uniform(Tensor dstT, CounterRng rng, int stream, long step, float lo, float hi) {
        CpuTensor dst = CpuTensor.of(dstT);
        dst.write(0, rng.uniform(dst.size(), lo, hi, stream, step), 0, dst.size());
    }

    @Override
    public void normal(Tensor dstT, CounterRng rng, int stream, long step) {
        CpuTensor dst = CpuTensor.of(dstT);
        dst.write(0, rng.normal(dst.size(), stream, step), 0, dst.size());
    }

    @Override
    public void synchronize() {
    }

    @Override
    public void close() {
        parallel.close();
    }
}
