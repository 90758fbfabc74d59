package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.Tensor;

/**
 * Transposed convolution as the adjoint of {@link CpuConv}'s data path: with W of shape
 * {@code [in', out' * 16]} (ConvTranspose2d's layout, in' = this op's input channels) and W' the same with
 * its columns in the patch matrix's order ({@link Im2col}),
 * {@code patchGrads[B*P, out'*16] = X[in', B*P]^T * W'} and each patch entry is added onto its output pixel.
 * Its input gradient is an ordinary convolution of dy, and its weight gradient {@code X * patches(dy)}.
 * X and dX are kept channel-major ({@code [in', B*P]}), which NCHW reaches by copying runs of P values.
 * The matrices live in off-heap memory this op owns and frees on close.
 */
final class CpuConvTranspose implements ConvTransposeOp {

    private final ConvGeometry g;          // the convolution being transposed
    private final CpuBackend cpu;
    private final CpuTensor inputChannels; // [in', B*P] the latest forward's x, channel-major
    private final CpuTensor patchMatrix;   // [B*P, out'*16]: forward patch values, then patches(dy)
    private final CpuTensor gradChannels;  // [in', B*P] dx, channel-major
    private final CpuTensor weightPatchOrder; // [in', K]: the weight, columns in patch order
    private final CpuTensor weightGrad;    // the weight gradient in patch order: [K, in'] when the GEMM prefers
                                           // transposed products, else [in', K]
    private CpuTensor inputChannelsOf;
    private boolean closed;

    CpuConvTranspose(CpuBackend cpu, ConvGeometry g) {
        this.cpu = cpu;
        this.g = g;
        int rowsCount = Tensor.sizeOf(g.batch(), g.outHeight(), g.outWidth());
        this.inputChannels = CpuTensor.allocate(g.outChannels(), rowsCount);
        this.patchMatrix = CpuTensor.allocate(rowsCount, g.patchSize());
        this.gradChannels = CpuTensor.allocate(g.outChannels(), rowsCount);
        this.weightPatchOrder = CpuTensor.allocate(g.outChannels(), g.patchSize());
        this.weightGrad = CpuTensor.allocate(g.patchSize(), g.outChannels());
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    private int inChannels() {
        return g.outChannels();
    }

    private int outChannels() {
        return g.inChannels();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("transposed convolution " + g + " used after close");
        }
    }

    @Override
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.outImageSize(), "transposed conv input");
        CpuTensor w = CpuTensor.of(wT, inChannels() * g.patchSize(), "transposed conv weight");
        CpuTensor b = bT == null ? null : CpuTensor.of(bT, outChannels(), "transposed conv bias");
        CpuTensor y = CpuTensor.of(yT, g.batch() * g.inImageSize(), "transposed conv output");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        int k = g.patchSize();
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.toChannelMajor(x, inputChannels, g.batch(), inChannels(), pixels, from, to));
        inputChannelsOf = x;
        Im2col.toPatchOrder(w, inChannels(), outChannels(), weightPatchOrder);
        // patches[B*P, K] = X[in', B*P]^T * W'[in', K]
        cpu.multiply(true, false, m, k, inChannels(), inputChannels, m, weightPatchOrder, k, patchMatrix, k, false);
        float[] bias = b == null ? null : CpuOps.toArray(b);
        cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.accumulatePatches(g, patchMatrix, y, bias, from, to));
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        requireOpen();
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.outImageSize(), "transposed conv input");
        CpuTensor w = CpuTensor.of(wT, inChannels() * g.patchSize(), "transposed conv weight");
        CpuTensor dy = CpuTensor.of(dyT, g.batch() * g.inImageSize(), "transposed conv output gradient");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        int k = g.patchSize();
        cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.patches(g, dy, patchMatrix, from, to));
        if (dwT != null) {
            CpuTensor dw = CpuTensor.of(dwT, inChannels() * k, "transposed conv weight gradient");
            if (inputChannelsOf != x) {
                cpu.parallel().forRange(g.batch(), (from, to) ->
                        Im2col.toChannelMajor(x, inputChannels, g.batch(), inChannels(), pixels, from, to));
                inputChannelsOf = x;
            }
            boolean transposed = cpu.prefersTransposedProducts();
            if (transposed) {
                // dW'^T[K, in'] = patches(dy)[B*P, K]^T * X[in', B*P]^T
                cpu.multiply(true, true, k, inChannels(), m, patchMatrix, k, inputChannels, m, weightGrad, inChannels(), false);
            } else {
                // dW'[in', K] = X[in', B*P] * patches(dy)[B*P, K]
                cpu.multiply(false, false, inChannels(), k, m, inputChannels, m, patchMatrix, k, weightGrad, k, false);
            }
            // dW (+)= dW' back in ConvTranspose2d's column order
            Im2col.addFromPatchOrder(weightGrad, transposed, inChannels(), outChannels(), dw, accumulate);
        }
        if (dbT != null) {
            CpuTensor db = CpuTensor.of(dbT, outChannels(), "transposed conv bias gradient");
            CpuOps.channelSums(cpu.parallel(), dy, g.batch(), outChannels(), g.inHeight() * g.inWidth(), db, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, g.batch() * g.outImageSize(), "transposed conv input gradient");
            // dX[in', B*P] = W'[in', K] * patches(dy)[B*P, K]^T
            Im2col.toPatchOrder(w, inChannels(), outChannels(), weightPatchOrder);
            cpu.multiply(false, true, inChannels(), m, k, weightPatchOrder, k, patchMatrix, k, gradChannels, m, false);
            cpu.parallel().forRange(g.batch(), (from, to) ->
                    Im2col.fromChannelMajor(gradChannels, dx, null, g.batch(), inChannels(), pixels, from, to));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inputChannelsOf = null;
            inputChannels.close();
            patchMatrix.close();
            gradChannels.close();
            weightPatchOrder.close();
            weightGrad.close();
        }
    }
}
