package dcgan.backend.gpu;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.JCudnn;

/**
 * The one place that checks the status codes of CUDA driver, cuBLAS and cuDNN calls. JCuda's own
 * exceptions stay off (its default), so every call's status comes here and a failure becomes a
 * {@link CudaException} naming the call and the status instead of a silently wrong result.
 *
 * <p>Kernel launches and most cuDNN/cuBLAS work run asynchronously: an error inside a kernel surfaces
 * at the next call that waits for the stream (a copy to the host or a synchronize), which then names
 * itself. Run with {@code CUDA_LAUNCH_BLOCKING=1} to pin such an error on the call that caused it.
 */
final class CudaStatus {

    private static final String OOM_HINT = "the GPU is out of memory: use a smaller --batch-size, or free the GPU "
                                           + "(nvidia-smi lists its processes)";

    private CudaStatus() {
    }

    static void driver(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            boolean oom = result == CUresult.CUDA_ERROR_OUT_OF_MEMORY;
            throw new CudaException(call, driverName(result), oom, oom ? OOM_HINT : driverHint(result));
        }
    }

    static void cublas(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            boolean oom = status == cublasStatus.CUBLAS_STATUS_ALLOC_FAILED;
            throw new CudaException(call, cublasStatus.stringFor(status) + " (" + status + ")", oom,
                    oom ? OOM_HINT : null);
        }
    }

    static void cudnn(int status, String call) {
        if (status != 0) {
            String name = cudnnName(status);
            // cuDNN 8 said ALLOC_FAILED (2); cuDNN 9 says ..._HOST_ALLOCATION_FAILED (4003) or
            // ..._DEVICE_ALLOCATION_FAILED (4004).
            boolean oom = status == 2 || status == 4003 || status == 4004
                          || name.contains("ALLOC_FAILED") || name.contains("ALLOCATION_FAILED");
            throw new CudaException(call, name + " (" + status + ")", oom, oom ? OOM_HINT : null);
        }
    }

    /** cuDNN's name for a status, e.g. CUDNN_STATUS_NOT_SUPPORTED for 3000. */
    static String cudnnName(int status) {
        // The JCudnn classes predate cuDNN 9, which renumbered its statuses: ask the library itself.
        try {
            String name = JCudnn.cudnnGetErrorString(status);
            return name == null ? "cuDNN status" : name;
        } catch (RuntimeException | LinkageError e) {
            return "cuDNN status";
        }
    }

    /** "CUDA_ERROR_NO_DEVICE (100)", from the driver when it can say, else from JCuda's table. */
    static String driverName(int result) {
        String name = CUresult.stringFor(result);
        if (name == null || name.startsWith("INVALID CUresult")) {
            String[] fromDriver = new String[1];
            if (JCudaDriver.cuGetErrorName(result, fromDriver) == CUresult.CUDA_SUCCESS && fromDriver[0] != null) {
                name = fromDriver[0];
            }
        }
        return name + " (" + result + ")";
    }

    private static String driverHint(int result) {
        if (result == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
            return "the driver is older than the PTX in kernels/ needs (see native-libs.md)";
        }
        if (result == CUresult.CUDA_ERROR_LAUNCH_FAILED || result == CUresult.CUDA_ERROR_ILLEGAL_ADDRESS) {
            return "a kernel failed; rerun with CUDA_LAUNCH_BLOCKING=1 to find which";
        }
        return null;
    }
}
