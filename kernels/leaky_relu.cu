// Leaky ReLU, forward and backward.
//
// Must match dcgan.backend.cpu.CpuBackend#leakyRelu and #leakyReluBackward bit for bit:
//   forward:  y  = x > 0 ? x : alpha * x
//   backward: dx = y > 0 ? dy : alpha * dy      (y is the forward OUTPUT)
// For alpha > 0 the output y has the sign of x, so testing y in the backward pass selects the
// same branch as testing x would. alpha * x is a single IEEE multiply, so there is nothing for
// the compiler to contract and the result equals Java's float product exactly.
//
// In place is allowed (x == y, dy == dx): each element is read before it is written by the same
// thread, so the pointers are deliberately not __restrict__.
//
// Launch: any 1-D grid (the Java side uses 256 threads per block); the grid-stride loop covers
// all n elements whatever the grid size. Indices are 64-bit so the loop cannot overflow.

extern "C" __global__ void leaky_relu_forward(const float* x, float* y, float alpha, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : __fmul_rn(alpha, v);
    }
}

extern "C" __global__ void leaky_relu_backward(const float* y, const float* dy, float* dx, float alpha, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float g = dy[i];
        dx[i] = y[i] > 0.0f ? g : __fmul_rn(alpha, g);
    }
}
