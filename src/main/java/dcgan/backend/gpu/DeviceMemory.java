package dcgan.backend.gpu;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/**
 * Allocates device memory as {@link DeviceBuffer}s and keeps count of what is live, so a run can report
 * its peak. Allocation is synchronous and happens while layers are built, never inside a training step.
 */
final class DeviceMemory {

    private long liveBytes;
    private long peakBytes;

    DeviceBuffer allocate(long bytes, String what) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device allocation of " + bytes + " bytes for " + what);
        }
        CUdeviceptr ptr = new CUdeviceptr();
        CudaStatus.driver(JCudaDriver.cuMemAlloc(ptr, bytes), "cuMemAlloc(" + bytes + " bytes for " + what + ")");
        liveBytes += bytes;
        peakBytes = Math.max(peakBytes, liveBytes);
        return new DeviceBuffer(this, ptr, bytes);
    }

    void released(long bytes) {
        liveBytes -= bytes;
    }

    /** Bytes allocated through this object and not yet freed. */
    long liveBytes() {
        return liveBytes;
    }

    /** The most bytes that were live at once. */
    long peakBytes() {
        return peakBytes;
    }
}
