package dcgan.backend.gpu;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One GPU through the CUDA driver API: its primary context (the one cuBLAS and cuDNN use too), made
 * current on the opening thread, and the single stream all of the backend's work is queued on. The
 * stream is a blocking one, so synchronous copies on the default stream wait for it.
 */
final class CudaDevice implements AutoCloseable {

    /** The PTX in kernels/ targets sm_75; older GPUs cannot run it. */
    static final int MIN_COMPUTE_CAPABILITY = 75;
    /** cuBLAS 12, cuDNN 9 and PTX ISA 8.0 need a driver for CUDA 12.0 or newer. */
    static final int MIN_DRIVER_VERSION = 12000;
    // cuda.h's CUDA_ERROR_STUB_LIBRARY: libcuda.so.1 is the toolkit's link stub, not a driver.
    private static final int STUB_LIBRARY = 34;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final Thread owner = Thread.currentThread();
    private final int index;
    private final String name;
    private final int computeCapability;
    private final long totalMemory;
    private final int driverVersion;
    private boolean contextRetained;
    private boolean streamCreated;
    private boolean capturing;

    /** Opens device {@code index}; a GPU that cannot be used at all is reported as unavailable. */
    static CudaDevice open(int index) throws GpuUnavailableException {
        String failure = NativeLibraries.driverFailure();
        if (failure != null) {
            throw new GpuUnavailableException("the NVIDIA driver library could not be loaded (" + failure
                                              + "); see native-libs.md", null);
        }
        int init = JCudaDriver.cuInit(0);
        if (init == CUresult.CUDA_ERROR_NO_DEVICE) {
            throw new GpuUnavailableException("no CUDA device (cuInit: " + CudaStatus.driverName(init) + ")", null);
        }
        if (init == STUB_LIBRARY) {
            throw new GpuUnavailableException("libcuda.so.1 is the CUDA toolkit's stub library, not a driver (cuInit: "
                                              + CudaStatus.driverName(init) + "); see native-libs.md", null);
        }
        if (init != CUresult.CUDA_SUCCESS) {
            throw new GpuUnavailableException("cuInit failed: " + CudaStatus.driverName(init), null);
        }
        int[] version = new int[1];
        CudaStatus.driver(JCudaDriver.cuDriverGetVersion(version), "cuDriverGetVersion");
        if (version[0] < MIN_DRIVER_VERSION) {
            throw new GpuUnavailableException("the NVIDIA driver supports CUDA " + version[0] / 1000 + "."
                                              + version[0] % 1000 / 10 + "; this build needs a driver for CUDA 12.0 "
                                              + "or newer (525.60.13+); see native-libs.md", null);
        }
        int[] count = new int[1];
        CudaStatus.driver(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        if (index < 0 || index >= count[0]) {
            throw new GpuUnavailableException("no CUDA device " + index + " (this machine has " + count[0] + ")", null);
        }
        CudaDevice d = new CudaDevice(index);
        if (d.computeCapability < MIN_COMPUTE_CAPABILITY) {
            d.close();
            throw new GpuUnavailableException(d.name + " has compute capability " + d.computeCapability / 10 + "."
                                              + d.computeCapability % 10 + "; this build needs 7.5 or newer", null);
        }
        return d;
    }

    private CudaDevice(int index) {
        this.index = index;
        CudaStatus.driver(JCudaDriver.cuDeviceGet(device, index), "cuDeviceGet(" + index + ")");
        byte[] nameBytes = new byte[256];
        CudaStatus.driver(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < nameBytes.length && nameBytes[len] != 0) {
            len++;
        }
        name = new String(nameBytes, 0, len, StandardCharsets.US_ASCII);
        computeCapability = 10 * attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
                            + attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        long[] total = new long[1];
        CudaStatus.driver(JCudaDriver.cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
        totalMemory = total[0];
        int[] version = new int[1];
        CudaStatus.driver(JCudaDriver.cuDriverGetVersion(version), "cuDriverGetVersion");
        driverVersion = version[0];
        if (computeCapability >= MIN_COMPUTE_CAPABILITY) {
            CudaStatus.driver(JCudaDriver.cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
            contextRetained = true;
            try {
                CudaStatus.driver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
                CudaStatus.driver(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
                streamCreated = true;
            } catch (RuntimeException e) {
                Cleanup.afterFailure(e, this);
                throw e;
            }
        }
    }

    /**
     * Refuses use from a thread other than the opening one: the context is current only there, and on
     * another thread cuBLAS and cuDNN would quietly pick device 0's context instead.
     */
    void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("the GPU backend was used from thread '" + Thread.currentThread().getName()
                                            + "'; it belongs to '" + owner.getName() + "', which opened it");
        }
    }

    private int attribute(int attribute) {
        int[] v = new int[1];
        CudaStatus.driver(JCudaDriver.cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    /** The CUDA version the driver supports, e.g. 13000 for 13.0. */
    int driverVersion() {
        return driverVersion;
    }

    /** e.g. 90 for sm_90. */
    int computeCapability() {
        return computeCapability;
    }

    CUstream stream() {
        return stream;
    }

    /** Set while {@link CudaGraph} captures the stream, when waiting for it is a mistake. */
    void capturing(boolean on) {
        capturing = on;
    }

    void synchronize() {
        if (capturing) {
            // The driver would only say CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED and spoil the capture.
            throw new IllegalStateException("the GPU backend was asked to wait for the device (a copy to or from "
                                            + "the host, or a synchronize) while capturing a CUDA graph");
        }
        CudaStatus.driver(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** Free and total device memory now, in bytes. */
    long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        CudaStatus.driver(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    /** e.g. "NVIDIA H100 80GB HBM3 (device 0, sm_90, 79.2 GiB, driver for CUDA 13.0)". */
    String describe() {
        return String.format(Locale.ROOT, "%s (device %d, sm_%d, %.1f GiB, driver for CUDA %d.%d)", name, index,
                computeCapability, totalMemory / (double) (1L << 30), driverVersion / 1000, driverVersion % 1000 / 10);
    }

    @Override
    public void close() {
        try {
            if (streamCreated) {
                streamCreated = false;
                CudaStatus.driver(JCudaDriver.cuStreamDestroy(stream), "cuStreamDestroy");
            }
        } finally {
            if (contextRetained) {
                contextRetained = false;
                CudaStatus.driver(JCudaDriver.cuDevicePrimaryCtxRelease(device), "cuDevicePrimaryCtxRelease");
            }
        }
    }
}
