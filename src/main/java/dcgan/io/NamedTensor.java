package dcgan.io;

import java.util.Arrays;

/**
 * A float32 tensor on its way to a file: a name, a shape (outermost dimension first) and its values in
 * row-major (C) order at {@code values[offset ...]}. The array is shared, not copied, so that the tensors
 * of a network's flat parameter buffer can be written without copying them out first.
 */
public record NamedTensor(String name, int[] shape, float[] values, int offset) {

    public NamedTensor {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (offset < 0 || offset + n > values.length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n
                    + " values, which do not fit in " + values.length + " from offset " + offset);
        }
        shape = shape.clone();
    }

    /** A tensor that is the whole array. */
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

    /** Number of values: the product of the shape. */
    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
