package dcgan.backend.cpu;

import java.nio.FloatBuffer;

/**
 * Single-precision matrix multiply on row-major matrices, {@code C = op(A) op(B)} or
 * {@code C += op(A) op(B)}: the one routine every convolution and linear layer of the CPU backend reduces
 * to. Two implementations: {@link OpenBlasGemm} (native, the default where it loads) and {@link Sgemm}
 * (pure Java, everywhere).
 *
 * <p>Operands are given as a buffer, the element offset of the matrix in it, and the leading dimension
 * (elements between rows). Buffers are used with absolute indices only.
 */
interface Gemm {

    /** The implementation's name for logs: "OpenBLAS" or "Java". */
    String name();

    /**
     * Whether a product of two transposed operands ({@code A^T B^T}) runs faster than the same result's
     * plain form: the operations that can compute a gradient either way (transposed, then transposed back)
     * choose by it.
     */
    boolean prefersTransposedOperands();

    /**
     * C (m x n, leading dimension ldc) = op(A) op(B) (+ C when accumulate), where op(A) is m x k: A is
     * m x k with leading dimension lda, or k x m when transA; op(B) is k x n: B is k x n, or n x k when
     * transB. With k = 0, C becomes 0 (an empty sum), or stays as it is when accumulating.
     *
     * @throws IllegalArgumentException for a negative size, a leading dimension shorter than a row, or a
     *                                  matrix reaching outside its buffer
     */
    void multiply(boolean transA, boolean transB, int m, int n, int k,
                  FloatBuffer a, int aOff, int lda,
                  FloatBuffer b, int bOff, int ldb,
                  FloatBuffer c, int cOff, int ldc, boolean accumulate);

    /**
     * The checks every implementation makes before touching memory: sizes not negative, and each matrix
     * that the product reads or writes inside its buffer with rows no longer than its leading dimension.
     */
    static void checkOperands(boolean transA, boolean transB, int m, int n, int k,
                              FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
                              FloatBuffer c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size " + m + "x" + n + "x" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        checkMatrix("C", m, n, c, cOff, ldc);
        if (k == 0) {
            return;
        }
        checkMatrix("A", transA ? k : m, transA ? m : k, a, aOff, lda);
        checkMatrix("B", transB ? n : k, transB ? k : n, b, bOff, ldb);
    }

    private static void checkMatrix(String name, int rows, int cols, FloatBuffer buffer, int offset, int ld) {
        if (ld < cols) {
            throw new IllegalArgumentException(name + ": leading dimension " + ld + " is shorter than a row of " + cols);
        }
        long last = offset + (long) (rows - 1) * ld + cols; // one past the last element read or written
        if (offset < 0 || last > buffer.capacity()) {
            throw new IllegalArgumentException(name + ": " + rows + "x" + cols + " at " + offset + " with leading dimension "
                                               + ld + " reaches outside its buffer of " + buffer.capacity());
        }
    }
}
