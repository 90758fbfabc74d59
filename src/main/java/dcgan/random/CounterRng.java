package dcgan.random;

import java.util.Objects;

/**
 * Seeded, stateless random numbers built on {@link Philox4x32}: every value is a pure function
 * of (seed, stream, counters), so a CUDA kernel can reproduce it bit for bit without sharing
 * any generator state with the host.
 *
 * <h2>Key</h2>
 * Philox key {@code k0 = (int) seed} (low 32 bits), {@code k1 = (int) (seed >>> 32)}.
 *
 * <h2>Counter layout</h2>
 * Below, {@code i} is the 0-based index within one fill (it lands in {@code dst[off + i]}),
 * {@code block(c0, c1, c2, c3)} is Philox4x32-10 under the key above, and {@code w0..w3} are its
 * output words, read as unsigned 32-bit integers.
 * <ul>
 *   <li><b>Uniform</b> ({@link #fillUniform}): element {@code i} is word {@code (i & 3)} of
 *       {@code block(i >>> 2, (int) step, stream, (int) (step >>> 32))};
 *       {@code u = (w >>> 8) * 2^-24}; value {@code = lo + (hi - lo) * u} in float, one
 *       rounding per operation (no FMA).</li>
 *   <li><b>Truncated normal</b> ({@link #fillTruncatedNormal}): element {@code i}, attempt
 *       {@code a = 0, 1, ...} uses {@code block(i, a, stream, TAG_TRUNCATED_NORMAL)};
 *       {@code u1 = (w0 + 0.5) / 2^32}, {@code u2 = w1 / 2^32},
 *       {@code r = sqrt(-2 ln u1)}, first candidate {@code r cos(2 pi u2)}, then
 *       {@code r sin(2 pi u2)}; the first candidate with {@code |n| <= 2} gives
 *       {@code (float) (n * stddev)} (double product, one rounding to float).</li>
 *   <li><b>Permutation</b> ({@link #permutation}): Fisher-Yates from the top; for
 *       {@code i = n-1} down to 1, swap {@code i} with {@code j} in {@code [0, i]}. Attempt
 *       {@code a = 0, 1, ...} takes {@code w0} of {@code block(i, a, stream, TAG_PERMUTATION)},
 *       {@code m = w0 * (i + 1)} as 64-bit unsigned; reject while
 *       {@code (m mod 2^32) < (2^32 mod (i + 1))}, else {@code j = m >>> 32} (Lemire).</li>
 *   <li><b>Normal</b> ({@link #fillNormal}): element {@code i} comes from
 *       {@code block(i >>> 2, (int) step, stream, TAG_NORMAL ^ (int) (step >>> 32))}, whose four
 *       words make two Box-Muller pairs: element {@code i} takes pair {@code p = (i >>> 1) & 1},
 *       that is {@code (a, b) = (w(2p), w(2p+1))}, radius {@code r = sqrt(-2 ln((a + 0.5) 2^-32))},
 *       angle {@code t = 2 pi b 2^-32}, and is {@code r cos t} for even {@code i}, {@code r sin t}
 *       for odd {@code i}, computed in double exactly as {@link BoxMuller} says (no library
 *       {@code log}/{@code cos}: a fixed sequence of IEEE operations that a CUDA kernel repeats bit
 *       for bit) and rounded to float once. No draw is rejected, and {@code |value| <= 6.77}.</li>
 * </ul>
 * Uniform blocks have {@code c3 = step >>> 32}, which is 0 for any realistic step, and normal
 * blocks {@code c3 = TAG_NORMAL} for every step below 2^32, so the three large constant tags in
 * {@code c3} keep the four kinds of blocks disjoint.
 *
 * <h2>Streams</h2>
 * Independent uses of one seed are separated by the {@code stream} word ({@code c2}); the
 * project-wide ids are the {@code STREAM_*} constants.
 */
public final class CounterRng {
    /** Shuffling the training set. {@link #permutation} has no step word, so it returns the
     *  same order for the same (seed, stream). */
    public static final int STREAM_SHUFFLE = 1;
    /** Latent noise fed to the generator during training; {@code step} is the training step. */
    public static final int STREAM_NOISE = 2;
    /** Fixed latent noise for the sample grids written during training. */
    public static final int STREAM_SAMPLE_NOISE = 3;
    /** Latent noise of the {@code generate} command: {@code --seed} is the key, step 0, so that sample
     *  i's noise is the same whatever the number of samples drawn. */
    public static final int STREAM_GENERATE = 4;
    /** The quality scorer: the held-out split of the labelled data, and the order of its training batches. */
    public static final int STREAM_SCORER = 5;
    /** The noise of the samples that each evaluation during training scores (the same every epoch). */
    public static final int STREAM_EVALUATE = 6;
    /** Parameter initialisation: tensor number {@code t} uses stream {@code STREAM_INIT_BASE + t},
     *  far above the other ids so they never collide. */
    public static final int STREAM_INIT_BASE = 1000;

