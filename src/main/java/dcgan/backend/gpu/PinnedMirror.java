package dcgan.backend.gpu;

import dcgan.backend.HostMirror;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

import java.nio.ByteOrder;

/**
 * A {@link HostMirror} in page-locked host memory: {@code cuMemcpyDtoHAsync} into it returns at once
 * (into pageable memory it would wait for the stream), and an event recorded after the copy is what
 * {@link #values} waits for, rather than the whole stream, so work queued after the copy keeps running.
 */
final class PinnedMirror implements HostMirror {

    private final CudaDevice device;
    private final GpuTensor src;
    private final Pointer pinned = new Pointer();
    private final CUevent copied = new CUevent();
    private final float[] values;
    private boolean pinnedAllocated;
    private boolean eventCreated;
    private boolean refreshed;

    PinnedMirror(CudaDevice device, GpuTensor src) {
        this.device = device;
        this.src = src;
        this.values = new float[src.size()];
        try {
            CudaStatus.driver(JCudaDriver.cuMemAllocHost(pinned, src.bytes()), "cuMemAllocHost(" + src.bytes() + " bytes)");
            pinnedAllocated = true;
            // No timing: such events are cheaper to record and to wait for.
            CudaStatus.driver(JCudaDriver.cuEventCreate(copied, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
            eventCreated = true;
        } catch (RuntimeException e) {
            Cleanup.afterFailure(e, this);
            throw e;
        }
    }

    @Override
    public void refresh() {
        device.checkThread();
        CudaStatus.driver(JCudaDriver.cuMemcpyDtoHAsync(pinned, src.pointer(), src.bytes(), device.stream()),
                "cuMemcpyDtoHAsync(" + src.bytes() + " bytes)");
        CudaStatus.driver(JCudaDriver.cuEventRecord(copied, device.stream()), "cuEventRecord");
        refreshed = true;
    }

    @Override
    public float[] values() {
        device.checkThread();
        if (!refreshed) {
            throw new IllegalStateException("values() of a host mirror that was never refreshed");
        }
        CudaStatus.driver(JCudaDriver.cuEventSynchronize(copied), "cuEventSynchronize");
        pinned.getByteBuffer(0, src.bytes()).order(ByteOrder.nativeOrder()).asFloatBuffer().get(values);
        return values;
    }

    @Override
    public void close() {
        try {
            if (eventCreated) {
                eventCreated = false;
                CudaStatus.driver(JCudaDriver.cuEventDestroy(copied), "cuEventDestroy");
            }
        } finally {
            if (pinnedAllocated) {
                pinnedAllocated = false;
                // A copy may still be queued into it: wait for the stream before giving the memory back.
                device.synchronize();
                CudaStatus.driver(JCudaDriver.cuMemFreeHost(pinned), "cuMemFreeHost");
            }
        }
    }
}
