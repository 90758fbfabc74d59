package dcgan.backend.gpu;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Base of the tests that hold the backend under test (the GPU) to the CPU reference: both backends are
 * opened once per class ({@link GpuTestBase}), and every test builds its operands as {@link Twin}s, one
 * tensor on each backend uploaded from the same host array, runs the same calls on both ({@link #onBoth})
 * and compares what comes back. Tensors and ops made through here are closed after each test, so device memory does not
 * pile up over a class.
 */
abstract class CpuVsGpuFixture extends GpuTestBase {

    private static final Deque<AutoCloseable> OPEN = new ArrayDeque<>();

    @AfterEach
    void closeWhatTheTestMade() throws Exception {
        while (!OPEN.isEmpty()) {
            OPEN.pop().close();
        }
    }

    /** Closes c after the current test (newest first, so views and ops go before what they use). */
    static <T extends AutoCloseable> T closeLater(T c) {
        OPEN.push(c);
        return c;
    }

    /** Runs body on the reference, then on the backend under test. */
    static void onBoth(Consumer<Backend> body) {
        body.accept(cpu);
        body.accept(gpu);
    }

    /** One object per backend, made by the same code: an op, or a tensor ({@link Twin}). */
    static class Both<T extends AutoCloseable> implements AutoCloseable {
        final T ref;
        final T test;

        Both(T ref, T test) {
            this.ref = ref;
            this.test = test;
        }

        /** This pair's object for backend b (cpu or gpu). */
        T on(Backend b) {
            if (b == cpu) {
                return ref;
            }
            if (b == gpu) {
                return test;
            }
            throw new IllegalArgumentException("neither backend of this fixture: " + b.describe());
        }

        @Override
        public void close() {
            try {
                test.close();
                ref.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + test + " and " + ref, e);
            }
        }
    }

    /** An op (or anything else) made once per backend, closed after the test. */
    static <T extends AutoCloseable> Both<T> both(Function<Backend, T> make) {
        return closeLater(new Both<>(make.apply(cpu), make.apply(gpu)));
    }

    /** A tensor on each backend with the same contents. */
    static final class Twin extends Both<Tensor> {
        Twin(Tensor ref, Tensor test) {
            super(ref, test);
        }

        /** The reference's values. */
        float[] expected() {
            return cpu.download(ref);
        }

        /** The tested backend's values. */
        float[] actual() {
            return gpu.download(test);
        }
    }

    /** values on both backends. */
    static Twin twin(float[] values, int... shape) {
        return closeLater(new Twin(GpuTestSupport.tensor(cpu, values, shape), GpuTestSupport.tensor(gpu, values, shape)));
    }

    /** An output on both backends, NaN-filled so that an op must write every element. */
    static Twin nanTwin(int... shape) {
        return closeLater(new Twin(GpuTestSupport.nanFilled(cpu, shape), GpuTestSupport.nanFilled(gpu, shape)));
    }

    /** t's tensor on b, or null for an operand left out (null). */
    static Tensor on(Twin t, Backend b) {
        return t == null ? null : t.on(b);
    }

    /** The tested backend's t within tol of the reference's (max-norm relative error). */
    static void assertTwinClose(String what, Twin t, double tol) {
        GpuTestSupport.assertClose(what, t.expected(), t.actual(), tol);
    }

    /** The tested backend's t bit for bit the reference's. */
    static void assertTwinIdentical(String what, Twin t) {
        GpuTestSupport.assertBitIdentical(what, t.expected(), t.actual());
    }

    /** An input the tested backend must leave alone: still exactly the values it was made from. */
    static void assertUntouched(String what, Twin t, float[] values) {
        GpuTestSupport.assertBitIdentical(what + " (an input, must stay untouched)", values, t.actual());
    }

    /** Fresh random inputs for one test, with the seed in every label so that a failure can be replayed. */
    static final class Inputs {
        final long seed;
        private final SplittableRandom rnd;

        private Inputs(long seed) {
            this.seed = seed;
            this.rnd = new SplittableRandom(seed);
        }

        static Inputs fresh() {
            return new Inputs(GpuTestSupport.freshSeed());
        }

        float[] gaussian(int n, double scale) {
            return GpuTestSupport.gaussian(rnd, n, scale);
        }

        float[] uniform(int n, double lo, double hi) {
            return GpuTestSupport.uniform(rnd, n, lo, hi);
        }

        int nextInt(int bound) {
            return rnd.nextInt(bound);
        }

        /** what, with the seed. */
        String label(String what) {
            return what + " [seed " + seed + "L]";
        }
    }
}
