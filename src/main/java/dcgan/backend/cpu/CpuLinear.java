package dcgan.backend.cpu;

import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;

/**
 * y = x W^T + b with the three products of its forward and backward passes done by the backend's
 * {@link Gemm}. With a GEMM that prefers it, the input gradient is computed transposed, in off-heap memory
 * this op owns and frees on close.
 */
final class CpuLinear implements LinearOp {

    /**
     * Products at least this deep (out features) compute the input gradient transposed when the GEMM
     * prefers it: transposing dX back costs about what 20% of such a product does, the gain measured.
     */
    static final int MIN_DEPTH_FOR_TRANSPOSED_DX = 512;

    private final CpuBackend cpu;
    private final int batch;
    private final int in;
    private final int out;
    private final CpuTensor inputGradT; // [in, batch]: dx, transposed, when computed that way; else null
    private boolean closed;

    CpuLinear(CpuBackend cpu, int batch, int in, int out) {
        if (batch <= 0 || in <= 0 || out <= 0) {
            throw new IllegalArgumentException("linear layer needs positive sizes: batch " + batch + ", " + in + " -> " + out);
        }
        this.cpu = cpu;
        this.batch = batch;
        this.in = in;
        this.out = out;
        boolean transposedDx = cpu.prefersTransposedProducts() && out >= MIN_DEPTH_FOR_TRANSPOSED_DX;
        this.inputGradT = transposedDx ? CpuTensor.allocate(in, batch) : null;
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
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, batch * in, "linear input");
        CpuTensor w = CpuTensor.of(wT, out * in, "linear weight");
        CpuTensor b = CpuTensor.of(bT, out, "linear bias");
        CpuTensor y = CpuTensor.of(yT, batch * out, "linear output");
        cpu.multiply(false, true, batch, out, in, x, in, w, in, y, out, false);
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
        if (dwT != null || dbT != null) {
            CpuTensor dw = CpuTensor.of(dwT, out * in, "linear weight gradient");
            CpuTensor db = CpuTensor.of(dbT, out, "linear bias gradient");
            // dW[out, in] = dY^T[out, B] * X[B, in]
            cpu.multiply(true, false, out, in, batch, dy, out, x, in, dw, in, accumulate);
            // A linear layer's features are channels with one pixel each.
            CpuOps.channelSums(cpu.parallel(), dy, batch, out, 1, db, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, batch * in, "linear input gradient");
            if (inputGradT != null) {
                // dX^T[in, B] = W[out, in]^T * dY[B, out]^T, then dX its transpose
                cpu.multiply(true, true, in, batch, out, w, in, dy, out, inputGradT, batch, false);
                CpuOps.transpose(cpu.parallel(), inputGradT, in, batch, dx);
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
            if (inputGradT != null) {
                inputGradT.close();
            }
        }
    }
}
