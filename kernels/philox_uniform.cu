// Uniform random fill with the counter-based Philox4x32-10 generator.
//
// Must match dcgan.random.CounterRng#fillUniform (with dcgan.random.Philox4x32#block) bit for bit,
// which is what CpuBackend#uniform calls. The Java side passes:
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
