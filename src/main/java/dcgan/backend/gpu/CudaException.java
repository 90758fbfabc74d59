package dcgan.backend.gpu;

/**
 * A CUDA driver, cuBLAS or cuDNN call returned an error status. The message names the call and the
 * status, e.g. {@code cuMemAlloc(268435456 bytes) failed: CUDA_ERROR_OUT_OF_MEMORY (2)}.
 */
public class CudaException extends RuntimeException {

    private final String call;
    private final boolean outOfMemory;

    CudaException(String call, String status, boolean outOfMemory, String hint) {
        super(call + " failed: " + status + (hint == null ? "" : "; " + hint));
        this.call = call;
        this.outOfMemory = outOfMemory;
    }

    /** The failed call, with the arguments that identify it. */
    public String call() {
        return call;
    }

    /** True when the status means the GPU ran out of memory. */
    public boolean outOfMemory() {
        return outOfMemory;
    }
}
