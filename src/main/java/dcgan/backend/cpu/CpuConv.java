package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.Tensor;

/**
 * Convolution as one matrix product over the whole batch:
 * {@code Y[out, B*P] = W'[out, in*16] * patches(x)[B*P, in*16]^T}, then back to NCHW with the bias (if any), where W'
 * is the weight with its columns in the patch matrix's order ({@link Im2col}). Outputs
 * and their gradients are kept channel-major ({@code [out, B*P]}), which NCHW reaches by copying runs of P
 * values; the products take the transposes. The patch matrix of the latest forward is kept for the weight
 * gradient. The matrices live in off-heap memory this op owns and frees on close.
 */
final class CpuConv implements ConvOp {

    private final ConvGeometry g;
    private final CpuBackend cpu;
    private final CpuTensor patches;      // [B*P, K] of the latest forward's x
    private final CpuTensor channels;     // [out, B*P]: output, or dy, channel-major
    private final CpuTensor patchGrads;   // [B*P, K]: gradient of the patch matrix, for dx
    private final CpuTensor weightPatchOrder; // [out, K]: the weight, columns in patch order
    private final CpuTensor weightGrad;   // the weight gradient in patch order: [K, out] when the GEMM prefers
                                          // transposed products, else [out, K]
    private CpuTensor patchesOf;          // the x that patches was built from
    private boolean closed;

    CpuConv(CpuBackend cpu, ConvGeometry g) {
        this.cpu = cpu;
        this.g = g;
        int rowsCount = Tensor.sizeOf(g.batch(), g.outHeight(), g.outWidth());
        this.patches = CpuTensor.allocate(rowsCount, g.patchSize());
        this.channels = CpuTensor.allocate(g.outChannels(), rowsCount);
        this.patchGrads = CpuTensor.allocate(rowsCount, g.patchSize());
        this.weightPatchOrder = CpuTensor.allocate(g.outChannels(), g.patchSize());
        this.weightGrad = CpuTensor.allocate(g.patchSize(), g.outChannels());
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("convolution " + g + " used after close");
        }
    }

    @Override
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.inImageSize(), "conv input");
        CpuTensor w = CpuTensor.of(wT, g.outChannels() * g.patchSize(), "conv weight");
        CpuTensor b = bT == null ? null : CpuTensor.of(bT, g.outChannels(), "conv bias");
        CpuTensor y = CpuTensor.of(yT, g.batch() * g.outImageSize(), "conv output");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        int k = g.patchSize();
        cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.patches(g, x, patches, from, to));
        patchesOf = x;
        Im2col.toPatchOrder(w, g.outChannels(), g.inChannels(), weightPatchOrder);
        // Y[out, B*P] = W'[out, K] * patches[B*P, K]^T
        cpu.multiply(false, true, g.outChannels(), m, k, weightPatchOrder, k, patches, k, channels, m, false);
        float[] bias = b == null ? null : CpuOps.toArray(b);
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.fromChannelMajor(channels, y, bias, g.batch(), g.outChannels(), pixels, from, to));
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.inImageSize(), "conv input");
        CpuTensor w = CpuTensor.of(wT, g.outChannels() * g.patchSize(), "conv weight");
        CpuTensor dy = CpuTensor.of(dyT, g.batch() * g.outImageSize(), "conv output gradient");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        int k = g.patchSize();
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.toChannelMajor(dy, channels, g.batch(), g.outChannels(), pixels, from, to));
        if (dwT != null) {
            CpuTensor dw = CpuTensor.of(dwT, g.outChannels() * k, "conv weight gradient");
            if (patchesOf != x) {
                cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.patches(g, x, patches, from, to));
                patchesOf = x;
            }
            boolean transposed = cpu.prefersTransposedProducts();
            if (transposed) {
                // dW'^T[K, out] = patches[B*P, K]^T * dY[out, B*P]^T
                cpu.multiply(true, true, k, g.outChannels(), m, patches, k, channels, m, weightGrad, g.outChannels(), false);
            } else {
                // dW'[out, K] = dY[out, B*P] * patches[B*P, K]
                cpu.multiply(false, false, g.outChannels(), k, m, channels, m, patches, k, weightGrad, k, false);
            }
            // dW (+)= dW' back in Conv2d's column order
            Im2col.addFromPatchOrder(weightGrad, transposed, g.outChannels(), g.inChannels(), dw, accumulate);
        }
        if (dbT != null) {
            CpuTensor db = CpuTensor.of(dbT, g.outChannels(), "conv bias gradient");
            CpuOps.channelSums(cpu.parallel(), dy, g.batch(), g.outChannels(), pixels, db, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, g.batch() * g.inImageSize(), "conv input gradient");
            // dPatches[B*P, K] = dY[out, B*P]^T * W'[out, K], then each entry goes back to its pixel
            Im2col.toPatchOrder(w, g.outChannels(), g.inChannels(), weightPatchOrder);
            cpu.multiply(true, false, m, k, g.outChannels(), channels, m, weightPatchOrder, k, patchGrads, k, false);
            cpu.parallel().forRange(g.batch(), (from, to) ->
                    Im2col.accumulatePatches(g, patchGrads, dx, null, from, to));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            patchesOf = null;
            patches.close();
            channels.close();
            patchGrads.close();
            weightPatchOrder.close();
            weightGrad.close();
        }
    }
}
