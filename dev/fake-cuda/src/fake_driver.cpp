// Fake libcuda.so.1: the CUDA driver API calls dcgan-java makes, emulated on the CPU.
//
// Device memory is host memory (CUdeviceptr = host address), every call is synchronous, streams are
// bookkeeping only. Kernels are the UNMODIFIED kernels/*.cu compiled with g++ through
// kernels/check/cuda_host_shim.h; cuLaunchKernel unpacks kernelParams by each kernel's C signature.
// The checks follow the CUDA Driver API reference: a current, live context for memory and launch
// calls, handles that exist, copies and kernel arguments inside live allocations, PTX that the driver
// of the oldest supported CUDA (12.0: PTX ISA <= 8.0) would accept, entries the PTX declares whose
// parameter lists match the host signatures. Development tool only: see dev/fake-cuda/README.md.
#include "fake_common.h"

#include "cuda_host_shim.h"

#include "adam.cu"
#include "leaky_relu.cu"
#include "philox.cu"
#include "relu.cu"
#include "sigmoid.cu"
#include "sigmoid_cross_entropy.cu"
#include "tanh.cu"

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

namespace {

// cuda.h's CUresult values used here.
enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_ILLEGAL_STATE = 401,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_CONTEXT_IS_DESTROYED = 709,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
    CUDA_ERROR_STREAM_CAPTURE_INVALIDATED = 901,
    CUDA_ERROR_STREAM_CAPTURE_IMPLICIT = 906,
};

const char* errorName(int r)
{
    switch (r) {
    case 0: return "CUDA_SUCCESS";
    case 1: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case 3: return "CUDA_ERROR_NOT_INITIALIZED";
    case 4: return "CUDA_ERROR_DEINITIALIZED";
    case 34: return "CUDA_ERROR_STUB_LIBRARY";
    case 100: return "CUDA_ERROR_NO_DEVICE";
    case 101: return "CUDA_ERROR_INVALID_DEVICE";
    case 200: return "CUDA_ERROR_INVALID_IMAGE";
    case 201: return "CUDA_ERROR_INVALID_CONTEXT";
    case 209: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
    case 218: return "CUDA_ERROR_INVALID_PTX";
    case 222: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
    case 400: return "CUDA_ERROR_INVALID_HANDLE";
    case 401: return "CUDA_ERROR_ILLEGAL_STATE";
    case 500: return "CUDA_ERROR_NOT_FOUND";
    case 700: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case 701: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case 709: return "CUDA_ERROR_CONTEXT_IS_DESTROYED";
    case 719: return "CUDA_ERROR_LAUNCH_FAILED";
    case 801: return "CUDA_ERROR_NOT_SUPPORTED";
    case 900: return "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED";
    case 901: return "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED";
    case 906: return "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT";
    case 999: return "CUDA_ERROR_UNKNOWN";
    default: return nullptr;
    }
}

const char* errorText(int r)
{
    switch (r) {
    case 0: return "no error";
    case 1: return "invalid argument";
    case 2: return "out of memory";
    case 3: return "initialization error";
    case 101: return "invalid device ordinal";
    case 200: return "device kernel image is invalid";
    case 201: return "invalid device context";
    case 209: return "no kernel image is available for execution on the device";
    case 218: return "a PTX JIT compilation failed";
    case 222: return "the provided PTX was compiled with an unsupported toolchain.";
    case 400: return "invalid resource handle";
    case 500: return "named symbol not found";
    case 700: return "an illegal memory access was encountered";
    case 701: return "too many resources requested for launch";
    case 709: return "context is destroyed";
    case 801: return "operation not supported";
    case 900: return "operation not permitted when stream is capturing";
    case 901: return "operation failed due to a previous error during capture";
    case 906: return "operation would make the legacy stream depend on a capturing blocking stream";
    default: return nullptr;
    }
}

const int DRIVER_VERSION = 12080; // a CUDA 12.8 driver
const size_t DEFAULT_TOTAL = size_t(16) << 30;
const char* DEVICE_NAME = "Fake CUDA device (CPU emulation)";

struct Context { int refs = 0; };

// One recorded piece of work of a graph (see fakecuda_record).
struct Node {
    int (*run)(void*);
    void (*drop)(void*);
    void* work;
};
// The nodes of a captured graph, shared by the graph and its executable graphs: the last owner frees them.
struct NodeList {
    std::vector<Node> nodes;
    ~NodeList() { for (Node& n : nodes) n.drop(n.work); }
};
struct Graph { std::shared_ptr<NodeList> nodes; };
struct GraphExec { std::shared_ptr<NodeList> nodes; };

struct Stream {
    unsigned flags;
    // Set from cuStreamBeginCapture to cuStreamEndCapture: the graph being recorded.
    std::shared_ptr<NodeList> capture;
    bool invalidated = false; // something illegal happened during the capture
};
struct Function;
struct Module {
    std::map<std::string, std::vector<std::string>> entries; // name -> PTX parameter types
    std::vector<Function*> functions;
};
struct KernelInfo;
struct Function { Module* module; const KernelInfo* kernel; std::string name; };

std::recursive_mutex mu;
bool initialised = false;
Context primary;
thread_local Context* current = nullptr;
std::map<uintptr_t, size_t> allocations; // start -> bytes
size_t liveBytes = 0;
std::set<Stream*> streams;
std::set<Module*> modules;
std::set<Function*> functions;
std::set<Graph*> graphs;
std::set<GraphExec*> graphExecs;
std::map<uintptr_t, size_t> pinnedHost; // cuMemAllocHost: start -> bytes
struct Event { unsigned flags; bool recorded = false; };
std::set<Event*> events;

