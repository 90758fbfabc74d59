package dcgan.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CounterRngTest {
    private static final long SEED = 0x0123_4567_89AB_CDEFL;
    private final CounterRng rng = new CounterRng(SEED);

    // ---------------------------------------------------------------- uniform

    @Test
    void seedIsKept() {
        assertEquals(SEED, rng.seed());
    }

    @Test
    void uniformFromBitsUsesTop24Bits() {
        assertEquals(0f, CounterRng.uniformFromBits(0));
        assertEquals(0f, CounterRng.uniformFromBits(0xFF)); // low 8 bits are dropped
        assertEquals(0.5f, CounterRng.uniformFromBits(0x8000_0000));
        assertEquals(1f - 0x1p-24f, CounterRng.uniformFromBits(-1));
    }

    @Test
    void uniformStaysInRange() {
        float[][] ranges = {{0f, 1f}, {-1f, 1f}, {-0.05f, 0.05f}, {-3f, 0f}};
        for (float[] r : ranges) {
            float[] v = rng.uniform(100_000, r[0], r[1], CounterRng.STREAM_NOISE, 7);
            for (float x : v) {
                assertTrue(x >= r[0] && x < r[1], () -> x + " outside [" + r[0] + ", " + r[1] + ")");
            }
        }
    }

    @Test
    void uniformMinusOneToOneIsExact() {
        float[] v = rng.uniform(100_000, -1f, 1f, CounterRng.STREAM_NOISE, 3);
        for (float x : v) {
            double k = ((double) x + 1.0) * 0x1p23; // x = -1 + k * 2^-23 with integer k
            assertEquals(Math.rint(k), k, 0.0, () -> "not on the 2^-23 grid: " + x);
        }
    }

    @Test
    void uniformFollowsDocumentedCounterLayout() {
        long step = 0x0000_0005_0000_0009L;
        int stream = 77;
        float[] v = rng.uniform(1003, -1f, 1f, stream, step);
        int[] w = new int[4];
        for (int i = 0; i < v.length; i++) {
            Philox4x32.block(i >>> 2, 9, stream, 5, (int) SEED, (int) (SEED >>> 32), w);
            float expected = -1f + 2f * CounterRng.uniformFromBits(w[i & 3]);
            assertEquals(expected, v[i], 0f, "element " + i);
        }
    }

    @Test
    void uniformIsDeterministic() {
        float[] a = rng.uniform(1000, -1f, 1f, 5, 123);
        float[] b = new CounterRng(SEED).uniform(1000, -1f, 1f, 5, 123);
        assertArrayEquals(a, b);
    }

    @Test
    void uniformDependsOnSeedStreamAndStep() {
        float[] base = rng.uniform(64, 0f, 1f, 5, 123);
        assertFalse(Arrays.equals(base, new CounterRng(SEED + 1).uniform(64, 0f, 1f, 5, 123)));
        assertFalse(Arrays.equals(base, new CounterRng(SEED ^ (1L << 40)).uniform(64, 0f, 1f, 5, 123)));
        assertFalse(Arrays.equals(base, rng.uniform(64, 0f, 1f, 6, 123)));
        assertFalse(Arrays.equals(base, rng.uniform(64, 0f, 1f, 5, 124)));
        assertFalse(Arrays.equals(base, rng.uniform(64, 0f, 1f, 5, 123 + (1L << 32))));
    }

    @Test
    void uniformElementDoesNotDependOnFillLengthOrOffset() {
        float[] full = rng.uniform(1000, -1f, 1f, 9, 42);
        for (int n = 0; n <= 9; n++) {
            assertArrayEquals(Arrays.copyOf(full, n), rng.uniform(n, -1f, 1f, 9, 42), "n=" + n);
        }
        float[] dst = new float[20];
        Arrays.fill(dst, Float.NaN);
        rng.fillUniform(dst, 3, 13, -1f, 1f, 9, 42);
        for (int i = 0; i < dst.length; i++) {
            float expected = i >= 3 && i < 16 ? full[i - 3] : Float.NaN;
            assertEquals(expected, dst[i], 0f, "dst[" + i + "]");
        }
    }

    @Test
    void uniformRejectsBadRange() {
        assertThrows(IndexOutOfBoundsException.class,
                () -> rng.fillUniform(new float[4], 2, 3, 0f, 1f, 1, 0));
    }

    @Test
    void uniformMeanAndVarianceMatchTheory() {
        int n = 1_000_000;
        float[] v = rng.uniform(n, 0f, 1f, CounterRng.STREAM_NOISE, 11);
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double mean = sum / n;
        double ss = 0;
        for (float x : v) {
            ss += (x - mean) * (x - mean);
        }
        double var = ss / (n - 1);
        // Standard errors: sqrt(1/12 / n) for the mean, sqrt((1/80 - 1/144) / n) for the variance.
        assertEquals(0.5, mean, 5 * Math.sqrt(1.0 / 12 / n), "mean");
        assertEquals(1.0 / 12, var, 5 * Math.sqrt((1.0 / 80 - 1.0 / 144) / n), "variance");
    }

    @Test
    void uniformBucketsPassChiSquare() {
        int n = 1_000_000;
        int buckets = 100;
        float[] v = rng.uniform(n, 0f, 1f, CounterRng.STREAM_NOISE, 12);
        long[] counts = new long[buckets];
        for (float x : v) {
            counts[(int) (x * buckets)]++;
        }
        double expected = (double) n / buckets;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 99 degrees of freedom: P(chi2 < 56) and P(chi2 > 160) are both below 1e-4.
        assertTrue(chi2 > 56 && chi2 < 160, "chi2=" + chi2);
    }

    // ------------------------------------------------------- truncated normal

    @Test
    void truncatedNormalIsBoundedWithExpectedMoments() {
        int n = 1_000_000;
        float stddev = 0.02f;
        float[] v = new float[n];
        rng.fillTruncatedNormal(v, 0, n, stddev, CounterRng.STREAM_INIT_BASE);
        double sum = 0;
        double sumSq = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) <= 2 * stddev, () -> "beyond 2 stddev: " + x);
            sum += x;
            sumSq += (double) x * x;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        // N(0,1) truncated to [-2, 2] has standard deviation sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)).
        double truncatedSd = 0.879626;
        double se = truncatedSd * stddev / Math.sqrt(n);
        assertEquals(0.0, mean, 5 * se, "mean");
        assertEquals(truncatedSd * stddev, sd, 5 * se, "sd");
    }

    @Test
    void truncatedNormalIsDeterministicAndPrefixStable() {
        float[] full = new float[1000];
        rng.fillTruncatedNormal(full, 0, full.length, 1f, 1001);
        float[] again = new float[1000];
        new CounterRng(SEED).fillTruncatedNormal(again, 0, again.length, 1f, 1001);
        assertArrayEquals(full, again);

        float[] dst = new float[30];
        Arrays.fill(dst, Float.NaN);
        rng.fillTruncatedNormal(dst, 5, 17, 1f, 1001);
        for (int i = 0; i < dst.length; i++) {
            float expected = i >= 5 && i < 22 ? full[i - 5] : Float.NaN;
            assertEquals(expected, dst[i], 0f, "dst[" + i + "]");
        }
    }

    @Test
    void truncatedNormalDependsOnSeedAndStream() {
        float[] a = new float[64];
        float[] b = new float[64];
        float[] c = new float[64];
        rng.fillTruncatedNormal(a, 0, 64, 1f, 1000);
        rng.fillTruncatedNormal(b, 0, 64, 1f, 1001);
        new CounterRng(SEED + 1).fillTruncatedNormal(c, 0, 64, 1f, 1000);
        assertFalse(Arrays.equals(a, b));
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void truncatedNormalFollowsDocumentedCounterLayout() {
        int stream = 1003;
        float stddev = 0.5f;
        float[] v = new float[20_000];
        rng.fillTruncatedNormal(v, 0, v.length, stddev, stream);
        int[] w = new int[4];
        int retried = 0;
        for (int i = 0; i < v.length; i++) {
            double z = Double.NaN;
            for (int a = 0; Double.isNaN(z); a++) {
                Philox4x32.block(i, a, stream, 0x544e4f52, (int) SEED, (int) (SEED >>> 32), w);
                double u1 = (Integer.toUnsignedLong(w[0]) + 0.5) / 4294967296.0;
                double u2 = Integer.toUnsignedLong(w[1]) / 4294967296.0;
                double r = StrictMath.sqrt(-2 * StrictMath.log(u1));
                double cos = r * StrictMath.cos(2 * Math.PI * u2);
                double sin = r * StrictMath.sin(2 * Math.PI * u2);
                z = Math.abs(cos) <= 2 ? cos : Math.abs(sin) <= 2 ? sin : Double.NaN;
                retried += a > 0 ? 1 : 0;
            }
            assertEquals((float) (z * stddev), v[i], 0f, "element " + i);
        }
        assertTrue(retried > 0, "test should cover the retry path");
    }

    // ------------------------------------------------------------ permutation

    private static void assertIsPermutation(int[] p) {
        boolean[] seen = new boolean[p.length];
        for (int x : p) {
            assertTrue(x >= 0 && x < p.length && !seen[x], "not a permutation at " + x);
            seen[x] = true;
        }
    }

    @Test
    void permutationIsAPermutation() {
        for (int n : new int[] {2, 3, 10, 1000, 100_000}) {
            assertIsPermutation(rng.permutation(n, CounterRng.STREAM_SHUFFLE));
        }
    }

    @Test
    void permutationEdgeCases() {
        assertEquals(0, rng.permutation(0, 1).length);
        assertArrayEquals(new int[] {0}, rng.permutation(1, 1));
        assertThrows(IllegalArgumentException.class, () -> rng.permutation(-1, 1));
    }

    @Test
    void permutationIsDeterministicAndDependsOnSeedAndStream() {
        int[] p = rng.permutation(1000, CounterRng.STREAM_SHUFFLE);
        assertArrayEquals(p, new CounterRng(SEED).permutation(1000, CounterRng.STREAM_SHUFFLE));
        assertFalse(Arrays.equals(p, new CounterRng(SEED + 1).permutation(1000, CounterRng.STREAM_SHUFFLE)));
        assertFalse(Arrays.equals(p, rng.permutation(1000, CounterRng.STREAM_SHUFFLE + 1)));
    }

    @Test
    void permutationFollowsDocumentedCounterLayout() {
        // Reference reading of the documented layout, with the plain rejection test
        // "low < 2^32 mod bound" (the implementation adds Lemire's early accept).
        int n = 5000;
        int stream = 4;
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) {
            expected[i] = i;
        }
        int[] w = new int[4];
        for (int i = n - 1; i > 0; i--) {
            long bound = i + 1;
            long m;
            int a = 0;
            do {
                Philox4x32.block(i, a++, stream, 0x50524d54, (int) SEED, (int) (SEED >>> 32), w);
                m = Integer.toUnsignedLong(w[0]) * bound;
            } while ((m & 0xFFFF_FFFFL) < (1L << 32) % bound);
            int j = (int) (m >>> 32);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        assertArrayEquals(expected, rng.permutation(n, stream));
    }

    @Test
    void permutationOfThreeIsUniform() {
        int trials = 60_000;
        int[] counts = new int[6];
        for (int s = 0; s < trials; s++) {
            int[] p = rng.permutation(3, 10_000 + s);
            counts[p[0] * 2 + (p[1] > p[2] ? 1 : 0)]++; // 6 distinct codes for the 6 orders
        }
        double expected = trials / 6.0;
        double chi2 = 0;
        for (int c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        // 5 degrees of freedom: P(chi2 > 25.7) < 1e-4.
        assertTrue(chi2 < 25.7, "chi2=" + chi2 + " counts=" + Arrays.toString(counts));
        for (int c : counts) {
            assertEquals(expected, c, 0.05 * expected, Arrays.toString(counts));
        }
    }

    /** A long sequence drawn a piece at a time, at any offset, is the sequence drawn at once. */
    @Test
    void uniformInPiecesEqualsUniformAtOnce() {
        CounterRng rng = new CounterRng(SEED);
        float[] whole = rng.uniform(1003, -1f, 1f, CounterRng.STREAM_GENERATE, 0);
        float[] pieces = new float[whole.length];
        int[] cuts = {0, 1, 2, 7, 100, 101, 513, 1000, 1003};
        for (int k = 0; k + 1 < cuts.length; k++) {
            rng.fillUniform(pieces, cuts[k], cuts[k], cuts[k + 1] - cuts[k], -1f, 1f, CounterRng.STREAM_GENERATE, 0);
        }
        assertArrayEquals(whole, pieces);
    }
}
