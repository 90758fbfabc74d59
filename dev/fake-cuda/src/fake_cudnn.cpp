// Fake libcudnn.so.9: the cuDNN 9 calls dcgan-java makes, on the CPU, per the cuDNN API reference.
// FP32 NCHW only (anything else is refused with CUDNN_STATUS_NOT_SUPPORTED, a limit of the fake, not of
// cuDNN). Arguments are validated the way cuDNN documents them (descriptor shapes consistent with one
// another -> CUDNN_STATUS_BAD_PARAM), every data pointer must lie in live device memory of the fake
// driver, alpha/beta are host floats with "beta == 0: the destination is not read". Sums accumulate in
// double and are rounded to float once, so this is a clean reference rather than a copy of any
// backend's code. Status numbers are cuDNN 9's (cudnn_graph.h). Development tool only.
#include "fake_common.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

typedef int cudnnStatus_t;

namespace {

enum : int {
    CUDNN_STATUS_SUCCESS = 0,
    CUDNN_STATUS_NOT_INITIALIZED = 1001,
    CUDNN_STATUS_BAD_PARAM = 2000,
    CUDNN_STATUS_BAD_PARAM_NULL_POINTER = 2002,
    CUDNN_STATUS_NOT_SUPPORTED = 3000,
    CUDNN_STATUS_INTERNAL_ERROR = 4000,
    CUDNN_STATUS_EXECUTION_FAILED = 5000,
};

const char* statusName(int s)
{
    switch (s) {
    case 0: return "CUDNN_STATUS_SUCCESS";
    case 1001: return "CUDNN_STATUS_NOT_INITIALIZED";
    case 1002: return "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH";
    case 1003: return "CUDNN_STATUS_SERIALIZATION_VERSION_MISMATCH";
    case 1004: return "CUDNN_STATUS_DEPRECATED";
    case 1005: return "CUDNN_STATUS_LICENSE_ERROR";
    case 1006: return "CUDNN_STATUS_RUNTIME_IN_PROGRESS";
    case 1007: return "CUDNN_STATUS_RUNTIME_FP_OVERFLOW";
    case 1008: return "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED";
    case 2000: return "CUDNN_STATUS_BAD_PARAM";
    case 2002: return "CUDNN_STATUS_BAD_PARAM_NULL_POINTER";
    case 2003: return "CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER";
    case 2004: return "CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED";
    case 2005: return "CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND";
    case 2006: return "CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT";
    case 2007: return "CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH";
    case 2008: return "CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH";
    case 3000: return "CUDNN_STATUS_NOT_SUPPORTED";
    case 4000: return "CUDNN_STATUS_INTERNAL_ERROR";
    case 4003: return "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED";
    case 4004: return "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED";
    case 5000: return "CUDNN_STATUS_EXECUTION_FAILED";
    default: return "CUDNN_STATUS_UNKNOWN";
    }
}

cudnnStatus_t fail(cudnnStatus_t s, const char* call, const std::string& why)
{
    fake_log("%s -> %s (%d): %s", call, statusName(s), s, why.c_str());
    return s;
}

struct Handle { const void* stream = nullptr; };
struct Dims { int n = 0, c = 0, h = 0, w = 0; long long size() const { return (long long)n * c * h * w; } };
struct TensorDesc { bool set = false; Dims d; };
struct FilterDesc { bool set = false; Dims d; }; // k, c, r, s in n, c, h, w
struct ConvDesc { bool set = false; int padH = 0, padW = 0, u = 1, v = 1, dilH = 1, dilW = 1, mode = 1; int mathType = 0; };

std::mutex mu;
std::set<Handle*> handles;
std::set<TensorDesc*> tensors;
std::set<FilterDesc*> filters;
std::set<ConvDesc*> convs;

std::string str(const Dims& d)
{
    return "[" + std::to_string(d.n) + "," + std::to_string(d.c) + "," + std::to_string(d.h) + "," + std::to_string(d.w) + "]";
}

// Looks the descriptor/handle arguments up; each getter fails (with a message) on a dead or unset one.
struct Args {
    const char* call;
    cudnnStatus_t status = CUDNN_STATUS_SUCCESS;
    explicit Args(const char* c) : call(c) {}
    bool ok() const { return status == CUDNN_STATUS_SUCCESS; }
    void bad(cudnnStatus_t s, const std::string& why) { if (ok()) status = fail(s, call, why); }
    void handle(void* h)
    {
        std::lock_guard<std::mutex> g(mu);
        if (!handles.count((Handle*)h)) bad(CUDNN_STATUS_BAD_PARAM, "not a live cuDNN handle");
        else if (!fakecuda_context_ok(call)) bad(CUDNN_STATUS_NOT_INITIALIZED, "no usable CUDA context on this thread");
    }
    Dims tensor(void* t, const char* what)
    {
        std::lock_guard<std::mutex> g(mu);
        if (!tensors.count((TensorDesc*)t)) { bad(CUDNN_STATUS_BAD_PARAM, std::string(what) + ": not a live tensor descriptor"); return {}; }
        if (!((TensorDesc*)t)->set) { bad(CUDNN_STATUS_BAD_PARAM, std::string(what) + ": tensor descriptor never set"); return {}; }
        return ((TensorDesc*)t)->d;
    }
    Dims filter(void* f, const char* what)
    {
        std::lock_guard<std::mutex> g(mu);
        if (!filters.count((FilterDesc*)f)) { bad(CUDNN_STATUS_BAD_PARAM, std::string(what) + ": not a live filter descriptor"); return {}; }
        if (!((FilterDesc*)f)->set) { bad(CUDNN_STATUS_BAD_PARAM, std::string(what) + ": filter descriptor never set"); return {}; }
        return ((FilterDesc*)f)->d;
    }
    ConvDesc conv(void* c)
    {
        std::lock_guard<std::mutex> g(mu);
        if (!convs.count((ConvDesc*)c)) { bad(CUDNN_STATUS_BAD_PARAM, "not a live convolution descriptor"); return {}; }
        if (!((ConvDesc*)c)->set) { bad(CUDNN_STATUS_BAD_PARAM, "convolution descriptor never set"); return {}; }
        return *(ConvDesc*)c;
    }
    void same(const Dims& a, const Dims& b, const char* what)
    {
        if (ok() && (a.n != b.n || a.c != b.c || a.h != b.h || a.w != b.w))
            bad(CUDNN_STATUS_BAD_PARAM, std::string(what) + ": " + str(a) + " vs " + str(b));
    }
    void device(const void* p, long long floats, const char* what)
    {
        if (!ok() || floats <= 0) return;
        if (p == nullptr) { bad(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, std::string(what) + " is NULL"); return; }
        if (!fakecuda_check_range(p, (size_t)floats * 4, call, what))
            bad(CUDNN_STATUS_EXECUTION_FAILED, std::string(what) + " is outside device memory (an illegal address on a GPU)");
    }
    float scalar(const void* p, const char* what)
    {
        if (p == nullptr) { bad(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, std::string(what) + " is NULL"); return 0; }
        float v;
        std::memcpy(&v, p, 4);
        return v;
    }
};

// cudnnGetConvolution2dForwardOutputDim: 1 + (in + 2 pad - ((filter - 1) dilation + 1)) / stride.
int outDim(int in, int pad, int filter, int dil, int stride)
{
    return 1 + (in + 2 * pad - ((filter - 1) * dil + 1)) / stride;
}

// x [N,C,H,W], w [K,C,R,S], y [N,K,P,Q] consistent with the convolution descriptor.
void checkConv(Args& a, const Dims& x, const Dims& w, const Dims& y, const ConvDesc& cd)
{
    if (!a.ok()) return;
    if (x.c != w.c) a.bad(CUDNN_STATUS_BAD_PARAM, "input channels " + std::to_string(x.c) + " != filter channels " + std::to_string(w.c) + " (x " + str(x) + ", w " + str(w) + ")");
    const int p = outDim(x.h, cd.padH, w.h, cd.dilH, cd.u), q = outDim(x.w, cd.padW, w.w, cd.dilW, cd.v);
    if (p <= 0 || q <= 0) a.bad(CUDNN_STATUS_BAD_PARAM, "filter larger than the padded input");
    Dims want{x.n, w.n, p, q};
    a.same(y, want, "output tensor does not match conv(input, filter)");
}

// ---- algorithms ------------------------------------------------------------------------------------

// cuDNN 9's cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t (all three have this layout).
struct AlgoPerf {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
};
static_assert(sizeof(AlgoPerf) == 48, "cuDNN's perf struct is 48 bytes on x86-64");

struct Algo { int algo; size_t workspace; int deterministic; };
// What the fake "offers" per direction, in its ranking order. All compute the same exact result here;
// the list exercises the caller's choice (a non-deterministic one ranked first where cuDNN has them).
const std::vector<Algo> FWD = {{1, 16384, 1}, {0, 0, 1}};            // IMPLICIT_PRECOMP_GEMM, IMPLICIT_GEMM
const std::vector<Algo> BWD_DATA = {{0, 0, 0}, {1, 32768, 1}};       // ALGO_0 (atomics), ALGO_1
const std::vector<Algo> BWD_FILTER = {{0, 0, 0}, {1, 65536, 1}, {3, 0, 0}};

const Algo* findAlgo(const std::vector<Algo>& list, int algo)
{
    for (const Algo& a : list)
        if (a.algo == algo) return &a;
    return nullptr;
}

cudnnStatus_t listAlgos(Args& a, const std::vector<Algo>& list, int mathType, int requested, int* returned, void* perfOut)
{
    if (!a.ok()) return a.status;
    if (requested <= 0 || returned == nullptr || perfOut == nullptr)
        return fail(CUDNN_STATUS_BAD_PARAM, a.call, "requestedAlgoCount <= 0 or NULL output");
    AlgoPerf* perf = (AlgoPerf*)perfOut;
    int n = std::min<int>(requested, (int)list.size());
    for (int i = 0; i < n; i++) {
        AlgoPerf p{};
        p.algo = list[i].algo;
        p.status = CUDNN_STATUS_SUCCESS;
        p.time = -1.0f; // heuristics, not measured
        p.memory = list[i].workspace;
        p.determinism = list[i].deterministic;
        p.mathType = mathType == 1 || mathType == 2 ? 0 : mathType; // FP32 only: never tensor ops
        perf[i] = p;
    }
    *returned = n;
    return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t workspaceOf(Args& a, const std::vector<Algo>& list, int algo, size_t* bytes)
{
    if (!a.ok()) return a.status;
    if (bytes == nullptr) return fail(CUDNN_STATUS_BAD_PARAM, a.call, "NULL output");
    const Algo* al = findAlgo(list, algo);
    if (al == nullptr) return fail(CUDNN_STATUS_NOT_SUPPORTED, a.call, "algorithm " + std::to_string(algo) + " is not available for this direction");
    *bytes = al->workspace;
    return CUDNN_STATUS_SUCCESS;
}

void checkAlgo(Args& a, const std::vector<Algo>& list, int algo, const void* ws, size_t wsBytes)
{
    if (!a.ok()) return;
    const Algo* al = findAlgo(list, algo);
    if (al == nullptr) { a.bad(CUDNN_STATUS_NOT_SUPPORTED, "algorithm " + std::to_string(algo) + " is not available for this direction"); return; }
    FAKE_TRACE("%s: algorithm %d, workspace %zu bytes", a.call, algo, wsBytes);
    if (wsBytes < al->workspace) { a.bad(CUDNN_STATUS_BAD_PARAM, "workspace of " + std::to_string(wsBytes) + " bytes < the " + std::to_string(al->workspace) + " algorithm " + std::to_string(algo) + " needs"); return; }
    if (wsBytes > 0) {
        if (ws == nullptr) { a.bad(CUDNN_STATUS_BAD_PARAM, "NULL workspace with a nonzero size"); return; }
        if (!fakecuda_check_range(ws, wsBytes, a.call, "workspace")) a.bad(CUDNN_STATUS_EXECUTION_FAILED, "workspace outside device memory");
    }
}

// cudnnMathType_t: DEFAULT 0, TENSOR_OP 1, TENSOR_OP_ALLOW_CONVERSION 2, FMA 3. On compute capability
// 8.0 and later (the fake reports 9.0) every math type but FMA lets an FP32 convolution read its
// inputs as TF32 (cuDNN 8+; NVIDIA_TF32_OVERRIDE=0 would forbid it, which the fake ignores).
bool tf32Conv(const ConvDesc& cd)
{
    return cd.mathType != 3;
}

inline void blend(float* dst, const double* res, long long n, float alpha, float beta)
{
    for (long long i = 0; i < n; i++) {
        double r = (double)alpha * res[i];
        if (beta != 0.0f) r += (double)beta * dst[i];
        dst[i] = (float)r;
    }
}

// Filter tap (r, s) of output (p, q) reads input (p u - padH + r dilH, q v - padW + s dilW); in
// CUDNN_CONVOLUTION mode (0) the filter is flipped.
struct Geometry {
    Dims x, w, y;
    ConvDesc cd;
    int ih(int p, int r) const { return p * cd.u - cd.padH + r * cd.dilH; }
    int iw(int q, int s) const { return q * cd.v - cd.padW + s * cd.dilW; }
    // Outputs p in [lo, hi) whose tap r reads a row inside the input (no padding reads).
    static void valid(int outN, int inN, int pad, int stride, int tapOffset, int& lo, int& hi)
    {
        // p * stride - pad + tapOffset in [0, inN)
        int a = pad - tapOffset; // p * stride >= a
        lo = a <= 0 ? 0 : (a + stride - 1) / stride;
        int b = inN - 1 + pad - tapOffset; // p * stride <= b
        hi = b < 0 ? 0 : std::min(outN, b / stride + 1);
        if (lo > hi) lo = hi;
    }
    long long widx(int k, int c, int r, int s) const
    {
        if (cd.mode == 0) { r = w.h - 1 - r; s = w.w - 1 - s; }
        return (((long long)k * w.c + c) * w.h + r) * w.w + s;
    }
};

} // namespace

// ---- handle and descriptors ------------------------------------------------------------------------

FAKE_API size_t cudnnGetVersion() { return 91900; }
FAKE_API size_t cudnnGetCudartVersion() { return 12080; }
FAKE_API const char* cudnnGetErrorString(cudnnStatus_t s) { return statusName(s); }

FAKE_API cudnnStatus_t cudnnCreate(void** h)
{
    if (h == nullptr) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnCreate", "NULL output");
    if (!fakecuda_context_ok("cudnnCreate")) return fail(CUDNN_STATUS_NOT_INITIALIZED, "cudnnCreate", "no usable CUDA context");
    std::lock_guard<std::mutex> g(mu);
    Handle* x = new Handle();
    handles.insert(x);
    *h = x;
    return CUDNN_STATUS_SUCCESS;
}

FAKE_API cudnnStatus_t cudnnDestroy(void* h)
{
    std::lock_guard<std::mutex> g(mu);
    if (!handles.erase((Handle*)h)) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnDestroy", "not a live cuDNN handle");
    delete (Handle*)h;
    return CUDNN_STATUS_SUCCESS;
}

FAKE_API cudnnStatus_t cudnnSetStream(void* h, void* stream)
{
    Args a("cudnnSetStream");
    a.handle(h);
    if (!a.ok()) return a.status;
    if (!fakecuda_check_stream(stream, a.call)) return fail(CUDNN_STATUS_BAD_PARAM, a.call, "not a stream");
    ((Handle*)h)->stream = stream;
    return CUDNN_STATUS_SUCCESS;
}

template <class T> static cudnnStatus_t createDesc(std::set<T*>& live, void** out, const char* call)
{
    if (out == nullptr) return fail(CUDNN_STATUS_BAD_PARAM, call, "NULL output");
    std::lock_guard<std::mutex> g(mu);
    T* d = new T();
    live.insert(d);
    *out = d;
    return CUDNN_STATUS_SUCCESS;
}
template <class T> static cudnnStatus_t destroyDesc(std::set<T*>& live, void* d, const char* call)
{
    std::lock_guard<std::mutex> g(mu);
    if (d == nullptr) return CUDNN_STATUS_SUCCESS; // cuDNN: destroying NULL is a no-op
    if (!live.erase((T*)d)) return fail(CUDNN_STATUS_BAD_PARAM, call, "not a live descriptor (destroyed twice?)");
    delete (T*)d;
    return CUDNN_STATUS_SUCCESS;
}

FAKE_API cudnnStatus_t cudnnCreateTensorDescriptor(void** d) { return createDesc(tensors, d, "cudnnCreateTensorDescriptor"); }
FAKE_API cudnnStatus_t cudnnDestroyTensorDescriptor(void* d) { return destroyDesc(tensors, d, "cudnnDestroyTensorDescriptor"); }
FAKE_API cudnnStatus_t cudnnCreateFilterDescriptor(void** d) { return createDesc(filters, d, "cudnnCreateFilterDescriptor"); }
FAKE_API cudnnStatus_t cudnnDestroyFilterDescriptor(void* d) { return destroyDesc(filters, d, "cudnnDestroyFilterDescriptor"); }
FAKE_API cudnnStatus_t cudnnCreateConvolutionDescriptor(void** d) { return createDesc(convs, d, "cudnnCreateConvolutionDescriptor"); }
FAKE_API cudnnStatus_t cudnnDestroyConvolutionDescriptor(void* d) { return destroyDesc(convs, d, "cudnnDestroyConvolutionDescriptor"); }

// cudnnTensorFormat_t: NCHW 0, NHWC 1, NCHW_VECT_C 2. cudnnDataType_t: FLOAT 0, DOUBLE 1, HALF 2, ...
FAKE_API cudnnStatus_t cudnnSetTensor4dDescriptor(void* d, int format, int dataType, int n, int c, int h, int w)
{
    const char* call = "cudnnSetTensor4dDescriptor";
    std::lock_guard<std::mutex> g(mu);
    if (!tensors.count((TensorDesc*)d)) return fail(CUDNN_STATUS_BAD_PARAM, call, "not a live tensor descriptor");
    if (format < 0 || format > 2 || dataType < 0 || dataType > 14) return fail(CUDNN_STATUS_BAD_PARAM, call, "bad format or data type");
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) return fail(CUDNN_STATUS_BAD_PARAM, call, "non-positive dimension");
    if (format != 0 || dataType != 0) return fail(CUDNN_STATUS_NOT_SUPPORTED, call, "the fake supports FLOAT NCHW only");
    *(TensorDesc*)d = TensorDesc{true, {n, c, h, w}};
    return CUDNN_STATUS_SUCCESS;
}

