package dcgan.backend.gpu;

import jcuda.Pointer;
import jcuda.driver.CUstream;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionMode;
import jcuda.jcudnn.cudnnDataType;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnMathType;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.jcudnn.cudnnTensorFormat;
import jcuda.runtime.cudaStream_t;

/** A cuDNN handle bound to the backend's stream, and the FP32 NCHW descriptors the layers are built from. */
final class Cudnn implements AutoCloseable {

    static final Pointer ONE = Pointer.to(new float[] {1f});
    static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final cudnnHandle handle = new cudnnHandle();
    private boolean open;

    Cudnn(CUstream stream) {
        CudaStatus.cudnn(JCudnn.cudnnCreate(handle), "cudnnCreate");
        open = true;
        try {
            CudaStatus.cudnn(JCudnn.cudnnSetStream(handle, new cudaStream_t(stream)), "cudnnSetStream");
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this);
            throw e;
        }
    }

    cudnnHandle handle() {
        return handle;
    }

    static Pointer scale(boolean accumulate) {
        return accumulate ? ONE : ZERO;
    }

    /** A float NCHW tensor descriptor. */
    static final class TensorDesc implements AutoCloseable {
        final cudnnTensorDescriptor desc = new cudnnTensorDescriptor();
        private boolean open;

        TensorDesc(int n, int c, int h, int w) {
            CudaStatus.cudnn(JCudnn.cudnnCreateTensorDescriptor(desc), "cudnnCreateTensorDescriptor");
            open = true;
            try {
                CudaStatus.cudnn(JCudnn.cudnnSetTensor4dDescriptor(desc, cudnnTensorFormat.CUDNN_TENSOR_NCHW,
                        cudnnDataType.CUDNN_DATA_FLOAT, n, c, h, w),
                        "cudnnSetTensor4dDescriptor(" + n + "x" + c + "x" + h + "x" + w + ")");
            } catch (RuntimeException e) {
                Cleanup.afterFailure(e, this);
                throw e;
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                CudaStatus.cudnn(JCudnn.cudnnDestroyTensorDescriptor(desc), "cudnnDestroyTensorDescriptor");
            }
        }
    }

    /** A float {@code [k, c, h, w]} filter descriptor (PyTorch's Conv2d weight layout). */
    static final class FilterDesc implements AutoCloseable {
        final cudnnFilterDescriptor desc = new cudnnFilterDescriptor();
        private boolean open;

        FilterDesc(int k, int c, int h, int w) {
            CudaStatus.cudnn(JCudnn.cudnnCreateFilterDescriptor(desc), "cudnnCreateFilterDescriptor");
            open = true;
            try {
                CudaStatus.cudnn(JCudnn.cudnnSetFilter4dDescriptor(desc, cudnnDataType.CUDNN_DATA_FLOAT,
                        cudnnTensorFormat.CUDNN_TENSOR_NCHW, k, c, h, w),
                        "cudnnSetFilter4dDescriptor(" + k + "x" + c + "x" + h + "x" + w + ")");
            } catch (RuntimeException e) {
                Cleanup.afterFailure(e, this);
                throw e;
            }
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                CudaStatus.cudnn(JCudnn.cudnnDestroyFilterDescriptor(desc), "cudnnDestroyFilterDescriptor");
            }
        }
    }

    /**
     * A 2-D cross-correlation (PyTorch's convolution) descriptor with square padding and stride, FP32
     * compute, and a math type that can change until the layer is built.
     */
    static final class ConvolutionDesc implements AutoCloseable {
        final cudnnConvolutionDescriptor desc = new cudnnConvolutionDescriptor();
        private boolean open;

        ConvolutionDesc(int pad, int stride, int mathType) {
            CudaStatus.cudnn(JCudnn.cudnnCreateConvolutionDescriptor(desc), "cudnnCreateConvolutionDescriptor");
            open = true;
            try {
                CudaStatus.cudnn(JCudnn.cudnnSetConvolution2dDescriptor(desc, pad, pad, stride, stride, 1, 1,
                        cudnnConvolutionMode.CUDNN_CROSS_CORRELATION, cudnnDataType.CUDNN_DATA_FLOAT),
                        "cudnnSetConvolution2dDescriptor");
                mathType(mathType);
            } catch (RuntimeException e) {
                Cleanup.afterFailure(e, this);
                throw e;
            }
        }

        void mathType(int mathType) {
            CudaStatus.cudnn(JCudnn.cudnnSetConvolutionMathType(desc, mathType),
                    "cudnnSetConvolutionMathType(" + cudnnMathType.stringFor(mathType) + ")");
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                CudaStatus.cudnn(JCudnn.cudnnDestroyConvolutionDescriptor(desc), "cudnnDestroyConvolutionDescriptor");
            }
        }
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            CudaStatus.cudnn(JCudnn.cudnnDestroy(handle), "cudnnDestroy");
        }
    }
}
