package dcgan.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.backend.Tensor;
import dcgan.random.CounterRng;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kernels/philox.cu's philox_uniform against {@link CounterRng#fillUniform} (what the CPU backend runs): both
 * backends must draw the same noise bit for bit, whichever of them trains.
 */
@Tag("gpu")
class PhiloxUniformKernelTest extends CpuVsGpuFixture {

    private static final int[] NOISE_SHAPE = {256, 100};

    /** dst on both backends from the same generator and counters; bit-identical, inside [lo, hi]. */
    private static void check(String what, long seed, int stream, long step, float lo, float hi, int... shape) {
        String label = what + ": seed " + seed + ", stream " + stream + ", step " + step + ", [" + lo + ", " + hi + ")";
        Twin dst = nanTwin(shape);
        CounterRng rng = new CounterRng(seed);
        onBoth(b -> b.uniform(dst.on(b), rng, stream, step, lo, hi));
        float[] actual = dst.actual();
        GpuTestSupport.assertBitIdentical(label, dst.expected(), actual);
        for (float v : actual) {
            // hi itself is possible in general (see fillUniform), never for the ranges used here
            assertTrue(v >= lo && v < hi, () -> label + ": " + v + " outside the range");
        }
    }

    @ParameterizedTest(name = "step {0}")
    @ValueSource(longs = {1, 2, 3})
    void trainingNoiseMatchesCpu(long step) {
        check("z noise", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, step, -1f, 1f, NOISE_SHAPE);
    }

    @Test
    void unitRangeMatchesCpu() {
        check("[0, 1) noise", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, 7, 0f, 1f, NOISE_SHAPE);
    }

    @Test
    void partialLastBlockMatchesCpu() {
        // 1001 = 4 * 250 + 1: the last Philox block is cut after one of its four words.
        check("odd size", GpuTestSupport.freshSeed(), CounterRng.STREAM_SAMPLE_NOISE, 1, -1f, 1f, 1001);
        check("odd size", GpuTestSupport.freshSeed(), CounterRng.STREAM_SAMPLE_NOISE, 1, -1f, 1f, 3);
    }

    @Test
    void stepAboveTwoToThe32MatchesCpu() {
        // The step's high word is counter word c3: a kernel that dropped it would repeat step 5's noise.
        check("step > 2^32", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, (1L << 32) + 5, -1f, 1f, NOISE_SHAPE);
        check("step > 2^32", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, Long.MAX_VALUE, -1f, 1f, 17);
    }

    @Test
    void negativeSeedMatchesCpu() {
        // The key's high word k1 is then all ones in its top bit: a sign-extension slip would show.
        long seed = GpuTestSupport.freshSeed() | Long.MIN_VALUE;
        check("negative seed", seed, CounterRng.STREAM_NOISE, 1, -1f, 1f, NOISE_SHAPE);
        check("seed -1", -1L, CounterRng.STREAM_NOISE, 1, -1f, 1f, NOISE_SHAPE);
    }

    @Test
    void fillOfAViewLeavesTheRestAlone() {
        // Noise drawn into the middle of a larger tensor, at an offset that is no multiple of 4.
        long seed = GpuTestSupport.freshSeed();
        int offset = 5;
        int n = 26;
        Twin base = nanTwin(40);
        Both<Tensor> window = both(b -> b.view(base.on(b), offset, n));
        CounterRng rng = new CounterRng(seed);
        onBoth(b -> b.uniform(window.on(b), rng, CounterRng.STREAM_NOISE, 9, -1f, 1f));
        // NaN outside the window on both sides: bit identity covers the untouched guard elements too.
        GpuTestSupport.assertBitIdentical("noise into a view, seed " + seed, base.expected(), base.actual());
    }
}
