package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Sgemm} against a naive double-precision product, for all four transpose combinations, sizes that
 * leave tails in every blocking dimension (the blocks are 64 rows, 128 columns, 256 deep, the kernel 8
 * deep), leading dimensions wider than the matrices, offsets into the arrays, and both accumulate modes.
 *
 * <p>Every element of A and B outside the matrix (offset, leading-dimension padding, tail) is NaN, so a
 * product that reads outside its operand turns up as NaN; every element of C outside the m x n window
 * holds a sentinel that must survive. One- and three-thread results must be bit-identical.
 */
class SgemmTest {

    private static final float C_SENTINEL = -12345.5f;

    private static Parallel oneThread;
    private static Parallel threeThreads;
    private static Sgemm serial;
    private static Sgemm parallel;

    @BeforeAll
    static void start() {
        oneThread = new Parallel(1);
        threeThreads = new Parallel(3);
        serial = new Sgemm(oneThread);
        parallel = new Sgemm(threeThreads);
    }

    @AfterAll
    static void stop() {
        oneThread.close();
        threeThreads.close();
    }

    static Stream<Arguments> sizes() {
        return Stream.of(
                Arguments.of(1, 1, 1),
                Arguments.of(1, 7, 9),
                Arguments.of(7, 1, 9),
                Arguments.of(9, 7, 1),
                Arguments.of(63, 65, 129),
                Arguments.of(65, 63, 257),
                Arguments.of(129, 257, 9),
                Arguments.of(257, 129, 63),
                Arguments.of(300, 7, 65),
                Arguments.of(7, 300, 300),
                Arguments.of(64, 128, 256),
                Arguments.of(65, 129, 257),
                Arguments.of(1, 300, 257),
                Arguments.of(300, 1, 300),
                Arguments.of(33, 260, 513));
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @MethodSource("sizes")
    void matchesNaiveProductForAllTransposes(int m, int n, int k) {
        Random rnd = new Random(31L * m + 17L * n + k);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    checkProduct(rnd, m, n, k, transA, transB, accumulate);
                }
            }
        }
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        Random rnd = new Random(5);
        for (int[] mn : new int[][] {{1, 1}, {7, 9}, {65, 129}, {300, 257}}) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    // k = 0: C = 0 (an empty sum), or C unchanged when accumulating
                    checkProduct(rnd, mn[0], mn[1], 0, transA, transB, false);
                    checkProduct(rnd, mn[0], mn[1], 0, transA, transB, true);
                }
            }
        }
    }

    @Test
    void emptyOutputTouchesNothing() {
        float[] a = new float[10];
        float[] b = new float[10];
        float[] c = new float[10];
        Arrays.fill(c, C_SENTINEL);
        serial.multiply(false, false, 0, 5, 2, a, 0, 2, b, 0, 5, c, 0, 5, false);
        parallel.multiply(true, true, 5, 0, 2, a, 0, 5, b, 0, 2, c, 0, 1, false);
        for (float v : c) {
            assertEquals(C_SENTINEL, v);
        }
    }

    @Test
    void negativeSizesAreRejected() {
        float[] z = new float[4];
        assertThrows(IllegalArgumentException.class, () -> serial.multiply(false, false, -1, 1, 1, z, 0, 1, z, 0, 1, z, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> serial.multiply(false, false, 1, -1, 1, z, 0, 1, z, 0, 1, z, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> serial.multiply(false, false, 1, 1, -1, z, 0, 1, z, 0, 1, z, 0, 1, false));
    }

    @Test
    void repeatedCallsReuseScratchCorrectly() {
        // A big product then a small one on the same threads: stale packed panels must not leak into the result.
        Random rnd = new Random(77);
        checkProduct(rnd, 200, 250, 300, true, false, false);
        checkProduct(rnd, 3, 5, 7, false, false, false);
        checkProduct(rnd, 3, 5, 13, false, true, true);
    }

    /** One product, checked against the double reference; also one thread vs three threads bit for bit. */
    private static void checkProduct(Random rnd, int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        String what = String.format("m=%d n=%d k=%d transA=%b transB=%b accumulate=%b", m, n, k, transA, transB, accumulate);
        // A is stored as m x k (or k x m when transA), B as k x n (or n x k when transB), each row padded.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + rnd.nextInt(4) + (aCols == 0 ? 1 : 0);
        int ldb = bCols + rnd.nextInt(4) + (bCols == 0 ? 1 : 0);
        int ldc = n + 1 + rnd.nextInt(3);
        int aOff = 1 + rnd.nextInt(9), bOff = 1 + rnd.nextInt(9), cOff = 1 + rnd.nextInt(9);
        float[] a = paddedMatrix(rnd, aRows, aCols, lda, aOff, Float.NaN);
        float[] b = paddedMatrix(rnd, bRows, bCols, ldb, bOff, Float.NaN);
        float[] c0 = paddedMatrix(rnd, m, n, ldc, cOff, C_SENTINEL);
        if (!accumulate) {
            // C must be overwritten without being read: fill the window with NaN.
            for (int i = 0; i < m; i++) {
                Arrays.fill(c0, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
            }
        }
        float[] aCopy = a.clone(), bCopy = b.clone();

        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c0[cOff + i * ldc + j] : 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                ref[i * n + j] = s;
            }
        }

        float[] c1 = c0.clone();
        serial.multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c1, cOff, ldc, accumulate);
        float[] c3 = c0.clone();
        parallel.multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c3, cOff, ldc, accumulate);

        assertTrue(sameBits(a, aCopy), what + ": A was modified");
        assertTrue(sameBits(b, bCopy), what + ": B was modified");
        OpTestSupport.assertBitIdentical(c1, c3, what + ": 1 thread vs 3 threads");

        double maxDiff = 0, maxRef = 0;
        for (int idx = 0; idx < c1.length; idx++) {
            int rel = idx - cOff;
            int i = rel < 0 ? -1 : rel / ldc;
            int j = rel < 0 ? -1 : rel % ldc;
            boolean inside = rel >= 0 && i < m && j < n;
            if (!inside) {
                if (Float.floatToRawIntBits(c1[idx]) != Float.floatToRawIntBits(c0[idx])) {
                    fail(what + ": wrote outside the C window at array index " + idx);
                }
                continue;
            }
            float got = c1[idx];
            double want = ref[i * n + j];
            if (!Float.isFinite(got)) {
                fail(what + ": C[" + i + "][" + j + "] = " + got);
            }
            maxDiff = Math.max(maxDiff, Math.abs(got - want));
            maxRef = Math.max(maxRef, Math.abs(want));
        }
        if (k == 0 || m == 0 || n == 0) {
            assertEquals(0.0, maxDiff, what + ": an empty sum must be exact");
        } else {
            double relErr = maxDiff / maxRef;
            assertTrue(relErr < 1e-5, what + ": relative error " + relErr);
        }
    }

    /** rows x cols random values at off with row stride ld; everything else in the array is fill. */
    private static float[] paddedMatrix(Random rnd, int rows, int cols, int ld, int off, float fill) {
        float[] arr = new float[off + rows * ld + 3];
        Arrays.fill(arr, fill);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                arr[off + i * ld + j] = (float) rnd.nextGaussian();
            }
        }
        return arr;
    }

    private static boolean sameBits(float[] x, float[] y) {
        if (x.length != y.length) {
            return false;
        }
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                return false;
            }
        }
        return true;
    }
}
