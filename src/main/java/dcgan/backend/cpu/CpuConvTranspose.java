package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.Tensor;

/**
 * Transposed convolution as the adjoint of {@link CpuConv}'s data path: with W of shape
 * {@code [in', out' * 16]} (ConvTranspose2d's layout, in' = this op's input channels),
 * {@code patchGrads[B*P, out'*16] = X[B*P, in'] * W} and each patch entry is added onto its output pixel.
 * Its input gradient is an ordinary convolution of dy, and its weight gradient {@code X^T * patches(dy)}.
 * The matrices live in off-heap memory this op owns and frees on close.
 */
final class CpuConvTranspose implements ConvTransposeOp {

    private final ConvGeometry g;         // the convolution being transposed
    private final CpuBackend cpu;
    private final CpuTensor inputRows;    // [B*P, in'] the latest forward's x in channels-last order
    private final CpuTensor patchMatrix;  // [B*P, out'*16]: forward patch values, then patches(dy)
    private final CpuTensor gradRows;     // [B*P, in'] dx in channels-last order
    private CpuTensor inputRowsOf;
    private boolean closed;

    CpuConvTranspose(CpuBackend cpu, ConvGeometry g) {
        this.cpu = cpu;
        this.g = g;
        int rowsCount = Tensor.sizeOf(g.batch(), g.outHeight(), g.outWidth());
        this.inputRows = CpuTensor.allocate(rowsCount, g.outChannels());
        this.patchMatrix = CpuTensor.allocate(rowsCount, g.patchSize());
        this.gradRows = CpuTensor.allocate(rowsCount, g.outChannels());
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
        CpuTensor b = CpuTensor.of(bT, outChannels(), "transposed conv bias");
        CpuTensor y = CpuTensor.of(yT, g.batch() * g.inImageSize(), "transposed conv output");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.toChannelsLast(x, inputRows, inChannels(), pixels, from, to));
        inputRowsOf = x;
        cpu.multiply(false, false, m, g.patchSize(), inChannels(),
                inputRows, inChannels(), w, g.patchSize(), patchMatrix, g.patchSize(), false);
        float[] bias = CpuOps.toArray(b);
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
        if (dwT != null || dbT != null) {
            CpuTensor dw = CpuTensor.of(dwT, inChannels() * k, "transposed conv weight gradient");
            CpuTensor db = CpuTensor.of(dbT, outChannels(), "transposed conv bias gradient");
            if (inputRowsOf != x) {
                cpu.parallel().forRange(g.batch(), (from, to) ->
                        Im2col.toChannelsLast(x, inputRows, inChannels(), pixels, from, to));
                inputRowsOf = x;
            }
            // dW[in', K] = X^T[in', B*P] * patches(dy)[B*P, K]
            cpu.multiply(true, false, inChannels(), k, m, inputRows, inChannels(), patchMatrix, k, dw, k, accumulate);
            CpuOps.channelSums(cpu.parallel(), dy, g.batch(), outChannels(), g.inHeight() * g.inWidth(), db, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, g.batch() * g.outImageSize(), "transposed conv input gradient");
            // dX[B*P, in'] = patches(dy)[B*P, K] * W^T
            cpu.multiply(false, true, m, inChannels(), k, patchMatrix, k, w, k, gradRows, inChannels(), false);
            cpu.parallel().forRange(g.batch(), (from, to) ->
                    Im2col.toChannelsFirst(gradRows, dx, null, inChannels(), pixels, from, to));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inputRowsOf = null;
            inputRows.close();
            patchMatrix.close();
            gradRows.close();
        }
    }
}
