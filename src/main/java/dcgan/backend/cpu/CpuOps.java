package dcgan.backend.cpu;

/**
 * Loops shared by several CPU operations.
 *
 * <p>Elementwise work runs on chunks: each task copies up to {@link #CHUNK} elements of its operands from
 * off-heap memory into Java arrays (a bulk copy), applies a kernel whose loop indexes those arrays by the
 * bare loop variable from 0, the shape HotSpot's C2 vectorises, and copies the result back. A loop that
 * reads and writes off-heap memory element by element is not vectorised.
 */
final class CpuOps {

    /** Elements per chunk: two or three arrays of it stay in the L1 cache. */
    static final int CHUNK = 2048;

    private CpuOps() {
    }

    /** Rewrites v[0, n) in place. */
    @FunctionalInterface
    interface Kernel1 {
        void apply(float[] v, int n);
    }

    /** Computes from a[0, n) and b[0, n), writing the result into b. */
    @FunctionalInterface
    interface Kernel2 {
        void apply(float[] a, float[] b, int n);
    }

    /** y = kernel(x) elementwise; y may be x. */
    static void map(Parallel parallel, CpuTensor x, CpuTensor y, Kernel1 kernel) {
        parallel.forRange(x.size(), (from, to) -> {
            float[] v = new float[Math.min(CHUNK, to - from)];
            for (int i = from; i < to; i += CHUNK) {
                int len = Math.min(CHUNK, to - i);
                x.read(i, v, 0, len);
                kernel.apply(v, len);
                y.write(i, v, 0, len);
            }
        });
    }

    /** out = kernel(a, b) elementwise; out may be a or b. */
    static void map(Parallel parallel, CpuTensor a, CpuTensor b, CpuTensor out, Kernel2 kernel) {
        parallel.forRange(a.size(), (from, to) -> {
            int chunk = Math.min(CHUNK, to - from);
            float[] va = new float[chunk];
            float[] vb = new float[chunk];
            for (int i = from; i < to; i += CHUNK) {
                int len = Math.min(CHUNK, to - i);
                a.read(i, va, 0, len);
                b.read(i, vb, 0, len);
                kernel.apply(va, vb, len);
                out.write(i, vb, 0, len);
            }
        });
    }

    // ------------------------------------------------------------------ kernels on chunks

