package dcgan.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link CounterRng#fillNormal}: its counter layout, its independence of how it is called, and its statistics. */
class CounterRngNormalTest {

    private static final long SEED = 0x0123_4567_89AB_CDEFL;
    private static final int N = 1_000_000;
    private final CounterRng rng = new CounterRng(SEED);

    @Test
    void followsTheDocumentedCounterLayout() {
        long step = 0x0000_0005_0000_0009L;
        int stream = 77;
        float[] v = rng.normal(1003, stream, step);
        int[] w = new int[4];
        for (int i = 0; i < v.length; i++) {
            Philox4x32.block(i >>> 2, 9, stream, CounterRng.TAG_NORMAL ^ 5, (int) SEED, (int) (SEED >>> 32), w);
            int a = w[i & 2];
            int b = w[(i & 2) + 1];
            double r = BoxMuller.radius(a);
            float expected = (float) (r * ((i & 1) == 0 ? BoxMuller.cosTurns(b) : BoxMuller.sinTurns(b)));
            assertEquals(expected, v[i], 0f, "element " + i);
            // And what that means, by StrictMath: r cos(2 pi b 2^-32), r sin(...), to a float ulp.
            double u = ((a & 0xFFFF_FFFFL) + 0.5) * 0x1p-32;
            double theta = 2 * Math.PI * ((b & 0xFFFF_FFFFL) * 0x1p-32);
            double exact = StrictMath.sqrt(-2 * StrictMath.log(u))
                           * ((i & 1) == 0 ? StrictMath.cos(theta) : StrictMath.sin(theta));
            assertEquals(exact, v[i], Math.ulp(v[i]) + 1e-14, "element " + i + " against StrictMath");
        }
    }

    @Test
    void isDeterministic() {
        assertArrayEquals(rng.normal(1000, 5, 123), new CounterRng(SEED).normal(1000, 5, 123));
    }

    @Test
    void elementDoesNotDependOnFillLengthOrOffset() {
        float[] full = rng.normal(1000, 9, 42);
        for (int n = 0; n <= 9; n++) {
            assertArrayEquals(Arrays.copyOf(full, n), rng.normal(n, 9, 42), "n=" + n);
        }
        float[] dst = new float[20];
        Arrays.fill(dst, Float.NaN);
        rng.fillNormal(dst, 3, 13, 9, 42);
        for (int i = 0; i < dst.length; i++) {
            float expected = i >= 3 && i < 16 ? full[i - 3] : Float.NaN;
            assertEquals(expected, dst[i], 0f, "dst[" + i + "]");
        }
    }

    @Test
    void dependsOnSeedStreamAndStep() {
        float[] base = rng.normal(64, 5, 123);
        assertFalse(Arrays.equals(base, new CounterRng(SEED + 1).normal(64, 5, 123)), "seed");
        assertFalse(Arrays.equals(base, new CounterRng(SEED ^ (1L << 40)).normal(64, 5, 123)), "seed's high word");
        assertFalse(Arrays.equals(base, rng.normal(64, 6, 123)), "stream");
        assertFalse(Arrays.equals(base, rng.normal(64, 5, 124)), "step");
        assertFalse(Arrays.equals(base, rng.normal(64, 5, 123 + (1L << 32))), "step's high word");
    }