FAKE_API cudnnStatus_t cudnnSetFilter4dDescriptor(void* d, int dataType, int format, int k, int c, int h, int w)
{
    const char* call = "cudnnSetFilter4dDescriptor";
    std::lock_guard<std::mutex> g(mu);
    if (!filters.count((FilterDesc*)d)) return fail(CUDNN_STATUS_BAD_PARAM, call, "not a live filter descriptor");
    if (format < 0 || format > 2 || dataType < 0 || dataType > 14) return fail(CUDNN_STATUS_BAD_PARAM, call, "bad format or data type");
    if (k <= 0 || c <= 0 || h <= 0 || w <= 0) return fail(CUDNN_STATUS_BAD_PARAM, call, "non-positive dimension");
    if (format != 0 || dataType != 0) return fail(CUDNN_STATUS_NOT_SUPPORTED, call, "the fake supports FLOAT NCHW only");
    *(FilterDesc*)d = FilterDesc{true, {k, c, h, w}};
    return CUDNN_STATUS_SUCCESS;
}

FAKE_API cudnnStatus_t cudnnSetConvolution2dDescriptor(void* d, int padH, int padW, int u, int v, int dilH, int dilW,
                                                       int mode, int computeType)
{
    const char* call = "cudnnSetConvolution2dDescriptor";
    std::lock_guard<std::mutex> g(mu);
    if (!convs.count((ConvDesc*)d)) return fail(CUDNN_STATUS_BAD_PARAM, call, "not a live convolution descriptor");
    if (padH < 0 || padW < 0 || u <= 0 || v <= 0 || dilH <= 0 || dilW <= 0 || (mode != 0 && mode != 1))
        return fail(CUDNN_STATUS_BAD_PARAM, call, "bad pad/stride/dilation/mode");
    if (computeType != 0) return fail(CUDNN_STATUS_NOT_SUPPORTED, call, "the fake computes FLOAT only");
    ConvDesc* c = (ConvDesc*)d;
    int math = c->mathType;
    *c = ConvDesc{true, padH, padW, u, v, dilH, dilW, mode, math};
    return CUDNN_STATUS_SUCCESS;
}

