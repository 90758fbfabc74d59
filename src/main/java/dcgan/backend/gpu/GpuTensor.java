package dcgan.backend.gpu;

import dcgan.backend.Tensor;
import jcuda.driver.CUdeviceptr;

import java.util.Arrays;

/**
 * A float tensor in device memory: a whole {@link DeviceBuffer} (owner) or a view at an element offset
 * into another tensor's buffer. Closing the owner frees the memory; closing a view frees nothing.
 */
public final class GpuTensor implements Tensor {

    private final DeviceBuffer buffer;
    private final long offset;
    private final int[] shape;
    private final int size;
    private final boolean owner;
    private final CUdeviceptr pointer;

    private GpuTensor(DeviceBuffer buffer, long offset, int[] shape, boolean owner) {
        this.size = Tensor.sizeOf(shape);
        if (offset < 0 || (offset + size) * Float.BYTES > buffer.bytes()) {
            throw new IllegalArgumentException("view of " + size + " floats at " + offset
                                               + " does not fit a buffer of " + buffer.bytes() + " bytes");
        }
        this.buffer = buffer;
        this.offset = offset;
        this.shape = shape.clone();
        this.owner = owner;
        this.pointer = buffer.at(offset * Float.BYTES);
    }

    static GpuTensor allocate(DeviceMemory memory, int[] shape) {
        int n = Tensor.sizeOf(shape);
        // A zero-size tensor still gets one float, so that every tensor has a valid address.
        DeviceBuffer b = memory.allocate((long) Math.max(n, 1) * Float.BYTES, "tensor " + Arrays.toString(shape));
        return new GpuTensor(b, 0, shape, true);
    }

    GpuTensor view(long elementOffset, int[] viewShape) {
        if (elementOffset < 0 || elementOffset + Tensor.sizeOf(viewShape) > size) {
            throw new IllegalArgumentException("view " + Arrays.toString(viewShape) + " at " + elementOffset
                                               + " is outside " + Arrays.toString(shape));
        }
        return new GpuTensor(buffer, offset + elementOffset, viewShape, false);
    }

    /** The GPU tensor behind t, refusing tensors of another backend. */
    static GpuTensor of(Tensor t) {
        if (t instanceof GpuTensor g) {
            return g;
        }
        throw new IllegalArgumentException("not a GPU tensor: " + (t == null ? "null" : t.getClass().getName()));
    }

    /** Like {@link #of} but checks the element count too, naming the operand in the error. */
    static GpuTensor of(Tensor t, int expectedSize, String what) {
        GpuTensor g = of(t);
        Tensor.requireSize(g, expectedSize, what);
        return g;
    }

    /** Device address of element 0. */
    CUdeviceptr pointer() {
        checkLive();
        return pointer;
    }

    private void checkLive() {
        if (buffer.freed()) {
            throw new IllegalStateException("GPU tensor " + Arrays.toString(shape) + " used after its memory was freed");
        }
    }

    /** Device address of element i. */
    CUdeviceptr pointer(int i) {
        if (i < 0 || i >= Math.max(size, 1)) {
            throw new IndexOutOfBoundsException("element " + i + " of " + Arrays.toString(shape));
        }
        return i == 0 ? pointer() : buffer.at((offset + i) * Float.BYTES);
    }

    long bytes() {
        return (long) size * Float.BYTES;
    }

    /** True when both tensors start at the same device address. */
    boolean sameStart(GpuTensor other) {
        return buffer == other.buffer && offset == other.offset;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        if (owner) {
            buffer.close();
        }
    }

    @Override
    public String toString() {
        return "GpuTensor" + Arrays.toString(shape);
    }
}