    @Test
    void rejectsARangeOutsideTheArray() {
        assertThrows(IndexOutOfBoundsException.class, () -> rng.fillNormal(new float[4], 2, 3, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> rng.fillNormal(new float[4], -1, 2, 0f, 1f, 1, 0));
    }

    @Test
    void meanVarianceSkewnessAndKurtosisAreThoseOfAStandardNormal() {
        float[] v = rng.normal(N, CounterRng.STREAM_NOISE, 11);
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= N;
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (float x : v) {
            double d = x - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }
        m2 /= N;
        m3 /= N;
        m4 /= N;
        // Standard errors for N(0, 1): mean 1/sqrt(n), variance sqrt(2/n), skewness sqrt(6/n), kurtosis sqrt(24/n).
        double se = 1 / Math.sqrt(N);
        assertEquals(0, mean, 5 * se, "mean");
        assertEquals(1, m2, 5 * Math.sqrt(2.0) * se, "variance");
        assertEquals(0, m3 / Math.pow(m2, 1.5), 5 * Math.sqrt(6.0) * se, "skewness");
        assertEquals(3, m4 / (m2 * m2), 5 * Math.sqrt(24.0) * se, "kurtosis");
    }

    @Test
    void passesAKolmogorovSmirnovTest() {
        float[] v = rng.normal(N, CounterRng.STREAM_NOISE, 12);
        float[] sorted = v.clone();
        Arrays.sort(sorted);
        double d = 0;
        for (int i = 0; i < N; i++) {
            double cdf = standardNormalCdf(sorted[i]);
            d = Math.max(d, Math.max(cdf - (double) i / N, (double) (i + 1) / N - cdf));
        }
        // Critical value at significance 0.001: 1.95 / sqrt(n).
        assertTrue(d < 1.95 / Math.sqrt(N), "Kolmogorov-Smirnov distance " + d);
    }

    @Test
    void tailsHaveTheirProbabilities() {
        float[] v = rng.normal(4 * N, CounterRng.STREAM_NOISE, 13);
        double max = 0;
        int[] beyond = new int[5]; // |z| > 1, 2, 3, 4
        for (float x : v) {
            double a = Math.abs(x);
            max = Math.max(max, a);
            for (int k = 1; k <= 4; k++) {
                if (a > k) {
                    beyond[k]++;
                }
            }
        }
        for (int k = 1; k <= 4; k++) {
            double p = 2 * (1 - standardNormalCdf(k));
            double expected = p * v.length;
            double se = Math.sqrt(expected * (1 - p));
            assertEquals(expected, beyond[k], 5 * se, "draws with |z| > " + k);
        }
        assertTrue(max > 4.5 && max <= 6.77, "largest |z| of 4 million: " + max);
    }

    @Test
    void theTwoValuesOfAPairAreUncorrelated() {
        float[] v = rng.normal(N, CounterRng.STREAM_NOISE, 14);
        double sum = 0;
        double sumSquaresOfRadius = 0;
        for (int i = 0; i < N; i += 2) {
            sum += (double) v[i] * v[i + 1];
            sumSquaresOfRadius += (double) v[i] * v[i] + (double) v[i + 1] * v[i + 1];
        }
        int pairs = N / 2;
        assertEquals(0, sum / pairs, 5 / Math.sqrt(pairs), "correlation of the cosine and sine values of a pair");
        // r^2 of a pair is exponential with mean 2.
        assertEquals(2, sumSquaresOfRadius / pairs, 5 * 2 / Math.sqrt(pairs), "mean squared radius");
    }

    @Test
    void meanAndStandardDeviationScaleTheStandardValues() {
        float[] z = rng.normal(10_000, 1003, 0);
        float[] w = new float[10_000];
        rng.fillNormal(w, 0, w.length, 1f, 0.02f, 1003, 0);
        for (int i = 0; i < z.length; i++) {
            // The same z, scaled in double before rounding: within a float ulp of the value from the rounded z.
            assertEquals(1 + 0.02 * z[i], w[i], Math.ulp(1f), "element " + i);
        }
    }

    /**
     * The standard normal CDF by Marsaglia's series {@code 1/2 + phi(x) (x + x^3/3 + x^5/(3 5) + ...)}, summed until
     * a term no longer changes the sum: accurate to double rounding for |x| up to 8.
     */
    static double standardNormalCdf(double x) {
        double term = x;
        double sum = x;
        for (int k = 3; ; k += 2) {
            term *= x * x / k;
            double next = sum + term;
            if (next == sum) {
                break;
            }
            sum = next;
        }
        return 0.5 + sum * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }
}