FAKE_API cudnnStatus_t cudnnSetConvolutionMathType(void* d, int mathType)
{
    const char* call = "cudnnSetConvolutionMathType";
    std::lock_guard<std::mutex> g(mu);
    if (!convs.count((ConvDesc*)d)) return fail(CUDNN_STATUS_BAD_PARAM, call, "not a live convolution descriptor");
    if (mathType < 0 || mathType > 3) return fail(CUDNN_STATUS_BAD_PARAM, call, "math type " + std::to_string(mathType));
    FAKE_TRACE("%s: %p -> math type %d", call, d, mathType);
    ((ConvDesc*)d)->mathType = mathType;
    return CUDNN_STATUS_SUCCESS;
}

// ---- algorithm queries -----------------------------------------------------------------------------

FAKE_API cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(void* h, void* xD, void* wD, void* cD, void* yD,
                                                              int requested, int* returned, void* perf)
{
    Args a("cudnnGetConvolutionForwardAlgorithm_v7");
    a.handle(h);
    Dims x = a.tensor(xD, "xDesc"), w = a.filter(wD, "wDesc"), y = a.tensor(yD, "yDesc");
    ConvDesc cd = a.conv(cD);
    checkConv(a, x, w, y, cd);
    return listAlgos(a, FWD, cd.mathType, requested, returned, perf);
}

