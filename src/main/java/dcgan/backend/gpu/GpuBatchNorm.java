package dcgan.backend.gpu;

import dcgan.backend.BatchNormOp;
import dcgan.backend.Tensor;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnBatchNormMode;

/**
 * Batch norm on cuDNN: spatial mode after a convolution (statistics per channel over batch and pixels),
 * per-activation mode after a linear layer (per feature over the batch). cuDNN's moving averages are
 * {@code (1 - f) * moving + f * batch} with the unbiased batch variance, so {@code f = 1 - momentum}
 * gives the interface's update.
 */
final class GpuBatchNorm implements BatchNormOp {

    private final Cudnn cudnn;
    private final int batch;
    private final int channels;
    private final int spatial;
    private final int mode;
    private final Cudnn.TensorDesc data;   // x, y, dy, dx: [B, C, spatial, 1]
    private final Cudnn.TensorDesc params; // gamma, beta, means, variances: [1, C, 1, 1]
    private final GpuTensor savedMean;
    private final GpuTensor savedInvStd;
    private final GpuTensor scratchGamma; // cuDNN always writes parameter gradients; these take unwanted ones
    private final GpuTensor scratchBeta;

    GpuBatchNorm(GpuBackend gpu, int batch, int channels, int spatial) {
        if (batch <= 0 || channels <= 0 || spatial <= 0) {
            throw new IllegalArgumentException("batch norm needs positive sizes: " + batch + "x" + channels + "x" + spatial);
        }
        this.cudnn = gpu.cudnn();
        this.batch = batch;
        this.channels = channels;
        this.spatial = spatial;
        this.mode = spatial == 1 ? cudnnBatchNormMode.CUDNN_BATCHNORM_PER_ACTIVATION
                                 : cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;
        this.data = new Cudnn.TensorDesc(batch, channels, spatial, 1);
        this.params = new Cudnn.TensorDesc(1, channels, 1, 1);
        this.savedMean = (GpuTensor) gpu.allocate(channels);
        this.savedInvStd = (GpuTensor) gpu.allocate(channels);
        this.scratchGamma = (GpuTensor) gpu.allocate(channels);
        this.scratchBeta = (GpuTensor) gpu.allocate(channels);
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int spatial() {
        return spatial;
    }

    private int size() {
        return batch * channels * spatial;
    }

    @Override
    public void forwardTraining(Tensor xT, Tensor gammaT, Tensor betaT, Tensor meanT, Tensor varT,
                                float momentum, boolean updateMovingAverages, Tensor yT) {
        GpuTensor x = GpuTensor.of(xT, size(), "batch norm input");
        GpuTensor gamma = GpuTensor.of(gammaT, channels, "batch norm gamma");
        GpuTensor beta = GpuTensor.of(betaT, channels, "batch norm beta");
        GpuTensor mm = GpuTensor.of(meanT, channels, "batch norm moving mean");
        GpuTensor mv = GpuTensor.of(varT, channels, "batch norm moving variance");
        GpuTensor y = GpuTensor.of(yT, size(), "batch norm output");
        if (batch * spatial < 2) {
            throw new IllegalArgumentException("batch norm in training needs at least 2 values per channel, got "
                                               + batch * spatial);
        }
        // Without an update cuDNN gets no moving-average buffers at all (both NULL, which it allows), so
        // not even a NaN batch statistic can reach them.
        Pointer runningMean = updateMovingAverages ? mm.pointer() : null;
        Pointer runningVar = updateMovingAverages ? mv.pointer() : null;
        double factor = updateMovingAverages ? 1.0 - momentum : 0.0;
        CudaStatus.cudnn(JCudnn.cudnnBatchNormalizationForwardTraining(cudnn.handle(), mode, Cudnn.ONE, Cudnn.ZERO,
                data.desc, x.pointer(), data.desc, y.pointer(), params.desc, gamma.pointer(), beta.pointer(),
                factor, runningMean, runningVar, EPSILON, savedMean.pointer(), savedInvStd.pointer()),
                "cudnnBatchNormalizationForwardTraining");
    }

    @Override
    public void forwardInference(Tensor xT, Tensor gammaT, Tensor betaT, Tensor meanT, Tensor varT, Tensor yT) {
        GpuTensor x = GpuTensor.of(xT, size(), "batch norm input");
        GpuTensor gamma = GpuTensor.of(gammaT, channels, "batch norm gamma");
        GpuTensor beta = GpuTensor.of(betaT, channels, "batch norm beta");
        GpuTensor mm = GpuTensor.of(meanT, channels, "batch norm moving mean");
        GpuTensor mv = GpuTensor.of(varT, channels, "batch norm moving variance");
        GpuTensor y = GpuTensor.of(yT, size(), "batch norm output");
        CudaStatus.cudnn(JCudnn.cudnnBatchNormalizationForwardInference(cudnn.handle(), mode, Cudnn.ONE, Cudnn.ZERO,
                data.desc, x.pointer(), data.desc, y.pointer(), params.desc, gamma.pointer(), beta.pointer(),
                mm.pointer(), mv.pointer(), EPSILON), "cudnnBatchNormalizationForwardInference");
    }

    @Override
    public void backward(Tensor xT, Tensor gammaT, Tensor dyT, Tensor dxT, Tensor dGammaT, Tensor dBetaT,
                         boolean accumulate) {
        GpuTensor x = GpuTensor.of(xT, size(), "batch norm input");
        GpuTensor gamma = GpuTensor.of(gammaT, channels, "batch norm gamma");
        GpuTensor dy = GpuTensor.of(dyT, size(), "batch norm output gradient");
        GpuTensor dx = GpuTensor.of(dxT, size(), "batch norm input gradient");
        boolean wanted = dGammaT != null || dBetaT != null;
        GpuTensor dGamma = wanted ? GpuTensor.of(dGammaT, channels, "batch norm gamma gradient") : scratchGamma;
        GpuTensor dBeta = wanted ? GpuTensor.of(dBetaT, channels, "batch norm beta gradient") : scratchBeta;
        CudaStatus.cudnn(JCudnn.cudnnBatchNormalizationBackward(cudnn.handle(), mode, Cudnn.ONE, Cudnn.ZERO,
                Cudnn.ONE, Cudnn.scale(wanted && accumulate), data.desc, x.pointer(), data.desc, dy.pointer(),
                data.desc, dx.pointer(), params.desc, gamma.pointer(), dGamma.pointer(), dBeta.pointer(), EPSILON,
                savedMean.pointer(), savedInvStd.pointer()), "cudnnBatchNormalizationBackward");
    }

    @Override
    public void close() {
        savedMean.close();
        savedInvStd.close();
        scratchGamma.close();
        scratchBeta.close();
        params.close();
        data.close();
    }
}
