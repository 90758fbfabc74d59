package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.Tensor;

/**
 * Transposed convolution as the adjoint of {@link CpuConv}'s data path: with W of shape
 * {@code [in', out' * 16]} (ConvTranspose2d's layout, in' = this op's input channels),
 * {@code patchGrads[B*P, out'*16] = X[B*P, in'] * W} and each patch entry is added onto its output pixel.
 * Its input gradient is an ordinary convolution of dy, and its weight gradient {@code X^T * patches(dy)}.
 */
final class CpuConvTranspose implements ConvTransposeOp {

    private final ConvGeometry g;       // the convolution being transposed
    private final CpuBackend cpu;
    private final float[] inputRows;    // [B*P, in'] the latest forward's x in channels-last order
    private final float[] patchMatrix;  // [B*P, out'*16]: forward patch values, then patches(dy)
    private final float[] gradRows;     // [B*P, in'] dx in channels-last order
    private CpuTensor inputRowsOf;

    CpuConvTranspose(CpuBackend cpu, ConvGeometry g) {
        this.cpu = cpu;
        this.g = g;
        int rowsCount = Tensor.sizeOf(g.batch(), g.outHeight(), g.outWidth());
        this.inputRows = new float[Tensor.sizeOf(rowsCount, g.outChannels())];
        this.patchMatrix = new float[Tensor.sizeOf(rowsCount, g.patchSize())];
        this.gradRows = new float[Tensor.sizeOf(rowsCount, g.outChannels())];
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

    @Override
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.outImageSize(), "transposed conv input");
        CpuTensor w = CpuTensor.of(wT, inChannels() * g.patchSize(), "transposed conv weight");
        CpuTensor b = CpuTensor.of(bT, outChannels(), "transposed conv bias");
        CpuTensor y = CpuTensor.of(yT, g.batch() * g.inImageSize(), "transposed conv output");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.toChannelsLast(x.data, x.offset, inputRows, inChannels(), pixels, from, to));
        inputRowsOf = x;
        cpu.gemm().multiply(false, false, m, g.patchSize(), inChannels(),
                inputRows, 0, inChannels(), w.data, w.offset, g.patchSize(), patchMatrix, 0, g.patchSize(), false);
        int outPixels = g.inHeight() * g.inWidth();
        cpu.parallel().forRange(g.batch(), (from, to) -> {
            Im2col.accumulatePatches(g, patchMatrix, y.data, y.offset, from, to);
            CpuOps.addChannelBias(y.data, y.offset, b.data, b.offset, outChannels(), outPixels, from, to);
        });
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.outImageSize(), "transposed conv input");
        CpuTensor w = CpuTensor.of(wT, inChannels() * g.patchSize(), "transposed conv weight");
        CpuTensor dy = CpuTensor.of(dyT, g.batch() * g.inImageSize(), "transposed conv output gradient");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        int k = g.patchSize();
        cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.patches(g, dy.data, dy.offset, patchMatrix, from, to));
        if (dwT != null || dbT != null) {
            CpuTensor dw = CpuTensor.of(dwT, inChannels() * k, "transposed conv weight gradient");
            CpuTensor db = CpuTensor.of(dbT, outChannels(), "transposed conv bias gradient");
            if (inputRowsOf != x) {
                cpu.parallel().forRange(g.batch(), (from, to) ->
                        Im2col.toChannelsLast(x.data, x.offset, inputRows, inChannels(), pixels, from, to));
                inputRowsOf = x;
            }
            // dW[in', K] = X^T[in', B*P] * patches(dy)[B*P, K]
            cpu.gemm().multiply(true, false, inChannels(), k, m,
                    inputRows, 0, inChannels(), patchMatrix, 0, k, dw.data, dw.offset, k, accumulate);
            CpuOps.channelSums(cpu.parallel(), dy.data, dy.offset, g.batch(), outChannels(), g.inHeight() * g.inWidth(),
                    db.data, db.offset, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, g.batch() * g.outImageSize(), "transposed conv input gradient");
            // dX[B*P, in'] = patches(dy)[B*P, K] * W^T
            cpu.gemm().multiply(false, true, m, inChannels(), k,
                    patchMatrix, 0, k, w.data, w.offset, k, gradRows, 0, inChannels(), false);
            cpu.parallel().forRange(g.batch(), (from, to) ->
                    Im2col.toChannelsFirst(gradRows, dx.data, dx.offset, null, 0, inChannels(), pixels, from, to));
        }
    }

    @Override
    public void close() {
        inputRowsOf = null;
    }
}
