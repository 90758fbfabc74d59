package dcgan.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link BoxMuller}'s own logarithm and cosine against {@link StrictMath} in double, and the float values of a
 * normal draw against the exact Box-Muller formula, over random inputs and the edges: the largest radii (the
 * tails of the normal distribution), the smallest, and angles next to every quarter turn (where sine or cosine
 * crosses zero and only an exact reduction keeps the relative accuracy).
 */
class BoxMullerTest {

    private static final long MASK = 0xFFFF_FFFFL;
    private static final int RANDOM_WORDS = 1_000_000;

    /** Random words, then the edges: 0, 1, 2, ... and 2^32 - 1, 2^32 - 2, ..., and each quarter turn +- 0..999. */
    private static int[] words() {
        SplittableRandom rnd = new SplittableRandom(20261202);
        IntStream edges = IntStream.range(0, 1000).flatMap(d -> IntStream.of(d, -1 - d,
                0x4000_0000 + d, 0x4000_0000 - 1 - d, 0x8000_0000 + d, 0x8000_0000 - 1 - d,
                0xC000_0000 + d, 0xC000_0000 - 1 - d, 0x2000_0000 + d, 0x2000_0000 - 1 - d));
        return IntStream.concat(rnd.ints(RANDOM_WORDS), edges).toArray();
    }

    private static double ulpsApart(double expected, double actual) {
        return Math.abs(actual - expected) / Math.ulp(expected);
    }

    @Test
    void logIsWithinTwoUlpsOfStrictMath() {
        SplittableRandom rnd = new SplittableRandom(1);
        double worst = 0;
        String worstAt = "";
        for (int i = 0; i < 2_000_000; i++) {
            // Half over every exponent of normal doubles, half over Box-Muller's own (w + 0.5) 2^-32.
            double x = i % 2 == 0 ? Math.scalb(1 + rnd.nextDouble(), rnd.nextInt(-1022, 1024))
                                  : ((rnd.nextInt() & MASK) + 0.5) * 0x1p-32;
            double ulps = ulpsApart(StrictMath.log(x), BoxMuller.log(x));
            if (ulps > worst) {
                worst = ulps;
                worstAt = Double.toString(x);
            }
        }
        for (double x : new double[] {1.0, Math.nextUp(1.0), Math.nextDown(1.0), 2.0, 0.5, Math.sqrt(2),
                Math.nextUp(Math.sqrt(2)), Double.MIN_NORMAL, Double.MAX_VALUE, 0x1p-33, 1 - 0x1p-33, Math.E}) {
            double want = StrictMath.log(x);
            double got = BoxMuller.log(x);
            if (want == 0 ? got != 0 : ulpsApart(want, got) > 2) {
                fail("log(" + x + ") = " + got + ", StrictMath says " + want);
            }
        }
        assertTrue(worst <= 2, "log is " + worst + " ulps from StrictMath.log at " + worstAt);
    }

    @Test
    void cosineAndSineOfTurnsMatchStrictMath() {
        double worst = 0;
        for (int w : words()) {
            double theta = 2 * Math.PI * ((w & MASK) * 0x1p-32);
            // The reference's own argument is rounded, by up to 2^-53 of 2 pi: an absolute bound.
            worst = Math.max(worst, Math.abs(BoxMuller.cosTurns(w) - StrictMath.cos(theta)));
            worst = Math.max(worst, Math.abs(BoxMuller.sinTurns(w) - StrictMath.sin(theta)));
        }
        assertTrue(worst < 2e-15, "cos/sin of turns differ from StrictMath by " + worst);
    }

    @Test
    void cosineAndSineKeepTheirRelativeAccuracyNextToZero() {
        // Next to the quarter turns, cos or sin is +-sin(2 pi d 2^-32) for a small d, whose argument is exact.
        double worst = 0;
        for (int d = -5000; d <= 5000; d++) {
            double small = StrictMath.sin(2 * Math.PI * (d * 0x1p-32));
            double[][] pairs = {
                    {BoxMuller.sinTurns(d), small},
                    {BoxMuller.cosTurns(0x4000_0000 + d), -small},
                    {BoxMuller.sinTurns(0x8000_0000 + d), -small},
                    {BoxMuller.cosTurns(0xC000_0000 + d), small}};
            for (double[] p : pairs) {
                if (d == 0) {
                    assertEquals(0.0, Math.abs(p[0]), 0.0, "the value at a quarter turn");
                } else {
                    worst = Math.max(worst, ulpsApart(p[1], p[0]));
                }
            }
        }
        assertTrue(worst <= 2, "next to a quarter turn: " + worst + " ulps");
    }

    @Test
    void normalValuesAreWithinOneFloatUlpOfTheExactFormula() {
        int[] words = words();
        SplittableRandom rnd = new SplittableRandom(2);
        int notNearest = 0;
        int checked = 0;
        for (int i = 0; i < words.length; i++) {
            // Radii from every edge word too: w = 0 is the largest radius (the tail, 6.76), 2^32 - 1 the smallest.
            int a = words[i];
            int b = i % 3 == 0 ? words[words.length - 1 - i] : rnd.nextInt();
            double u = ((a & MASK) + 0.5) * 0x1p-32;
            double r = StrictMath.sqrt(-2 * StrictMath.log(u));
            double[] exact = {r * referenceCos(b), r * referenceCos(b - 0x4000_0000)};
            float[] got = {(float) (BoxMuller.radius(a) * BoxMuller.cosTurns(b)),
                           (float) (BoxMuller.radius(a) * BoxMuller.sinTurns(b))};
            for (int k = 0; k < 2; k++) {
                checked++;
                float nearest = (float) exact[k];
                if (got[k] != nearest) {
                    notNearest++;
                    if (Math.abs(got[k] - exact[k]) > Math.ulp(nearest)) {
                        fail("words " + a + ", " + b + ": " + got[k] + " is more than a float ulp from " + exact[k]);
                    }
                }
            }
        }
        // The float nearest the exact value, but for values within about 1e-15 of a rounding midpoint.
        assertTrue(notNearest < checked / 100_000, notNearest + " of " + checked + " values are not the nearest float");
    }

    /**
     * cos(2 pi w 2^-32) by StrictMath, reduced to the nearest quarter turn in integers first so that values next
     * to zero keep their relative accuracy.
     */
    private static double referenceCos(int w) {
        long t = w & MASK;
        long quarter = (t + (1L << 29)) >> 30;
        double x = 2 * Math.PI * ((t - (quarter << 30)) * 0x1p-32);
        return switch ((int) (quarter & 3)) {
            case 0 -> StrictMath.cos(x);
            case 1 -> -StrictMath.sin(x);
            case 2 -> -StrictMath.cos(x);
            default -> StrictMath.sin(x);
        };
    }

    @Test
    void radiusCoversTheTails() {
        assertEquals(Math.sqrt(66 * Math.log(2)), BoxMuller.radius(0), 1e-14, "the largest radius");
        assertEquals(Math.sqrt(-2 * StrictMath.log1p(-0x1p-33)), BoxMuller.radius(-1), 1e-20, "the smallest radius");
    }
}
