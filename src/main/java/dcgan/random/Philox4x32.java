package dcgan.random;

/**
 * Philox4x32-10 block function (Salmon, Moraes, Dror, Shaw: "Parallel Random Numbers:
 * As Easy as 1, 2, 3", SC'11), matching Random123's {@code philox4x32} with 10 rounds.
 *
 * <p>A pure function from a 128-bit counter and a 64-bit key to 128 random bits, so any
 * element of a random stream can be computed independently, on the CPU or in a GPU thread.
 * All words are treated as unsigned 32-bit values stored in Java {@code int}s.
 */
public final class Philox4x32 {
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9; // golden ratio
    private static final int W1 = 0xBB67AE85; // sqrt(3) - 1
    private static final long MASK = 0xFFFF_FFFFL;
    static final int ROUNDS = 10;

    private Philox4x32() {}

    /**
     * Computes one Philox4x32-10 block.
     *
     * @param c0 counter word 0 (as Random123's {@code ctr.v[0]})
     * @param c3 counter word 3
     * @param k0 key word 0
     * @param k1 key word 1
     * @param out receives the 4 output words in {@code out[0..3]}
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < ROUNDS; r++) {
            if (r > 0) { // Random123 bumps the key between rounds, not before the first
                k0 += W0;
                k1 += W1;
            }
            // Both factors are < 2^32, so the unsigned 64-bit product fits a long bit for bit.
            long p0 = M0 * (c0 & MASK);
            long p1 = M1 * (c2 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
