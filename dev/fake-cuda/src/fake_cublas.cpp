// Fake libcublas.so.12: the cuBLAS v2 calls dcgan-java makes, on the CPU, per the cuBLAS reference:
// column-major storage, op(X) = X or X^T, leading dimensions, alpha/beta read from host memory (the
// default CUBLAS_POINTER_MODE_HOST), and beta == 0 meaning the output is not read (NaN in it does not
// propagate). Products accumulate in double and are rounded to float once. Every matrix and vector
// argument must lie inside live device memory of the fake driver. Development tool only.
#include "fake_common.h"

#include <cmath>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

typedef int cublasStatus_t;

namespace {

enum : int {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
};
enum : int { OP_N = 0, OP_T = 1, OP_C = 2 };

struct Handle {
    const void* stream = nullptr;
    int mathMode = 0;
    const void* workspace = nullptr; // cublasSetWorkspace: must stay live while the handle computes
    size_t workspaceBytes = 0;
};
std::mutex mu;
std::set<Handle*> handles;

const char* statusName(int s)
{
    switch (s) {
    case 0: return "CUBLAS_STATUS_SUCCESS";
    case 1: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case 3: return "CUBLAS_STATUS_ALLOC_FAILED";
    case 7: return "CUBLAS_STATUS_INVALID_VALUE";
    case 8: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case 11: return "CUBLAS_STATUS_MAPPING_ERROR";
    case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case 14: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case 16: return "CUBLAS_STATUS_LICENSE_ERROR";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

cublasStatus_t fail(cublasStatus_t s, const char* call, const std::string& why)
{
    fake_log("%s -> %s (%d): %s", call, statusName(s), s, why.c_str());
    return s;
}

cublasStatus_t checkHandle(void* h, const char* call)
{
    std::lock_guard<std::mutex> g(mu);
    if (!handles.count((Handle*)h)) return fail(CUBLAS_STATUS_NOT_INITIALIZED, call, "not a live cuBLAS handle");
    if (!fakecuda_context_ok(call)) return fail(CUBLAS_STATUS_NOT_INITIALIZED, call, "no usable CUDA context on this thread");
    return CUBLAS_STATUS_SUCCESS;
}

// Elements a column-major rows x cols matrix with leading dimension ld spans.
size_t matrixSpan(long long rows, long long cols, long long ld)
{
    if (rows <= 0 || cols <= 0) return 0;
    return (size_t)((cols - 1) * ld + rows);
}
size_t vectorSpan(long long n, long long inc)
{
    if (n <= 0) return 0;
    return (size_t)((n - 1) * std::llabs(inc) + 1);
}
bool inDevice(const float* p, size_t elements, const char* call, const char* what)
{
    return elements == 0 || fakecuda_check_range(p, elements * sizeof(float), call, what);
}
// cuBLAS: for a negative increment, element i is at (n - 1 - i) * |inc|.
inline long long vecIndex(long long i, long long n, long long inc)
{
    return inc > 0 ? i * inc : (n - 1 - i) * -inc;
}

// CUBLAS_TF32_TENSOR_OP_MATH (3): sgemm may run on tensor cores, which read A and B as TF32 (the
// sums stay FP32; here double). sgemv and sger have no tensor-core path in cuBLAS, so they stay exact.
bool tf32Gemm(void* handle)
{
    return (((Handle*)handle)->mathMode & ~16) == 3;
}

} // namespace

FAKE_API cublasStatus_t cublasCreate_v2(void** handle)
{
    if (handle == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasCreate", "NULL output");
    if (!fakecuda_context_ok("cublasCreate")) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasCreate", "no usable CUDA context");
    std::lock_guard<std::mutex> g(mu);
    Handle* h = new Handle();
    handles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_API cublasStatus_t cublasDestroy_v2(void* handle)
{
    std::lock_guard<std::mutex> g(mu);
    if (!handles.erase((Handle*)handle)) return fail(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy", "not a live cuBLAS handle");
    delete (Handle*)handle;
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_API cublasStatus_t cublasSetStream_v2(void* handle, void* stream)
{
    if (cublasStatus_t s = checkHandle(handle, "cublasSetStream")) return s;
    if (!fakecuda_check_stream(stream, "cublasSetStream")) return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetStream", "bad stream");
    ((Handle*)handle)->stream = stream;
    return CUBLAS_STATUS_SUCCESS;
}

// cuBLAS docs: the workspace must be 256-byte aligned and stay allocated while the handle uses it; size 0
// (or NULL) returns to the library's own workspace.
FAKE_API cublasStatus_t cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes)
{
    const char* call = "cublasSetWorkspace";
    if (cublasStatus_t s = checkHandle(handle, call)) return s;
    if (workspace != nullptr && bytes > 0) {
        if ((uintptr_t)workspace % 256 != 0) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "workspace not 256-byte aligned");
        if (!fakecuda_check_range(workspace, bytes, call, "workspace"))
            return fail(CUBLAS_STATUS_INVALID_VALUE, call, "the workspace is not device memory");
    }
    ((Handle*)handle)->workspace = bytes > 0 ? workspace : nullptr;
    ((Handle*)handle)->workspaceBytes = workspace != nullptr ? bytes : 0;
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_API cublasStatus_t cublasSetMathMode(void* handle, int mode)
{
    if (cublasStatus_t s = checkHandle(handle, "cublasSetMathMode")) return s;
    int base = mode & ~16; // CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION
    if (base < 0 || base > 3 || (mode & ~(16 | 3)) != 0)
        return fail(CUBLAS_STATUS_INVALID_VALUE, "cublasSetMathMode", "mode " + std::to_string(mode));
    ((Handle*)handle)->mathMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_API cublasStatus_t cublasGetVersion_v2(void* handle, int* version)
{
    if (cublasStatus_t s = checkHandle(handle, "cublasGetVersion")) return s;
    if (version == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *version = 120604;
    return CUBLAS_STATUS_SUCCESS;
}

FAKE_API const char* cublasGetStatusName(cublasStatus_t s) { return statusName(s); }
FAKE_API const char* cublasGetStatusString(cublasStatus_t s) { return statusName(s); }

// C = alpha op(A) op(B) + beta C; op(A) m x k, op(B) k x n, C m x n.
FAKE_API cublasStatus_t cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k,
                                       const float* alpha, const float* A, int lda, const float* B, int ldb,
                                       const float* beta, float* C, int ldc)
{
    const char* call = "cublasSgemm";
    if (cublasStatus_t s = checkHandle(handle, call)) return s;
    if (transa < 0 || transa > 2 || transb < 0 || transb > 2) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "bad op");
    if (m < 0 || n < 0 || k < 0) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "negative size");
    const bool ta = transa != OP_N, tb = transb != OP_N;
    // A is m x k (N) or k x m (T) as stored; B is k x n (N) or n x k (T).
    const long long aRows = ta ? k : m, aCols = ta ? m : k;
    const long long bRows = tb ? n : k, bCols = tb ? k : n;
    if (lda < std::max(1LL, aRows)) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "lda " + std::to_string(lda) + " < rows of A " + std::to_string(aRows));
    if (ldb < std::max(1LL, bRows)) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "ldb " + std::to_string(ldb) + " < rows of B " + std::to_string(bRows));
    if (ldc < std::max(1, m)) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "ldc " + std::to_string(ldc) + " < m " + std::to_string(m));
    if (alpha == nullptr || beta == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "NULL alpha or beta");
    const float a = *alpha, b = *beta;
    if (m == 0 || n == 0 || ((a == 0.0f || k == 0) && b == 1.0f)) return CUBLAS_STATUS_SUCCESS;
    const bool readAB = a != 0.0f && k > 0;
    if ((readAB && (!inDevice(A, matrixSpan(aRows, aCols, lda), call, "A") || !inDevice(B, matrixSpan(bRows, bCols, ldb), call, "B")))
        || !inDevice(C, matrixSpan(m, n, ldc), call, "C"))
        return fail(CUBLAS_STATUS_EXECUTION_FAILED, call, "an operand is outside device memory (an illegal address on a GPU)");
    const bool tf32 = readAB && tf32Gemm(handle); // the math mode at the call, as cuBLAS takes it
    // alpha and beta were read above: a captured call keeps their values, as cuBLAS does.
    const void* ws = ((Handle*)handle)->workspace;
    const size_t wsBytes = ((Handle*)handle)->workspaceBytes;
    return (cublasStatus_t)fake_submit(((Handle*)handle)->stream, [=] {
        // cuBLAS may use its workspace for any GEMM: freed too early, it is an illegal address.
        if (ws != nullptr && !fakecuda_check_range(ws, wsBytes, "cublasSgemm", "the cublasSetWorkspace workspace"))
            return (int)fail(CUBLAS_STATUS_EXECUTION_FAILED, "cublasSgemm", "the workspace was freed");
        // Rounded when the work runs, so that a replayed graph rounds the data present then.
        FakeOperand opA(A, matrixSpan(aRows, aCols, lda), tf32), opB(B, matrixSpan(bRows, bCols, ldb), tf32);
        const float* const At = opA.p;
        const float* const Bt = opB.p;
#pragma omp parallel for schedule(static)
        for (int j = 0; j < n; j++) {
            std::vector<double> col(m, 0.0);
            if (readAB && ta) {
                // op(A) = A^T: column i of A is contiguous, so take dot products.
                for (int i = 0; i < m; i++) {
                    const float* ai = At + (size_t)i * lda;
                    double sum = 0.0;
                    if (!tb) {
                        const float* bj = Bt + (size_t)j * ldb;
                        for (int p = 0; p < k; p++) sum += (double)ai[p] * bj[p];
                    } else {
                        for (int p = 0; p < k; p++) sum += (double)ai[p] * Bt[j + (size_t)p * ldb];
                    }
                    col[i] = sum;
                }
            } else if (readAB) {
                for (int p = 0; p < k; p++) {
                    const double bv = tb ? Bt[j + (size_t)p * ldb] : Bt[p + (size_t)j * ldb];
                    if (!ta) {
                        const float* ap = At + (size_t)p * lda;
                        for (int i = 0; i < m; i++) col[i] += (double)ap[i] * bv;
                    } else {
                        for (int i = 0; i < m; i++) col[i] += (double)At[p + (size_t)i * lda] * bv;
                    }
                }
            }
            float* cp = C + (size_t)j * ldc;
            for (int i = 0; i < m; i++) {
                double r = (double)a * col[i];
                if (b != 0.0f) r += (double)b * cp[i];
                cp[i] = (float)r;
            }
        }
        return (int)CUBLAS_STATUS_SUCCESS;
    });
}

// y = alpha op(A) x + beta y; A is m x n as stored.
FAKE_API cublasStatus_t cublasSgemv_v2(void* handle, int trans, int m, int n, const float* alpha, const float* A,
                                       int lda, const float* x, int incx, const float* beta, float* y, int incy)
{
    const char* call = "cublasSgemv";
    if (cublasStatus_t s = checkHandle(handle, call)) return s;
    if (trans < 0 || trans > 2) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "bad op");
    if (m < 0 || n < 0 || incx == 0 || incy == 0 || lda < std::max(1, m))
        return fail(CUBLAS_STATUS_INVALID_VALUE, call, "m " + std::to_string(m) + ", n " + std::to_string(n) + ", lda "
                                                       + std::to_string(lda) + ", incx " + std::to_string(incx) + ", incy " + std::to_string(incy));
    if (alpha == nullptr || beta == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "NULL alpha or beta");
    const float a = *alpha, b = *beta;
    if (m == 0 || n == 0 || (a == 0.0f && b == 1.0f)) return CUBLAS_STATUS_SUCCESS;
    const bool t = trans != OP_N;
    const int xl = t ? m : n, yl = t ? n : m;
    if ((a != 0.0f && (!inDevice(A, matrixSpan(m, n, lda), call, "A") || !inDevice(x, vectorSpan(xl, incx), call, "x")))
        || !inDevice(y, vectorSpan(yl, incy), call, "y"))
        return fail(CUBLAS_STATUS_EXECUTION_FAILED, call, "an operand is outside device memory");
    // alpha and beta were read above: a captured call keeps their values, as cuBLAS does.
    return (cublasStatus_t)fake_submit(((Handle*)handle)->stream, [=] {
        std::vector<double> acc(yl, 0.0);
        if (a != 0.0f) {
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++) {
                    const double av = A[i + (size_t)j * lda];
                    if (!t) acc[i] += av * x[vecIndex(j, n, incx)];
                    else acc[j] += av * x[vecIndex(i, m, incx)];
                }
        }
        for (int i = 0; i < yl; i++) {
            float& yi = y[vecIndex(i, yl, incy)];
            double r = (double)a * acc[i];
            if (b != 0.0f) r += (double)b * yi;
            yi = (float)r;
        }
        return (int)CUBLAS_STATUS_SUCCESS;
    });
}

