// Lets g++ compile the kernels in kernels/*.cu as ordinary C++ and run them on the CPU, so their
// exact source (index arithmetic, grid-stride loops, tail guards, operation order, the shared-memory
// reduction) can be checked against the Java reference without a GPU. Used only by host_check.cpp.
//
// Kernels without __syncthreads() run their threads one after another on the calling thread (exact,
// since such threads never communicate). For a kernel that synchronises, pass cooperative = true:
// each CUDA thread then runs as a std::thread, __syncthreads() is a std::barrier over the block, and
// __shared__ variables are function-local statics, shared by the threads of the one block that runs
// at a time. The _rn intrinsics map to plain IEEE operations: build with -ffp-contract=off and
// no -march flags so g++ emits one SSE2 instruction per operation, never an FMA.
//
// Not emulated: CUDA's libdevice exp/log1p. Here exp and log1p come from glibc, so this checks the
// formulas and their rounding steps, not NVIDIA's last-ulp accuracy of those two functions. The other
// math functions the kernels call (rint, fabs, copysign) are exact, so glibc's give CUDA's results.
#pragma once

#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <math.h>
#include <thread>
#include <vector>

struct HostDim3 { unsigned x = 0, y = 1, z = 1; };
inline thread_local HostDim3 threadIdx;
inline thread_local HostDim3 blockIdx;
inline HostDim3 blockDim;
inline HostDim3 gridDim;
inline std::barrier<>* hostBlockBarrier = nullptr;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static

inline void __syncthreads()
{
    if (hostBlockBarrier == nullptr) {
        std::fprintf(stderr, "__syncthreads() in a kernel launched with cooperative = false\n");
        std::abort();
    }
    hostBlockBarrier->arrive_and_wait();
}

inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline long long __double_as_longlong(double x) { long long b; std::memcpy(&b, &x, sizeof b); return b; }
inline double __longlong_as_double(long long b) { double x; std::memcpy(&x, &b, sizeof x); return x; }
inline float __uint2float_rn(unsigned int x) { return (float)x; }
inline unsigned int __umulhi(unsigned int a, unsigned int b) { return (unsigned int)(((uint64_t)a * b) >> 32); }

// Runs kernel() as a 1-D grid of `grid` blocks of `block` threads, one block after another.
template <class Kernel>
void hostLaunch(unsigned grid, unsigned block, Kernel kernel, bool cooperative = false)
{
    gridDim.x = grid;
    blockDim.x = block;
    if (!cooperative) {
        for (unsigned b = 0; b < grid; b++) {
            for (unsigned t = 0; t < block; t++) {
                blockIdx.x = b;
                threadIdx.x = t;
                kernel();
            }
        }
        return;
    }
    for (unsigned b = 0; b < grid; b++) {
        std::barrier<> barrier((std::ptrdiff_t)block);
        hostBlockBarrier = &barrier;
        std::vector<std::thread> threads;
        threads.reserve(block);
        for (unsigned t = 0; t < block; t++) {
            threads.emplace_back([&kernel, b, t] {
                blockIdx.x = b;
                threadIdx.x = t;
                kernel();
            });
        }
        for (auto& th : threads) {
            th.join();
        }
        hostBlockBarrier = nullptr;
    }
}
