package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.ConvOp;
import dcgan.backend.Tensor;
import jcuda.jcudnn.JCudnn;

/** Convolution on cuDNN: forward, backward data, backward filter, and the bias and its gradient when the layer has a bias. */
final class GpuConv implements ConvOp {

    private final ConvGeometry g;
    private final Cudnn cudnn;
    private final CudnnConvolution conv;
    private final Cudnn.TensorDesc bias; // [1, outC, 1, 1], broadcast over the output

    GpuConv(Cudnn cudnn, Workspace workspace, ConvGeometry g, GpuSettings settings) {
        this.g = g;
        this.cudnn = cudnn;
        this.conv = new CudnnConvolution(cudnn, workspace, g, settings);
        try {
            this.bias = new Cudnn.TensorDesc(1, g.outChannels(), 1, 1);
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
        GpuTensor x = GpuTensor.of(xT, g.batch() * g.inImageSize(), "conv input");
        GpuTensor w = GpuTensor.of(wT, g.outChannels() * g.patchSize(), "conv weight");
        GpuTensor b = bT == null ? null : GpuTensor.of(bT, g.outChannels(), "conv bias");
        GpuTensor y = GpuTensor.of(yT, g.batch() * g.outImageSize(), "conv output");
        conv.forward(x.pointer(), w.pointer(), y.pointer(), false);
        if (b == null) {
            return;
        }
        CudaStatus.cudnn(JCudnn.cudnnAddTensor(cudnn.handle(), Cudnn.ONE, bias.desc, b.pointer(), Cudnn.ONE,
                conv.output.desc, y.pointer()), "cudnnAddTensor(conv bias)");
    }

    @Override
    public void backward(Tensor xT, Tensor wT, Tensor dyT, Tensor dxT, Tensor dwT, Tensor dbT, boolean accumulate) {
        GpuTensor x = GpuTensor.of(xT, g.batch() * g.inImageSize(), "conv input");
        GpuTensor w = GpuTensor.of(wT, g.outChannels() * g.patchSize(), "conv weight");
        GpuTensor dy = GpuTensor.of(dyT, g.batch() * g.outImageSize(), "conv output gradient");
        if (dwT != null) {
            GpuTensor dw = GpuTensor.of(dwT, g.outChannels() * g.patchSize(), "conv weight gradient");
            conv.backwardFilter(x.pointer(), dy.pointer(), dw.pointer(), accumulate);
        }
        if (dbT != null) {
            GpuTensor db = GpuTensor.of(dbT, g.outChannels(), "conv bias gradient");
            CudaStatus.cudnn(JCudnn.cudnnConvolutionBackwardBias(cudnn.handle(), Cudnn.ONE, conv.output.desc,
                    dy.pointer(), Cudnn.scale(accumulate), bias.desc, db.pointer()), "cudnnConvolutionBackwardBias");
        }
        if (dxT != null) {
            GpuTensor dx = GpuTensor.of(dxT, g.batch() * g.inImageSize(), "conv input gradient");
            conv.backwardData(w.pointer(), dy.pointer(), dx.pointer(), false);
        }
    }

    @Override
    public void close() {
        bias.close();
        conv.close();
    }
}
