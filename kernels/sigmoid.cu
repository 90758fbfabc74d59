// Logistic sigmoid, forward and backward.
//
// Forward must match dcgan.backend.cpu.CpuOps#sigmoid (used by CpuBackend#sigmoid):
//   x >= 0 : (float) (1.0 / (1.0 + exp(-x)))
//   x <  0 : (float) (e / (1.0 + e)),  e = exp(x)
// evaluated in double and rounded to float once. This form never evaluates exp of a large
// positive number, so it cannot overflow. NaN takes the x < 0 branch and stays NaN, as in Java.
// The double add and divide use the _rn intrinsics (IEEE, round to nearest), which is also what
// nvcc does by default without --use_fast_math; they are spelled out so a flag cannot change it.
//
// Exactness: the only non-IEEE-specified step is exp() in double. CUDA's exp (<= 1 ulp in double)
// and Java's Math.exp (<= 1 ulp, usually correctly rounded) may differ in the last bit of the
// double, which changes the float result only when the exact value lies within ~2^-29 relative
// of a float rounding boundary: in practice identical, not guaranteed bit for bit.
//
// Backward must match CpuBackend#sigmoidBackward:  dx = dy * y * (1f - y), evaluated in float
// left to right, i.e. (dy * y) * (1 - y), one rounding per operation (Java never fuses into an
// FMA, so neither may we: __fmul_rn/__fsub_rn are never contracted). Bit-identical.
//
// In place is allowed (x == y, dy == dx), so the pointers are deliberately not __restrict__.
//
// Launch: any 1-D grid (the Java side uses 256 threads per block); the grid-stride loop covers
// all n elements whatever the grid size. Indices are 64-bit so the loop cannot overflow.

__device__ __forceinline__ float stable_sigmoid(float x)
{
    const double xd = (double)x;
    if (x >= 0.0f) {
        return (float)__ddiv_rn(1.0, __dadd_rn(1.0, exp(-xd)));
    }
    const double e = exp(xd);
    return (float)__ddiv_rn(e, __dadd_rn(1.0, e));
}

extern "C" __global__ void sigmoid_forward(const float* x, float* y, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        y[i] = stable_sigmoid(x[i]);
    }
}

extern "C" __global__ void sigmoid_backward(const float* y, const float* dy, float* dx, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float s = y[i];
        dx[i] = __fmul_rn(__fmul_rn(dy[i], s), __fsub_rn(1.0f, s));
    }
}
