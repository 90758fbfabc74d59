package dcgan.backend.cpu;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Floats outside the Java heap, zero-filled when allocated and freed by {@link #close}: the storage of CPU
 * tensors and of the matrices the CPU operations multiply. Native code (the BLAS) reads and writes this
 * memory in place; a Java array handed to native code would be copied on every call.
 *
 * <p>Java code reaches the elements through one {@link FloatBuffer} with absolute indices only: its
 * position and limit never change, so threads working on disjoint elements share it. Loops that C2 should
 * vectorise copy a chunk into a Java array with the bulk {@code get}, compute there, and copy it back.
 *
 * <p>The memory is a direct buffer: when an instance is not closed, the garbage collector frees it, and the
 * JVM's direct-memory limit ({@code -XX:MaxDirectMemorySize}, by default the heap's maximum) bounds what
 * can be outstanding.
 */
final class OffHeapFloats implements AutoCloseable {

    /** Start of the floats on a cache line, which is also the widest vector (AVX-512) the BLAS loads. */
    private static final int ALIGNMENT = 64;

    /**
     * The most floats one direct buffer holds (its capacity is an int count of bytes), which is what every
     * backend allows a tensor ({@link dcgan.backend.Tensor#MAX_SIZE}).
     */
    static final int MAX_FLOATS = (Integer.MAX_VALUE - 2 * ALIGNMENT) / Float.BYTES;

    /** {@code sun.misc.Unsafe.invokeCleaner}, which frees a direct buffer now; null on a JVM without it. */
    private static final MethodHandle FREE = findInvokeCleaner();

    private final ByteBuffer allocation;
    private final FloatBuffer floats;
    private final int size;
    private boolean freed;

    /** n zero floats. */
    OffHeapFloats(int n) {
        if (n < 0 || n > MAX_FLOATS) {
            throw new IllegalArgumentException(n + " floats: off-heap storage holds 0 to " + MAX_FLOATS);
        }
        // One float at least, so that every tensor has a valid address. The aligned slice starts at the first
        // aligned address and ends at the last one, hence a whole line of padding on top of a multiple of it.
        int lines = (Math.max(n, 1) * Float.BYTES + ALIGNMENT - 1) / ALIGNMENT;
        this.allocation = ByteBuffer.allocateDirect((lines + 1) * ALIGNMENT);
        this.floats = allocation.alignedSlice(ALIGNMENT).order(ByteOrder.nativeOrder()).asFloatBuffer().slice(0, n);
        this.size = n;
    }

    int size() {
        return size;
    }

    /** The elements (capacity: exactly the size), for absolute access; fails once the memory is freed. */
    FloatBuffer floats() {
        if (freed) {
            throw new IllegalStateException("off-heap memory of " + size + " floats used after it was freed");
        }
        return floats;
    }

    boolean freed() {
        return freed;
    }

    /** Frees the memory now; later use fails. Idempotent. */
    @Override
    public void close() {
        if (freed) {
            return;
        }
        freed = true;
        if (FREE != null) {
            try {
                FREE.invoke(allocation);
            } catch (Throwable e) {
                throw new IllegalStateException("freeing off-heap memory failed", e);
            }
        }
    }

    private static MethodHandle findInvokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // the garbage collector frees the memory instead
        }
    }
}
