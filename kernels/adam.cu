// One Adam step (TensorFlow's form) over a whole parameter buffer.
//
// Must match dcgan.backend.cpu.CpuBackend#adam bit for bit. Java, all float:
//   oneMinusB1 = 1f - beta1;  oneMinusB2 = 1f - beta2;
//   mi = beta1 * m + oneMinusB1 * g;
//   vi = beta2 * v + oneMinusB2 * g * g;          // = (beta2*v) + ((oneMinusB2*g)*g)
//   m = mi;  v = vi;
//   p -= lr_t * mi / ((float) Math.sqrt(vi) + epsilon);   // p = p - ((lr_t*mi) / (sqrt(vi) + eps))
// lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) is computed on the host (dcgan.train.AdamSchedule).
//
// Java float arithmetic rounds after every operation and never fuses a*b+c into an FMA, while nvcc
// contracts by default. Every operation therefore uses the _rn intrinsics (__fmul_rn, __fadd_rn, ...
// are never contracted) in exactly Java's left-to-right order. (float) Math.sqrt(vi) of a float is
// the correctly rounded float square root (double rounding is harmless for sqrt: 53 >= 2*24+2), which
// is __fsqrt_rn; __fdiv_rn is the IEEE division. So every result is bit-identical to Java's.
//
// p, g, m, v are four distinct buffers (never aliased), hence __restrict__.
//
// Launch: any 1-D grid (the Java side uses 256 threads per block); the grid-stride loop covers
// all n elements whatever the grid size. Indices are 64-bit so the loop cannot overflow.

extern "C" __global__ void adam_step(float* __restrict__ p, const float* __restrict__ g,
                                     float* __restrict__ m, float* __restrict__ v,
                                     float lr_t, float beta1, float beta2, float epsilon, int n)
{
    const float oneMinusB1 = __fsub_rn(1.0f, beta1);
    const float oneMinusB2 = __fsub_rn(1.0f, beta2);
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float gi = g[i];
        const float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(oneMinusB1, gi));
        const float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(__fmul_rn(oneMinusB2, gi), gi));
        m[i] = mi;
        v[i] = vi;
        const float step = __fdiv_rn(__fmul_rn(lr_t, mi), __fadd_rn(__fsqrt_rn(vi), epsilon));
        p[i] = __fsub_rn(p[i], step);
    }
}
