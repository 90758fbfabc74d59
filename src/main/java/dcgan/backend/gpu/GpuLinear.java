package dcgan.backend.gpu;

import dcgan.backend.LinearOp;
import dcgan.backend.Tensor;

import java.util.Objects;

/**
 * y = x W^T + b (weight {@code [out, in]}) or y = x W + b (weight {@code [in, out]}) on cuBLAS, without the bias
 * when the layer has none. Tensors are row-major ({@code x[B, in]}, {@code y[B, out]}); cuBLAS is
 * column-major, where the same memory reads as the transposes, so every product below is written for the
 * transposed matrices: {@code y^T[out, B] = W[out, in] x^T[in, B]} and so on. The two weight layouts differ
 * only in which operand is transposed and its leading dimension.
 */
final class GpuLinear implements LinearOp {

    private final Cublas cublas;
    private final int batch;
    private final int in;
    private final int out;
    private final WeightLayout layout;
    private final GpuTensor ones; // [B] of 1: broadcasts the bias and sums its gradient over the batch

    GpuLinear(GpuBackend gpu, int batch, int in, int out, WeightLayout layout) {
        if (batch <= 0 || in <= 0 || out <= 0) {
            throw new IllegalArgumentException("linear layer needs positive sizes: batch " + batch + ", " + in + " -> " + out);
        }
        this.cublas = gpu.cublas();
        this.batch = batch;
        this.in = in;
        this.out = out;
        this.layout = Objects.requireNonNull(layout, "layout");
        this.ones = (GpuTensor) gpu.allocate(batch);
        gpu.fill(ones, 1f);
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
        GpuTensor x = GpuTensor.of(xT, batch * in, "linear input");
        GpuTensor w = GpuTensor.of(wT, out * in, "linear weight");
        GpuTensor b = bT == null ? null : GpuTensor.of(bT, out, "linear bias");
        GpuTensor y = GpuTensor.of(yT, batch * out, "linear output");
        if (layout == WeightLayout.OUT_IN) {
            // y^T[out, B] = (W^T[in, out])^T x^T[in, B]
            cublas.sgemm(true, false, out, batch, in, w.pointer(), in, x.pointer(), in, y.pointer(), out, false);
        } else {
            // y^T[out, B] = W^T[out, in] x^T[in, B]
            cublas.sgemm(false, false, out, batch, in, w.pointer(), out, x.pointer(), in, y.pointer(), out, false);
        }
        if (b != null) {
            // y^T += b[out] ones[B]^T
            cublas.sger(out, batch, b.pointer(), ones.pointer(), y.pointer(), out);
        }
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        GpuTensor x = GpuTensor.of(xT, batch * in, "linear input");
        GpuTensor w = GpuTensor.of(wT, out * in, "linear weight");
        GpuTensor dy = GpuTensor.of(dyT, batch * out, "linear output gradient");
        if (dwT != null) {
            GpuTensor dw = GpuTensor.of(dwT, out * in, "linear weight gradient");
            if (layout == WeightLayout.OUT_IN) {
                // dW^T[in, out] = x^T[in, B] (dy^T[out, B])^T
                cublas.sgemm(false, true, in, out, batch, x.pointer(), in, dy.pointer(), out, dw.pointer(), in, accumulate);
            } else {
                // dW^T[out, in] = dy^T[out, B] (x^T[in, B])^T
                cublas.sgemm(false, true, out, in, batch, dy.pointer(), out, x.pointer(), in, dw.pointer(), out, accumulate);
            }
        }
        if (dbT != null) {
            GpuTensor db = GpuTensor.of(dbT, out, "linear bias gradient");
            // db[out] = dy^T[out, B] ones[B]
            cublas.sgemv(out, batch, dy.pointer(), out, ones.pointer(), db.pointer(), accumulate);
        }
        if (dxT != null) {
            GpuTensor dx = GpuTensor.of(dxT, batch * in, "linear input gradient");
            if (layout == WeightLayout.OUT_IN) {
                // dx^T[in, B] = W^T[in, out] dy^T[out, B]
                cublas.sgemm(false, false, in, batch, out, w.pointer(), in, dy.pointer(), out, dx.pointer(), in, false);
            } else {
                // dx^T[in, B] = (W^T[out, in])^T dy^T[out, B]
                cublas.sgemm(true, false, in, batch, out, w.pointer(), out, dy.pointer(), out, dx.pointer(), in, false);
            }
        }
    }

    @Override
    public void close() {
        ones.close();
    }
}
