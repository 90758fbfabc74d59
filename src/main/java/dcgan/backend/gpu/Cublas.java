package dcgan.backend.gpu;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * A cuBLAS handle bound to the backend's stream, with the three calls the linear layers need. cuBLAS is
 * column-major; {@link GpuLinear} maps its row-major tensors onto it. Under {@link GpuSettings.MathMode#FP32}
 * the math mode is pinned to plain FP32 (PEDANTIC_MATH), so results agree with the CPU reference to FP32
 * rounding; under TF32, sgemm may run on TF32 tensor cores (sgemv and sger have no tensor-core path).
 */
final class Cublas implements AutoCloseable {

    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});

    private final cublasHandle handle = new cublasHandle();
    private boolean open;
    private DeviceBuffer workspace;

    /**
     * The workspace cuBLAS's documentation recommends (cublasSetWorkspace): 32 MiB on Hopper (sm_90) and
     * newer, 4 MiB before. Giving it explicitly means cuBLAS never allocates during a CUDA graph capture
     * (before cuBLAS 12.2 it did, with a plain cudaMalloc the capture refuses), and it is counted in the
     * backend's peak memory.
     */
    static long workspaceBytes(int computeCapability) {
        return computeCapability >= 90 ? 32L << 20 : 4L << 20;
    }

    Cublas(CUstream stream, GpuSettings.MathMode math, DeviceMemory memory, int computeCapability) {
        CudaStatus.cublas(JCublas2.cublasCreate(handle), "cublasCreate");
        open = true;
        try {
            CudaStatus.cublas(JCublas2.cublasSetStream(handle, new cudaStream_t(stream)), "cublasSetStream");
            long bytes = workspaceBytes(computeCapability);
            workspace = memory.allocate(bytes, "cuBLAS workspace");
            CudaStatus.cublas(JCublas2.cublasSetWorkspace(handle, workspace.at(0), bytes),
                    "cublasSetWorkspace(" + bytes + " bytes)");
            int mode = math == GpuSettings.MathMode.TF32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH
                                                         : cublasMath.CUBLAS_PEDANTIC_MATH;
            CudaStatus.cublas(JCublas2.cublasSetMathMode(handle, mode), "cublasSetMathMode(" + cublasMath.stringFor(mode) + ")");
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this);
            throw e;
        }
    }

    /** cuBLAS's version as the loaded library reports it, e.g. 120604 for 12.6.4. */
    int version() {
        int[] v = new int[1];
        CudaStatus.cublas(JCublas2.cublasGetVersion(handle, v), "cublasGetVersion");
        return v[0];
    }

    static Pointer scale(boolean accumulate) {
        return accumulate ? ONE : ZERO;
    }

    /** C[m, n] = op(A) op(B) + (accumulate ? C : 0), column-major. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, CUdeviceptr a, int lda, CUdeviceptr b, int ldb,
               CUdeviceptr c, int ldc, boolean accumulate) {
        CudaStatus.cublas(JCublas2.cublasSgemm(handle, op(transA), op(transB), m, n, k, ONE, a, lda, b, ldb,
                scale(accumulate), c, ldc), "cublasSgemm(" + m + "x" + n + "x" + k + ")");
    }

    /** y[m] = A[m, n] x + (accumulate ? y : 0), column-major, unit strides. */
    void sgemv(int m, int n, CUdeviceptr a, int lda, CUdeviceptr x, CUdeviceptr y, boolean accumulate) {
        CudaStatus.cublas(JCublas2.cublasSgemv(handle, cublasOperation.CUBLAS_OP_N, m, n, ONE, a, lda, x, 1,
                scale(accumulate), y, 1), "cublasSgemv(" + m + "x" + n + ")");
    }

    /** A[m, n] += x[m] y[n]^T, column-major, unit strides. */
    void sger(int m, int n, CUdeviceptr x, CUdeviceptr y, CUdeviceptr a, int lda) {
        CudaStatus.cublas(JCublas2.cublasSger(handle, m, n, ONE, x, 1, y, 1, a, lda), "cublasSger(" + m + "x" + n + ")");
    }

    private static int op(boolean transpose) {
        return transpose ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    }

    @Override
    public void close() {
        try {
            if (open) {
                open = false;
                CudaStatus.cublas(JCublas2.cublasDestroy(handle), "cublasDestroy");
            }
        } finally {
            if (workspace != null) {
                workspace.close(); // after the handle, which may still refer to it
                workspace = null;
            }
        }
    }
}
