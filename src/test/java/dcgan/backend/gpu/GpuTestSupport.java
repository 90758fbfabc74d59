package dcgan.backend.gpu;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import dcgan.backend.cpu.CpuBackend;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the {@code gpu}-tagged tests share: opening the GPU or skipping with the reason, fresh random
 * inputs (the seed goes into every failure message), and the relative-error check against the CPU.
 *
 * <p>Harness self-check without a GPU: {@code -Ddcgan.gpuTests.substituteCpu=true} runs these tests with a
 * second CPU backend (3 threads) in the GPU's place, which exercises their plumbing (shapes, NaN guards,
 * comparisons) but says nothing about the GPU. CI never sets it.
 *
 * <p>{@code -Ddcgan.gpuTests.seed=S} fixes the seed of every test instead of drawing a fresh one, so that a
 * run repeats exactly (CI's run against {@code dev/fake-cuda} sets it).
 */
public final class GpuTestSupport {

    private static String unavailableReason;
    private static boolean probed;

    private GpuTestSupport() {
    }

    private static String deviceName;

    /**
     * Why no GPU can be used here, or null when one works. Probed once per JVM; the reason is also printed
     * once, so that a test run that skips these tests says why on the console, not only in its reports.
     */
    public static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            try (GpuBackend gpu = GpuBackend.open(0)) {
                unavailableReason = null;
                deviceName = gpu.describe();
                System.out.println("gpu tests: running on " + deviceName);
            } catch (GpuUnavailableException e) {
                unavailableReason = e.getMessage();
                System.out.println("gpu tests: skipped, no usable GPU: " + unavailableReason);
            }
        }
        return unavailableReason;
    }

    /**
     * Whether the "GPU" is dev/fake-cuda's CPU emulation: then these tests check the plumbing of the GPU code
     * path, not GPU numerics, and the long runs that only mean something on a real GPU (losses tracking the
     * CPU over many iterations) run {@code onFake} iterations instead of {@code onGpu}.
     */
    public static int iterations(int onGpu, int onFake) {
        unavailableReason();
        return deviceName != null && deviceName.contains("Fake CUDA device") ? onFake : onGpu;
    }

    /**
     * The backend under test: the GPU, or null when none works (then {@link #assumeGpu} skips each test
     * with the reason). Not an assumption here: an assumption failing in {@code @BeforeAll} aborts the
     * class, which Maven's report shows as "0 tests run" instead of as skipped tests with a reason.
     */
    public static Backend openGpu() {
        return openGpu(GpuSettings.DEFAULT);
    }

    /** {@link #openGpu()} with settings other than the defaults (the CPU substitute ignores them). */
    public static Backend openGpu(GpuSettings settings) {
        if (Boolean.getBoolean("dcgan.gpuTests.substituteCpu")) {
            return new CpuBackend(3);
        }
        if (unavailableReason() != null) {
            return null;
        }
        try {
            return GpuBackend.open(0, settings);
        } catch (GpuUnavailableException e) {
            throw new AssertionError("the GPU worked a moment ago: " + e.getMessage(), e);
        }
    }

    /** Skips the calling test, saying why, when {@link #openGpu} found no GPU. */
    public static void assumeGpu(Backend gpu) {
        assumeTrue(gpu != null, () -> "skipped: no usable GPU: " + unavailableReason());
    }

    /** A seed for fresh inputs; tests print it in their messages so a failure can be replayed. */
    public static long freshSeed() {
        Long fixed = Long.getLong("dcgan.gpuTests.seed");
        return fixed != null ? fixed : new SplittableRandom().nextLong();
    }

    /** n values from N(0, scale^2). */
    public static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            v[i] = (float) (scale * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < n) {
                v[i + 1] = (float) (scale * r * Math.sin(2 * Math.PI * u2));
            }
        }
        return v;
    }

    /** n values uniform in [lo, hi). */
    public static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return v;
    }

    /** A new tensor of the backend holding values. */
    public static Tensor tensor(Backend b, float[] values, int... shape) {
        Tensor t = b.allocate(shape);
        b.upload(values, 0, t);
        return t;
    }

    /** A new tensor of the backend filled with NaN, so that an operation must overwrite every element. */
    public static Tensor nanFilled(Backend b, int... shape) {
        Tensor t = b.allocate(shape);
        b.fill(t, Float.NaN);
        return t;
    }

    /**
     * Relative error {@code max |actual - expected| / max |expected|}, failing when it exceeds tol or when
     * either side holds a NaN or infinity (a NaN never passes).
     */
    public static double assertClose(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxErr = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!Float.isFinite(expected[i]) || !Float.isFinite(actual[i])) {
                fail(what + ": element " + i + " is not finite: expected " + expected[i] + ", actual " + actual[i]);
            }
            maxErr = Math.max(maxErr, Math.abs((double) actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs((double) expected[i]));
        }
        double rel = maxRef == 0 ? (maxErr == 0 ? 0 : Double.POSITIVE_INFINITY) : maxErr / maxRef;
        if (!(rel <= tol)) {
            fail(String.format("%s: relative error %.3g > %.1g (max |diff| %.3g, max |expected| %.3g)",
                    what, rel, tol, maxErr, maxRef));
        }
        return rel;
    }

    /** Bit-for-bit equality, naming the first differing element. */
    public static void assertBitIdentical(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " differs: expected " + expected[i] + ", actual " + actual[i]);
            }
        }
    }
}
