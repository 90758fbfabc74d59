// Random fills with the counter-based Philox4x32-10 generator: uniform and standard normal.
//
// philox_uniform must match dcgan.random.CounterRng#fillUniform (with dcgan.random.Philox4x32#block)
// bit for bit, which is what CpuBackend#uniform calls. The Java side passes:
//   k0 = (int) seed, k1 = (int) (seed >>> 32)          (the Philox key)
//   c1 = (int) step, c2 = stream, c3 = (int) (step >>> 32)
// Element i of dst is word (i & 3) of block(b = i >> 2) with counter (b, c1, c2, c3), so thread
// work item b computes one block and writes dst[4b .. 4b+3] (only the elements < n).
//
// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11; the variant Random123 calls philox4x32 with
// 10 rounds). One round, with 32-bit words and 64-bit products:
//   p0 = 0xD2511F53 * c0,  p1 = 0xCD9E8D57 * c2
//   (c0, c1, c2, c3) <- (hi(p1) ^ c1 ^ k0,  lo(p1),  hi(p0) ^ c3 ^ k1,  lo(p0))
// and before every round except the first the key is bumped: k0 += 0x9E3779B9, k1 += 0xBB67AE85.
// The output block is the counter after 10 rounds. All integer ops: exact by construction.
//
// Mapping to [lo, hi): u = (w >> 8) * 2^-24 (exact: 24-bit integer times a power of two), then
// dst = lo + (hi - lo) * u in float with one rounding per operation; __fadd_rn/__fmul_rn keep nvcc
// from fusing it into an FMA, which Java never does.
//
// philox_normal must match dcgan.random.CounterRng#fillNormal (with dcgan.random.BoxMuller) bit for
// bit, which is what CpuBackend#normal calls. The Java side passes the key as above and
//   c1 = (int) step, c2 = stream, c3 = CounterRng.TAG_NORMAL ^ (int) (step >>> 32)
// Block b = i >> 2 gives two Box-Muller pairs: words (w0, w1) make elements 4b and 4b+1, words
// (w2, w3) elements 4b+2 and 4b+3. For a pair (a, c):
//   r = sqrt(-2 ln u), u = (a + 0.5) * 2^-32 (exact, in (0, 1));   t = 2 pi c 2^-32
//   element 4b+2p = (float) (r * cos t),  element 4b+2p+1 = (float) (r * sin t)
// in double, rounded to float once. ln, cos and sin are not CUDA's (whose last bit may differ from
// Java's) but the same fixed sequence of IEEE double operations as BoxMuller, spelled with the _rn
// intrinsics so nvcc neither fuses nor reorders them:
//   ln x: x = m 2^k by its bits, m in [1, 2), halved (k + 1) when above sqrt(2); s = (m - 1)/(m + 1),
//     z = s^2, p = Horner of 2/(2j+1) for j = 11 down to 1 in z; ln m = 2s + s (z p);
//     ln x = k LN2_HI + (k LN2_LO + ln m).
//   cos(2 pi c 2^-32): q = (c + 2^29) >> 30 (the nearest quarter turn, mod 4), d = (int) (c - q 2^30)
//     in [-2^29, 2^29), x = d * (2 pi 2^-32), z = x^2; cos x = 1 + z (Horner of (-1)^k/(2k)!, k = 10..1),
//     sin x = x + x (z (Horner of (-1)^k/(2k+1)!, k = 9..1)); the result is cos x, -sin x, -cos x or
//     sin x for q = 0, 1, 2, 3. sin of c is cos of c - 2^30 (a quarter turn less, mod 2^32).
// Every step is an IEEE operation or an exact bit move, so the result is bit-identical to Java by
// construction. Accuracy: ln within 2 double ulps of the exact value, cos and sin within a few, so
// the float is the nearest to the exact Box-Muller value but for values within ~1e-15 of a float
// rounding midpoint (one ulp then). |value| <= sqrt(66 ln 2) = 6.76 (a = 0).
//
// Launch: any 1-D grid (the Java side uses 256 threads per block); a grid-stride loop runs over the
// ceil(n / 4) blocks, so any grid size is correct. Indices are 64-bit so nothing can overflow.

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// Philox4x32-10 on the counter c[0..3] in place, under the key (k0, k1).
__device__ __forceinline__ void philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1)
{
#pragma unroll
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        const unsigned int hi0 = __umulhi(PHILOX_M0, c[0]);
        const unsigned int lo0 = PHILOX_M0 * c[0];
        const unsigned int hi1 = __umulhi(PHILOX_M1, c[2]);
        const unsigned int lo1 = PHILOX_M1 * c[2];
        const unsigned int n0 = hi1 ^ c[1] ^ k0;
        const unsigned int n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
    }
}

