// ReLU, forward and backward.
//
// Must match dcgan.backend.cpu.CpuBackend#relu and #reluBackward bit for bit:
//   forward:  y  = x > 0 ? x : 0        (NaN and -0 give +0, as in Java)
//   backward: dx = y > 0 ? dy : 0       (y is the forward OUTPUT)
// No arithmetic at all, only a compare and a select, so the results are exact.
//
// In place is allowed (x == y, dy == dx), so the pointers are deliberately not __restrict__.
//
// Launch: any 1-D grid (the Java side uses 256 threads per block); the grid-stride loop covers
// all n elements whatever the grid size. Indices are 64-bit so the loop cannot overflow.

extern "C" __global__ void relu_forward(const float* x, float* y, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : 0.0f;
    }
}

extern "C" __global__ void relu_backward(const float* y, const float* dy, float* dx, int n)
{
    const long long stride = (long long)blockDim.x * gridDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    }
}
