package dcgan.random;

/**
 * The arithmetic of {@link CounterRng}'s normal draws (Box-Muller), written as a fixed sequence of IEEE-754
 * double operations: {@code + - * /}, {@code sqrt}, and exact bit moves, each rounded to nearest, none fused.
 * {@code kernels/philox.cu} spells the same sequence with CUDA's {@code _rn} intrinsics, so a GPU computes the
 * same bits. {@link Math#log} and {@link Math#cos} would be as accurate, but CUDA's {@code log} and {@code cos}
 * may differ from them in the last bit, and the float rounding of the result would then differ now and then.
 *
 * <p>Accuracy: the logarithm and the cosine are within a few double ulps of the exact values, far below a
 * float ulp, so the float a normal draw rounds to is the correctly rounded value of the exact Box-Muller
 * formula except where that value lies within about 1e-15 relative of the midpoint between two floats
 * (then it may be the other neighbour: one float ulp).
 */
final class BoxMuller {

    private static final long MANTISSA = 0x000F_FFFF_FFFF_FFFFL;
    private static final long ONE_EXPONENT = 0x3FF0_0000_0000_0000L;
    private static final double SQRT2 = 0x1.6a09e667f3bcdp0;
    /** ln 2 = LN2_HI + LN2_LO, LN2_HI with its 32 low bits zero so that k * LN2_HI is exact. */
    private static final double LN2_HI = 0x1.62e42p-1;
    private static final double LN2_LO = 0x1.fdf473de6af28p-22;
    /** 2 pi / 2^32: a turn counted in 2^-32 steps, as radians. */
    private static final double TWO_PI_OVER_2_32 = 0x1.921fb54442d18p-30;

    // 2 / (2j + 1), j = 1 .. 11: the series 2 atanh(s) = 2s + s (s^2 (2/3 + s^2 (2/5 + ...))).
    private static final double L3 = 0x1.5555555555555p-1;
    private static final double L5 = 0x1.999999999999ap-2;
    private static final double L7 = 0x1.2492492492492p-2;
    private static final double L9 = 0x1.c71c71c71c71cp-3;
    private static final double L11 = 0x1.745d1745d1746p-3;
    private static final double L13 = 0x1.3b13b13b13b14p-3;
    private static final double L15 = 0x1.1111111111111p-3;
    private static final double L17 = 0x1.e1e1e1e1e1e1ep-4;
    private static final double L19 = 0x1.af286bca1af28p-4;
    private static final double L21 = 0x1.8618618618618p-4;
    private static final double L23 = 0x1.642c8590b2164p-4;

    // (-1)^k / (2k + 1)!, k = 1 .. 9: sin x = x + x (x^2 (S3 + x^2 (S5 + ...))).
    private static final double S3 = -0x1.5555555555555p-3;
    private static final double S5 = 0x1.1111111111111p-7;
    private static final double S7 = -0x1.a01a01a01a01ap-13;
    private static final double S9 = 0x1.71de3a556c734p-19;
    private static final double S11 = -0x1.ae64567f544e4p-26;
    private static final double S13 = 0x1.6124613a86d09p-33;
    private static final double S15 = -0x1.ae7f3e733b81fp-41;
    private static final double S17 = 0x1.952c77030ad4ap-49;
    private static final double S19 = -0x1.2f49b46814157p-57;

    // (-1)^k / (2k)!, k = 1 .. 10: cos x = 1 + x^2 (C2 + x^2 (C4 + ...)).
    private static final double C2 = -0x1.0p-1;
    private static final double C4 = 0x1.5555555555555p-5;
    private static final double C6 = -0x1.6c16c16c16c17p-10;
    private static final double C8 = 0x1.a01a01a01a01ap-16;
    private static final double C10 = -0x1.27e4fb7789f5cp-22;
    private static final double C12 = 0x1.1eed8eff8d898p-29;
    private static final double C14 = -0x1.93974a8c07c9dp-37;
    private static final double C16 = 0x1.ae7f3e733b81fp-45;
    private static final double C18 = -0x1.6827863b97d97p-53;
    private static final double C20 = 0x1.e542ba4020225p-62;

