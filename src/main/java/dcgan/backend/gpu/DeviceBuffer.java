package dcgan.backend.gpu;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;

/** One device allocation, freed by {@link #close} (once; later closes do nothing). */
final class DeviceBuffer implements AutoCloseable {

    private final DeviceMemory owner;
    private final CUdeviceptr ptr;
    private final long bytes;
    private boolean freed;

    DeviceBuffer(DeviceMemory owner, CUdeviceptr ptr, long bytes) {
        this.owner = owner;
        this.ptr = ptr;
        this.bytes = bytes;
    }

    long bytes() {
        return bytes;
    }

    boolean freed() {
        return freed;
    }

    /** The device address {@code byteOffset} bytes into this buffer. */
    CUdeviceptr at(long byteOffset) {
        if (freed) {
            throw new IllegalStateException("device buffer used after it was freed");
        }
        if (byteOffset < 0 || byteOffset > bytes) {
            throw new IllegalArgumentException("offset " + byteOffset + " outside a buffer of " + bytes + " bytes");
        }
        return byteOffset == 0 ? ptr : ptr.withByteOffset(byteOffset);
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            owner.released(bytes);
            CudaStatus.driver(JCudaDriver.cuMemFree(ptr), "cuMemFree(" + bytes + " bytes)");
        }
    }
}