    /** {@code c3} tag of truncated-normal blocks ("TNOR"). */
    static final int TAG_TRUNCATED_NORMAL = 0x544e4f52;
    /** {@code c3} tag of permutation blocks ("PRMT"). */
    static final int TAG_PERMUTATION = 0x50524d54;
    /** {@code c3} tag of normal blocks ("NORM"), XORed with the step's high word: part of the counter layout
     *  that a GPU backend repeats to draw the same normal noise. */
    public static final int TAG_NORMAL = 0x4e4f524d;

    private static final float TWO_POW_MINUS_24 = 0x1p-24f;
    private static final double TWO_POW_MINUS_32 = 0x1p-32;
    private static final long MASK = 0xFFFF_FFFFL;

    private final long seed;
    private final int k0;
    private final int k1;

    public CounterRng(long seed) {
        this.seed = seed;
        this.k0 = (int) seed;
        this.k1 = (int) (seed >>> 32);
    }

    public long seed() {
        return seed;
    }

    /**
     * Maps a random word to {@code [0, 1)}: the top 24 bits times 2^-24. Every result is an exact
     * float, so the mapping is identical on any IEEE-754 hardware.
     */
    public static float uniformFromBits(int w) {
        return (w >>> 8) * TWO_POW_MINUS_24;
    }

    /**
     * Fills {@code dst[off .. off+n)} with uniform values in {@code [lo, hi)}. Element {@code i}
     * depends only on (seed, stream, step, i). For {@code lo = -1, hi = 1} every value is exact.
     * The final float addition can round up to {@code hi} itself for ranges away from zero
     * (e.g. {@code [2, 5)}), never for {@code lo = 0} or {@code lo = -hi}.
     *
     * <p>Java float arithmetic never contracts {@code a * b + c} into an FMA; a CUDA port must
     * use {@code __fadd_rn(lo, __fmul_rn(hi - lo, u))} to keep nvcc from doing so.
     */
    public void fillUniform(float[] dst, int off, int n, float lo, float hi, int stream, long step) {
        fillUniform(dst, off, 0, n, lo, hi, stream, step);
    }

    /**
     * Elements {@code [first, first + n)} of the sequence {@link #fillUniform(float[], int, int, float, float,
     * int, long)} starts at element 0, into {@code dst[off ...]}: a long sequence can be drawn a piece at a
     * time, with the same values.
     */
    public void fillUniform(float[] dst, int off, long first, int n, float lo, float hi, int stream, long step) {
        Objects.checkFromIndexSize(off, n, dst.length);
        if (first < 0 || first + n > 4L * Integer.MAX_VALUE) {
            throw new IllegalArgumentException("elements " + first + " + " + n + " are outside one stream's range");
        }
        final float range = hi - lo;
        final int c1 = (int) step;
        final int c3 = (int) (step >>> 32);
        final int[] w = new int[4];
        long e = first;
        int done = 0;
        while (done < n) {
            Philox4x32.block((int) (e >>> 2), c1, stream, c3, k0, k1, w);
            for (int j = (int) (e & 3); j < 4 && done < n; j++, e++, done++) {
                float scaled = range * uniformFromBits(w[j]);
                dst[off + done] = lo + scaled;
            }
        }
    }

    /** Returns {@code n} uniform values in {@code [lo, hi)}; see {@link #fillUniform}. */
    public float[] uniform(int n, float lo, float hi, int stream, long step) {
        float[] out = new float[n];
        fillUniform(out, 0, n, lo, hi, stream, step);
        return out;
    }

    /**
     * Fills {@code dst[off .. off+n)} with standard normal values, N(0, 1), laid out as the class comment
     * says. Element {@code i} depends only on (seed, stream, step, i): not on n or off, so any part of a
     * longer draw has the same values.
     */
    public void fillNormal(float[] dst, int off, int n, int stream, long step) {
        fillNormal(dst, off, 0, n, stream, step, false, 0, 1);
    }

    /**
     * Elements {@code [first, first + n)} of the sequence {@link #fillNormal(float[], int, int, int, long)} starts
     * at element 0, into {@code dst[off ...]}: a long sequence can be drawn a piece at a time, with the same values.
     */
    public void fillNormal(float[] dst, int off, long first, int n, int stream, long step) {
        fillNormal(dst, off, first, n, stream, step, false, 0, 1);
    }

