package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both {@link Gemm}s ({@link Sgemm} and {@link OpenBlasGemm}) against a naive double-precision product, for
 * all four transpose combinations, sizes that leave tails in every blocking dimension (Sgemm's blocks are
 * 64 rows, 128 columns, 256 deep, its kernel 8 deep; OpenBLAS's tiles at least 256 rows or columns), the
 * model's own shapes, leading dimensions wider than the matrices, offsets into the memory, and both
 * accumulate modes. Operands are in off-heap memory, as the backend holds them.
 *
 * <p>Every element of A and B outside the matrix (offset, leading-dimension padding, tail) is NaN, so a
 * product that reads outside its operand turns up as NaN; every element of C outside the m x n window
 * holds a sentinel that must survive. One- and three-thread results must be bit-identical, for each GEMM.
 */
class GemmTest {

    private static final float C_SENTINEL = -12345.5f;

    private static Parallel oneThread;
    private static Parallel threeThreads;

    @BeforeAll
    static void start() {
        oneThread = new Parallel(1);
        threeThreads = new Parallel(3);
    }

    @AfterAll
    static void stop() {
        oneThread.close();
        threeThreads.close();
    }

    /** The GEMM of that kind on these threads; skips (with the reason) where OpenBLAS cannot load. */
    private static Gemm gemm(CpuGemm kind, Parallel parallel) {
        if (kind == CpuGemm.OPENBLAS) {
            Assumptions.assumeTrue(CpuGemm.openBlasProblem().isEmpty(),
                    () -> "OpenBLAS unavailable here: " + CpuGemm.openBlasProblem().orElse(""));
            return new OpenBlasGemm(parallel);
        }
        return new Sgemm(parallel);
    }

    @Test
    void openBlasLoadsWhereItsNativesShip() {
        // The build carries OpenBLAS for linux-x86_64 only; there it must load, so that its tests never skip.
        boolean supported = System.getProperty("os.name").equals("Linux")
                            && List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        Assumptions.assumeTrue(supported, "OpenBLAS natives ship for linux-x86_64 only");
        assertEquals("", CpuGemm.openBlasProblem().orElse(""));
        assertEquals(CpuGemm.OPENBLAS, CpuGemm.preferred());
    }

    static Stream<Arguments> sizes() {
        List<Arguments> cases = new ArrayList<>();
        int[][] mnk = {
                {1, 1, 1}, {1, 7, 9}, {7, 1, 9}, {9, 7, 1}, {63, 65, 129}, {65, 63, 257}, {129, 257, 9},
                {257, 129, 63}, {300, 7, 65}, {7, 300, 300}, {64, 128, 256}, {65, 129, 257}, {1, 300, 257},
                {300, 1, 300}, {33, 260, 513},
                // OpenBLAS cuts these into several tiles, by rows or by columns, with a ragged last tile
                {1000, 37, 300}, {37, 1000, 300}, {2085, 64, 16}, {600, 600, 40},
        };
        for (CpuGemm kind : CpuGemm.values()) {
            for (int[] s : mnk) {
                cases.add(Arguments.of(kind, s[0], s[1], s[2]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: m={1} n={2} k={3}")
    @MethodSource("sizes")
    void matchesNaiveProductForAllTransposes(CpuGemm kind, int m, int n, int k) {
        Random rnd = new Random(31L * m + 17L * n + k);
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    checkProduct(kind, rnd, m, n, k, transA, transB, accumulate);
                }
            }
        }
    }

    /** The products of the model's layers at batch 4 (as CpuConv, CpuConvTranspose and CpuLinear call them). */
    static Stream<Arguments> modelShapes() {
        int b = 4;
        int[][] shapes = { // transA, transB, m, n, k
                {0, 1, b * 196, 64, 16}, {1, 0, 64, 16, b * 196}, {0, 0, b * 196, 16, 64},            // D.c1
                {0, 1, b * 49, 128, 1024}, {1, 0, 128, 1024, b * 49}, {0, 0, b * 49, 1024, 128},     // D.c2
                {0, 1, b, 1024, 6272}, {1, 0, 1024, 6272, b}, {0, 0, b, 6272, 1024},                // D.l3
                {0, 1, b, 1, 1024}, {1, 0, 1, 1024, b}, {0, 0, b, 1024, 1},                         // D.l4
                {0, 1, b, 1024, 100}, {1, 0, 1024, 100, b},                                        // G.l1
                {0, 1, b, 6272, 1024}, {1, 0, 6272, 1024, b}, {0, 0, b, 1024, 6272},                // G.l2
                {0, 0, b * 49, 1024, 128}, {1, 0, 128, 1024, b * 49}, {0, 1, b * 49, 128, 1024},     // G.d3
                {0, 0, b * 196, 16, 64}, {1, 0, 64, 16, b * 196}, {0, 1, b * 196, 64, 16},          // G.d4
        };
        List<Arguments> cases = new ArrayList<>();
        for (CpuGemm kind : CpuGemm.values()) {
            for (int[] s : shapes) {
                cases.add(Arguments.of(kind, s[0] == 1, s[1] == 1, s[2], s[3], s[4]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: transA={1} transB={2} m={3} n={4} k={5}")
    @MethodSource("modelShapes")
    void matchesNaiveProductAtTheModelsShapes(CpuGemm kind, boolean transA, boolean transB, int m, int n, int k) {
        Random rnd = new Random(7L * m + 3L * n + k);
        checkProduct(kind, rnd, m, n, k, transA, transB, false);
        checkProduct(kind, rnd, m, n, k, transA, transB, true);
    }

    @ParameterizedTest
    @EnumSource(CpuGemm.class)
    void zeroDepthClearsOrKeepsC(CpuGemm kind) {
        Random rnd = new Random(5);
        for (int[] mn : new int[][] {{1, 1}, {7, 9}, {65, 129}, {300, 257}}) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    // k = 0: C = 0 (an empty sum), or C unchanged when accumulating
                    checkProduct(kind, rnd, mn[0], mn[1], 0, transA, transB, false);
                    checkProduct(kind, rnd, mn[0], mn[1], 0, transA, transB, true);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CpuGemm.class)
    void emptyOutputTouchesNothing(CpuGemm kind) {
        Gemm g = gemm(kind, threeThreads);
        try (OffHeapFloats a = new OffHeapFloats(10); OffHeapFloats b = new OffHeapFloats(10);
             OffHeapFloats c = new OffHeapFloats(10)) {
            float[] sentinels = new float[10];
            Arrays.fill(sentinels, C_SENTINEL);
            c.floats().put(0, sentinels);
            g.multiply(false, false, 0, 5, 2, a.floats(), 0, 2, b.floats(), 0, 5, c.floats(), 0, 5, false);
            g.multiply(true, true, 5, 0, 2, a.floats(), 0, 5, b.floats(), 0, 2, c.floats(), 0, 1, false);
            for (int i = 0; i < 10; i++) {
                assertEquals(C_SENTINEL, c.floats().get(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CpuGemm.class)
    void badSizesAndOperandsOutsideTheirMemoryAreRejected(CpuGemm kind) {
        Gemm g = gemm(kind, oneThread);
        try (OffHeapFloats mem = new OffHeapFloats(12)) {
            FloatBuffer z = mem.floats();
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, false, -1, 1, 1, z, 0, 1, z, 0, 1, z, 0, 1, false));
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, false, 1, -1, 1, z, 0, 1, z, 0, 1, z, 0, 1, false));
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, false, 1, 1, -1, z, 0, 1, z, 0, 1, z, 0, 1, false));
            // A 3x4 at offset 1 needs 13 elements; a leading dimension shorter than a row; a negative offset
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, false, 3, 2, 4, z, 1, 4, z, 0, 2, z, 0, 2, false));
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, false, 2, 2, 4, z, 0, 3, z, 0, 2, z, 0, 2, false));
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, true, 2, 2, 2, z, 0, 2, z, 0, 2, z, -1, 2, false));
            // C reaching past the end: 3x3 at 4 with leading dimension 3 ends at 13
            assertThrows(IllegalArgumentException.class, () -> g.multiply(false, false, 3, 3, 1, z, 0, 1, z, 0, 3, z, 4, 3, false));
        }
    }

    @Test
    void openBlasRefusesOperandsOnTheJavaHeap() {
        Gemm g = gemm(CpuGemm.OPENBLAS, oneThread);
        FloatBuffer heap = FloatBuffer.wrap(new float[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.multiply(false, false, 2, 2, 2, heap, 0, 2, heap, 4, 2, heap, 8, 2, false));
        assertTrue(e.getMessage().contains("off-heap"), e.getMessage());
    }

    @Test
    void openBlasTilesDependOnTheShapeOnlyAndCoverC() {
        assertEquals(1, OpenBlasGemm.tiles(1, 1, 1));
        assertEquals(1, OpenBlasGemm.tiles(300, 7, 65), "too little work to split");
        assertEquals(Math.min(OpenBlasGemm.MAX_TILES, 12544 / 256), OpenBlasGemm.tiles(12544, 128, 1024));
        assertEquals(Math.min(OpenBlasGemm.MAX_TILES, 4), OpenBlasGemm.tiles(256, 1024, 6272), "1024 columns: 4 tiles of 256 at most");
        for (int extent : new int[] {256, 1000, 1024, 2085, 12544, 50176}) {
            for (int tiles = 1; tiles <= OpenBlasGemm.MAX_TILES && extent / tiles >= OpenBlasGemm.MIN_TILE_EXTENT; tiles++) {
                assertEquals(0, OpenBlasGemm.tileStart(extent, tiles, 0));
                assertEquals(extent, OpenBlasGemm.tileStart(extent, tiles, tiles));
                for (int t = 0; t < tiles; t++) {
                    assertTrue(OpenBlasGemm.tileStart(extent, tiles, t + 1) > OpenBlasGemm.tileStart(extent, tiles, t),
                            "tile " + t + " of " + tiles + " over " + extent + " is empty");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CpuGemm.class)
    void repeatedCallsReuseScratchCorrectly(CpuGemm kind) {
        // A big product then a small one on the same threads: stale packed panels must not leak into the result.
        Random rnd = new Random(77);
        checkProduct(kind, rnd, 200, 250, 300, true, false, false);
        checkProduct(kind, rnd, 3, 5, 7, false, false, false);
        checkProduct(kind, rnd, 3, 5, 13, false, true, true);
    }

    /** One product, checked against the double reference; also one thread vs three threads bit for bit. */
    private static void checkProduct(CpuGemm kind, Random rnd, int m, int n, int k, boolean transA, boolean transB,
                                     boolean accumulate) {
        String what = String.format("%s: m=%d n=%d k=%d transA=%b transB=%b accumulate=%b", kind, m, n, k, transA, transB,
                accumulate);
        Gemm serial = gemm(kind, oneThread);
        Gemm parallel = gemm(kind, threeThreads);
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

        // The reference: rows of op(A) and columns of op(B) gathered into contiguous arrays, then dot products.
        double[][] rowsOfA = new double[m][k];
        double[][] columnsOfB = new double[n][k];
        for (int p = 0; p < k; p++) {
            for (int i = 0; i < m; i++) {
                rowsOfA[i][p] = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            }
            for (int j = 0; j < n; j++) {
                columnsOfB[j][p] = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            }
        }
        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c0[cOff + i * ldc + j] : 0;
                double[] ar = rowsOfA[i];
                double[] bc = columnsOfB[j];
                for (int p = 0; p < k; p++) {
                    s += ar[p] * bc[p];
                }
                ref[i * n + j] = s;
            }
        }

        float[] c1;
        float[] c3;
        try (OffHeapFloats aMem = offHeap(a); OffHeapFloats bMem = offHeap(b);
             OffHeapFloats c1Mem = offHeap(c0); OffHeapFloats c3Mem = offHeap(c0)) {
            serial.multiply(transA, transB, m, n, k, aMem.floats(), aOff, lda, bMem.floats(), bOff, ldb,
                    c1Mem.floats(), cOff, ldc, accumulate);
            parallel.multiply(transA, transB, m, n, k, aMem.floats(), aOff, lda, bMem.floats(), bOff, ldb,
                    c3Mem.floats(), cOff, ldc, accumulate);
            assertTrue(sameBits(a, onHeap(aMem)), what + ": A was modified");
            assertTrue(sameBits(b, onHeap(bMem)), what + ": B was modified");
            c1 = onHeap(c1Mem);
            c3 = onHeap(c3Mem);
        }
        OpTestSupport.assertBitIdentical(c1, c3, what + ": 1 thread vs 3 threads");

        double maxDiff = 0, maxRef = 0;
        for (int idx = 0; idx < c1.length; idx++) {
            int rel = idx - cOff;
            int i = rel < 0 ? -1 : rel / ldc;
            int j = rel < 0 ? -1 : rel % ldc;
            boolean inside = rel >= 0 && i < m && j < n;
            if (!inside) {
                if (Float.floatToRawIntBits(c1[idx]) != Float.floatToRawIntBits(c0[idx])) {
                    fail(what + ": wrote outside the C window at index " + idx);
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

    private static OffHeapFloats offHeap(float[] values) {
        OffHeapFloats mem = new OffHeapFloats(values.length);
        mem.floats().put(0, values);
        return mem;
    }

    private static float[] onHeap(OffHeapFloats mem) {
        float[] values = new float[mem.size()];
        mem.floats().get(0, values);
        return values;
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

    @Test
    void openBlasComputesTransposedFormsOnlyWithItsAvx512Kernels() {
        Set<String> avx2 = Set.of("fpu", "avx", "avx2", "fma");
        Set<String> avx512 = Set.of("fpu", "avx", "avx2", "fma", "avx512f", "avx512bw");
        assertFalse(OpenBlasGemm.avx512Kernels(null, avx2), "AVX2 processor");
        assertTrue(OpenBlasGemm.avx512Kernels(null, avx512), "AVX-512 processor");
        assertFalse(OpenBlasGemm.avx512Kernels(null, Set.of()), "flags unknown");
        assertFalse(OpenBlasGemm.avx512Kernels("Haswell", avx512), "OPENBLAS_CORETYPE=Haswell wins over the flags");
        assertTrue(OpenBlasGemm.avx512Kernels(" SkylakeX ", avx2), "OPENBLAS_CORETYPE names an AVX-512 core");
        assertTrue(OpenBlasGemm.avx512Kernels("COOPERLAKE", avx2));
        assertFalse(OpenBlasGemm.avx512Kernels("Zen", avx512));
        assertTrue(OpenBlasGemm.avx512Kernels("", avx512), "an empty OPENBLAS_CORETYPE counts as unset");
    }
}