size_t totalMemory()
{
    static const size_t total = [] {
        const char* v = std::getenv("FAKE_CUDA_MEM_LIMIT");
        if (v == nullptr || *v == '\0') return DEFAULT_TOTAL;
        char* end = nullptr;
        double x = std::strtod(v, &end);
        size_t mul = 1;
        if (end && (*end == 'k' || *end == 'K')) mul = 1 << 10;
        if (end && (*end == 'm' || *end == 'M')) mul = 1 << 20;
        if (end && (*end == 'g' || *end == 'G')) mul = 1 << 30;
        return (size_t)(x * (double)mul);
    }();
    return total;
}

CUresult fail(CUresult r, const char* call, const std::string& why)
{
    fake_log("%s -> %s (%d): %s", call, errorName(r) ? errorName(r) : "?", r, why.c_str());
    return r;
}

// The preconditions of every call that needs a context.
CUresult needContext(const char* call)
{
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, call, "cuInit has not been called");
    if (current == nullptr) return fail(CUDA_ERROR_INVALID_CONTEXT, call, "no context is current on this thread");
    if (current->refs <= 0) return fail(CUDA_ERROR_CONTEXT_IS_DESTROYED, call, "the current (primary) context was released");
    return CUDA_SUCCESS;
}

// The fake supports global capture mode only (what the Java backend uses): while any stream captures,
// calls that would synchronise with it or allocate are errors that invalidate the capture.
Stream* anyCapturing()
{
    for (Stream* s : streams)
        if (s->capture) return s;
    return nullptr;
}

CUresult refuseWhileCapturing(const char* call, CUresult status, const char* why)
{
    Stream* s = anyCapturing();
    if (s == nullptr) return CUDA_SUCCESS;
    s->invalidated = true;
    return fail(status, call, std::string(why) + " while a stream is being captured (the capture is now invalidated)");
}

bool inAllocation(uintptr_t p, size_t bytes)
{
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return false;
    --it;
    return p >= it->first && bytes <= it->second && p - it->first <= it->second - bytes;
}

std::string describe(uintptr_t p, size_t bytes)
{
    char buf[160];
    std::snprintf(buf, sizeof buf, "[0x%llx, +%zu bytes)", (unsigned long long)p, bytes);
    std::string s = buf;
    auto it = allocations.upper_bound(p);
    if (it != allocations.begin()) {
        --it;
        std::snprintf(buf, sizeof buf, "; nearest allocation below: [0x%llx, +%zu bytes)",
                      (unsigned long long)it->first, it->second);
        s += buf;
    } else {
        s += "; no allocation below it";
    }
    return s;
}

void releaseAll()
{
    if (!allocations.empty()) {
        fake_log("note: the primary context was released with %zu device allocations (%zu bytes) still live; "
                 "freeing them as the driver would", allocations.size(), liveBytes);
    }
    for (auto& a : allocations) std::free((void*)a.first);
    allocations.clear();
    liveBytes = 0;
    if (!streams.empty()) fake_log("note: %zu streams still live at context release", streams.size());
    for (Stream* s : streams) delete s;
    streams.clear();
    if (!modules.empty()) fake_log("note: %zu modules still loaded at context release", modules.size());
    for (Module* m : modules) {
        for (Function* f : m->functions) { functions.erase(f); delete f; }
        delete m;
    }
    modules.clear();
}

// ---- kernels ---------------------------------------------------------------------------------------

struct Launch {
    void** params;
    unsigned grid, block;
    const char* name;
    CUresult status = CUDA_SUCCESS;

    template <class T> T value(int i) const { T v; std::memcpy(&v, params[i], sizeof(T)); return v; }
    float* floats(int i) const
    {
        CUdeviceptr d;
        std::memcpy(&d, params[i], sizeof d);
        return (float*)(uintptr_t)d;
    }
    // A kernel argument that the kernel reads or writes `count` floats of.
    void need(const float* p, long long count, const char* what)
    {
        if (status != CUDA_SUCCESS || count <= 0) return;
        if (!inAllocation((uintptr_t)p, (size_t)count * 4)) {
            status = fail(CUDA_ERROR_ILLEGAL_ADDRESS, "cuLaunchKernel",
                          std::string(name) + ": argument '" + what + "' " + describe((uintptr_t)p, (size_t)count * 4)
                          + " is not inside one live device allocation");
        }
    }
    template <class K> void run(K k, bool cooperative = false)
    {
        if (status == CUDA_SUCCESS) hostLaunch(grid, block, k, cooperative);
    }
};

void warnOverlap(const char* kernel, std::initializer_list<std::pair<const float*, const char*>> ptrs, long long n)
{
    std::vector<std::pair<const float*, const char*>> v(ptrs);
    for (size_t i = 0; i < v.size(); i++)
        for (size_t j = i + 1; j < v.size(); j++)
            if (n > 0 && v[i].first < v[j].first + n && v[j].first < v[i].first + n)
                fake_log("WARNING: %s: '%s' and '%s' overlap, which the kernel does not allow", kernel,
                         v[i].second, v[j].second);
}

struct KernelInfo {
    const char* name;
    std::vector<std::string> ptxParams; // what nvcc emits for the C signature
    unsigned maxThreads;                // __launch_bounds__, else the device limit
    void (*launch)(Launch&);
};