FAKE_API cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(void* h, void* wD, void* dyD, void* cD, void* dxD,
                                                                   int requested, int* returned, void* perf)
{
    Args a("cudnnGetConvolutionBackwardDataAlgorithm_v7");
    a.handle(h);
    Dims w = a.filter(wD, "wDesc"), dy = a.tensor(dyD, "dyDesc"), dx = a.tensor(dxD, "dxDesc");
    ConvDesc cd = a.conv(cD);
    checkConv(a, dx, w, dy, cd);
    return listAlgos(a, BWD_DATA, cd.mathType, requested, returned, perf);
}

FAKE_API cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(void* h, void* xD, void* dyD, void* cD, void* dwD,
                                                                     int requested, int* returned, void* perf)
{
    Args a("cudnnGetConvolutionBackwardFilterAlgorithm_v7");
    a.handle(h);
    Dims x = a.tensor(xD, "xDesc"), dy = a.tensor(dyD, "dyDesc"), dw = a.filter(dwD, "dwDesc");
    ConvDesc cd = a.conv(cD);
    checkConv(a, x, dw, dy, cd);
    return listAlgos(a, BWD_FILTER, cd.mathType, requested, returned, perf);
}

FAKE_API cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(void* h, void* xD, void* wD, void* cD, void* yD, int algo,
                                                               size_t* bytes)
{
    Args a("cudnnGetConvolutionForwardWorkspaceSize");
    a.handle(h);
    Dims x = a.tensor(xD, "xDesc"), w = a.filter(wD, "wDesc"), y = a.tensor(yD, "yDesc");
    checkConv(a, x, w, y, a.conv(cD));
    return workspaceOf(a, FWD, algo, bytes);
}

FAKE_API cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(void* h, void* wD, void* dyD, void* cD, void* dxD,
                                                                    int algo, size_t* bytes)
{
    Args a("cudnnGetConvolutionBackwardDataWorkspaceSize");
    a.handle(h);
    Dims w = a.filter(wD, "wDesc"), dy = a.tensor(dyD, "dyDesc"), dx = a.tensor(dxD, "dxDesc");
    checkConv(a, dx, w, dy, a.conv(cD));
    return workspaceOf(a, BWD_DATA, algo, bytes);
}

FAKE_API cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(void* h, void* xD, void* dyD, void* cD, void* dwD,
                                                                      int algo, size_t* bytes)
{
    Args a("cudnnGetConvolutionBackwardFilterWorkspaceSize");
    a.handle(h);
    Dims x = a.tensor(xD, "xDesc"), dy = a.tensor(dyD, "dyDesc"), dw = a.filter(dwD, "dwDesc");
    checkConv(a, x, dw, dy, a.conv(cD));
    return workspaceOf(a, BWD_FILTER, algo, bytes);
}

// ---- measured algorithm search (cudnnFind*Algorithm) -------------------------------------------------

