package dcgan.io;

import java.util.Arrays;

/**
 * A tensor on its way to a file: a name, a shape (outermost dimension first) and its values in row-major (C)
 * order, float32 at {@code values[offset ...]}, or int64 in {@code longValues} (PyTorch's batch-norm step
 * counters). A float array is shared, not copied, so that the tensors of a network's flat parameter buffer
 * can be written without copying them out first.
 */
public record NamedTensor(String name, int[] shape, float[] values, int offset, long[] longValues) {

    public NamedTensor {
        if (longValues != null) {
            values = new float[0];
            offset = 0;
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (longValues != null ? n != longValues.length : offset < 0 || offset + n > values.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values, which do not fit in " + values.length + " from offset " + offset);
        }
        shape = shape.clone();
    }

    /** A float32 tensor at {@code values[offset ...]}. */
    public NamedTensor(String name, int[] shape, float[] values, int offset) {
        this(name, shape, values, offset, null);
    }

    /** An int64 tensor holding {@code values}. */
    public static NamedTensor int64(String name, int[] shape, long[] values) {
        return new NamedTensor(name, shape, null, 0, values.clone());
    }

    /** A float32 tensor that is the whole array. */
    public NamedTensor(String name, int[] shape, float[] values) {
        this(name, shape, values, 0);
        if (size() != values.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + size()
                    + " values, but " + values.length + " were given");
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** "F32" or "I64", as safetensors names them. */
    public String dtype() {
        return longValues == null ? "F32" : "I64";
    }

    /** Bytes per value in a file. */
    public int elementBytes() {
        return longValues == null ? Float.BYTES : Long.BYTES;
    }

    @Override
    public long[] longValues() {
        return longValues == null ? null : longValues.clone();
    }

    /** Number of values: the product of the shape. */
    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
