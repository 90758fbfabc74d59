package dcgan.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The pure-Java {@link Gemm}: the fallback where OpenBLAS cannot load, and a choice
 * ({@code --cpu-gemm java}).
 *
 * <p>Why it is shaped like this: HotSpot's C2 compiler (JDK 17) only turns a loop into SIMD code when
 * every array in it is indexed by the bare loop variable (an offset on two arrays that might alias makes
 * it give up), and only unrolls, hence vectorises, loops that its profile says run long. So the work is
 * cut into blocks: a {@code KB x width} panel of B is copied (from the operand's buffer) into separate row
 * arrays, one row of the C block into its own scratch array, and the inner kernel adds eight rank-1 updates
 * {@code t[j] += a_k * b_k[j]} per pass over the whole block width, which C2 vectorises with FMA. Narrow
 * products run a separate copy of the kernel so that they do not teach the wide one that its loop is
 * short. Packing also transposes a transposed operand; that costs little for A, but a transposed B is
 * transposed again for every block of rows of C, so the operations give this GEMM the plain forms
 * ({@link #prefersTransposedOperands}).
 *
 * <p>Each element of C is summed over k in one fixed order (products with a long k and a small C split k
 * into a fixed number of slices and add the slices in order), so the result is bit-identical whatever
 * the number of threads.
 */
public final class Sgemm implements Gemm {

    private static final int MAX_WIDTH = 256;  // columns of C per block, for wide products
    private static final int KB = 256;         // depth per packed panel (a multiple of the kernel's 8)
    private static final int MB = 64;          // rows of C per task
    private static final int MIN_SLICE_DEPTH = 2048;
    private static final int MAX_SLICES = 8;

    private final Parallel parallel;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    public Sgemm(Parallel parallel) {
        this.parallel = parallel;
    }

    private static final class Scratch {
        final float[][] panel = new float[KB][MAX_WIDTH];
        final float[] a = new float[MB * KB];
        final float[] row = new float[MAX_WIDTH];
        final float[] line = new float[KB];        // one row of a transposed B
        final float[] block = new float[KB * MB];  // a block of a transposed A, as stored
    }

    @Override
    public String name() {
        return "Java";
    }

    /** No: a transposed B is repacked, by transposing, for every block of rows of C. */
    @Override
    public boolean prefersTransposedOperands() {
        return false;
    }

    @Override
    public void multiply(boolean transA, boolean transB, int m, int n, int k,
                         FloatBuffer a, int aOff, int lda,
                         FloatBuffer b, int bOff, int ldb,
                         FloatBuffer c, int cOff, int ldc, boolean accumulate) {
        Gemm.checkOperands(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        int width = blockWidth(n);
        int mBlocks = (m + MB - 1) / MB;
        int nBlocks = (n + width - 1) / width;
        int tiles = mBlocks * nBlocks;
        int slices = Math.min(MAX_SLICES, k / MIN_SLICE_DEPTH);
        if (tiles >= 4 || slices < 2) {
            parallel.forEach(tiles, task -> {
                int i0 = (task / nBlocks) * MB;
                int j0 = (task % nBlocks) * width;
                block(transA, transB, i0, Math.min(MB, m - i0), j0, Math.min(width, n - j0), width, 0, k,
                      a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            });
            return;
        }
        // Few output tiles but a long sum (weight gradients of the first layer): split k instead.
        float[][] partial = new float[slices][m * n];
        int sliceDepth = ((k + slices - 1) / slices + KB - 1) / KB * KB;
        parallel.forEach(slices * tiles, task -> {
            int s = task / tiles;
            int tile = task % tiles;
            int k0 = Math.min(k, s * sliceDepth);
            int k1 = Math.min(k, k0 + sliceDepth);
            int i0 = (tile / nBlocks) * MB;
            int j0 = (tile % nBlocks) * width;
            block(transA, transB, i0, Math.min(MB, m - i0), j0, Math.min(width, n - j0), width, k0, k1,
                  a, aOff, lda, b, bOff, ldb, FloatBuffer.wrap(partial[s]), 0, n, false);
        });
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            if (accumulate) {
                c.get(cOff + i * ldc, row, 0, n);
            }
            for (int j = 0; j < n; j++) {
                float sum = accumulate ? row[j] : 0f;
                for (int s = 0; s < slices; s++) {
                    sum += partial[s][i * n + j];
                }
                row[j] = sum;
            }
            c.put(cOff + i * ldc, row, 0, n);
        }
    }

    /** The block width for n columns: wide blocks for wide products, else n rounded up to a multiple of 16. */
    private static int blockWidth(int n) {
        if (n >= MAX_WIDTH) {
            return MAX_WIDTH;
        }
        if (n >= 128) {
            return 128;
        }
        return (n + 15) & ~15;
    }

    /** Rows [i0, i0+mb) and columns [j0, j0+nb) of C over the depth [k0, k1). */
    private void block(boolean transA, boolean transB, int i0, int mb, int j0, int nb, int width, int k0, int k1,
                       FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
                       FloatBuffer c, int cOff, int ldc, boolean accumulate) {
        Scratch s = scratch.get();
        float[][] panel = s.panel;
        float[] ap = s.a;
        float[] t = s.row;
        if (k0 == k1) {
            if (!accumulate) {
                Arrays.fill(t, 0, nb, 0f);
                for (int i = 0; i < mb; i++) {
                    c.put(cOff + (i0 + i) * ldc + j0, t, 0, nb);
                }
            }
            return;
        }
        Arrays.fill(t, nb, width, 0f);
        for (int kk = k0; kk < k1; kk += KB) {
            int kb = Math.min(KB, k1 - kk);
            int kPad = (kb + 7) & ~7;
            packB(transB, b, bOff, ldb, kk, kb, kPad, j0, nb, width, panel, s.line);
            packA(transA, a, aOff, lda, i0, mb, kk, kb, kPad, ap, s.block);
            boolean load = accumulate || kk > k0;
            for (int i = 0; i < mb; i++) {
                int cRow = cOff + (i0 + i) * ldc + j0;
                if (load) {
                    c.get(cRow, t, 0, nb);
                } else {
                    Arrays.fill(t, 0, nb, 0f);
                }
                int aRow = i * KB;
                if (width == 256) {
                    for (int p = 0; p < kPad; p += 8) {
                        kernel256(t, ap, aRow + p, panel, p);
                    }
                } else if (width == 128) {
                    for (int p = 0; p < kPad; p += 8) {
                        kernel128(t, ap, aRow + p, panel, p);
                    }
                } else {
                    for (int p = 0; p < kPad; p += 8) {
                        narrowKernel(t, width, ap, aRow + p, panel, p);
                    }
                }
                c.put(cRow, t, 0, nb);
            }
        }
    }

    /** t[0..256) += sum over q < 8 of a[ai + q] * panel[p + q][0..256). */
    private static void kernel256(float[] t, float[] a, int ai, float[][] panel, int p) {
        float a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
        float a4 = a[ai + 4], a5 = a[ai + 5], a6 = a[ai + 6], a7 = a[ai + 7];
        float[] b0 = panel[p], b1 = panel[p + 1], b2 = panel[p + 2], b3 = panel[p + 3];
        float[] b4 = panel[p + 4], b5 = panel[p + 5], b6 = panel[p + 6], b7 = panel[p + 7];
        for (int j = 0; j < 256; j++) {
            float acc = t[j];
            acc = Math.fma(a0, b0[j], acc);
            acc = Math.fma(a1, b1[j], acc);
            acc = Math.fma(a2, b2[j], acc);
            acc = Math.fma(a3, b3[j], acc);
            acc = Math.fma(a4, b4[j], acc);
            acc = Math.fma(a5, b5[j], acc);
            acc = Math.fma(a6, b6[j], acc);
            acc = Math.fma(a7, b7[j], acc);
            t[j] = acc;
        }
    }

    /** {@link #kernel256} for 128 columns. */
    private static void kernel128(float[] t, float[] a, int ai, float[][] panel, int p) {
        float a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
        float a4 = a[ai + 4], a5 = a[ai + 5], a6 = a[ai + 6], a7 = a[ai + 7];
        float[] b0 = panel[p], b1 = panel[p + 1], b2 = panel[p + 2], b3 = panel[p + 3];
        float[] b4 = panel[p + 4], b5 = panel[p + 5], b6 = panel[p + 6], b7 = panel[p + 7];
        for (int j = 0; j < 128; j++) {
            float acc = t[j];
            acc = Math.fma(a0, b0[j], acc);
            acc = Math.fma(a1, b1[j], acc);
            acc = Math.fma(a2, b2[j], acc);
            acc = Math.fma(a3, b3[j], acc);
            acc = Math.fma(a4, b4[j], acc);
            acc = Math.fma(a5, b5[j], acc);
            acc = Math.fma(a6, b6[j], acc);
            acc = Math.fma(a7, b7[j], acc);
            t[j] = acc;
        }
    }

    /** {@link #kernel256} for n < 128 columns. */
    private static void narrowKernel(float[] t, int n, float[] a, int ai, float[][] panel, int p) {
        float a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
        float a4 = a[ai + 4], a5 = a[ai + 5], a6 = a[ai + 6], a7 = a[ai + 7];
        float[] b0 = panel[p], b1 = panel[p + 1], b2 = panel[p + 2], b3 = panel[p + 3];
        float[] b4 = panel[p + 4], b5 = panel[p + 5], b6 = panel[p + 6], b7 = panel[p + 7];
        for (int j = 0; j < n; j++) {
            float acc = t[j];
            acc = Math.fma(a0, b0[j], acc);
            acc = Math.fma(a1, b1[j], acc);
            acc = Math.fma(a2, b2[j], acc);
            acc = Math.fma(a3, b3[j], acc);
            acc = Math.fma(a4, b4[j], acc);
            acc = Math.fma(a5, b5[j], acc);
            acc = Math.fma(a6, b6[j], acc);
            acc = Math.fma(a7, b7[j], acc);
            t[j] = acc;
        }
    }

    /**
     * panel[q][j] = op(B)[kk + q][j0 + j] for q < kb and j < nb; zero elsewhere up to kPad rows and width
     * columns, so the kernel's full-width pass over padding adds nothing.
     */
    private static void packB(boolean transB, FloatBuffer b, int bOff, int ldb, int kk, int kb, int kPad,
                              int j0, int nb, int width, float[][] panel, float[] line) {
        if (!transB) {
            for (int q = 0; q < kb; q++) {
                b.get(bOff + (kk + q) * ldb + j0, panel[q], 0, nb);
            }
        } else {
            for (int j = 0; j < nb; j++) {
                b.get(bOff + (j0 + j) * ldb + kk, line, 0, kb);
                for (int q = 0; q < kb; q++) {
                    panel[q][j] = line[q];
                }
            }
        }
        if (nb < width) {
            for (int q = 0; q < kb; q++) {
                Arrays.fill(panel[q], nb, width, 0f);
            }
        }
        for (int q = kb; q < kPad; q++) {
            Arrays.fill(panel[q], 0, width, 0f);
        }
    }

    /**
     * ap[i * KB + q] = op(A)[i0 + i][kk + q], zero from kb up to kPad; a transposed A is first copied as
     * stored (kb runs of mb), then transposed in the array.
     */
    private static void packA(boolean transA, FloatBuffer a, int aOff, int lda, int i0, int mb, int kk, int kb,
                              int kPad, float[] ap, float[] block) {
        if (!transA) {
            for (int i = 0; i < mb; i++) {
                a.get(aOff + (i0 + i) * lda + kk, ap, i * KB, kb);
            }
        } else {
            for (int q = 0; q < kb; q++) {
                a.get(aOff + (kk + q) * lda + i0, block, q * mb, mb);
            }
            for (int i = 0; i < mb; i++) {
                for (int q = 0; q < kb; q++) {
                    ap[i * KB + q] = block[q * mb + i];
                }
            }
        }
        if (kPad > kb) {
            for (int i = 0; i < mb; i++) {
                Arrays.fill(ap, i * KB + kb, i * KB + kPad, 0f);
            }
        }
    }
}