namespace {

// What cudnnFind*Algorithm "measures" per direction: invented times, fastest first. For backward data
// and filter a NON-deterministic algorithm beats the deterministic ones (a caller taking the fastest and
// one preferring determinism choose differently), a tensor-op variant is fastest of all but is listed
// only for descriptors that allow tensor ops (not FMA_MATH), and forward has one algorithm that fails
// (status NOT_SUPPORTED, listed last as cuDNN lists failures), so callers must check each status.
struct Timed { int algo; float ms; bool tensorOps; int status; };
const std::vector<Timed> FWD_TIMES = {{1, 0.20f, true, 0}, {1, 0.50f, false, 0}, {0, 0.80f, false, 0},
                                      {2, -1.0f, false, CUDNN_STATUS_NOT_SUPPORTED}};
const std::vector<Timed> BWD_DATA_TIMES = {{1, 0.30f, true, 0}, {0, 0.40f, false, 0}, {1, 0.70f, false, 0}};
const std::vector<Timed> BWD_FILTER_TIMES = {{1, 0.30f, true, 0}, {3, 0.45f, false, 0}, {0, 0.60f, false, 0},
                                             {1, 0.90f, false, 0}};

// FAKE_CUDNN_FIND_FAIL=1 (read at each call) makes every cudnnFind*Algorithm call fail with
// CUDNN_STATUS_INTERNAL_ERROR after writing a garbage returnedAlgoCount far above requestedAlgoCount: what a
// caller of the JCudnn binding gets from a failed search, since the binding copies the count back (and that
// many entries) whatever the status. Each such failure is logged.
bool findFailRequested()
{
    const char* v = std::getenv("FAKE_CUDNN_FIND_FAIL");
    return v != nullptr && std::strcmp(v, "1") == 0;
}

cudnnStatus_t findAlgos(Args& a, const std::vector<Algo>& algos, const std::vector<Timed>& times, int mathType,
                        int requested, int* returned, void* perfOut)
{
    if (!a.ok()) return a.status;
    if (requested <= 0 || returned == nullptr || perfOut == nullptr)
        return fail(CUDNN_STATUS_BAD_PARAM, a.call, "requestedAlgoCount <= 0 or NULL output");
    if (findFailRequested()) {
        *returned = 1 << 30;
        return fail(CUDNN_STATUS_INTERNAL_ERROR, a.call,
                    "FAKE_CUDNN_FIND_FAIL=1: failing on request, returnedAlgoCount set to 2^30");
    }
    const bool tensorOpsAllowed = mathType != 3;
    std::vector<AlgoPerf> found;
    for (const Timed& t : times) {
        if (t.tensorOps && !tensorOpsAllowed) continue;
        const Algo* al = findAlgo(algos, t.algo);
        AlgoPerf p{};
        p.algo = t.algo;
        p.status = t.status;
        p.time = t.ms;
        p.memory = al != nullptr && t.status == 0 ? al->workspace : 0;
        p.determinism = al != nullptr ? al->deterministic : 0;
        p.mathType = t.tensorOps ? 1 : (mathType == 1 || mathType == 2 ? 0 : mathType);
        found.push_back(p);
    }
    // cuDNN's order: successful results by time, then the failures.
    std::stable_sort(found.begin(), found.end(), [](const AlgoPerf& x, const AlgoPerf& y) {
        if ((x.status != 0) != (y.status != 0)) return x.status == 0;
        return x.status == 0 && x.time < y.time;
    });
    const int n = std::min<int>(requested, (int)found.size());
    std::copy(found.begin(), found.begin() + n, (AlgoPerf*)perfOut);
    *returned = n;
    return CUDNN_STATUS_SUCCESS;
}

} // namespace

FAKE_API cudnnStatus_t cudnnFindConvolutionForwardAlgorithm(void* h, void* xD, void* wD, void* cD, void* yD,
                                                            int requested, int* returned, void* perf)
{
    Args a("cudnnFindConvolutionForwardAlgorithm");
    a.handle(h);
    Dims x = a.tensor(xD, "xDesc"), w = a.filter(wD, "wDesc"), y = a.tensor(yD, "yDesc");
    ConvDesc cd = a.conv(cD);
    checkConv(a, x, w, y, cd);
    return findAlgos(a, FWD, FWD_TIMES, cd.mathType, requested, returned, perf);
}

FAKE_API cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithm(void* h, void* wD, void* dyD, void* cD, void* dxD,
                                                                 int requested, int* returned, void* perf)
{
    Args a("cudnnFindConvolutionBackwardDataAlgorithm");
    a.handle(h);
    Dims w = a.filter(wD, "wDesc"), dy = a.tensor(dyD, "dyDesc"), dx = a.tensor(dxD, "dxDesc");
    ConvDesc cd = a.conv(cD);
    checkConv(a, dx, w, dy, cd);
    return findAlgos(a, BWD_DATA, BWD_DATA_TIMES, cd.mathType, requested, returned, perf);
}

FAKE_API cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithm(void* h, void* xD, void* dyD, void* cD, void* dwD,
                                                                   int requested, int* returned, void* perf)
{
    Args a("cudnnFindConvolutionBackwardFilterAlgorithm");
    a.handle(h);
    Dims x = a.tensor(xD, "xDesc"), dy = a.tensor(dyD, "dyDesc"), dw = a.filter(dwD, "dwDesc");
    ConvDesc cd = a.conv(cD);
    checkConv(a, x, dw, dy, cd);
    return findAlgos(a, BWD_FILTER, BWD_FILTER_TIMES, cd.mathType, requested, returned, perf);
}

// ---- convolutions ----------------------------------------------------------------------------------

FAKE_API cudnnStatus_t cudnnConvolutionForward(void* h, const void* alphaP, void* xD, const float* x, void* wD,
                                               const float* w, void* cD, int algo, void* ws, size_t wsBytes,
                                               const void* betaP, void* yD, float* y)
{
    Args a("cudnnConvolutionForward");
    a.handle(h);
    Geometry g{a.tensor(xD, "xDesc"), a.filter(wD, "wDesc"), a.tensor(yD, "yDesc"), a.conv(cD)};
    checkConv(a, g.x, g.w, g.y, g.cd);
    checkAlgo(a, FWD, algo, ws, wsBytes);
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    a.device(x, g.x.size(), "x"); a.device(w, g.w.size(), "w"); a.device(y, g.y.size(), "y");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        // TF32 unless FMA_MATH, rounded when the work runs (a replayed graph rounds the data present then).
        FakeOperand xr(x, g.x.size(), tf32Conv(g.cd)), wr(w, g.w.size(), tf32Conv(g.cd));
        const float* const xt = xr.p;
        const float* const wt = wr.p;
        const int N = g.x.n, C = g.x.c, H = g.x.h, W = g.x.w, K = g.w.n, R = g.w.h, S = g.w.w, P = g.y.h, Q = g.y.w;
#pragma omp parallel for collapse(2) schedule(static)
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++) {
                std::vector<double> acc((size_t)P * Q, 0.0);
                for (int c = 0; c < C; c++) {
                    const float* xp = xt + ((long long)n * C + c) * H * W;
                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++) {
                            const double wv = wt[g.widx(k, c, r, s)];
                            int p0, p1, q0, q1;
                            Geometry::valid(P, H, g.cd.padH, g.cd.u, r * g.cd.dilH, p0, p1);
                            Geometry::valid(Q, W, g.cd.padW, g.cd.v, s * g.cd.dilW, q0, q1);
                            const int v = g.cd.v;
                            for (int p = p0; p < p1; p++) {
                                const float* row = xp + (long long)g.ih(p, r) * W + g.iw(0, s);
                                double* ap = acc.data() + (size_t)p * Q;
                                for (int q = q0; q < q1; q++) ap[q] += wv * row[(long long)q * v];
                            }
                        }
                }
                blend(y + ((long long)n * K + k) * P * Q, acc.data(), (long long)P * Q, alpha, beta);
            }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

