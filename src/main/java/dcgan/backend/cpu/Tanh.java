package dcgan.backend.cpu;

/**
 * tanh in float, computed in double as a fixed sequence of IEEE-754 operations ({@code + - * /} and exact bit
 * moves, each rounded to nearest, none fused) and rounded to float once. {@code kernels/tanh.cu} spells the same
 * sequence with CUDA's {@code _rn} intrinsics, so the GPU computes the same bits; {@link Math#tanh} and CUDA's
 * {@code tanh} may differ in the last bit of the double, and so now and then in the float.
 *
 * <p>For |x| below 10, {@code tanh|x| = -e / (2 + e)} with {@code e = expm1(-2|x|)}, which keeps the relative
 * accuracy for small |x| where {@code (1 - exp(-2|x|)) / (1 + exp(-2|x|))} would cancel; from 10 on, where
 * {@code 1 - tanh|x| < 5e-9} is below half a float ulp of 1, the result is 1. The sign is x's, so
 * {@code tanh(-0) = -0}; NaN stays NaN. The double value is within a few double ulps of the exact tanh, so the
 * float is the nearest one to the exact value but for values within about 1e-15 of a rounding midpoint.
 */
final class Tanh {

    /** ln 2 = LN2_HI + LN2_LO, LN2_HI with its 32 low bits zero so that k * LN2_HI is exact. */
    private static final double LN2_HI = 0x1.62e42p-1;
    private static final double LN2_LO = 0x1.fdf473de6af28p-22;
    private static final double INV_LN2 = 0x1.71547652b82fep0;
    /** From here on tanh|x| rounds to 1 in float. */
    private static final double SATURATION = 10.0;

    // 1/n!, n = 2 .. 14: expm1(r) = r + r (r (E2 + r (E3 + ...))).
    private static final double E2 = 0x1.0p-1;
    private static final double E3 = 0x1.5555555555555p-3;
    private static final double E4 = 0x1.5555555555555p-5;
    private static final double E5 = 0x1.1111111111111p-7;
    private static final double E6 = 0x1.6c16c16c16c17p-10;
    private static final double E7 = 0x1.a01a01a01a01ap-13;
    private static final double E8 = 0x1.a01a01a01a01ap-16;
    private static final double E9 = 0x1.71de3a556c734p-19;
    private static final double E10 = 0x1.27e4fb7789f5cp-22;
    private static final double E11 = 0x1.ae64567f544e4p-26;
    private static final double E12 = 0x1.1eed8eff8d898p-29;
    private static final double E13 = 0x1.6124613a86d09p-33;
    private static final double E14 = 0x1.93974a8c07c9dp-37;

    private Tanh() {
    }

    static float tanh(float x) {
        if (x != x) {
            return x; // NaN
        }
        double a = Math.abs((double) x);
        double t;
        if (a >= SATURATION) {
            t = 1.0;
        } else {
            double e = expm1(-2.0 * a);
            t = (0.0 - e) / (2.0 + e);
        }
        return (float) Math.copySign(t, x);
    }

    /**
     * exp(y) - 1 for y in [-20, 0], what {@link #tanh} needs (right wherever 2^k below is a normal double): y = k ln 2 + r with k = rint(y / ln 2) and |r| <= ln(2)/2 (Cody and Waite's
     * two-part ln 2, so r is nearly exact), expm1(r) by its Taylor series to r^14 (the first term left out is
     * below 2^-60 of the result), then {@code 2^k expm1(r) + (2^k - 1)}, both parts exact but for the one addition.
     */
    static double expm1(double y) {
        int k = (int) Math.rint(y * INV_LN2);
        double r = (y - k * LN2_HI) - k * LN2_LO;
        double p = E14;
        p = E13 + r * p;
        p = E12 + r * p;
        p = E11 + r * p;
        p = E10 + r * p;
        p = E9 + r * p;
        p = E8 + r * p;
        p = E7 + r * p;
        p = E6 + r * p;
        p = E5 + r * p;
        p = E4 + r * p;
        p = E3 + r * p;
        p = E2 + r * p;
        double em = r + r * (r * p);
        if (k == 0) {
            return em;
        }
        double scale = Double.longBitsToDouble((long) (k + 1023) << 52); // 2^k
        return scale * em + (scale - 1.0);
    }
}
