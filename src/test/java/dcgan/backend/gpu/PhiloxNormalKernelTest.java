package dcgan.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.backend.Tensor;
import dcgan.random.CounterRng;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kernels/philox.cu's philox_normal against {@link CounterRng#fillNormal} (what the CPU backend runs): both
 * backends must draw the same N(0, 1) noise bit for bit, whichever of them trains.
 */
@Tag("gpu")
class PhiloxNormalKernelTest extends CpuVsGpuFixture {

    /** A batch of 64 noise vectors of 100 values, PyTorch DCGAN's z. */
    private static final int[] NOISE_SHAPE = {64, 100, 1, 1};

    /** dst on both backends from the same generator and counters; bit-identical, finite, at most 6.77 in size. */
    private static void check(String what, long seed, int stream, long step, int... shape) {
        String label = what + ": seed " + seed + ", stream " + stream + ", step " + step;
        Twin dst = nanTwin(shape);
        CounterRng rng = new CounterRng(seed);
        onBoth(b -> b.normal(dst.on(b), rng, stream, step));
        float[] actual = dst.actual();
        GpuTestSupport.assertBitIdentical(label, dst.expected(), actual);
        for (float v : actual) {
            assertTrue(Math.abs(v) <= 6.77f, () -> label + ": " + v + " is not a Box-Muller value of 32-bit words");
        }
    }

    @ParameterizedTest(name = "step {0}")
    @ValueSource(longs = {0, 1, 2})
    void trainingNoiseMatchesCpu(long step) {
        check("z noise", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, step, NOISE_SHAPE);
    }

    @Test
    void largeFillMatchesCpu() {
        // Four million values: the tails (|z| > 5) appear, and the grid-stride loop goes round more than once.
        check("4M values", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, 3, 4 << 20);
    }

    @Test
    void partialLastBlockMatchesCpu() {
        // 1001 = 4 * 250 + 1, 1002, 1003: the last block is cut inside its first pair, between, inside its second.
        for (int n = 1001; n <= 1003; n++) {
            check("odd size", GpuTestSupport.freshSeed(), CounterRng.STREAM_SAMPLE_NOISE, 1, n);
        }
        check("one value", GpuTestSupport.freshSeed(), CounterRng.STREAM_SAMPLE_NOISE, 1, 1);
    }

    @Test
    void stepAboveTwoToThe32MatchesCpu() {
        // The step's high word goes into counter word c3 beside the tag: a kernel that dropped it would repeat
        // step 5's noise.
        check("step > 2^32", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, (1L << 32) + 5, NOISE_SHAPE);
        check("step > 2^32", GpuTestSupport.freshSeed(), CounterRng.STREAM_NOISE, Long.MAX_VALUE, 17);
    }

    @Test
    void negativeSeedAndOtherStreamsMatchCpu() {
        long seed = GpuTestSupport.freshSeed() | Long.MIN_VALUE;
        check("negative seed", seed, CounterRng.STREAM_NOISE, 1, NOISE_SHAPE);
        check("seed -1", -1L, CounterRng.STREAM_NOISE, 1, NOISE_SHAPE);
        check("an init stream", GpuTestSupport.freshSeed(), CounterRng.STREAM_INIT_BASE + 7, 0, 3 * 64 * 4 * 4);
    }

    @Test
    void fillOfAViewLeavesTheRestAlone() {
        // Noise drawn into the middle of a larger tensor, at an offset that is no multiple of 4.
        long seed = GpuTestSupport.freshSeed();
        Twin base = nanTwin(40);
        Both<Tensor> window = both(b -> b.view(base.on(b), 5, 26));
        CounterRng rng = new CounterRng(seed);
        onBoth(b -> b.normal(window.on(b), rng, CounterRng.STREAM_NOISE, 9));
        // NaN outside the window on both sides: bit identity covers the untouched guard elements too.
        GpuTestSupport.assertBitIdentical("noise into a view, seed " + seed, base.expected(), base.actual());
    }
}