FAKE_API cudnnStatus_t cudnnConvolutionBackwardData(void* h, const void* alphaP, void* wD, const float* w, void* dyD,
                                                    const float* dy, void* cD, int algo, void* ws, size_t wsBytes,
                                                    const void* betaP, void* dxD, float* dx)
{
    Args a("cudnnConvolutionBackwardData");
    a.handle(h);
    Geometry g{a.tensor(dxD, "dxDesc"), a.filter(wD, "wDesc"), a.tensor(dyD, "dyDesc"), a.conv(cD)};
    checkConv(a, g.x, g.w, g.y, g.cd);
    checkAlgo(a, BWD_DATA, algo, ws, wsBytes);
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    a.device(w, g.w.size(), "w"); a.device(dy, g.y.size(), "dy"); a.device(dx, g.x.size(), "dx");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        // TF32 unless FMA_MATH, rounded when the work runs (a replayed graph rounds the data present then).
        FakeOperand wr(w, g.w.size(), tf32Conv(g.cd)), dyr(dy, g.y.size(), tf32Conv(g.cd));
        const float* const wt = wr.p;
        const float* const dyt = dyr.p;
        const int N = g.x.n, C = g.x.c, H = g.x.h, W = g.x.w, K = g.w.n, R = g.w.h, S = g.w.w, P = g.y.h, Q = g.y.w;
#pragma omp parallel for collapse(2) schedule(static)
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++) {
                std::vector<double> acc((size_t)H * W, 0.0);
                for (int k = 0; k < K; k++) {
                    const float* dyp = dyt + ((long long)n * K + k) * P * Q;
                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++) {
                            const double wv = wt[g.widx(k, c, r, s)];
                            int p0, p1, q0, q1;
                            Geometry::valid(P, H, g.cd.padH, g.cd.u, r * g.cd.dilH, p0, p1);
                            Geometry::valid(Q, W, g.cd.padW, g.cd.v, s * g.cd.dilW, q0, q1);
                            const int v = g.cd.v;
                            for (int p = p0; p < p1; p++) {
                                double* row = acc.data() + (size_t)g.ih(p, r) * W + g.iw(0, s);
                                const float* dp = dyp + (long long)p * Q;
                                for (int q = q0; q < q1; q++) row[(long long)q * v] += wv * dp[q];
                            }
                        }
                }
                blend(dx + ((long long)n * C + c) * H * W, acc.data(), (long long)H * W, alpha, beta);
            }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

FAKE_API cudnnStatus_t cudnnConvolutionBackwardFilter(void* h, const void* alphaP, void* xD, const float* x, void* dyD,
                                                      const float* dy, void* cD, int algo, void* ws, size_t wsBytes,
                                                      const void* betaP, void* dwD, float* dw)
{
    Args a("cudnnConvolutionBackwardFilter");
    a.handle(h);
    Geometry g{a.tensor(xD, "xDesc"), a.filter(dwD, "dwDesc"), a.tensor(dyD, "dyDesc"), a.conv(cD)};
    checkConv(a, g.x, g.w, g.y, g.cd);
    checkAlgo(a, BWD_FILTER, algo, ws, wsBytes);
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    a.device(x, g.x.size(), "x"); a.device(dy, g.y.size(), "dy"); a.device(dw, g.w.size(), "dw");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        // TF32 unless FMA_MATH, rounded when the work runs (a replayed graph rounds the data present then).
        FakeOperand xr(x, g.x.size(), tf32Conv(g.cd)), dyr(dy, g.y.size(), tf32Conv(g.cd));
        const float* const xt = xr.p;
        const float* const dyt = dyr.p;
        const int N = g.x.n, C = g.x.c, H = g.x.h, W = g.x.w, K = g.w.n, R = g.w.h, S = g.w.w, P = g.y.h, Q = g.y.w;
#pragma omp parallel for collapse(2) schedule(static)
        for (int k = 0; k < K; k++)
            for (int c = 0; c < C; c++) {
                double acc[64][64];
                std::vector<double> accv;
                double* A = (R <= 64 && S <= 64) ? &acc[0][0] : (accv.assign((size_t)R * S, 0.0), accv.data());
                const int ld = (R <= 64 && S <= 64) ? 64 : S;
                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++) A[r * ld + s] = 0.0;
                for (int n = 0; n < N; n++) {
                    const float* xp = xt + ((long long)n * C + c) * H * W;
                    const float* dyp = dyt + ((long long)n * K + k) * P * Q;
                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++) {
                            double sum = 0.0;
                            int p0, p1, q0, q1;
                            Geometry::valid(P, H, g.cd.padH, g.cd.u, r * g.cd.dilH, p0, p1);
                            Geometry::valid(Q, W, g.cd.padW, g.cd.v, s * g.cd.dilW, q0, q1);
                            const int v = g.cd.v;
                            for (int p = p0; p < p1; p++) {
                                const float* row = xp + (long long)g.ih(p, r) * W + g.iw(0, s);
                                const float* dp = dyp + (long long)p * Q;
                                for (int q = q0; q < q1; q++) sum += (double)dp[q] * row[(long long)q * v];
                            }
                            A[r * ld + s] += sum;
                        }
                }
                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++) {
                        float* d = dw + g.widx(k, c, r, s);
                        double v = (double)alpha * A[r * ld + s];
                        if (beta != 0.0f) v += (double)beta * *d;
                        *d = (float)v;
                    }
            }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