const KernelInfo KERNELS[] = {
    {"leaky_relu_forward", {"u64", "u64", "f32", "u32"}, 1024, [](Launch& l) {
         float* x = l.floats(0); float* y = l.floats(1); float alpha = l.value<float>(2); int n = l.value<int>(3);
         l.need(x, n, "x"); l.need(y, n, "y");
         l.run([&] { leaky_relu_forward(x, y, alpha, n); });
     }},
    {"leaky_relu_backward", {"u64", "u64", "u64", "f32", "u32"}, 1024, [](Launch& l) {
         float* y = l.floats(0); float* dy = l.floats(1); float* dx = l.floats(2);
         float alpha = l.value<float>(3); int n = l.value<int>(4);
         l.need(y, n, "y"); l.need(dy, n, "dy"); l.need(dx, n, "dx");
         l.run([&] { leaky_relu_backward(y, dy, dx, alpha, n); });
     }},
    {"relu_forward", {"u64", "u64", "u32"}, 1024, [](Launch& l) {
         float* x = l.floats(0); float* y = l.floats(1); int n = l.value<int>(2);
         l.need(x, n, "x"); l.need(y, n, "y");
         l.run([&] { relu_forward(x, y, n); });
     }},
    {"relu_backward", {"u64", "u64", "u64", "u32"}, 1024, [](Launch& l) {
         float* y = l.floats(0); float* dy = l.floats(1); float* dx = l.floats(2); int n = l.value<int>(3);
         l.need(y, n, "y"); l.need(dy, n, "dy"); l.need(dx, n, "dx");
         l.run([&] { relu_backward(y, dy, dx, n); });
     }},
    {"sigmoid_forward", {"u64", "u64", "u32"}, 1024, [](Launch& l) {
         float* x = l.floats(0); float* y = l.floats(1); int n = l.value<int>(2);
         l.need(x, n, "x"); l.need(y, n, "y");
         l.run([&] { sigmoid_forward(x, y, n); });
     }},
    {"sigmoid_backward", {"u64", "u64", "u64", "u32"}, 1024, [](Launch& l) {
         float* y = l.floats(0); float* dy = l.floats(1); float* dx = l.floats(2); int n = l.value<int>(3);
         l.need(y, n, "y"); l.need(dy, n, "dy"); l.need(dx, n, "dx");
         l.run([&] { sigmoid_backward(y, dy, dx, n); });
     }},
    {"tanh_forward", {"u64", "u64", "u32"}, 1024, [](Launch& l) {
         float* x = l.floats(0); float* y = l.floats(1); int n = l.value<int>(2);
         l.need(x, n, "x"); l.need(y, n, "y");
         l.run([&] { tanh_forward(x, y, n); });
     }},
    {"tanh_backward", {"u64", "u64", "u64", "u32"}, 1024, [](Launch& l) {
         float* y = l.floats(0); float* dy = l.floats(1); float* dx = l.floats(2); int n = l.value<int>(3);
         l.need(y, n, "y"); l.need(dy, n, "dy"); l.need(dx, n, "dx");
         l.run([&] { tanh_backward(y, dy, dx, n); });
     }},
    {"sigmoid_cross_entropy", {"u64", "f32", "u64", "u64", "u32"}, 256, [](Launch& l) {
         float* logits = l.floats(0); float label = l.value<float>(1); float* dlogits = l.floats(2);
         float* loss = l.floats(3); int n = l.value<int>(4);
         l.need(logits, n, "logits"); l.need(dlogits, n, "dlogits"); l.need(loss, 1, "loss");
         warnOverlap("sigmoid_cross_entropy", {{logits, "logits"}, {dlogits, "dlogits"}}, n);
         l.run([&] { sigmoid_cross_entropy(logits, label, dlogits, loss, n); }, true);
     }},
    {"adam_step", {"u64", "u64", "u64", "u64", "f32", "f32", "f32", "f32", "u32"}, 1024, [](Launch& l) {
         float* p = l.floats(0); float* g = l.floats(1); float* m = l.floats(2); float* v = l.floats(3);
         float lr = l.value<float>(4), b1 = l.value<float>(5), b2 = l.value<float>(6), eps = l.value<float>(7);
         int n = l.value<int>(8);
         l.need(p, n, "p"); l.need(g, n, "g"); l.need(m, n, "m"); l.need(v, n, "v");
         warnOverlap("adam_step", {{p, "p"}, {g, "g"}, {m, "m"}, {v, "v"}}, n); // __restrict__
         l.run([&] { adam_step(p, g, m, v, lr, b1, b2, eps, n); });
     }},
    {"philox_uniform", {"u64", "u32", "u32", "u32", "u32", "u32", "u32", "f32", "f32"}, 1024, [](Launch& l) {
         float* dst = l.floats(0); int n = l.value<int>(1);
         unsigned k0 = l.value<unsigned>(2), k1 = l.value<unsigned>(3), c1 = l.value<unsigned>(4),
                  c2 = l.value<unsigned>(5), c3 = l.value<unsigned>(6);
         float lo = l.value<float>(7), hi = l.value<float>(8);
         l.need(dst, n, "dst");
         l.run([&] { philox_uniform(dst, n, k0, k1, c1, c2, c3, lo, hi); });
     }},
    {"philox_normal", {"u64", "u32", "u32", "u32", "u32", "u32", "u32"}, 1024, [](Launch& l) {
         float* dst = l.floats(0); int n = l.value<int>(1);
         unsigned k0 = l.value<unsigned>(2), k1 = l.value<unsigned>(3), c1 = l.value<unsigned>(4),
                  c2 = l.value<unsigned>(5), c3 = l.value<unsigned>(6);
         l.need(dst, n, "dst");
         l.run([&] { philox_normal(dst, n, k0, k1, c1, c2, c3); });
     }},
};

const KernelInfo* kernelNamed(const std::string& name)
{
    for (const KernelInfo& k : KERNELS)
        if (name == k.name) return &k;
    return nullptr;
}

// ---- PTX -------------------------------------------------------------------------------------------

