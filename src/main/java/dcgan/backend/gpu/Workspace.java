package dcgan.backend.gpu;

import jcuda.driver.CUdeviceptr;

/**
 * Scratch memory shared by every cuDNN call of a backend. All work runs on one stream, so the calls
 * never overlap and one buffer serves them all; it grows while layers are built (each reserves what its
 * chosen algorithms need), never during a training step.
 */
final class Workspace implements AutoCloseable {

    private final DeviceMemory memory;
    private final Runnable synchronize;
    private DeviceBuffer buffer;
    private boolean captured;

    Workspace(DeviceMemory memory, Runnable synchronize) {
        this.memory = memory;
        this.synchronize = synchronize;
    }

    /**
     * Called when a CUDA graph captures work: the graph holds the workspace's address, so from now on it
     * may not move.
     */
    void pin() {
        captured = true;
    }

    /** Makes the workspace at least {@code bytes} large. */
    void reserve(long bytes) {
        if (bytes > size()) {
            if (captured) {
                throw new IllegalStateException("a layer built after a CUDA graph was captured needs a larger cuDNN "
                        + "workspace (" + bytes + " bytes, " + size() + " held); replacing it would leave the graph "
                        + "reading freed memory: build every layer before the first captured step");
            }
            if (buffer != null) {
                synchronize.run(); // queued work may still read the old buffer
                buffer.close();
                buffer = null;
            }
            buffer = memory.allocate(bytes, "cuDNN workspace");
        }
    }

    long size() {
        return buffer == null ? 0 : buffer.bytes();
    }

    /** Start of the workspace; null (cuDNN accepts it for a zero size) when nothing was reserved. */
    CUdeviceptr pointer() {
        return buffer == null ? null : buffer.at(0);
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