    /**
     * Fills {@code dst[off .. off+n)} with values from N(mean, stddev^2): the standard normal value {@code z}
     * of {@link #fillNormal(float[], int, int, int, long)} (in double, before its rounding to float) gives
     * {@code (float) (mean + stddev * z)}, computed in double and rounded once.
     */
    public void fillNormal(float[] dst, int off, int n, float mean, float stddev, int stream, long step) {
        fillNormal(dst, off, 0, n, stream, step, true, mean, stddev);
    }

    private void fillNormal(float[] dst, int off, long first, int n, int stream, long step, boolean scaled,
                            double mean, double stddev) {
        Objects.checkFromIndexSize(off, n, dst.length);
        if (first < 0 || first + n > 4L * Integer.MAX_VALUE) {
            throw new IllegalArgumentException("elements " + first + " + " + n + " are outside one stream's range");
        }
        final int c1 = (int) step;
        final int c3 = TAG_NORMAL ^ (int) (step >>> 32);
        final int[] w = new int[4];
        for (int k = 0; k < n; k++) {
            long i = first + k;
            if ((i & 3) == 0 || k == 0) {
                Philox4x32.block((int) (i >>> 2), c1, stream, c3, k0, k1, w);
            }
            int pair = (int) (i & 2);
            double r = BoxMuller.radius(w[pair]);
            double z = r * ((i & 1) == 0 ? BoxMuller.cosTurns(w[pair + 1]) : BoxMuller.sinTurns(w[pair + 1]));
            dst[off + k] = scaled ? (float) (mean + stddev * z) : (float) z;
        }
    }

    /** Returns {@code n} standard normal values; see {@link #fillNormal(float[], int, int, int, long)}. */
    public float[] normal(int n, int stream, long step) {
        float[] out = new float[n];
        fillNormal(out, 0, n, stream, step);
        return out;
    }

    /**
     * Fills {@code dst[off .. off+n)} like TensorFlow's {@code truncated_normal}: mean 0, standard
     * deviation {@code stddev} before truncation, draws beyond two standard deviations redrawn.
     * Element {@code i} depends only on (seed, stream, i).
     *
     * <p>Uses {@link StrictMath} so the result is the same on every JVM. CUDA's double-precision
     * {@code log}/{@code sin}/{@code cos} are not guaranteed to match fdlibm in the last bit, so a
     * GPU backend should take initial weights from here rather than regenerate them.
     */
    public void fillTruncatedNormal(float[] dst, int off, int n, float stddev, int stream) {
        Objects.checkFromIndexSize(off, n, dst.length);
        final int[] w = new int[4];
        for (int i = 0; i < n; i++) {
            dst[off + i] = (float) (truncatedStandardNormal(i, stream, w) * stddev);
        }
    }

    private double truncatedStandardNormal(int i, int stream, int[] w) {
        for (int a = 0; ; a++) {
            Philox4x32.block(i, a, stream, TAG_TRUNCATED_NORMAL, k0, k1, w);
            double u1 = ((w[0] & MASK) + 0.5) * TWO_POW_MINUS_32; // in (0, 1): log is finite
            double u2 = (w[1] & MASK) * TWO_POW_MINUS_32;
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double theta = 2.0 * Math.PI * u2;
            double z = r * StrictMath.cos(theta);
            if (Math.abs(z) <= 2.0) {
                return z;
            }
            z = r * StrictMath.sin(theta);
            if (Math.abs(z) <= 2.0) {
                return z;
            }
            // Both candidates rejected (about 0.2% of elements): the next attempt counter gives
            // fresh, independent bits. Acceptance is ~95% per candidate, so this terminates.
        }
    }

    /**
     * Returns a uniformly random permutation of {@code 0 .. n-1}, a pure function of
     * (seed, stream, n).
     */
    public int[] permutation(int n, int stream) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        final int[] w = new int[4];
        for (int i = n - 1; i > 0; i--) {
            int j = boundedIndex(i, i + 1, stream, w);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Unbiased value in {@code [0, bound)} by Lemire's multiply-shift with rejection. */
    private int boundedIndex(int i, int bound, int stream, int[] w) {
        long b = bound;
        long threshold = -1; // 2^32 mod bound, computed only when a draw is near the edge
        for (int a = 0; ; a++) {
            Philox4x32.block(i, a, stream, TAG_PERMUTATION, k0, k1, w);
            long m = (w[0] & MASK) * b;
            long low = m & MASK;
            if (low >= b) { // low >= bound > 2^32 mod bound: certainly accepted
                return (int) (m >>> 32);
            }
            if (threshold < 0) {
                threshold = (1L << 32) % b;
            }
            if (low >= threshold) {
                return (int) (m >>> 32);
            }
        }
    }

    @Override
    public String toString() {
        return "CounterRng[seed=" + seed + "]";
    }
}
