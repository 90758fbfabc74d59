package dcgan.backend.cpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.Tensor;

/**
 * Convolution as one matrix product over the whole batch:
 * {@code Y[B*P, out] = patches(x)[B*P, in*16] * W^T}, then back to NCHW with the bias.
 * The patch matrix of the latest forward is kept for the weight gradient.
 */
final class CpuConv implements ConvOp {

    private final ConvGeometry g;
    private final CpuBackend cpu;
    private final float[] patches;      // [B*P, K] of the latest forward's x
    private final float[] rows;         // [B*P, out]: output, or dy, in channels-last order
    private final float[] patchGrads;   // [B*P, K]: gradient of the patch matrix, for dx
    private CpuTensor patchesOf;        // the x that patches was built from

    CpuConv(CpuBackend cpu, ConvGeometry g) {
        this.cpu = cpu;
        this.g = g;
        int rowsCount = Tensor.sizeOf(g.batch(), g.outHeight(), g.outWidth());
        this.patches = new float[Tensor.sizeOf(rowsCount, g.patchSize())];
        this.rows = new float[Tensor.sizeOf(rowsCount, g.outChannels())];
        this.patchGrads = new float[Tensor.sizeOf(rowsCount, g.patchSize())];
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    @Override
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.inImageSize(), "conv input");
        CpuTensor w = CpuTensor.of(wT, g.outChannels() * g.patchSize(), "conv weight");
        CpuTensor b = CpuTensor.of(bT, g.outChannels(), "conv bias");
        CpuTensor y = CpuTensor.of(yT, g.batch() * g.outImageSize(), "conv output");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.patches(g, x.data, x.offset, patches, from, to));
        patchesOf = x;
        cpu.gemm().multiply(false, true, m, g.outChannels(), g.patchSize(),
                patches, 0, g.patchSize(), w.data, w.offset, g.patchSize(), rows, 0, g.outChannels(), false);
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.toChannelsFirst(rows, y.data, y.offset, b.data, b.offset, g.outChannels(), pixels, from, to));
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        CpuTensor x = CpuTensor.of(xT, g.batch() * g.inImageSize(), "conv input");
        CpuTensor w = CpuTensor.of(wT, g.outChannels() * g.patchSize(), "conv weight");
        CpuTensor dy = CpuTensor.of(dyT, g.batch() * g.outImageSize(), "conv output gradient");
        int pixels = g.outHeight() * g.outWidth();
        int m = g.batch() * pixels;
        int k = g.patchSize();
        cpu.parallel().forRange(g.batch(), (from, to) ->
                Im2col.toChannelsLast(dy.data, dy.offset, rows, g.outChannels(), pixels, from, to));
        if (dwT != null || dbT != null) {
            CpuTensor dw = CpuTensor.of(dwT, g.outChannels() * k, "conv weight gradient");
            CpuTensor db = CpuTensor.of(dbT, g.outChannels(), "conv bias gradient");
            if (patchesOf != x) {
                cpu.parallel().forRange(g.batch(), (from, to) -> Im2col.patches(g, x.data, x.offset, patches, from, to));
                patchesOf = x;
            }
            // dW[out, K] = dY^T[out, B*P] * patches[B*P, K]
            cpu.gemm().multiply(true, false, g.outChannels(), k, m,
                    rows, 0, g.outChannels(), patches, 0, k, dw.data, dw.offset, k, accumulate);
            CpuOps.channelSums(cpu.parallel(), dy.data, dy.offset, g.batch(), g.outChannels(), pixels,
                    db.data, db.offset, accumulate);
        }
        if (dxT != null) {
            CpuTensor dx = CpuTensor.of(dxT, g.batch() * g.inImageSize(), "conv input gradient");
            // dPatches[B*P, K] = dY[B*P, out] * W[out, K], then each entry goes back to its pixel
            cpu.gemm().multiply(false, false, m, k, g.outChannels(),
                    rows, 0, g.outChannels(), w.data, w.offset, k, patchGrads, 0, k, false);
            cpu.parallel().forRange(g.batch(), (from, to) ->
                    Im2col.accumulatePatches(g, patchGrads, dx.data, dx.offset, from, to));
        }
    }

    @Override
    public void close() {
        patchesOf = null;
    }
}
