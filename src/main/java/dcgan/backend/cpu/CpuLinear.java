package dcgan.backend.cpu;

import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;

import java.util.Objects;

/**
 * y = x W^T + b (weight {@code [out, in]}) or y = x W + b (weight {@code [in, out]}), without the bias when
 * the layer has none, with the three products of its forward and backward passes done by the backend's
 * {@link Gemm}. The product that has a plain form {@code A B} and a transposed one {@code (B^T A^T)^T} (the
 * input gradient with weight {@code [out, in]}, the output with weight {@code [in, out]}) is computed
 * transposed when the GEMM prefers that, in off-heap memory this op owns and frees on close.
 */
final class CpuLinear implements LinearOp {

    /**
     * Products at least this deep compute their transposed form when the GEMM prefers it: transposing the
     * result back costs about what 20% of such a product does, the gain measured.
     */
    static final int MIN_DEPTH_FOR_TRANSPOSED_FORM = 512;

    private final CpuBackend cpu;
    private final int batch;
    private final int in;
    private final int out;
    private final WeightLayout layout;
    // When computed transposed: dx^T [in, batch] (weight [out, in]) or y^T [out, batch] (weight [in, out]); else null.
    private final CpuTensor transposedResult;
    private boolean closed;

    CpuLinear(CpuBackend cpu, int batch, int in, int out, WeightLayout layout) {
        if (batch <= 0 || in <= 0 || out <= 0) {
            throw new IllegalArgumentException("linear layer needs positive sizes: batch " + batch + ", " + in + " -> " + out);
        }
        this.cpu = cpu;
        this.batch = batch;
        this.in = in;
        this.out = out;
        this.layout = Objects.requireNonNull(layout, "layout");
        // The depth of the product that has two forms: out for dx = dy W, in for y = x W.
        int depth = layout == WeightLayout.OUT_IN ? out : in;
        boolean transposed = cpu.prefersTransposedProducts() && depth >= MIN_DEPTH_FOR_TRANSPOSED_FORM;
        this.transposedResult = !transposed ? null
                : layout == WeightLayout.OUT_IN ? CpuTensor.allocate(in, batch) : CpuTensor.allocate(out, batch);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public int inFeatures() {
        return in;
    }

    @Override
    public int outFeatures() {
        return out;
    }

    @Override
    public WeightLayout weightLayout() {
        return layout;
    }

    @Override
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, batch * in, "linear input");
        CpuTensor w = CpuTensor.of(wT, out * in, "linear weight");
        CpuTensor b = bT == null ? null : CpuTensor.of(bT, out, "linear bias");
        CpuTensor y = CpuTensor.of(yT, batch * out, "linear output");
        if (layout == WeightLayout.OUT_IN) {
            // Y[B, out] = X[B, in] * W[out, in]^T
            cpu.multiply(false, true, batch, out, in, x, in, w, in, y, out, false);
        } else if (transposedResult != null) {
            // Y^T[out, B] = W[in, out]^T * X[B, in]^T, then Y its transpose
            cpu.multiply(true, true, out, batch, in, w, out, x, in, transposedResult, batch, false);
            CpuOps.transpose(cpu.parallel(), transposedResult, out, batch, y);
        } else {
            // Y[B, out] = X[B, in] * W[in, out]
            cpu.multiply(false, false, batch, out, in, x, in, w, out, y, out, false);
        }
        if (b == null) {
            return;
        }
        // A linear layer's features are channels with one pixel each, as for the bias gradient below.
        float[] bias = CpuOps.toArray(b);
        cpu.parallel().forRange(batch, (from, to) -> {
            float[] row = new float[out];
            for (int r = from; r < to; r++) {
                y.read(r * out, row, 0, out);
                CpuOps.addChannelBias(row, bias, out, 1);
                y.write(r * out, row, 0, out);
            }
        });
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, batch * in, "linear input");
        CpuTensor w = CpuTensor.of(wT, out * in, "linear weight");
        CpuTensor dy = CpuTensor.of(dyT, batch * out, "linear output gradient");
        if (dwT != null) {
            CpuTensor dw = CpuTensor.of(dwT, out * in, "linear weight gradient");
            if (layout == WeightLayout.OUT_IN) {
                // dW[out, in] = dY^T[out, B] * X[B, in]
                cpu.multiply(true, false, out, in, batch, dy, out, x, in, dw, in, accumulate);
            } else {
                // dW[in, out] = X^T[in, B] * dY[B, out]
                cpu.multiply(true, false, in, out, batch, x, in, dy, out, dw, out, accumulate);
            }
        }
        if (dbT != null) {
            CpuTensor db = CpuTensor.of(dbT, out, "linear bias gradient");
            // A linear layer's features are channels with one pixel each.
            CpuOps.channelSums(cpu.parallel(), dy, batch, out, 1, db, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, batch * in, "linear input gradient");
            if (layout == WeightLayout.IN_OUT) {
                // dX[B, in] = dY[B, out] * W[in, out]^T
                cpu.multiply(false, true, batch, in, out, dy, out, w, out, dx, in, false);
            } else if (transposedResult != null) {
                // dX^T[in, B] = W[out, in]^T * dY[B, out]^T, then dX its transpose
                cpu.multiply(true, true, in, batch, out, w, in, dy, out, transposedResult, batch, false);
                CpuOps.transpose(cpu.parallel(), transposedResult, in, batch, dx);
            } else {
                // dX[B, in] = dY[B, out] * W[out, in]
                cpu.multiply(false, false, batch, in, out, dy, out, w, in, dx, in, false);
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("linear layer " + in + " -> " + out + " used after close");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (transposedResult != null) {
                transposedResult.close();
            }
        }
    }
}
