package dcgan.backend.cpu;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The {@link Gemm} of OpenBLAS ({@code cblas_sgemm} through JavaCPP's preset), on operands in off-heap
 * memory, which the native code reads and writes in place: a Java array would be copied on every call.
 *
 * <p>Threads: OpenBLAS itself runs single-threaded (set once when the library loads); this class cuts C
 * into tiles, one {@code cblas_sgemm} call each, and runs the tiles on the backend's {@link Parallel}. The
 * tiles depend only on the product's shape and on the machine (the number of processors bounds how many),
 * never on the thread count asked for, and each call computes its tile alone, so on one machine the result
 * is bit-identical whatever the number of threads. It is not bit-identical across machines: OpenBLAS picks
 * its kernels for the processor it runs on. Letting OpenBLAS thread instead (its thread count is one
 * setting for the whole process) measured 15-35% slower training iterations on 2 cores, though 5-15%
 * faster on 1024^3 alone.
 *
 * <p>Tiles: C is cut along the longer of its two sides. A tile of rows repacks all of B, a tile of columns
 * all of A, so cutting the longer side repacks the smaller operand; tiles are at least
 * {@link #MIN_TILE_EXTENT} wide for that repacking to stay small beside the tile's work, and there are at
 * most two per processor: each cut costs some speed (4 tiles of a linear layer's product run 3-8% slower
 * than one call, on one thread), and two per thread keep the threads evenly busy.
 */
final class OpenBlasGemm implements Gemm {

    /** Rows (or columns) of C per tile, at least. */
    static final int MIN_TILE_EXTENT = 256;
    /** Tiles per product, at most: two per processor of the machine. */
    static final int MAX_TILES = 2 * Runtime.getRuntime().availableProcessors();
    /** Work per tile, at least, so that small products are not cut into calls that cost more than they do. */
    static final long MIN_TILE_FLOPS = 4_000_000;
    /** Tile boundaries fall on multiples of this, the register blocking of OpenBLAS's kernels. */
    private static final int ALIGN = 16;

    private final Parallel parallel;

    OpenBlasGemm(Parallel parallel) {
        if (NativeBlas.problem().isPresent()) {
            throw new IllegalStateException("OpenBLAS is unavailable: " + NativeBlas.problem().get());
        }
        this.parallel = parallel;
    }

    /**
     * Loads the native library (JavaCPP unpacks it from the natives jar into its cache directory) and makes
     * OpenBLAS run each call on the calling thread. Throws {@link UnsatisfiedLinkError} where there is no
     * library for this platform.
     */
    static void loadLibrary() {
        Loader.load(openblas_nolapack.class);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
    }

    @Override
    public String name() {
        return "OpenBLAS";
    }

    /**
     * Where OpenBLAS runs its AVX-512 kernels ({@link #avx512Kernels}): there the transposed forms of the
     * convolutions' weight gradients and the linear layers' input gradients measured 20-30% faster (an Intel
     * Xeon with AVX-512); with its AVX2 kernels the plain forms measured 10-45% faster (an AMD EPYC, Zen 3).
     */
    @Override
    public boolean prefersTransposedOperands() {
        return AVX512_KERNELS;
    }

    /** The AVX-512 cores among OPENBLAS_CORETYPE's values (lower case). */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");

    private static final boolean AVX512_KERNELS = avx512Kernels(System.getenv("OPENBLAS_CORETYPE"), cpuFlags());

    /**
     * Whether OpenBLAS picks AVX-512 kernels: with {@code OPENBLAS_CORETYPE} set, when it names an AVX-512
     * core; else when the processor's flags include {@code avx512f}. A function of the machine and the
     * environment alone, so that one machine always computes in the same form.
     *
     * @param coreType the value of OPENBLAS_CORETYPE, or null when unset
     * @param cpuFlags the processor's feature flags, as /proc/cpuinfo lists them (empty when unknown)
     */
    static boolean avx512Kernels(String coreType, Set<String> cpuFlags) {
        if (coreType != null && !coreType.isBlank()) {
            return AVX512_CORES.contains(coreType.strip().toLowerCase(Locale.ROOT));
        }
        return cpuFlags.contains("avx512f");
    }

    /** The first processor's flags from /proc/cpuinfo (Linux), or none where it cannot be read. */
    private static Set<String> cpuFlags() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Set.copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
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
        if (k == 0) {
            if (!accumulate) {
                float[] zeros = new float[n];
                for (int i = 0; i < m; i++) {
                    c.put(cOff + i * ldc, zeros, 0, n);
                }
            }
            return;
        }
        requireDirect(a, "A");
        requireDirect(b, "B");
        requireDirect(c, "C");
        boolean byRows = m >= n;
        int tiles = tiles(m, n, k);
        int extent = byRows ? m : n;
        parallel.forEach(tiles, t -> {
            int from = tileStart(extent, tiles, t);
            int to = tileStart(extent, tiles, t + 1);
            if (byRows) {
                call(transA, transB, to - from, n, k, a, aOff + (transA ? from : from * lda), lda,
                     b, bOff, ldb, c, cOff + from * ldc, ldc, accumulate);
            } else {
                call(transA, transB, m, to - from, k, a, aOff, lda,
                     b, bOff + (transB ? from * ldb : from), ldb, c, cOff + from, ldc, accumulate);
            }
        });
    }

    /** How many tiles an m x n x k product is cut into: a function of its shape alone. */
    static int tiles(int m, int n, int k) {
        long byWork = 2L * m * n * k / MIN_TILE_FLOPS;
        long byExtent = Math.max(m, n) / MIN_TILE_EXTENT;
        return (int) Math.max(1, Math.min(MAX_TILES, Math.min(byWork, byExtent)));
    }

    /** The first row (or column) of tile t of {@code tiles} over {@code extent}; tileStart(tiles) is extent. */
    static int tileStart(int extent, int tiles, int t) {
        if (t >= tiles) {
            return extent;
        }
        return (int) ((long) extent * t / tiles) / ALIGN * ALIGN;
    }

    private static void call(boolean transA, boolean transB, int m, int n, int k,
                             FloatBuffer a, int aOff, int lda, FloatBuffer b, int bOff, int ldb,
                             FloatBuffer c, int cOff, int ldc, boolean accumulate) {
        // JavaCPP passes a direct buffer as its address plus its position: a slice starts at the offset.
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, 1f, from(a, aOff), lda, from(b, bOff), ldb, accumulate ? 1f : 0f, from(c, cOff), ldc);
    }

    private static FloatBuffer from(FloatBuffer buffer, int offset) {
        return buffer.slice(offset, buffer.capacity() - offset);
    }

    private static void requireDirect(FloatBuffer buffer, String name) {
        if (!buffer.isDirect()) {
            // JavaCPP would copy a heap buffer's array on every call, which is what off-heap storage avoids.
            throw new IllegalArgumentException("OpenBLAS GEMM operand " + name + " is not in off-heap memory");
        }
    }
}
