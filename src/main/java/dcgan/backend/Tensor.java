package dcgan.backend;

/**
 * A dense float tensor owned by a {@link Backend}. Its storage lives wherever the backend keeps it
 * (a Java array on the CPU, device memory on a GPU); model code never touches the elements directly,
 * only through backend operations and explicit uploads and downloads.
 *
 * <p>Closing a tensor frees its storage. Views made with {@link Backend#view} share storage with their
 * base and closing them frees nothing.
 */
public interface Tensor extends AutoCloseable {

    /**
     * The most elements one tensor, or one buffer an operation keeps, holds on every backend: the CPU backend's
     * are direct byte buffers, whose capacity is an int count of bytes, less two cache lines of alignment.
     */
    int MAX_SIZE = (Integer.MAX_VALUE - 2 * 64) / Float.BYTES;

    /** The logical shape, outermost dimension first (NCHW for images). */
    int[] shape();

    /** Number of elements: the product of the shape. */
    int size();

    @Override
    void close();

    /**
     * Checks that t has {@code expectedSize} elements, naming the operand in the error; every backend's
     * operations check their operands with it.
     */
    static void requireSize(Tensor t, int expectedSize, String what) {
        if (t.size() != expectedSize) {
            throw new IllegalArgumentException(what + " has " + t.size() + " elements "
                                               + java.util.Arrays.toString(t.shape()) + ", expected " + expectedSize);
        }
    }

    /** Product of a shape's dimensions, rejecting negative or overflowing shapes. */
    static int sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + java.util.Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape too large: " + java.util.Arrays.toString(shape));
            }
        }
        return (int) n;
    }
}