// A = alpha x y^T + A; A m x n.
FAKE_API cublasStatus_t cublasSger_v2(void* handle, int m, int n, const float* alpha, const float* x, int incx,
                                      const float* y, int incy, float* A, int lda)
{
    const char* call = "cublasSger";
    if (cublasStatus_t s = checkHandle(handle, call)) return s;
    if (m < 0 || n < 0 || incx == 0 || incy == 0 || lda < std::max(1, m))
        return fail(CUBLAS_STATUS_INVALID_VALUE, call, "m " + std::to_string(m) + ", n " + std::to_string(n) + ", lda "
                                                       + std::to_string(lda));
    if (alpha == nullptr) return fail(CUBLAS_STATUS_INVALID_VALUE, call, "NULL alpha");
    const float a = *alpha;
    if (m == 0 || n == 0 || a == 0.0f) return CUBLAS_STATUS_SUCCESS;
    if (!inDevice(x, vectorSpan(m, incx), call, "x") || !inDevice(y, vectorSpan(n, incy), call, "y")
        || !inDevice(A, matrixSpan(m, n, lda), call, "A"))
        return fail(CUBLAS_STATUS_EXECUTION_FAILED, call, "an operand is outside device memory");
    // alpha and beta were read above: a captured call keeps their values, as cuBLAS does.
    return (cublasStatus_t)fake_submit(((Handle*)handle)->stream, [=] {
        for (int j = 0; j < n; j++) {
            const double yj = (double)a * y[vecIndex(j, n, incy)];
            for (int i = 0; i < m; i++) {
                float& aij = A[i + (size_t)j * lda];
                aij = (float)((double)aij + (double)x[vecIndex(i, m, incx)] * yj);
            }
        }
        return (int)CUBLAS_STATUS_SUCCESS;
    });
}
