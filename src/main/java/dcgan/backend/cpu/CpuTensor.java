package dcgan.backend.cpu;

import dcgan.backend.Tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor in off-heap memory ({@link OffHeapFloats}): a whole allocation (owner) or a view at an element
 * offset into another tensor's memory. Closing the owner frees the memory; closing a view frees nothing.
 * Element i of the tensor is element {@code offset + i} of its memory.
 */
public final class CpuTensor implements Tensor {

    private final OffHeapFloats memory;
    final int offset;
    private final int[] shape;
    private final int size;
    private final boolean owner;

    private CpuTensor(OffHeapFloats memory, int offset, int[] shape, boolean owner) {
        this.size = Tensor.sizeOf(shape);
        if (offset < 0 || offset + size > memory.size()) {
            throw new IllegalArgumentException("view of " + size + " elements at " + offset
                                               + " does not fit storage of " + memory.size());
        }
        this.memory = memory;
        this.offset = offset;
        this.shape = shape.clone();
        this.owner = owner;
    }

    /** A new zero-filled tensor owning its memory. */
    static CpuTensor allocate(int... shape) {
        return new CpuTensor(new OffHeapFloats(Tensor.sizeOf(shape)), 0, shape, true);
    }

    /** A tensor that owns memory (possibly larger than the shape) and starts at element offset of it. */
    static CpuTensor owning(OffHeapFloats memory, int offset, int... shape) {
        return new CpuTensor(memory, offset, shape, true);
    }

    /** A view of {@code Tensor.sizeOf(shape)} elements of this tensor from element {@code from}. */
    CpuTensor view(int from, int... viewShape) {
        if (from < 0 || from + Tensor.sizeOf(viewShape) > size) {
            throw new IllegalArgumentException("view " + Arrays.toString(viewShape) + " at " + from
                                               + " is outside " + Arrays.toString(shape));
        }
        return new CpuTensor(memory, offset + from, viewShape, false);
    }

    /** The CPU tensor behind t, refusing tensors of another backend. */
    static CpuTensor of(Tensor t) {
        if (t instanceof CpuTensor c) {
            return c;
        }
        throw new IllegalArgumentException("not a CPU tensor: " + (t == null ? "null" : t.getClass().getName()));
    }

    /** Like {@link #of} but checks the element count too, naming the operand in the error. */
    static CpuTensor of(Tensor t, int expectedSize, String what) {
        CpuTensor c = of(t);
        Tensor.requireSize(c, expectedSize, what);
        return c;
    }

    /**
     * The whole memory this tensor lives in, for absolute access at {@code offset + i} (never move its
     * position or limit); fails once the memory is freed.
     */
    FloatBuffer floats() {
        if (memory.freed()) {
            throw new IllegalStateException("CPU tensor " + Arrays.toString(shape) + " used after its memory was freed");
        }
        return memory.floats();
    }

    /** Copies elements [from, from + len) of this tensor into dst[dstOff...]. */
    void read(int from, float[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(from, len, size);
        floats().get(offset + from, dst, dstOff, len);
    }

    /** Copies src[srcOff, srcOff + len) into elements [from, from + len) of this tensor. */
    void write(int from, float[] src, int srcOff, int len) {
        Objects.checkFromIndexSize(from, len, size);
        floats().put(offset + from, src, srcOff, len);
    }

    /** Copies elements [from, from + len) of src into elements [at, at + len) of this tensor. */
    void copyFrom(int at, CpuTensor src, int from, int len) {
        Objects.checkFromIndexSize(at, len, size);
        Objects.checkFromIndexSize(from, len, src.size);
        floats().put(offset + at, src.floats(), src.offset + from, len);
    }

    float get(int i) {
        return floats().get(offset + Objects.checkIndex(i, size));
    }

    void set(int i, float value) {
        floats().put(offset + Objects.checkIndex(i, size), value);
    }

    /** Elements in the memory this tensor lives in (its own size for an owner, more for a view). */
    int storageSize() {
        return memory.size();
    }

    /** True when both tensors start at the same element of the same memory. */
    boolean sameStart(CpuTensor other) {
        return memory == other.memory && offset == other.offset;
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
            memory.close();
        }
    }

    @Override
    public String toString() {
        return "CpuTensor" + Arrays.toString(shape);
    }
}
