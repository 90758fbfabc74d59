package dcgan.backend.cpu;

import dcgan.backend.Tensor;

import java.util.Arrays;

/** A tensor stored in a Java float array, possibly a view at an offset into a larger one. */
public final class CpuTensor implements Tensor {

    final float[] data;
    final int offset;
    private final int[] shape;
    private final int size;

    CpuTensor(float[] data, int offset, int[] shape) {
        this.size = Tensor.sizeOf(shape);
        if (offset < 0 || offset + size > data.length) {
            throw new IllegalArgumentException("view of " + size + " elements at " + offset
                                               + " does not fit storage of " + data.length);
        }
        this.data = data;
        this.offset = offset;
        this.shape = shape.clone();
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
        // Java arrays are garbage collected; nothing to free.
    }

    @Override
    public String toString() {
        return "CpuTensor" + Arrays.toString(shape);
    }
}