    /**
     * v = v > 0 ? v : alpha * v. For 0 < alpha <= 1 that is exactly max(v, alpha * v), and for alpha > 1
     * min(v, alpha * v), NaN and signed zeros included; C2 vectorises those, not the comparison.
     */
    static void leakyRelu(float[] v, int n, float alpha) {
        if (alpha > 0 && alpha <= 1) {
            for (int i = 0; i < n; i++) {
                v[i] = Math.max(v[i], alpha * v[i]);
            }
        } else if (alpha > 1) {
            for (int i = 0; i < n; i++) {
                v[i] = Math.min(v[i], alpha * v[i]);
            }
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = v[i] > 0 ? v[i] : alpha * v[i];
            }
        }
    }

    /** g = y > 0 ? g : alpha * g, without a branch (see {@link #greaterThanZero}). */
    static void leakyReluBackward(float[] y, float[] g, int n, float alpha) {
        for (int i = 0; i < n; i++) {
            int keep = greaterThanZero(Float.floatToRawIntBits(y[i]));
            int scaled = Float.floatToRawIntBits(alpha * g[i]);
            g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & keep | scaled & ~keep);
        }
    }

    /** v = v > 0 ? v : 0 (NaN and -0 give +0), without a branch. */
    static void relu(float[] v, int n) {
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(v[i]);
            v[i] = Float.intBitsToFloat(bits & greaterThanZero(bits));
        }
    }

    /** g = y > 0 ? g : 0, without a branch. */
    static void reluBackward(float[] y, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & greaterThanZero(Float.floatToRawIntBits(y[i])));
        }
    }

    /**
     * All ones when the float with these bits is greater than zero, else (zero of either sign, negative,
     * NaN) all zeros: {@code x > 0} as a mask. The ReLUs select with it instead of a branch, which the
     * processor mispredicts half the time on activations of random sign (several times slower).
     * Positive floats other than NaN are exactly the bit patterns 1 to 0x7F800000 (+infinity).
     */
    static int greaterThanZero(int bits) {
        int signClear = ~(bits >> 31);
        int notZero = ~((bits - 1) >> 31);
        int notNaN = (bits - 0x7F800001) >> 31;
        return signClear & notZero & notNaN;
    }

    static void sigmoid(float[] v, int n) {
        for (int i = 0; i < n; i++) {
            v[i] = sigmoid(v[i]);
        }
    }

    /** g = g * y * (1 - y), evaluated left to right in float. */
    static void sigmoidBackward(float[] y, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            g[i] = g[i] * y[i] * (1f - y[i]);
        }
    }

    /** The numerically stable sigmoid: never evaluates exp of a large positive number. */
    static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** v = tanh(v), as {@link Tanh#tanh} computes it. */
    static void tanh(float[] v, int n) {
        for (int i = 0; i < n; i++) {
            v[i] = Tanh.tanh(v[i]);
        }
    }

    /** g = g * (1 - y * y), evaluated in float: y * y, then 1 minus that, then the product. */
    static void tanhBackward(float[] y, float[] g, int n) {
        for (int i = 0; i < n; i++) {
            g[i] = g[i] * (1f - y[i] * y[i]);
        }
    }

    // ------------------------------------------------------------------ per-channel loops

    /**
     * out[c] (+)= sum over b and p of src[b, c, p] for a {@code [batch, channels, pixels]} tensor: the bias
     * gradient. Each task sums a range of channels in double, image by image, each image's pixels in four
     * interleaved partial sums: a fixed order, whatever the number of threads.
     */
    static void channelSums(Parallel parallel, CpuTensor src, int batch, int channels, int pixels,
                            CpuTensor out, boolean accumulate) {
        parallel.forRange(channels, (from, to) -> {
            int count = to - from;
            float[] run = new float[count * pixels];
            double[] sums = new double[count];
            for (int b = 0; b < batch; b++) {
                src.read((b * channels + from) * pixels, run, 0, run.length);
                if (pixels == 1) {
                    for (int c = 0; c < count; c++) {
                        sums[c] += run[c];
                    }
                    continue;
                }
                for (int c = 0; c < count; c++) {
                    int start = c * pixels;
                    int end = start + pixels;
                    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    int p = start;
                    for (; p + 3 < end; p += 4) {
                        s0 += run[p];
                        s1 += run[p + 1];
                        s2 += run[p + 2];
                        s3 += run[p + 3];
                    }
                    for (; p < end; p++) {
                        s0 += run[p];
                    }
                    sums[c] += (s0 + s1) + (s2 + s3);
                }
            }
            for (int c = from; c < to; c++) {
                float s = (float) sums[c - from];
                out.set(c, accumulate ? out.get(c) + s : s);
            }
        });
    }

    /** image[c * pixels + p] += bias[c] for one image's {@code [channels, pixels]} values. */
    static void addChannelBias(float[] image, float[] bias, int channels, int pixels) {
        if (pixels == 1) {
            for (int c = 0; c < channels; c++) {
                image[c] += bias[c];
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            float add = bias[c];
            int base = c * pixels;
            for (int p = 0; p < pixels; p++) {
                image[base + p] += add;
            }
        }
    }

    /**
     * dst[j, i] = src[i, j] for src {@code rows x cols} and dst {@code cols x rows}. Each task transposes a
     * range of src rows, read in one piece, and writes a run of each dst row.
     */
    static void transpose(Parallel parallel, CpuTensor src, int rows, int cols, CpuTensor dst) {
        parallel.forRange(rows, (from, to) -> {
            int height = to - from;
            float[] in = new float[height * cols];
            float[] out = new float[height * cols];
            src.read(from * cols, in, 0, in.length);
            for (int i = 0; i < height; i++) {
                for (int j = 0; j < cols; j++) {
                    out[j * height + i] = in[i * cols + j];
                }
            }
            for (int j = 0; j < cols; j++) {
                dst.write(j * rows + from, out, j * height, height);
            }
        });
    }

    /** The elements of t as a new Java array. */
    static float[] toArray(CpuTensor t) {
        float[] a = new float[t.size()];
        t.read(0, a, 0, a.length);
        return a;
    }
}
