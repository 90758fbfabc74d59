// Sigmoid cross-entropy with logits against a constant label, averaged over n, fused with its
// gradient. Must match dcgan.backend.cpu.CpuBackend#sigmoidCrossEntropy:
//
//   term_i      = max(x_i, 0) - x_i * label + log1p(exp(-|x_i|))          (all in double)
//   *loss       = (float) (sum_i term_i / n)                              (double divide, one rounding)
//   dlogits[i]  = (sigmoid(x_i) - label) / n                              (float ops, n as float)
//
// where sigmoid is CpuOps#sigmoid (stable form, double then one rounding to float; same code as
// kernels/sigmoid.cu). Each double expression is evaluated in Java's order,
// (max - x*label) + log1p(...), with _rn intrinsics so nvcc cannot contract anything into an FMA
// (x*label, a product of two floats, is exact in double anyway).
// Java's Math.max(x, 0.0) returns NaN for NaN; here x > 0 ? x : 0 gives 0, but then x * label is
// NaN and the term is NaN all the same.
//
// Launch: EXACTLY ONE block of 256 threads (blockDim.x must be a power of two <= 256; the Java side
// uses 256). Blocks other than block 0 return at once, so a larger grid is harmless but useless.
//
// Determinism: thread t sums the terms of elements t, t + blockDim.x, t + 2*blockDim.x, ... in
// index order in double; the per-thread sums then go through a fixed shared-memory tree in double
// (partial[t] += partial[t + s] for s = blockDim.x/2, ..., 1). Same inputs, same bits, every run.
//
// Exactness versus Java: dlogits is bit-identical up to exp() (see kernels/sigmoid.cu). The loss
// sum is added in a different order than Java's sequential loop and CUDA's exp/log1p may differ
// from Java's in the last double ulp, so the double sum can differ by a few ulps; after dividing by
// n and rounding to float the loss is almost always identical and otherwise 1 float ulp apart.
//
// n == 0 gives a NaN loss (0.0 / 0), as Java does. dlogits must not alias logits.

#define SCE_BLOCK 256

__device__ __forceinline__ float sce_stable_sigmoid(float x)
{
    const double xd = (double)x;
    if (x >= 0.0f) {
        return (float)__ddiv_rn(1.0, __dadd_rn(1.0, exp(-xd)));
    }
    const double e = exp(xd);
    return (float)__ddiv_rn(e, __dadd_rn(1.0, e));
}

extern "C" __global__ void __launch_bounds__(SCE_BLOCK)
sigmoid_cross_entropy(const float* logits, float label, float* dlogits, float* loss, int n)
{
    __shared__ double partial[SCE_BLOCK];
    if (blockIdx.x != 0) {
        return; // the whole block leaves together, so block 0's __syncthreads is unaffected
    }
    const unsigned t = threadIdx.x;
    const double labelD = (double)label;
    const float nF = (float)n;   // Java promotes the int n to float for the float division
    double sum = 0.0;
    for (long long i = t; i < n; i += blockDim.x) {
        const float x = logits[i];
        const double xd = (double)x;
        const double relu = xd > 0.0 ? xd : 0.0;
        const double term = __dadd_rn(__dsub_rn(relu, __dmul_rn(xd, labelD)), log1p(exp(-fabs(xd))));
        sum = __dadd_rn(sum, term);
        dlogits[i] = __fdiv_rn(__fsub_rn(sce_stable_sigmoid(x), label), nF);
    }
    partial[t] = sum;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) {
            partial[t] = __dadd_rn(partial[t], partial[t + s]);
        }
        __syncthreads();
    }
    if (t == 0) {
        *loss = (float)__ddiv_rn(partial[0], (double)n);
    }
}
