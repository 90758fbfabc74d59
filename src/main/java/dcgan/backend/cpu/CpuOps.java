package dcgan.backend.cpu;

/** Loops shared by several CPU operations. */
final class CpuOps {

    private CpuOps() {
    }

    /**
     * out[c] (+)= sum over b and p of src[b, c, p] for a {@code [batch, channels, pixels]} tensor: the bias
     * gradient. One task per channel range, each channel summed in double in a fixed order.
     */
    static void channelSums(Parallel parallel, float[] src, int srcOff, int batch, int channels, int pixels,
                            float[] out, int outOff, boolean accumulate) {
        parallel.forRange(channels, (from, to) -> {
            for (int c = from; c < to; c++) {
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    int base = srcOff + (b * channels + c) * pixels;
                    for (int p = 0; p < pixels; p++) {
                        sum += src[base + p];
                    }
                }
                out[outOff + c] = accumulate ? out[outOff + c] + (float) sum : (float) sum;
            }
        });
    }

    /** y[b, c, p] += bias[c] for images [from, to). */
    static void addChannelBias(float[] y, int yOff, float[] bias, int biasOff, int channels, int pixels, int from, int to) {
        for (int b = from; b < to; b++) {
            for (int c = 0; c < channels; c++) {
                float add = bias[biasOff + c];
                int base = yOff + (b * channels + c) * pixels;
                for (int p = 0; p < pixels; p++) {
                    y[base + p] += add;
                }
            }
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
}