// A random word to [lo, lo + range): the top 24 bits as an exact float in [0, 1), scaled and shifted.
__device__ __forceinline__ float philox_word_to_uniform(unsigned int w, float lo, float range)
{
    const float u = __fmul_rn(__uint2float_rn(w >> 8), 0x1p-24f);
    return __fadd_rn(lo, __fmul_rn(range, u));
}

extern "C" __global__ void philox_uniform(float* dst, int n, unsigned int k0, unsigned int k1,
                                          unsigned int c1, unsigned int c2, unsigned int c3,
                                          float lo, float hi)
{
    const float range = __fsub_rn(hi, lo);
    const long long blocks = ((long long)n + 3) / 4;
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += stride) {
        unsigned int c[4] = {(unsigned int)b, c1, c2, c3};
        philox4x32_10(c, k0, k1);
        const long long base = 4 * b;
        if (base + 3 < n) {
            dst[base + 0] = philox_word_to_uniform(c[0], lo, range);
            dst[base + 1] = philox_word_to_uniform(c[1], lo, range);
            dst[base + 2] = philox_word_to_uniform(c[2], lo, range);
            dst[base + 3] = philox_word_to_uniform(c[3], lo, range);
        } else {
#pragma unroll
            for (int j = 0; j < 4; j++) {
                if (base + j < n) {
                    dst[base + j] = philox_word_to_uniform(c[j], lo, range);
                }
            }
        }
    }
}

// ---- standard normal --------------------------------------------------------------------------------

#define NORMAL_SQRT2 0x1.6a09e667f3bcdp0
#define NORMAL_LN2_HI 0x1.62e42p-1
#define NORMAL_LN2_LO 0x1.fdf473de6af28p-22
#define NORMAL_TWO_PI_OVER_2_32 0x1.921fb54442d18p-30

// ln x for a positive, finite, normal double x (see the header).
__device__ __forceinline__ double normal_log(double x)
{
    const long long bits = __double_as_longlong(x);
    int k = (int)(bits >> 52) - 1023;
    double m = __longlong_as_double((bits & 0x000FFFFFFFFFFFFFll) | 0x3FF0000000000000ll);
    if (m > NORMAL_SQRT2) {
        m = __dmul_rn(m, 0.5);
        k = k + 1;
    }
    const double f = __dsub_rn(m, 1.0);
    const double s = __ddiv_rn(f, __dadd_rn(m, 1.0));
    const double z = __dmul_rn(s, s);
    double p = 0x1.642c8590b2164p-4;                        // 2/23
    p = __dadd_rn(0x1.8618618618618p-4, __dmul_rn(z, p));   // 2/21
    p = __dadd_rn(0x1.af286bca1af28p-4, __dmul_rn(z, p));   // 2/19
    p = __dadd_rn(0x1.e1e1e1e1e1e1ep-4, __dmul_rn(z, p));   // 2/17
    p = __dadd_rn(0x1.1111111111111p-3, __dmul_rn(z, p));   // 2/15
    p = __dadd_rn(0x1.3b13b13b13b14p-3, __dmul_rn(z, p));   // 2/13
    p = __dadd_rn(0x1.745d1745d1746p-3, __dmul_rn(z, p));   // 2/11
    p = __dadd_rn(0x1.c71c71c71c71cp-3, __dmul_rn(z, p));   // 2/9
    p = __dadd_rn(0x1.2492492492492p-2, __dmul_rn(z, p));   // 2/7
    p = __dadd_rn(0x1.999999999999ap-2, __dmul_rn(z, p));   // 2/5
    p = __dadd_rn(0x1.5555555555555p-1, __dmul_rn(z, p));   // 2/3
    const double lnm = __dadd_rn(__dmul_rn(2.0, s), __dmul_rn(s, __dmul_rn(z, p)));
    const double kd = (double)k;
    return __dadd_rn(__dmul_rn(kd, NORMAL_LN2_HI), __dadd_rn(__dmul_rn(kd, NORMAL_LN2_LO), lnm));
}

