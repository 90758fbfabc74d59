// Shared by the three fake libraries (libcuda.so.1, libcublas.so.12, libcudnn.so.9): logging and the
// checks the fake driver exports to the other two (is this address range live device memory, is this
// a stream, is a context current). Development tool only: see dev/fake-cuda/README.md.
#pragma once

#include <cstddef>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <vector>

#define FAKE_API extern "C" __attribute__((visibility("default")))

// Exported by libcuda.so.1 (the fake driver) for the fake cuBLAS and cuDNN.
extern "C" {
// 1 when [p, p + bytes) lies inside one live allocation of cuMemAlloc; else prints why (naming `what`
// and `call`) to stderr and returns 0. bytes == 0 still needs p inside (or at the end of) an allocation.
int fakecuda_check_range(const void* p, size_t bytes, const char* call, const char* what);
// 1 when s is NULL (the default stream) or a live stream of cuStreamCreate.
int fakecuda_check_stream(const void* s, const char* call);
// 1 when the calling thread has a current, active context.
int fakecuda_context_ok(const char* call);
// 1 while `stream` is being captured into a CUDA graph (cuStreamBeginCapture): work queued on it must be
// recorded with fakecuda_record instead of done.
int fakecuda_capturing(const void* stream);
// Appends work to the capture of `stream`: the graph runs run(work) at each cuGraphLaunch, in order, and
// calls drop(work) when the last graph or executable graph holding it is destroyed.
void fakecuda_record(const void* stream, int (*run)(void*), void (*drop)(void*), void* work);
}

#include <functional>
#include <utility>

// Does `work` (returning a status) now, or, while `stream` is captured, records it for the graph and
// returns 0. Whatever the work reads from the caller's host memory (alpha/beta, kernel arguments) must
// be copied into the closure first: as on a GPU, captured work sees the values of the capture.
template <class F> int fake_submit(const void* stream, F&& work)
{
    if (!fakecuda_capturing(stream)) return work();
    auto* f = new std::function<int()>(std::forward<F>(work));
    fakecuda_record(
        stream, [](void* p) { return (*static_cast<std::function<int()>*>(p))(); },
        [](void* p) { delete static_cast<std::function<int()>*>(p); }, f);
    return 0;
}

// Messages go to stderr, prefixed, so they stand out in Maven's output. FAKE_CUDA_TRACE=1 logs every call.
inline bool fake_trace_on()
{
    static const bool on = [] {
        const char* v = std::getenv("FAKE_CUDA_TRACE");
        return v != nullptr && v[0] != '\0' && v[0] != '0';
    }();
    return on;
}

__attribute__((format(printf, 1, 2))) inline void fake_log(const char* fmt, ...)
{
    std::va_list ap;
    va_start(ap, fmt);
    std::fputs("[fake-cuda] ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
}

#define FAKE_TRACE(...) do { if (fake_trace_on()) fake_log(__VA_ARGS__); } while (0)

// v rounded to TF32 as a tensor core reads an FP32 operand: 10 explicit mantissa bits (of FP32's 23),
// rounded to nearest, ties to even. Infinities and NaNs pass unchanged; a value that rounds past
// FLT_MAX becomes infinity, as in any round-to-nearest.
inline float fake_tf32(float v)
{
    std::uint32_t u;
    std::memcpy(&u, &v, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return v;
    u += 0x0fffu + ((u >> 13) & 1u);
    u &= ~0x1fffu;
    std::memcpy(&v, &u, 4);
    return v;
}

// An operand as the arithmetic reads it: the n floats at p themselves, or (tf32) a rounded copy.
struct FakeOperand {
    const float* p;
    std::vector<float> rounded;
    FakeOperand(const float* src, std::size_t n, bool tf32) : p(src)
    {
        if (!tf32 || src == nullptr || n == 0) return;
        rounded.resize(n);
        for (std::size_t i = 0; i < n; i++) rounded[i] = fake_tf32(src[i]);
        p = rounded.data();
    }
};
