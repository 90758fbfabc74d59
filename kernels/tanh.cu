// Hyperbolic tangent, forward and backward.
//
// Forward must match dcgan.backend.cpu.Tanh#tanh (used by CpuBackend#tanh) bit for bit:
//   NaN             : x itself
//   |x| >= 10       : +-1 (from there 1 - tanh|x| < 5e-9, below half a float ulp of 1)
//   otherwise       : a = |x| (double), e = expm1(-2a), t = (0 - e) / (2 + e),
//                     y = (float) copysign(t, x)
// in double, rounded to float once. expm1 is not CUDA's (whose last bit may differ from Java's
// Math.expm1) but a fixed sequence of IEEE double operations, the same as Tanh#expm1:
//   k = (int) rint(y * INV_LN2);  r = (y - k LN2_HI) - k LN2_LO   (Cody-Waite: k LN2_HI is exact)
//   p = Horner of 1/n! for n = 14 down to 2 in r;  em = r + r (r p)
//   k == 0 : em;  otherwise 2^k em + (2^k - 1), 2^k built from its bits
// Every step is an IEEE operation (the _rn intrinsics, which nvcc never fuses into an FMA nor
// reorders), rint, copysign or an exact bit move, so the result is bit-identical to Java by
// construction. The double is within a few double ulps of the exact tanh: the float is the nearest
// one but for values within ~1e-15 of a float rounding midpoint. tanh(-0) = -0.
//
// Backward must match CpuBackend#tanhBackward:  dx = dy * (1f - y * y), evaluated in float:
// y * y, then 1 minus it, then times dy, one rounding per operation (Java never fuses into an FMA,
// so neither may we: __fmul_rn/__fsub_rn are never contracted). Bit-identical.
//
// In place is allowed (x == y, dy == dx), so the pointers are deliberately not __restrict__.
//
// Launch: any 1-D grid (the Java side uses 256 threads per block); the grid-stride loop covers
// all n elements whatever the grid size. Indices are 64-bit so the loop cannot overflow.

#define TANH_LN2_HI 0x1.62e42p-1
#define TANH_LN2_LO 0x1.fdf473de6af28p-22
#define TANH_INV_LN2 0x1.71547652b82fep0

// exp(y) - 1 for y in [-20, 0] (see the header).
__device__ __forceinline__ double tanh_expm1(double y)
{
    const int k = (int)rint(__dmul_rn(y, TANH_INV_LN2));
    const double kd = (double)k;
    const double r = __dsub_rn(__dsub_rn(y, __dmul_rn(kd, TANH_LN2_HI)), __dmul_rn(kd, TANH_LN2_LO));
    double p = 0x1.93974a8c07c9dp-37;                        // 1/14!
    p = __dadd_rn(0x1.6124613a86d09p-33, __dmul_rn(r, p));   // 1/13!
    p = __dadd_rn(0x1.1eed8eff8d898p-29, __dmul_rn(r, p));   // 1/12!
    p = __dadd_rn(0x1.ae64567f544e4p-26, __dmul_rn(r, p));   // 1/11!
    p = __dadd_rn(0x1.27e4fb7789f5cp-22, __dmul_rn(r, p));   // 1/10!
    p = __dadd_rn(0x1.71de3a556c734p-19, __dmul_rn(r, p));   // 1/9!
    p = __dadd_rn(0x1.a01a01a01a01ap-16, __dmul_rn(r, p));   // 1/8!
    p = __dadd_rn(0x1.a01a01a01a01ap-13, __dmul_rn(r, p));   // 1/7!
    p = __dadd_rn(0x1.6c16c16c16c17p-10, __dmul_rn(r, p));   // 1/6!
    p = __dadd_rn(0x1.1111111111111p-7, __dmul_rn(r, p));    // 1/5!
    p = __dadd_rn(0x1.5555555555555p-5, __dmul_rn(r, p));    // 1/4!
    p = __dadd_rn(0x1.5555555555555p-3, __dmul_rn(r, p));    // 1/3!
    p = __dadd_rn(0x1.0p-1, __dmul_rn(r, p));                // 1/2!
    const double em = __dadd_rn(r, __dmul_rn(r, __dmul_rn(r, p)));
    if (k == 0) {
        return em;
    }
    const double scale = __longlong_as_double((long long)(k + 1023) << 52);
    return __dadd_rn(__dmul_rn(scale, em), __dsub_rn(scale, 1.0));
}

__device__ __forceinline__ float tanh_of(float x)
{
    if (x != x) {
        return x;
    }
    const double a = fabs((double)x);
    double t;
    if (a >= 10.0) {
        t = 1.0;
    } else {
        const double e = tanh_expm1(__dmul_rn(-2.0, a));
        t = __ddiv_rn(__dsub_rn(0.0, e), __dadd_rn(2.0, e));
    }
    return (float)copysign(t, (double)x);
}

extern "C" __global__ void tanh_forward(const float* x, float* y, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = tanh_of(x[i]);
    }
}

extern "C" __global__ void tanh_backward(const float* y, const float* dy, float* dx, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float s = y[i];
        dx[i] = __fmul_rn(dy[i], __fsub_rn(1.0f, __fmul_rn(s, s)));
    }
}
