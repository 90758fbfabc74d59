package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvTransposeOp;
import dcgan.backend.Tensor;
import jcuda.jcudnn.JCudnn;

/**
 * Transposed convolution as the adjoint of the convolution {@code g} describes, on cuDNN: its forward is
 * that convolution's backward data, its input gradient that convolution's forward, and its weight
 * gradient the backward filter with the roles of input and output gradient swapped; the bias, when the layer
 * has one, is added and its gradient summed by cuDNN's bias calls. The weight
 * {@code [in', out', 4, 4]} (ConvTranspose2d's layout) is exactly the convolution's {@code [outC, inC, 4, 4]}.
 */
final class GpuConvTranspose implements ConvTransposeOp {

    private final ConvGeometry g;   // the convolution being transposed
    private final Cudnn cudnn;
    private final CudnnConvolution conv;
    private final Cudnn.TensorDesc bias; // [1, out' = g.inChannels, 1, 1]

    GpuConvTranspose(Cudnn cudnn, Workspace workspace, ConvGeometry g, GpuSettings settings) {
        this.g = g;
        this.cudnn = cudnn;
        this.conv = new CudnnConvolution(cudnn, workspace, g, settings);
        try {
            this.bias = new Cudnn.TensorDesc(1, g.inChannels(), 1, 1);
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, conv);
            throw e;
        }
    }

    @Override
    public ConvGeometry geometry() {
        return g;
    }

    @Override
    public void forward(Tensor xT, Tensor wT, Tensor bT, Tensor yT) {
        GpuTensor x = GpuTensor.of(xT, g.batch() * g.outImageSize(), "transposed conv input");
        GpuTensor w = GpuTensor.of(wT, g.outChannels() * g.patchSize(), "transposed conv weight");
        GpuTensor b = bT == null ? null : GpuTensor.of(bT, g.inChannels(), "transposed conv bias");
        GpuTensor y = GpuTensor.of(yT, g.batch() * g.inImageSize(), "transposed conv output");
        conv.backwardData(w.pointer(), x.pointer(), y.pointer(), false);
        if (b == null) {
            return;
        }
        CudaStatus.cudnn(JCudnn.cudnnAddTensor(cudnn.handle(), Cudnn.ONE, bias.desc, b.pointer(), Cudnn.ONE,
                conv.input.desc, y.pointer()), "cudnnAddTensor(transposed conv bias)");
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        GpuTensor x = GpuTensor.of(xT, g.batch() * g.outImageSize(), "transposed conv input");
        GpuTensor w = GpuTensor.of(wT, g.outChannels() * g.patchSize(), "transposed conv weight");
        GpuTensor dy = GpuTensor.of(dyT, g.batch() * g.inImageSize(), "transposed conv output gradient");
        if (dwT != null) {
            GpuTensor dw = GpuTensor.of(dwT, g.outChannels() * g.patchSize(), "transposed conv weight gradient");
            // <dy, convT(x, W)> = <conv(dy, W), x>, so dW is the convolution's filter gradient for input dy
            // and output gradient x.
            conv.backwardFilter(dy.pointer(), x.pointer(), dw.pointer(), accumulate);
        }
        if (dbT != null) {
            GpuTensor db = GpuTensor.of(dbT, g.inChannels(), "transposed conv bias gradient");
            CudaStatus.cudnn(JCudnn.cudnnConvolutionBackwardBias(cudnn.handle(), Cudnn.ONE, conv.input.desc,
                    dy.pointer(), Cudnn.scale(accumulate), bias.desc, db.pointer()),
                    "cudnnConvolutionBackwardBias(transposed conv)");
        }
        if (dxT != null) {
            GpuTensor dx = GpuTensor.of(dxT, g.batch() * g.outImageSize(), "transposed conv input gradient");
            conv.forward(dy.pointer(), w.pointer(), dx.pointer(), false);
        }
    }

    @Override
    public void close() {
        bias.close();
        conv.close();
    }
}
