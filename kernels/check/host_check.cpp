// Host check of the kernels in kernels/*.cu: compiles their unmodified source with g++ through
// cuda_host_shim.h, runs each kernel on the CPU for many inputs and several grid shapes, and writes
// inputs and outputs to a file that HostCheck.java compares, bit for bit, with the Java CPU
// reference (CpuBackend, CounterRng). Run it with kernels/check/host_check.sh.
//
// Also checked here, without Java: Philox4x32-10 known-answer vectors (Random123's kat_vectors, as
// in Philox4x32Test), that no kernel writes past element n, and that every grid shape gives the same
// output.
#include "cuda_host_shim.h"

#include "../adam.cu"
#include "../leaky_relu.cu"
#include "../philox.cu"
#include "../relu.cu"
#include "../sigmoid.cu"
#include "../sigmoid_cross_entropy.cu"
#include "../tanh.cu"

#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace {

int failures = 0;

void fail(const std::string& what)
{
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    failures++;
}

uint32_t bitsOf(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
float floatOf(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }

// --- record file: u32 little-endian words (x86 is little-endian) --------------------------------
// record = nameLen, name bytes (padded to 4), nParams, params, nArrays, {len, words}...
std::vector<uint32_t> out;

void putName(const std::string& s)
{
    out.push_back((uint32_t)s.size());
    std::vector<uint32_t> w((s.size() + 3) / 4, 0);
    std::memcpy(w.data(), s.data(), s.size());
    out.insert(out.end(), w.begin(), w.end());
}

void record(const std::string& name, const std::vector<uint32_t>& params,
            const std::vector<std::vector<float>>& arrays)
{
    putName(name);
    out.push_back((uint32_t)params.size());
    out.insert(out.end(), params.begin(), params.end());
    out.push_back((uint32_t)arrays.size());
    for (const auto& a : arrays) {
        out.push_back((uint32_t)a.size());
        for (float f : a) out.push_back(bitsOf(f));
    }
}

// --- inputs ----------------------------------------------------------------------------------------
uint64_t rngState = 0x9E3779B97F4A7C15ull;
uint64_t next64()
{
    uint64_t z = (rngState += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
float uniformIn(float a, float b) { return a + (b - a) * (float)((next64() >> 40) * 0x1p-24); }
// sign * [1, 2) * 2^e with e uniform in [emin, emax]
float wide(int emin, int emax)
{
    int e = emin + (int)(next64() % (uint64_t)(emax - emin + 1));
    float m = 1.0f + (float)((next64() >> 41) * 0x1p-23);
    float v = std::ldexp(m, e);
    return (next64() & 1) ? -v : v;
}

const float INF = std::numeric_limits<float>::infinity();
const float NaN = std::numeric_limits<float>::quiet_NaN();
const std::vector<float> specials = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 0x1p-149f, -0x1p-149f, 0x1.fffffcp-127f, -0x1.fffffcp-127f,
    0x1p-126f, -0x1p-126f, 3.4028235e38f, -3.4028235e38f, INF, -INF, NaN, 1e-8f, -1e-8f, 16.6f,
    -16.6f, 17.0f, -17.0f, 20.0f, -20.0f, 30.0f, -30.0f, 36.7f, -36.7f, 88.0f, -88.0f, 89.0f, -89.0f,
    100.0f, -100.0f, 104.0f, -104.0f, 700.0f, -700.0f, 710.0f, -710.0f, 745.0f, -745.0f, 746.0f,
    -746.0f, 1e30f, -1e30f};

// specials first, then `n - specials` values from gen()
template <class Gen>
std::vector<float> mixture(size_t n, Gen gen, bool withSpecials = true)
{
    std::vector<float> v;
    if (withSpecials) v.assign(specials.begin(), specials.begin() + std::min(n, specials.size()));
    while (v.size() < n) v.push_back(gen());
    return v;
}

// --- launching with guard elements ------------------------------------------------------------------
const size_t GUARD = 9;
const uint32_t GUARD_BITS = 0x7fbadbadu; // a NaN no kernel produces

struct Buf {
    std::vector<float> data;
    explicit Buf(const std::vector<float>& v) : data(v) { data.resize(v.size() + GUARD, floatOf(GUARD_BITS)); }
    explicit Buf(size_t n) : data(n + GUARD, floatOf(GUARD_BITS)) {}
    float* p() { return data.data(); }
    std::vector<float> body() const { return {data.begin(), data.end() - GUARD}; }
    void checkGuard(const std::string& what) const
    {
        for (size_t i = data.size() - GUARD; i < data.size(); i++)
            if (bitsOf(data[i]) != GUARD_BITS) { fail(what + ": wrote past element n"); return; }
    }
};

struct Grid { unsigned blocks, threads; };
std::string tag(const std::string& kernel, Grid g, const std::string& extra = "")
{
    return kernel + "|grid=" + std::to_string(g.blocks) + "x" + std::to_string(g.threads) + extra;
}
std::vector<Grid> gridsFor(size_t workItems)
{
    unsigned full = (unsigned)std::max<size_t>(1, (workItems + 255) / 256);
    return {{1, 256}, {7, 256}, {2, 32}, {full, 256}};
}

// Same output for every grid shape: compares to the first shape's output.
void sameAcrossGrids(const std::string& what, std::vector<float>& first, const std::vector<float>& now, bool isFirst)
{
    if (isFirst) { first = now; return; }
    if (first.size() != now.size() || std::memcmp(first.data(), now.data(), 4 * now.size()) != 0)
        fail(what + ": output depends on the grid shape");
}

void philoxKnownAnswers()
{
    // counter[4], key[2], expected[4]: Random123 kat_vectors, philox4x32 10 rounds
    const uint32_t rows[][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
         0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
         0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (const auto& r : rows) {
        unsigned int c[4] = {r[0], r[1], r[2], r[3]};
        philox4x32_10(c, r[4], r[5]);
        if (c[0] != r[6] || c[1] != r[7] || c[2] != r[8] || c[3] != r[9]) {
            char buf[128];
            std::snprintf(buf, sizeof buf, "Philox KAT %08x..: got %08x %08x %08x %08x", r[0], c[0], c[1], c[2], c[3]);
            fail(buf);
        }
    }
    std::printf("host_check: Philox4x32-10 known-answer vectors checked\n");
}

void elementwise()
{
    const size_t n = 50001;
    const float alpha = 0.2f;
    const std::vector<float> x = mixture(n, [] { return (next64() & 3) ? uniformIn(-8, 8) : wide(-140, 127); });
    const std::vector<float> dy = mixture(n, [] { return wide(-40, 20); }, false);

    // Runs fwd(in, out) and bwd(y, dy, dx) out of place and in place for every grid shape; records all.
    auto pair = [&](const std::string& name, std::vector<uint32_t> params, auto fwd, auto bwd) {
        std::vector<float> firstY, firstDx;
        int idx = 0;
        for (Grid g : gridsFor(n)) {
            const bool isFirst = idx++ == 0;
            Buf in(x), y(n);
            hostLaunch(g.blocks, g.threads, [&] { fwd(in.p(), y.p()); });
            y.checkGuard(name + "_forward");
            sameAcrossGrids(name + "_forward", firstY, y.body(), isFirst);
            record(tag(name + "_forward", g), params, {x, y.body()});
            Buf inPlace(x);
            hostLaunch(g.blocks, g.threads, [&] { fwd(inPlace.p(), inPlace.p()); });
            record(tag(name + "_forward", g, " in-place"), params, {x, inPlace.body()});

            Buf yy(y.body()), d(dy), dx(n);
            hostLaunch(g.blocks, g.threads, [&] { bwd(yy.p(), d.p(), dx.p()); });
            dx.checkGuard(name + "_backward");
            sameAcrossGrids(name + "_backward", firstDx, dx.body(), isFirst);
            record(tag(name + "_backward", g), params, {y.body(), dy, dx.body()});
            Buf dxInPlace(dy);
            hostLaunch(g.blocks, g.threads, [&] { bwd(yy.p(), dxInPlace.p(), dxInPlace.p()); });
            record(tag(name + "_backward", g, " in-place"), params, {y.body(), dy, dxInPlace.body()});
        }
    };
    const int ni = (int)n;
    pair("leaky_relu", {bitsOf(alpha)},
         [&](const float* a, float* b) { leaky_relu_forward(a, b, alpha, ni); },
         [&](const float* a, const float* b, float* c) { leaky_relu_backward(a, b, c, alpha, ni); });
    pair("relu", {},
         [&](const float* a, float* b) { relu_forward(a, b, ni); },
         [&](const float* a, const float* b, float* c) { relu_backward(a, b, c, ni); });
    pair("sigmoid", {},
         [&](const float* a, float* b) { sigmoid_forward(a, b, ni); },
         [&](const float* a, const float* b, float* c) { sigmoid_backward(a, b, c, ni); });
    pair("tanh", {},
         [&](const float* a, float* b) { tanh_forward(a, b, ni); },
         [&](const float* a, const float* b, float* c) { tanh_backward(a, b, c, ni); });

    // A dense sigmoid sweep: many values where the double->float rounding could expose exp() differences.
    const size_t big = (1u << 21) + 3;
    std::vector<float> xs = mixture(big, [] { return (next64() & 7) ? uniformIn(-20, 20) : wide(-30, 7); });
    std::vector<float> ys(big), sb(big);
    Grid g{64, 256};
    hostLaunch(g.blocks, g.threads, [&] { sigmoid_forward(xs.data(), ys.data(), (int)big); });
    std::vector<float> dys = mixture(big, [] { return uniformIn(-2, 2); }, false);
    hostLaunch(g.blocks, g.threads, [&] { sigmoid_backward(ys.data(), dys.data(), sb.data(), (int)big); });
    record(tag("sigmoid_forward", g, " sweep"), {}, {xs, ys});
    record(tag("sigmoid_backward", g, " sweep"), {}, {ys, dys, sb});

    // A dense tanh sweep: every branch of its expm1 (k = 0 and k < 0), the tiny values where the result is
    // x itself, and both sides of the saturation at |x| = 10; then every 1021st float of [0, 10] (by bit
    // pattern, so every binade from the subnormals up), both signs.
    std::vector<float> xt = mixture(big, [] {
        switch (next64() % 4) {
        case 0: return uniformIn(-12, 12);
        case 1: return uniformIn(-1, 1);
        case 2: return wide(-30, 4);
        default: return uniformIn(9.9f, 10.1f) * ((next64() & 1) ? 1.0f : -1.0f);
        }
    });
    std::vector<float> yt(big), tb(big);
    hostLaunch(g.blocks, g.threads, [&] { tanh_forward(xt.data(), yt.data(), (int)big); });
    hostLaunch(g.blocks, g.threads, [&] { tanh_backward(yt.data(), dys.data(), tb.data(), (int)big); });
    record(tag("tanh_forward", g, " sweep"), {}, {xt, yt});
    record(tag("tanh_backward", g, " sweep"), {}, {yt, dys, tb});
    std::vector<float> grid;
    for (uint32_t bits = 0; bits <= bitsOf(10.0f); bits += 1021) {
        grid.push_back(floatOf(bits));
        grid.push_back(-floatOf(bits));
    }
    std::vector<float> yg(grid.size());
    hostLaunch(g.blocks, g.threads, [&] { tanh_forward(grid.data(), yg.data(), (int)grid.size()); });
    record(tag("tanh_forward", g, " every 1021st float to 10"), {}, {grid, yg});
}

void crossEntropy()
{
    const int sizes[] = {0, 1, 7, 255, 256, 257, 1000, 100000};
    const float labels[] = {1.0f, 0.0f, 0.9f};
    for (int n : sizes) {
        for (float label : labels) {
            std::vector<float> x = mixture((size_t)n, [] { return (next64() & 7) ? uniformIn(-12, 12) : wide(-20, 6); }, false);
            std::vector<Grid> grids = {{1, 256}};
            if (n == 1000 && label == 1.0f) grids = {{1, 256}, {3, 256}, {1, 128}, {1, 1}};
            for (Grid g : grids) {
                Buf in(x), d(n), loss(1);
                hostLaunch(g.blocks, g.threads, [&] { sigmoid_cross_entropy(in.p(), label, d.p(), loss.p(), n); }, true);
                d.checkGuard("sigmoid_cross_entropy dlogits");
                loss.checkGuard("sigmoid_cross_entropy loss");
                record(tag("sigmoid_cross_entropy", g, " n=" + std::to_string(n)), {bitsOf(label)}, {x, d.body(), loss.body()});
            }
        }
    }
    // logits with infinities, NaN, huge values
    std::vector<float> x = specials;
    Buf in(x), d(x.size()), loss(1);
    hostLaunch(1, 256, [&] { sigmoid_cross_entropy(in.p(), 1.0f, d.p(), loss.p(), (int)x.size()); }, true);
    record(tag("sigmoid_cross_entropy", {1, 256}, " specials"), {bitsOf(1.0f)}, {x, d.body(), loss.body()});
    std::vector<float> finite(specials.begin(), specials.end());
    std::erase_if(finite, [](float f) { return !std::isfinite(f); });
    Buf in2(finite), d2(finite.size()), loss2(1);
    hostLaunch(1, 256, [&] { sigmoid_cross_entropy(in2.p(), 0.0f, d2.p(), loss2.p(), (int)finite.size()); }, true);
    record(tag("sigmoid_cross_entropy", {1, 256}, " finite specials"), {bitsOf(0.0f)}, {finite, d2.body(), loss2.body()});
}

void adam()
{
    const size_t n = 50001;
    // lr_t as AdamSchedule computes it for t = 1 and t = 10 (lr 2e-4, G's 1e-3), plus odd settings
    const float lr1 = (float)(2e-4f * std::sqrt(1 - std::pow(0.999f, 1)) / (1 - std::pow(0.5f, 1)));
    const float lr10 = (float)(1e-3f * std::sqrt(1 - std::pow(0.999f, 10)) / (1 - std::pow(0.5f, 10)));
    const float settings[][4] = {{lr1, 0.5f, 0.999f, 1e-8f}, {lr10, 0.5f, 0.999f, 1e-8f},
                                 {1e-3f, 0.9f, 0.999f, 1e-7f}, {0.0123f, 0.3f, 0.95f, 1e-4f}};
    for (const auto& s : settings) {
        std::vector<float> p = mixture(n, [] { return uniformIn(-0.2f, 0.2f); }, false);
        std::vector<float> gr = mixture(n, [] { return (next64() & 15) ? wide(-30, 3) : 0.0f; });
        gr.resize(n);
        // drop inf/NaN gradients: they would poison everything identically but check nothing
        for (float& f : gr) if (!std::isfinite(f) || std::fabs(f) > 1e20f) f = uniformIn(-1, 1);
        std::vector<float> m = mixture(n, [] { return wide(-40, 2); }, false);
        std::vector<float> v = mixture(n, [] { return (next64() & 7) ? std::fabs(wide(-80, 4)) : 0.0f; }, false);
        int idx = 0;
        std::vector<float> firstP;
        for (Grid g : gridsFor(n)) {
            Buf P(p), G(gr), M(m), V(v);
            hostLaunch(g.blocks, g.threads, [&] { adam_step(P.p(), G.p(), M.p(), V.p(), s[0], s[1], s[2], s[3], (int)n); });
            P.checkGuard("adam p"); M.checkGuard("adam m"); V.checkGuard("adam v");
            sameAcrossGrids("adam_step", firstP, P.body(), idx++ == 0);
            record(tag("adam_step", g), {bitsOf(s[0]), bitsOf(s[1]), bitsOf(s[2]), bitsOf(s[3])},
                   {p, gr, m, v, P.body(), M.body(), V.body()});
        }
    }
}

void uniform()
{
    struct Case { uint64_t seed; uint32_t stream; uint64_t step; float lo, hi; int n; };
    const Case cases[] = {
        {0, 0, 0, 0.0f, 1.0f, 17},
        {42, 2, 7, -1.0f, 1.0f, 100003},
        {0x123456789abcdef0ull, 1005, 0, -0.05f, 0.05f, 1025},
        {0xffffffffffffffffull, 3, (1ull << 33) + 5, 2.0f, 5.0f, 4099},
        {7, 2, 0xffffffffull, -3.7f, 1e-3f, 1},
        {7, 2, 1, 0.0f, 1.0f, 2},
        {7, 2, 1, 0.0f, 1.0f, 3},
        {9, 1, 0, 0.0f, 1.0f, 0},
        {1, 1, 0, -1.0f, 1.0f, 1024 * 1024},  // as CpuBackend#measureGemmGflops' first operand
    };
    for (const Case& c : cases) {
        std::vector<float> first;
        int idx = 0;
        for (Grid g : gridsFor(((size_t)c.n + 3) / 4)) {
            Buf dst((size_t)c.n);
            hostLaunch(g.blocks, g.threads, [&] {
                philox_uniform(dst.p(), c.n, (unsigned)c.seed, (unsigned)(c.seed >> 32), (unsigned)c.step,
                               c.stream, (unsigned)(c.step >> 32), c.lo, c.hi);
            });
            dst.checkGuard("philox_uniform");
            sameAcrossGrids("philox_uniform", first, dst.body(), idx++ == 0);
            record(tag("philox_uniform", g, " n=" + std::to_string(c.n)),
                   {(uint32_t)c.seed, (uint32_t)(c.seed >> 32), c.stream, (uint32_t)c.step, (uint32_t)(c.step >> 32),
                    bitsOf(c.lo), bitsOf(c.hi)},
                   {dst.body()});
        }
    }
}

void normal()
{
    struct Case { uint64_t seed; uint32_t stream; uint64_t step; int n; };
    const Case cases[] = {
        {0, 0, 0, 17},
        {42, 2, 7, 100003},
        {0x123456789abcdef0ull, 1005, 0, 1025},
        {0xffffffffffffffffull, 3, (1ull << 33) + 5, 4099},
        {7, 2, 0xffffffffull, 1},
        {7, 2, 1, 2},
        {7, 2, 1, 3},
        {9, 1, 0, 0},
        {3, 2, 11, 4 * 1024 * 1024 + 2},  // the tails: 4 million values reach |z| > 5
    };
    for (const Case& c : cases) {
        std::vector<float> first;
        int idx = 0;
        std::vector<Grid> grids = gridsFor(((size_t)c.n + 3) / 4);
        if (c.n > 1000000) grids = {{4096, 256}};
        for (Grid g : grids) {
            Buf dst((size_t)c.n);
            const unsigned c3 = 0x4e4f524du ^ (unsigned)(c.step >> 32); // CounterRng.TAG_NORMAL
            hostLaunch(g.blocks, g.threads, [&] {
                philox_normal(dst.p(), c.n, (unsigned)c.seed, (unsigned)(c.seed >> 32), (unsigned)c.step, c.stream, c3);
            });
            dst.checkGuard("philox_normal");
            sameAcrossGrids("philox_normal", first, dst.body(), idx++ == 0);
            record(tag("philox_normal", g, " n=" + std::to_string(c.n)),
                   {(uint32_t)c.seed, (uint32_t)(c.seed >> 32), c.stream, (uint32_t)c.step, (uint32_t)(c.step >> 32)},
                   {dst.body()});
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: host_check OUT_FILE\n");
        return 2;
    }
    philoxKnownAnswers();
    elementwise();
    crossEntropy();
    adam();
    uniform();
    normal();
    FILE* f = std::fopen(argv[1], "wb");
    if (!f || std::fwrite(out.data(), 4, out.size(), f) != out.size() || std::fclose(f) != 0) {
        std::perror(argv[1]);
        return 2;
    }
    std::printf("host_check: %s written (%zu bytes); guard and grid-shape checks: %s\n", argv[1], 4 * out.size(),
                failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