bool isIdent(char c) { return std::isalnum((unsigned char)c) || c == '_' || c == '$'; }

// Strips // and /* */ comments.
std::string stripComments(const std::string& s)
{
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (s.compare(i, 2, "//") == 0) {
            while (i < s.size() && s[i] != '\n') i++;
        } else if (s.compare(i, 2, "/*") == 0) {
            size_t e = s.find("*/", i + 2);
            i = e == std::string::npos ? s.size() : e + 2;
            out += ' ';
        } else {
            out += s[i++];
        }
    }
    return out;
}

CUresult parsePtx(const char* image, Module& m)
{
    const char* call = "cuModuleLoadData";
    const size_t MAX = size_t(64) << 20;
    size_t len = 0;
    while (len < MAX && image[len] != '\0') len++;
    if (len == MAX) return fail(CUDA_ERROR_INVALID_IMAGE, call, "image is not NUL-terminated text (no NUL in 64 MiB)");
    if (len >= 4 && std::memcmp(image, "\x7f" "ELF", 4) == 0)
        return fail(CUDA_ERROR_NOT_SUPPORTED, call, "a cubin (ELF) image; the fake only takes PTX text");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)image[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
            return fail(CUDA_ERROR_INVALID_IMAGE, call, "image is not PTX text (control byte at offset " + std::to_string(i) + ")");
    }
    std::string text = stripComments(std::string(image, len));
    // PTX: the first directive must be .version, then .target.
    size_t i = text.find_first_not_of(" \t\r\n");
    if (i == std::string::npos || text.compare(i, 9, ".version ") != 0)
        return fail(CUDA_ERROR_INVALID_PTX, call, "the first directive is not .version");
    int major = 0, minor = 0;
    if (std::sscanf(text.c_str() + i + 9, "%d.%d", &major, &minor) != 2)
        return fail(CUDA_ERROR_INVALID_PTX, call, "unreadable .version");
    if (major * 10 + minor > 80)
        return fail(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, call,
                    "PTX ISA " + std::to_string(major) + "." + std::to_string(minor)
                    + " is newer than 8.0, the most a CUDA 12.0 driver (this project's minimum) accepts");
    size_t t = text.find(".target", i);
    int sm = 0;
    if (t == std::string::npos || std::sscanf(text.c_str() + t, ".target sm_%d", &sm) != 1)
        return fail(CUDA_ERROR_INVALID_PTX, call, "no .target sm_XX directive");
    if (sm > 90) return fail(CUDA_ERROR_NO_BINARY_FOR_GPU, call, "PTX targets sm_" + std::to_string(sm) + " > sm_90");
    for (size_t p = text.find(".entry"); p != std::string::npos; p = text.find(".entry", p + 6)) {
        if (p > 0 && isIdent(text[p - 1])) continue;
        size_t q = p + 6;
        while (q < text.size() && std::isspace((unsigned char)text[q])) q++;
        size_t s = q;
        while (q < text.size() && isIdent(text[q])) q++;
        std::string name = text.substr(s, q - s);
        while (q < text.size() && std::isspace((unsigned char)text[q])) q++;
        std::vector<std::string> types;
        if (q < text.size() && text[q] == '(') {
            size_t close = text.find(')', q);
            if (close == std::string::npos) return fail(CUDA_ERROR_INVALID_PTX, call, "unterminated parameter list of " + name);
            std::string list = text.substr(q + 1, close - q - 1);
            for (size_t a = list.find(".param"); a != std::string::npos; a = list.find(".param", a + 6)) {
                size_t b = list.find('.', a + 6);
                size_t e = b;
                while (e + 1 < list.size() && isIdent(list[e + 1])) e++;
                if (b == std::string::npos) return fail(CUDA_ERROR_INVALID_PTX, call, "bad parameter of " + name);
                types.push_back(list.substr(b + 1, e - b));
            }
        }
        if (name.empty()) return fail(CUDA_ERROR_INVALID_PTX, call, "an .entry without a name");
        m.entries[name] = types;
    }
    if (m.entries.empty()) return fail(CUDA_ERROR_INVALID_PTX, call, "the PTX declares no .entry");
    return CUDA_SUCCESS;
}

std::string join(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return "(" + s + ")";
}

Context* const PRIMARY_HANDLE = &primary;

} // namespace

// ---- exported helpers for the fake cuBLAS / cuDNN --------------------------------------------------

FAKE_API int fakecuda_check_range(const void* p, size_t bytes, const char* call, const char* what)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (p != nullptr && inAllocation((uintptr_t)p, bytes)) return 1;
    fake_log("%s: '%s' %s is not inside one live device allocation", call, what, describe((uintptr_t)p, bytes).c_str());
    return 0;
}

FAKE_API int fakecuda_check_stream(const void* s, const char* call)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (s == nullptr || streams.count((Stream*)s)) return 1;
    fake_log("%s: %p is not a live stream", call, s);
    return 0;
}

FAKE_API int fakecuda_context_ok(const char* call)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    return needContext(call) == CUDA_SUCCESS;
}

// ---- driver API ------------------------------------------------------------------------------------