    private BoxMuller() {
    }

    /**
     * The radius of a Box-Muller pair from one random word: {@code sqrt(-2 ln u)} with
     * {@code u = (w + 0.5) 2^-32} in (0, 1), w read as unsigned; at most {@code sqrt(66 ln 2) = 6.76}.
     */
    static double radius(int w) {
        double u = ((w & 0xFFFF_FFFFL) + 0.5) * 0x1p-32; // exact: 33 significant bits
        return Math.sqrt(-2.0 * log(u));
    }

    /**
     * ln x for a positive, finite, normal x (not 0, a subnormal, infinity or NaN): x = m 2^k with m in
     * [sqrt(1/2), sqrt(2)), ln x = k ln 2 + 2 atanh(s) where s = (m - 1) / (m + 1), |s| < 0.172, and the
     * series of atanh to s^23 (the first term left out is below 2^-60 of the result).
     */
    static double log(double x) {
        long bits = Double.doubleToRawLongBits(x);
        int k = (int) (bits >>> 52) - 1023;
        double m = Double.longBitsToDouble(bits & MANTISSA | ONE_EXPONENT); // [1, 2)
        if (m > SQRT2) {
            m = m * 0.5;
            k = k + 1;
        }
        double f = m - 1.0; // exact
        double s = f / (m + 1.0);
        double z = s * s;
        double p = L23;
        p = L21 + z * p;
        p = L19 + z * p;
        p = L17 + z * p;
        p = L15 + z * p;
        p = L13 + z * p;
        p = L11 + z * p;
        p = L9 + z * p;
        p = L7 + z * p;
        p = L5 + z * p;
        p = L3 + z * p;
        double lnm = 2.0 * s + s * (z * p);
        return k * LN2_HI + (k * LN2_LO + lnm);
    }

    /**
     * cos(2 pi w 2^-32), w read as unsigned: a fraction of a turn. The nearest quarter turn q and the rest d
     * (in [-2^29, 2^29), so |x| = |2 pi d 2^-32| <= pi/4) come from integer arithmetic, exactly; then
     * cos(q pi/2 + x) is cos x, -sin x, -cos x or sin x, each a Taylor polynomial (to x^20 and x^19: the
     * first term left out is below 2^-60).
     */
    static double cosTurns(int w) {
        int q = (w + 0x2000_0000) >>> 30;  // nearest quarter turn, modulo 4
        int d = w - (q << 30);             // the rest, in 2^-32 turns, modulo 2^32
        double x = d * TWO_PI_OVER_2_32;
        double z = x * x;
        return switch (q) {
            case 0 -> cosPolynomial(z);
            case 1 -> -sinPolynomial(x, z);
            case 2 -> -cosPolynomial(z);
            default -> sinPolynomial(x, z);
        };
    }

    /** sin(2 pi w 2^-32) = cos of a quarter turn less, w read as unsigned. */
    static double sinTurns(int w) {
        return cosTurns(w - 0x4000_0000);
    }

    private static double cosPolynomial(double z) {
        double p = C20;
        p = C18 + z * p;
        p = C16 + z * p;
        p = C14 + z * p;
        p = C12 + z * p;
        p = C10 + z * p;
        p = C8 + z * p;
        p = C6 + z * p;
        p = C4 + z * p;
        p = C2 + z * p;
        return 1.0 + z * p;
    }

    private static double sinPolynomial(double x, double z) {
        double p = S19;
        p = S17 + z * p;
        p = S15 + z * p;
        p = S13 + z * p;
        p = S11 + z * p;
        p = S9 + z * p;
        p = S7 + z * p;
        p = S5 + z * p;
        p = S3 + z * p;
        return x + x * (z * p);
    }
}