__device__ __forceinline__ double normal_cos_polynomial(double z)
{
    double p = 0x1.e542ba4020225p-62;                        // 1/20!
    p = __dadd_rn(-0x1.6827863b97d97p-53, __dmul_rn(z, p));  // -1/18!
    p = __dadd_rn(0x1.ae7f3e733b81fp-45, __dmul_rn(z, p));   // 1/16!
    p = __dadd_rn(-0x1.93974a8c07c9dp-37, __dmul_rn(z, p));  // -1/14!
    p = __dadd_rn(0x1.1eed8eff8d898p-29, __dmul_rn(z, p));   // 1/12!
    p = __dadd_rn(-0x1.27e4fb7789f5cp-22, __dmul_rn(z, p));  // -1/10!
    p = __dadd_rn(0x1.a01a01a01a01ap-16, __dmul_rn(z, p));   // 1/8!
    p = __dadd_rn(-0x1.6c16c16c16c17p-10, __dmul_rn(z, p));  // -1/6!
    p = __dadd_rn(0x1.5555555555555p-5, __dmul_rn(z, p));    // 1/4!
    p = __dadd_rn(-0x1.0p-1, __dmul_rn(z, p));               // -1/2!
    return __dadd_rn(1.0, __dmul_rn(z, p));
}

__device__ __forceinline__ double normal_sin_polynomial(double x, double z)
{
    double p = -0x1.2f49b46814157p-57;                       // -1/19!
    p = __dadd_rn(0x1.952c77030ad4ap-49, __dmul_rn(z, p));   // 1/17!
    p = __dadd_rn(-0x1.ae7f3e733b81fp-41, __dmul_rn(z, p));  // -1/15!
    p = __dadd_rn(0x1.6124613a86d09p-33, __dmul_rn(z, p));   // 1/13!
    p = __dadd_rn(-0x1.ae64567f544e4p-26, __dmul_rn(z, p));  // -1/11!
    p = __dadd_rn(0x1.71de3a556c734p-19, __dmul_rn(z, p));   // 1/9!
    p = __dadd_rn(-0x1.a01a01a01a01ap-13, __dmul_rn(z, p));  // -1/7!
    p = __dadd_rn(0x1.1111111111111p-7, __dmul_rn(z, p));    // 1/5!
    p = __dadd_rn(-0x1.5555555555555p-3, __dmul_rn(z, p));   // -1/3!
    return __dadd_rn(x, __dmul_rn(x, __dmul_rn(z, p)));
}

// cos(2 pi c 2^-32), c a fraction of a turn (see the header).
__device__ __forceinline__ double normal_cos_turns(unsigned int c)
{
    const unsigned int q = (c + 0x20000000u) >> 30;
    const int d = (int)(c - (q << 30));
    const double x = __dmul_rn((double)d, NORMAL_TWO_PI_OVER_2_32);
    const double z = __dmul_rn(x, x);
    switch (q) {
    case 0: return normal_cos_polynomial(z);
    case 1: return -normal_sin_polynomial(x, z);
    case 2: return -normal_cos_polynomial(z);
    default: return normal_sin_polynomial(x, z);
    }
}

// sqrt(-2 ln((a + 0.5) 2^-32)), a read as unsigned.
__device__ __forceinline__ double normal_radius(unsigned int a)
{
    const double u = __dmul_rn(__dadd_rn((double)a, 0.5), 0x1p-32);
    return __dsqrt_rn(__dmul_rn(-2.0, normal_log(u)));
}

extern "C" __global__ void philox_normal(float* dst, int n, unsigned int k0, unsigned int k1,
                                         unsigned int c1, unsigned int c2, unsigned int c3)
{
    const long long blocks = ((long long)n + 3) / 4;
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long b = (long long)blockIdx.x * blockDim.x + threadIdx.x; b < blocks; b += stride) {
        unsigned int c[4] = {(unsigned int)b, c1, c2, c3};
        philox4x32_10(c, k0, k1);
        const long long base = 4 * b;
#pragma unroll
        for (int pair = 0; pair < 2; pair++) {
            const long long i = base + 2 * pair;
            if (i < n) {
                const double r = normal_radius(c[2 * pair]);
                const unsigned int angle = c[2 * pair + 1];
                dst[i] = (float)__dmul_rn(r, normal_cos_turns(angle));
                if (i + 1 < n) {
                    dst[i + 1] = (float)__dmul_rn(r, normal_cos_turns(angle - 0x40000000u));
                }
            }
        }
    }
}