FAKE_API cudnnStatus_t cudnnConvolutionBackwardBias(void* h, const void* alphaP, void* dyD, const float* dy,
                                                    const void* betaP, void* dbD, float* db)
{
    Args a("cudnnConvolutionBackwardBias");
    a.handle(h);
    Dims y = a.tensor(dyD, "dyDesc"), b = a.tensor(dbD, "dbDesc");
    a.same(b, Dims{1, y.c, 1, 1}, "dbDesc must be [1, C, 1, 1] of dyDesc");
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    a.device(dy, y.size(), "dy"); a.device(db, b.size(), "db");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        const long long hw = (long long)y.h * y.w;
        std::vector<double> acc(y.c, 0.0);
        for (int n = 0; n < y.n; n++)
            for (int c = 0; c < y.c; c++) {
                const float* p = dy + ((long long)n * y.c + c) * hw;
                for (long long i = 0; i < hw; i++) acc[c] += p[i];
            }
        blend(db, acc.data(), y.c, alpha, beta);
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

// C = alpha A + beta C; each dimension of A equals C's or is 1 (broadcast).
FAKE_API cudnnStatus_t cudnnAddTensor(void* h, const void* alphaP, void* aD, const float* A, const void* betaP, void* cD,
                                      float* C)
{
    Args a("cudnnAddTensor");
    a.handle(h);
    Dims ad = a.tensor(aD, "aDesc"), cdims = a.tensor(cD, "cDesc");
    if (a.ok() && ((ad.n != cdims.n && ad.n != 1) || (ad.c != cdims.c && ad.c != 1) || (ad.h != cdims.h && ad.h != 1)
                   || (ad.w != cdims.w && ad.w != 1)))
        a.bad(CUDNN_STATUS_BAD_PARAM, "A " + str(ad) + " does not broadcast to C " + str(cdims));
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    a.device(A, ad.size(), "A"); a.device(C, cdims.size(), "C");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        for (int n = 0; n < cdims.n; n++)
            for (int c = 0; c < cdims.c; c++)
                for (int y = 0; y < cdims.h; y++)
                    for (int x = 0; x < cdims.w; x++) {
                        const long long ai = (((long long)(ad.n == 1 ? 0 : n) * ad.c + (ad.c == 1 ? 0 : c)) * ad.h
                                              + (ad.h == 1 ? 0 : y)) * ad.w + (ad.w == 1 ? 0 : x);
                        float& dst = C[(((long long)n * cdims.c + c) * cdims.h + y) * cdims.w + x];
                        double r = (double)alpha * A[ai];
                        if (beta != 0.0f) r += (double)beta * dst;
                        dst = (float)r;
                    }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

// ---- batch normalization ---------------------------------------------------------------------------
// cudnnBatchNormMode_t: PER_ACTIVATION 0 (statistics per (c, h, w) over n), SPATIAL 1 (per c over n, h, w).
// The scale/bias/mean/variance descriptor is what cudnnDeriveBNTensorDescriptor gives: [1, C, 1, 1]
// for SPATIAL, [1, C, H, W] for PER_ACTIVATION.

namespace {

struct BnLayout {
    int mode;
    Dims x;
    long long features() const { return mode == 1 ? x.c : (long long)x.c * x.h * x.w; }
    long long count() const { return mode == 1 ? (long long)x.n * x.h * x.w : x.n; }
    // Calls f(index into x) for every value of feature j.
    template <class F> void each(long long j, F f) const
    {
        const long long hw = (long long)x.h * x.w;
        if (mode == 1) {
            for (int n = 0; n < x.n; n++) {
                const long long base = ((long long)n * x.c + j) * hw;
                for (long long i = 0; i < hw; i++) f(base + i);
            }
        } else {
            const long long chw = (long long)x.c * hw;
            for (int n = 0; n < x.n; n++) f((long long)n * chw + j);
        }
    }
};

void checkBnParams(Args& a, int mode, const Dims& x, const Dims& p)
{
    if (!a.ok()) return;
    if (mode != 0 && mode != 1) {
        if (mode == 2) a.bad(CUDNN_STATUS_NOT_SUPPORTED, "SPATIAL_PERSISTENT is not emulated");
        else a.bad(CUDNN_STATUS_BAD_PARAM, "mode " + std::to_string(mode));
        return;
    }
    Dims want = mode == 1 ? Dims{1, x.c, 1, 1} : Dims{1, x.c, x.h, x.w};
    a.same(p, want, mode == 1 ? "SPATIAL batch norm parameters must be [1, C, 1, 1]"
                              : "PER_ACTIVATION batch norm parameters must be [1, C, H, W]");
}

} // namespace

FAKE_API cudnnStatus_t cudnnBatchNormalizationForwardTraining(
    void* h, int mode, const void* alphaP, const void* betaP, void* xD, const float* x, void* yD, float* y, void* pD,
    const float* scale, const float* bias, double factor, float* runMean, float* runVar, double epsilon,
    float* saveMean, float* saveInvStd)
{
    Args a("cudnnBatchNormalizationForwardTraining");
    a.handle(h);
    Dims xd = a.tensor(xD, "xDesc"), yd = a.tensor(yD, "yDesc"), pd = a.tensor(pD, "bnScaleBiasMeanVarDesc");
    a.same(xd, yd, "xDesc and yDesc differ");
    checkBnParams(a, mode, xd, pd);
    if (a.ok() && (runMean == nullptr) != (runVar == nullptr))
        a.bad(CUDNN_STATUS_BAD_PARAM, "resultRunningMean and resultRunningVariance must both be NULL or both not");
    if (a.ok() && (saveMean == nullptr) != (saveInvStd == nullptr))
        a.bad(CUDNN_STATUS_BAD_PARAM, "resultSaveMean and resultSaveInvVariance must both be NULL or both not");
    if (a.ok() && !(epsilon >= 0.0)) a.bad(CUDNN_STATUS_BAD_PARAM, "epsilon < CUDNN_BN_MIN_EPSILON (0)");
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    BnLayout L{mode, xd};
    const long long F = L.features(), M = L.count();
    if (a.ok() && M < 2 && runVar != nullptr) a.bad(CUDNN_STATUS_BAD_PARAM, "one value per feature: no unbiased variance");
    a.device(x, xd.size(), "x"); a.device(y, yd.size(), "y"); a.device(scale, F, "bnScale"); a.device(bias, F, "bnBias");
    if (runMean) { a.device(runMean, F, "resultRunningMean"); a.device(runVar, F, "resultRunningVariance"); }
    if (saveMean) { a.device(saveMean, F, "resultSaveMean"); a.device(saveInvStd, F, "resultSaveInvVariance"); }
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        for (long long j = 0; j < F; j++) {
            double sum = 0.0;
            L.each(j, [&](long long i) { sum += x[i]; });
            const double mean = sum / (double)M;
            double sq = 0.0;
            L.each(j, [&](long long i) { const double d = x[i] - mean; sq += d * d; });
            const double var = sq / (double)M; // biased: used to normalise
            const double invStd = 1.0 / std::sqrt(var + epsilon);
            const double g = scale[j], b = bias[j];
            L.each(j, [&](long long i) {
                double r = (double)alpha * (g * (x[i] - mean) * invStd + b);
                if (beta != 0.0f) r += (double)beta * y[i];
                y[i] = (float)r;
            });
            if (runMean != nullptr) {
                const double unbiased = sq / (double)(M - 1);
                runMean[j] = (float)((1.0 - factor) * runMean[j] + factor * mean);
                runVar[j] = (float)((1.0 - factor) * runVar[j] + factor * unbiased);
            }
            if (saveMean != nullptr) {
                saveMean[j] = (float)mean;
                saveInvStd[j] = (float)invStd;
            }
        }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

FAKE_API cudnnStatus_t cudnnBatchNormalizationForwardInference(
    void* h, int mode, const void* alphaP, const void* betaP, void* xD, const float* x, void* yD, float* y, void* pD,
    const float* scale, const float* bias, const float* estMean, const float* estVar, double epsilon)
{
    Args a("cudnnBatchNormalizationForwardInference");
    a.handle(h);
    Dims xd = a.tensor(xD, "xDesc"), yd = a.tensor(yD, "yDesc"), pd = a.tensor(pD, "bnScaleBiasMeanVarDesc");
    a.same(xd, yd, "xDesc and yDesc differ");
    checkBnParams(a, mode, xd, pd);
    if (a.ok() && !(epsilon >= 0.0)) a.bad(CUDNN_STATUS_BAD_PARAM, "epsilon < CUDNN_BN_MIN_EPSILON (0)");
    float alpha = a.scalar(alphaP, "alpha"), beta = a.scalar(betaP, "beta");
    BnLayout L{mode, xd};
    const long long F = L.features();
    a.device(x, xd.size(), "x"); a.device(y, yd.size(), "y"); a.device(scale, F, "bnScale"); a.device(bias, F, "bnBias");
    a.device(estMean, F, "estimatedMean"); a.device(estVar, F, "estimatedVariance");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        for (long long j = 0; j < F; j++) {
            const double mean = estMean[j], invStd = 1.0 / std::sqrt((double)estVar[j] + epsilon);
            const double g = scale[j], b = bias[j];
            L.each(j, [&](long long i) {
                double r = (double)alpha * (g * (x[i] - mean) * invStd + b);
                if (beta != 0.0f) r += (double)beta * y[i];
                y[i] = (float)r;
            });
        }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}

FAKE_API cudnnStatus_t cudnnBatchNormalizationBackward(
    void* h, int mode, const void* alphaDataP, const void* betaDataP, const void* alphaParamP, const void* betaParamP,
    void* xD, const float* x, void* dyD, const float* dy, void* dxD, float* dx, void* pD, const float* scale,
    float* dScale, float* dBias, double epsilon, const float* savedMean, const float* savedInvStd)
{
    Args a("cudnnBatchNormalizationBackward");
    a.handle(h);
    Dims xd = a.tensor(xD, "xDesc"), dyd = a.tensor(dyD, "dyDesc"), dxd = a.tensor(dxD, "dxDesc"),
         pd = a.tensor(pD, "dBnScaleBiasDesc");
    a.same(xd, dyd, "xDesc and dyDesc differ");
    a.same(xd, dxd, "xDesc and dxDesc differ");
    checkBnParams(a, mode, xd, pd);
    if (a.ok() && (savedMean == nullptr) != (savedInvStd == nullptr))
        a.bad(CUDNN_STATUS_BAD_PARAM, "savedMean and savedInvVariance must both be NULL or both not");
    if (a.ok() && !(epsilon >= 0.0)) a.bad(CUDNN_STATUS_BAD_PARAM, "epsilon < CUDNN_BN_MIN_EPSILON (0)");
    float aD = a.scalar(alphaDataP, "alphaDataDiff"), bD = a.scalar(betaDataP, "betaDataDiff");
    float aP = a.scalar(alphaParamP, "alphaParamDiff"), bP = a.scalar(betaParamP, "betaParamDiff");
    BnLayout L{mode, xd};
    const long long F = L.features(), M = L.count();
    a.device(x, xd.size(), "x"); a.device(dy, xd.size(), "dy"); a.device(dx, xd.size(), "dx");
    a.device(scale, F, "bnScale"); a.device(dScale, F, "dBnScaleResult"); a.device(dBias, F, "dBnBiasResult");
    if (savedMean) { a.device(savedMean, F, "savedMean"); a.device(savedInvStd, F, "savedInvVariance"); }
    if (a.ok() && (dx == x || dx == dy))
        fake_log("WARNING: cudnnBatchNormalizationBackward: dx aliases %s", dx == x ? "x" : "dy");
    if (!a.ok()) return a.status;
    // Everything the work needs was read above (scalars, descriptors): a captured call keeps it.
    return (cudnnStatus_t)fake_submit(((Handle*)h)->stream, [=] {
        for (long long j = 0; j < F; j++) {
            double mean, invStd;
            if (savedMean != nullptr) {
                mean = savedMean[j];
                invStd = savedInvStd[j];
            } else {
                double sum = 0.0;
                L.each(j, [&](long long i) { sum += x[i]; });
                mean = sum / (double)M;
                double sq = 0.0;
                L.each(j, [&](long long i) { const double d = x[i] - mean; sq += d * d; });
                invStd = 1.0 / std::sqrt(sq / (double)M + epsilon);
            }
            double sumDy = 0.0, sumDyXhat = 0.0;
            L.each(j, [&](long long i) {
                sumDy += dy[i];
                sumDyXhat += (double)dy[i] * ((x[i] - mean) * invStd);
            });
            const double g = scale[j];
            // dx = gamma invStd / M (M dy - sum(dy) - xhat sum(dy xhat))
            L.each(j, [&](long long i) {
                const double xhat = (x[i] - mean) * invStd;
                const double r = g * invStd / (double)M * ((double)M * dy[i] - sumDy - xhat * sumDyXhat);
                double v = (double)aD * r;
                if (bD != 0.0f) v += (double)bD * dx[i];
                dx[i] = (float)v;
            });
            double s = (double)aP * sumDyXhat, b = (double)aP * sumDy;
            if (bP != 0.0f) { s += (double)bP * dScale[j]; b += (double)bP * dBias[j]; }
            dScale[j] = (float)s;
            dBias[j] = (float)b;
        }
        return (int)CUDNN_STATUS_SUCCESS;
    });
}
