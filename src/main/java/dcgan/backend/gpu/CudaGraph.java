package dcgan.backend.gpu;

import dcgan.backend.CapturedWork;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUresult;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * Work captured from the backend's stream into a CUDA graph (the driver's stream capture) and
 * instantiated once, so that replaying it costs one {@code cuGraphLaunch} instead of one JNI call per
 * kernel, cuBLAS and cuDNN call (9-14 us each from Java, more than many of those kernels run).
 *
 * <p>Capture records; it does not execute. Kernel arguments, cuBLAS/cuDNN scalars and descriptors are
 * fixed at capture time, which is why the captured work may only touch tensors that stay where they are,
 * and why anything that waits for the device, copies to the host or allocates is refused while capturing
 * (global capture mode: the driver checks this for every thread, and {@link CudaDevice} checks its own
 * synchronize).
 */
final class CudaGraph implements CapturedWork {

    private final CudaDevice device;
    private final CUgraph graph;
    private final CUgraphExec exec;
    private boolean open = true;

    private CudaGraph(CudaDevice device, CUgraph graph, CUgraphExec exec) {
        this.device = device;
        this.graph = graph;
        this.exec = exec;
    }

    static CudaGraph capture(CudaDevice device, Runnable work) {
        device.checkThread();
        CUgraph graph = new CUgraph();
        CudaStatus.driver(JCudaDriver.cuStreamBeginCapture(device.stream(),
                CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_GLOBAL), "cuStreamBeginCapture");
        device.capturing(true);
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            // End the capture whatever state it is in, so that the stream is usable again; the graph, if
            // there is one, is of no use.
            if (JCudaDriver.cuStreamEndCapture(device.stream(), graph) == CUresult.CUDA_SUCCESS) {
                JCudaDriver.cuGraphDestroy(graph);
            }
            throw e;
        } finally {
            device.capturing(false);
        }
        int status = JCudaDriver.cuStreamEndCapture(device.stream(), graph);
        if (status == CUresult.CUDA_ERROR_STREAM_CAPTURE_INVALIDATED) {
            throw new CudaException("cuStreamEndCapture", CudaStatus.driverName(status), false,
                    "something in the captured work cannot be captured (a copy to or from the host, a synchronize "
                    + "or an allocation) and invalidated the capture");
        }
        CudaStatus.driver(status, "cuStreamEndCapture");
        CUgraphExec exec = new CUgraphExec();
        try {
            CudaStatus.driver(JCudaDriver.cuGraphInstantiate(exec, graph, 0), "cuGraphInstantiate");
        } catch (RuntimeException e) {
            JCudaDriver.cuGraphDestroy(graph);
            throw e;
        }
        return new CudaGraph(device, graph, exec);
    }

    @Override
    public void replay() {
        if (!open) {
            throw new IllegalStateException("replay of a closed CUDA graph");
        }
        device.checkThread();
        CudaStatus.driver(JCudaDriver.cuGraphLaunch(exec, device.stream()), "cuGraphLaunch");
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            try {
                CudaStatus.driver(JCudaDriver.cuGraphExecDestroy(exec), "cuGraphExecDestroy");
            } finally {
                CudaStatus.driver(JCudaDriver.cuGraphDestroy(graph), "cuGraphDestroy");
            }
        }
    }
}