FAKE_API CUresult cuInit(unsigned int flags)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    FAKE_TRACE("cuInit(%u)", flags);
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuInit", "flags must be 0");
    initialised = true;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDriverGetVersion(int* v)
{
    if (v == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDriverGetVersion", "NULL output");
    *v = DRIVER_VERSION;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDeviceGetCount(int* n)
{
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceGetCount", "cuInit has not been called");
    if (n == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetCount", "NULL output");
    *n = 1;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDeviceGet(CUdevice* d, int ordinal)
{
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuDeviceGet", "cuInit has not been called");
    if (d == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGet", "NULL output");
    if (ordinal != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "cuDeviceGet", "only device 0 exists");
    *d = 0;
    return CUDA_SUCCESS;
}

static CUresult checkDevice(CUdevice d, const char* call)
{
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, call, "cuInit has not been called");
    if (d != 0) return fail(CUDA_ERROR_INVALID_DEVICE, call, "device " + std::to_string(d));
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDeviceGetName(char* name, int len, CUdevice d)
{
    if (CUresult r = checkDevice(d, "cuDeviceGetName")) return r;
    if (name == nullptr || len <= 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetName", "bad buffer");
    std::snprintf(name, (size_t)len, "%s", DEVICE_NAME);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDeviceGetAttribute(int* v, int attrib, CUdevice d)
{
    if (CUresult r = checkDevice(d, "cuDeviceGetAttribute")) return r;
    if (v == nullptr || attrib < 1 || attrib > 200)
        return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute", "attribute " + std::to_string(attrib));
    switch (attrib) {
    case 1: *v = 1024; break;          // MAX_THREADS_PER_BLOCK
    case 2: case 3: *v = 1024; break;  // MAX_BLOCK_DIM_X, _Y
    case 4: *v = 64; break;            // MAX_BLOCK_DIM_Z
    case 5: *v = 2147483647; break;    // MAX_GRID_DIM_X
    case 6: case 7: *v = 65535; break; // MAX_GRID_DIM_Y, _Z
    case 8: *v = 49152; break;         // MAX_SHARED_MEMORY_PER_BLOCK
    case 10: *v = 32; break;           // WARP_SIZE
    case 16: *v = 1; break;            // MULTIPROCESSOR_COUNT
    case 75: *v = 9; break;            // COMPUTE_CAPABILITY_MAJOR
    case 76: *v = 0; break;            // COMPUTE_CAPABILITY_MINOR
    default: *v = 0; break;
    }
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d)
{
    if (CUresult r = checkDevice(d, "cuDeviceTotalMem")) return r;
    if (bytes == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDeviceTotalMem", "NULL output");
    *bytes = totalMemory();
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice d)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = checkDevice(d, "cuDevicePrimaryCtxRetain")) return r;
    if (ctx == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuDevicePrimaryCtxRetain", "NULL output");
    primary.refs++;
    *ctx = PRIMARY_HANDLE;
    FAKE_TRACE("cuDevicePrimaryCtxRetain -> refs %d", primary.refs);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = checkDevice(d, "cuDevicePrimaryCtxRelease")) return r;
    if (primary.refs <= 0)
        return fail(CUDA_ERROR_INVALID_CONTEXT, "cuDevicePrimaryCtxRelease", "the primary context is not retained");
    if (--primary.refs == 0) releaseAll();
    FAKE_TRACE("cuDevicePrimaryCtxRelease -> refs %d", primary.refs);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuCtxSetCurrent(void* ctx)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (!initialised) return fail(CUDA_ERROR_NOT_INITIALIZED, "cuCtxSetCurrent", "cuInit has not been called");
    if (ctx != nullptr && ctx != PRIMARY_HANDLE)
        return fail(CUDA_ERROR_INVALID_CONTEXT, "cuCtxSetCurrent", "not a context of this driver");
    if (ctx != nullptr && primary.refs <= 0)
        return fail(CUDA_ERROR_CONTEXT_IS_DESTROYED, "cuCtxSetCurrent", "the primary context is not retained");
    current = (Context*)ctx;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuStreamCreate(void** s, unsigned int flags)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuStreamCreate")) return r;
    if (s == nullptr || flags > 1) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamCreate", "bad output or flags");
    Stream* st = new Stream{flags, nullptr, false};
    streams.insert(st);
    *s = st;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuStreamDestroy_v2(void* s)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuStreamDestroy")) return r;
    if (!streams.erase((Stream*)s)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuStreamDestroy", "not a live stream");
    delete (Stream*)s;
    return CUDA_SUCCESS;
}

static CUresult checkStream(void* s, const char* call)
{
    if (s != nullptr && !streams.count((Stream*)s)) return fail(CUDA_ERROR_INVALID_HANDLE, call, "not a live stream");
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuStreamSynchronize(void* s)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuStreamSynchronize")) return r;
    if (CUresult r = checkStream(s, "cuStreamSynchronize")) return r;
    return refuseWhileCapturing("cuStreamSynchronize", CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "synchronize");
}

FAKE_API CUresult cuCtxSynchronize()
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuCtxSynchronize")) return r;
    return refuseWhileCapturing("cuCtxSynchronize", CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "synchronize");
}

FAKE_API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemAlloc")) return r;
    if (CUresult r = refuseWhileCapturing("cuMemAlloc", CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "allocation")) return r;
    if (dptr == nullptr || bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc", "NULL output or 0 bytes");
    if (bytes > totalMemory() - liveBytes)
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc",
                    std::to_string(bytes) + " bytes wanted, " + std::to_string(totalMemory() - liveBytes) + " free");
    size_t rounded = (bytes + 255) / 256 * 256; // cuMemAlloc memory is aligned for any kind of variable
    void* p = std::aligned_alloc(256, rounded);
    if (p == nullptr) return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc", "host allocation failed");
    // Fresh device memory holds garbage: fill with a NaN pattern so reads of unwritten memory show.
    uint32_t junk = 0x7fc0dead;
    for (size_t i = 0; i < rounded / 4; i++) std::memcpy((char*)p + 4 * i, &junk, 4);
    allocations[(uintptr_t)p] = bytes;
    liveBytes += bytes;
    *dptr = (CUdeviceptr)(uintptr_t)p;
    FAKE_TRACE("cuMemAlloc(%zu) -> %p", bytes, p);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemFree_v2(CUdeviceptr d)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemFree")) return r;
    if (CUresult r = refuseWhileCapturing("cuMemFree", CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "free")) return r;
    auto it = allocations.find((uintptr_t)d);
    if (it == allocations.end())
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree", "not the start of a live allocation: " + describe((uintptr_t)d, 0));
    liveBytes -= it->second;
    std::free((void*)it->first);
    allocations.erase(it);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* total)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemGetInfo")) return r;
    if (freeBytes == nullptr || total == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemGetInfo", "NULL output");
    *total = totalMemory();
    *freeBytes = totalMemory() - liveBytes;
    return CUDA_SUCCESS;
}

static CUresult deviceRange(CUdeviceptr d, size_t bytes, const char* call, const char* what)
{
    if (!inAllocation((uintptr_t)d, bytes))
        return fail(CUDA_ERROR_INVALID_VALUE, call, std::string(what) + " " + describe((uintptr_t)d, bytes)
                                                   + " is not inside one live device allocation");
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t bytes)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemcpyHtoD")) return r;
    if (CUresult r = refuseWhileCapturing("cuMemcpyHtoD", CUDA_ERROR_STREAM_CAPTURE_IMPLICIT,
                                          "a synchronous copy on the legacy stream")) return r;
    if (bytes == 0) return CUDA_SUCCESS;
    if (CUresult r = deviceRange(dst, bytes, "cuMemcpyHtoD", "destination")) return r;
    if (src == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyHtoD", "NULL host source");
    std::memcpy((void*)(uintptr_t)dst, src, bytes);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t bytes)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemcpyDtoH")) return r;
    if (CUresult r = refuseWhileCapturing("cuMemcpyDtoH", CUDA_ERROR_STREAM_CAPTURE_IMPLICIT,
                                          "a synchronous copy on the legacy stream")) return r;
    if (bytes == 0) return CUDA_SUCCESS;
    if (CUresult r = deviceRange(src, bytes, "cuMemcpyDtoH", "source")) return r;
    if (dst == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemcpyDtoH", "NULL host destination");
    std::memcpy(dst, (const void*)(uintptr_t)src, bytes);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemcpyDtoDAsync")) return r;
    if (CUresult r = checkStream(stream, "cuMemcpyDtoDAsync")) return r;
    if (bytes == 0) return CUDA_SUCCESS;
    if (CUresult r = deviceRange(src, bytes, "cuMemcpyDtoDAsync", "source")) return r;
    if (CUresult r = deviceRange(dst, bytes, "cuMemcpyDtoDAsync", "destination")) return r;
    if (dst < src + bytes && src < dst + bytes && dst != src)
        fake_log("WARNING: cuMemcpyDtoDAsync with overlapping ranges (undefined on a GPU)");
    return fake_submit(stream, [=] {
        if (CUresult r = deviceRange(src, bytes, "cuMemcpyDtoDAsync (replayed)", "source")) return r;
        if (CUresult r = deviceRange(dst, bytes, "cuMemcpyDtoDAsync (replayed)", "destination")) return r;
        std::memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, bytes);
        return (CUresult)CUDA_SUCCESS;
    });
}

FAKE_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t n, void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemsetD32Async")) return r;
    if (CUresult r = checkStream(stream, "cuMemsetD32Async")) return r;
    if (dst % 4 != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32Async", "destination not 4-byte aligned");
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult r = deviceRange(dst, n * 4, "cuMemsetD32Async", "destination")) return r;
    return fake_submit(stream, [=] {
        if (CUresult r = deviceRange(dst, n * 4, "cuMemsetD32Async (replayed)", "destination")) return r;
        for (size_t i = 0; i < n; i++) std::memcpy((char*)(uintptr_t)dst + 4 * i, &value, 4);
        return (CUresult)CUDA_SUCCESS;
    });
}

FAKE_API CUresult cuModuleLoadData(void** module, const void* image)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuModuleLoadData")) return r;
    if (module == nullptr || image == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuModuleLoadData", "NULL argument");
    Module* m = new Module();
    if (CUresult r = parsePtx((const char*)image, *m)) {
        delete m;
        return r;
    }
    modules.insert(m);
    *module = m;
    if (fake_trace_on())
        for (auto& e : m->entries) fake_log("cuModuleLoadData: entry %s%s", e.first.c_str(), join(e.second).c_str());
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuModuleGetFunction(void** f, void* module, const char* name)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuModuleGetFunction";
    if (CUresult r = needContext(call)) return r;
    if (f == nullptr || name == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, call, "NULL argument");
    Module* m = (Module*)module;
    if (!modules.count(m)) return fail(CUDA_ERROR_INVALID_HANDLE, call, "not a loaded module");
    auto e = m->entries.find(name);
    if (e == m->entries.end()) return fail(CUDA_ERROR_NOT_FOUND, call, std::string("the PTX declares no entry ") + name);
    const KernelInfo* k = kernelNamed(name);
    if (k == nullptr)
        return fail(CUDA_ERROR_NOT_SUPPORTED, call, std::string("the fake has no host build of kernel ") + name
                                                    + " (add it to KERNELS in dev/fake-cuda/src/fake_driver.cpp)");
    if (e->second != k->ptxParams)
        return fail(CUDA_ERROR_INVALID_PTX, call, std::string(name) + ": the PTX parameters " + join(e->second)
                                                  + " do not match the .cu signature " + join(k->ptxParams)
                                                  + " (stale PTX? run kernels/build.sh)");
    Function* fn = new Function{m, k, name};
    m->functions.push_back(fn);
    functions.insert(fn);
    *f = fn;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuModuleUnload(void* module)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuModuleUnload")) return r;
    Module* m = (Module*)module;
    if (!modules.erase(m)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuModuleUnload", "not a loaded module");
    for (Function* fn : m->functions) { functions.erase(fn); delete fn; }
    delete m;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                 unsigned bz, unsigned sharedMem, void* stream, void** params, void** extra)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuLaunchKernel";
    if (CUresult r = needContext(call)) return r;
    Function* fn = (Function*)f;
    if (!functions.count(fn)) return fail(CUDA_ERROR_INVALID_HANDLE, call, "not a function of a loaded module");
    if (CUresult r = checkStream(stream, call)) return r;
    const KernelInfo* k = fn->kernel;
    FAKE_TRACE("cuLaunchKernel(%s, grid %u,%u,%u, block %u,%u,%u)", k->name, gx, gy, gz, bx, by, bz);
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gy > 65535 || gz > 65535 || bx > 1024
        || by > 1024 || bz > 64 || (unsigned long long)bx * by * bz > 1024)
        return fail(CUDA_ERROR_INVALID_VALUE, call, std::string(k->name) + ": grid/block dimensions out of range");
    if ((unsigned long long)bx * by * bz > k->maxThreads)
        return fail(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, call, std::string(k->name) + ": block larger than its __launch_bounds__");
    if (sharedMem > 49152) return fail(CUDA_ERROR_INVALID_VALUE, call, "more than 48 KiB of dynamic shared memory");
    if (gy != 1 || gz != 1 || by != 1 || bz != 1)
        return fail(CUDA_ERROR_NOT_SUPPORTED, call, "the fake runs 1-D grids and blocks only");
    if (extra != nullptr) {
        if (params != nullptr) return fail(CUDA_ERROR_INVALID_VALUE, call, "both kernelParams and extra given");
        return fail(CUDA_ERROR_NOT_SUPPORTED, call, "the fake does not take parameters through 'extra'");
    }
    if (params == nullptr && !k->ptxParams.empty())
        return fail(CUDA_ERROR_INVALID_VALUE, call, std::string(k->name) + ": kernelParams is NULL");
    for (size_t i = 0; i < k->ptxParams.size(); i++)
        if (params[i] == nullptr)
            return fail(CUDA_ERROR_INVALID_VALUE, call, std::string(k->name) + ": kernelParams[" + std::to_string(i) + "] is NULL");
    // The arguments are read now, as cuLaunchKernel does: a captured launch keeps these values.
    std::vector<unsigned long long> values(k->ptxParams.size());
    for (size_t i = 0; i < values.size(); i++)
        std::memcpy(&values[i], params[i], k->ptxParams[i] == "u64" ? 8 : 4);
    return fake_submit(stream, [=]() mutable {
        std::vector<void*> ptrs(values.size());
        for (size_t i = 0; i < values.size(); i++) ptrs[i] = &values[i];
        Launch l{ptrs.data(), gx, bx, k->name};
        k->launch(l);
        return l.status;
    });
}

// ---- page-locked host memory, asynchronous copies to the host, events --------------------------------
// Work here is done when it is queued, in stream order, so an event is complete as soon as it is
// recorded. What a real GPU adds, the host seeing the copy only after the event, cannot go wrong here;
// the checks are on handles and ranges.

FAKE_API CUresult cuMemAllocHost_v2(void** p, size_t bytes)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemAllocHost")) return r;
    if (CUresult r = refuseWhileCapturing("cuMemAllocHost", CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "allocation")) return r;
    if (p == nullptr || bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAllocHost", "NULL output or 0 bytes");
    void* m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (m == nullptr) return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAllocHost", "host allocation failed");
    pinnedHost[(uintptr_t)m] = bytes;
    *p = m;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemFreeHost(void* p)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuMemFreeHost")) return r;
    if (!pinnedHost.erase((uintptr_t)p)) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFreeHost", "not memory of cuMemAllocHost");
    std::free(p);
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t bytes, void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuMemcpyDtoHAsync";
    if (CUresult r = needContext(call)) return r;
    if (CUresult r = checkStream(stream, call)) return r;
    if (bytes == 0) return CUDA_SUCCESS;
    if (CUresult r = deviceRange(src, bytes, call, "source")) return r;
    if (dst == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, call, "NULL host destination");
    auto it = pinnedHost.upper_bound((uintptr_t)dst);
    bool pinned = it != pinnedHost.begin() && (uintptr_t)dst + bytes <= std::prev(it)->first + std::prev(it)->second;
    if (!pinned)
        fake_log("WARNING: cuMemcpyDtoHAsync into pageable memory: a driver waits for the stream (not asynchronous)");
    return fake_submit(stream, [=] {
        if (CUresult r = deviceRange(src, bytes, "cuMemcpyDtoHAsync (replayed)", "source")) return r;
        std::memcpy(dst, (const void*)(uintptr_t)src, bytes);
        return (CUresult)CUDA_SUCCESS;
    });
}

FAKE_API CUresult cuEventCreate(void** e, unsigned int flags)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuEventCreate")) return r;
    if (e == nullptr || flags > 0xf) return fail(CUDA_ERROR_INVALID_VALUE, "cuEventCreate", "bad output or flags");
    Event* ev = new Event{flags};
    events.insert(ev);
    *e = ev;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuEventRecord(void* e, void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuEventRecord")) return r;
    if (CUresult r = checkStream(stream, "cuEventRecord")) return r;
    if (!events.count((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventRecord", "not a live event");
    if (stream != nullptr && ((Stream*)stream)->capture)
        return fail(CUDA_ERROR_NOT_SUPPORTED, "cuEventRecord", "the fake does not capture event records");
    ((Event*)e)->recorded = true;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuEventSynchronize(void* e)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuEventSynchronize")) return r;
    if (!events.count((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventSynchronize", "not a live event");
    return refuseWhileCapturing("cuEventSynchronize", CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "waiting for an event");
}

FAKE_API CUresult cuEventQuery(void* e)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuEventQuery")) return r;
    if (!events.count((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventQuery", "not a live event");
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuEventDestroy_v2(void* e)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuEventDestroy")) return r;
    if (!events.erase((Event*)e)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuEventDestroy", "not a live event");
    delete (Event*)e;
    return CUDA_SUCCESS;
}

// ---- stream capture and graphs ---------------------------------------------------------------------

FAKE_API int fakecuda_capturing(const void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    return stream != nullptr && streams.count((Stream*)stream) && ((Stream*)stream)->capture != nullptr;
}

FAKE_API void fakecuda_record(const void* stream, int (*run)(void*), void (*drop)(void*), void* work)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    ((Stream*)stream)->capture->nodes.push_back(Node{run, drop, work});
}

FAKE_API CUresult cuStreamBeginCapture_v2(void* s, int mode)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuStreamBeginCapture";
    if (CUresult r = needContext(call)) return r;
    if (s == nullptr) return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, call, "the legacy stream cannot be captured");
    if (CUresult r = checkStream(s, call)) return r;
    if (mode != 0) return fail(CUDA_ERROR_NOT_SUPPORTED, call, "the fake supports CU_STREAM_CAPTURE_MODE_GLOBAL only");
    Stream* st = (Stream*)s;
    if (st->capture) return fail(CUDA_ERROR_ILLEGAL_STATE, call, "the stream is already being captured");
    st->capture = std::make_shared<NodeList>();
    st->invalidated = false;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuStreamEndCapture(void* s, void** graph)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuStreamEndCapture";
    if (CUresult r = needContext(call)) return r;
    if (CUresult r = checkStream(s, call)) return r;
    Stream* st = (Stream*)s;
    if (graph == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, call, "NULL output");
    if (st == nullptr || !st->capture) return fail(CUDA_ERROR_ILLEGAL_STATE, call, "the stream is not being captured");
    std::shared_ptr<NodeList> nodes = std::move(st->capture);
    st->capture.reset();
    *graph = nullptr;
    if (st->invalidated) {
        st->invalidated = false;
        return fail(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, call, "the capture was invalidated by an earlier error");
    }
    Graph* gr = new Graph{nodes};
    graphs.insert(gr);
    *graph = gr;
    FAKE_TRACE("cuStreamEndCapture: %zu nodes", nodes->nodes.size());
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuStreamIsCapturing(void* s, int* status)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuStreamIsCapturing")) return r;
    if (CUresult r = checkStream(s, "cuStreamIsCapturing")) return r;
    if (status == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, "cuStreamIsCapturing", "NULL output");
    Stream* st = (Stream*)s;
    *status = st == nullptr || !st->capture ? 0 : st->invalidated ? 2 : 1;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long flags)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuGraphInstantiate";
    if (CUresult r = needContext(call)) return r;
    if (exec == nullptr) return fail(CUDA_ERROR_INVALID_VALUE, call, "NULL output");
    if (!graphs.count((Graph*)graph)) return fail(CUDA_ERROR_INVALID_HANDLE, call, "not a live graph");
    if (flags != 0) return fail(CUDA_ERROR_NOT_SUPPORTED, call, "the fake takes flags 0 only");
    GraphExec* e = new GraphExec{((Graph*)graph)->nodes};
    graphExecs.insert(e);
    *exec = e;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuGraphUpload(void* exec, void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuGraphUpload")) return r;
    if (CUresult r = checkStream(stream, "cuGraphUpload")) return r;
    if (!graphExecs.count((GraphExec*)exec)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphUpload", "not a live executable graph");
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuGraphLaunch(void* exec, void* stream)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    const char* call = "cuGraphLaunch";
    if (CUresult r = needContext(call)) return r;
    if (CUresult r = checkStream(stream, call)) return r;
    if (!graphExecs.count((GraphExec*)exec)) return fail(CUDA_ERROR_INVALID_HANDLE, call, "not a live executable graph");
    if (stream != nullptr && ((Stream*)stream)->capture)
        return fail(CUDA_ERROR_NOT_SUPPORTED, call, "the fake does not capture graph launches");
    std::shared_ptr<NodeList> nodes = ((GraphExec*)exec)->nodes;
    FAKE_TRACE("cuGraphLaunch: %zu nodes", nodes->nodes.size());
    for (Node& n : nodes->nodes)
        if (int r = n.run(n.work)) return fail(r, call, "a node of the graph failed (its call logged why)");
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuGraphExecDestroy(void* exec)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuGraphExecDestroy")) return r;
    if (!graphExecs.erase((GraphExec*)exec)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphExecDestroy", "not a live executable graph");
    delete (GraphExec*)exec;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuGraphDestroy(void* graph)
{
    std::lock_guard<std::recursive_mutex> g(mu);
    if (CUresult r = needContext("cuGraphDestroy")) return r;
    if (!graphs.erase((Graph*)graph)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuGraphDestroy", "not a live graph");
    delete (Graph*)graph;
    return CUDA_SUCCESS;
}

FAKE_API CUresult cuGetErrorName(CUresult r, const char** s)
{
    if (s == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *s = errorName(r);
    return *s ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

FAKE_API CUresult cuGetErrorString(CUresult r, const char** s)
{
    if (s == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *s = errorText(r);
    return *s ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
