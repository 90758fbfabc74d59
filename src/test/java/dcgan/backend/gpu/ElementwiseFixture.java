package dcgan.backend.gpu;

import dcgan.backend.Backend;
import dcgan.backend.Tensor;

/**
 * What the activation kernel tests share: one forward or backward call compared with the CPU, either
 * into a separate NaN-filled output or in place, the way the model calls them
 * ({@code leakyRelu(h, h, ...)}, {@code reluBackward(h, dH, dH)}).
 */
abstract class ElementwiseFixture extends CpuVsGpuFixture {

    /** The bound for elementwise kernels. */
    static final double ELEMENTWISE_TOL = 1e-5;

    @FunctionalInterface
    interface Forward {
        void run(Backend b, Tensor x, Tensor y);
    }

    @FunctionalInterface
    interface Backward {
        void run(Backend b, Tensor y, Tensor dy, Tensor dx);
    }

    /** y = f(x) on both backends, compared: into a separate output, then in place (x == y). */
    static void checkForward(String what, Forward f, float[] x, int... shape) {
        checkForward(what, f, x, false, shape);
        checkForward(what, f, x, true, shape);
    }

    /** dx = f(y, dy) on both backends, compared: into a separate output, then in place (dx == dy). */
    static void checkBackward(String what, Backward f, float[] y, float[] dy, int... shape) {
        checkBackward(what, f, y, dy, false, shape);
        checkBackward(what, f, y, dy, true, shape);
    }

    /** One forward comparison; x must come back untouched unless it is the output. */
    private static void checkForward(String what, Forward f, float[] x, boolean inPlace, int... shape) {
        Twin in = twin(x, shape);
        Twin out = inPlace ? in : nanTwin(shape);
        onBoth(b -> f.run(b, in.on(b), out.on(b)));
        String label = what + (inPlace ? " in place" : "");
        assertTwinClose(label, out, ELEMENTWISE_TOL);
        if (!inPlace) {
            assertUntouched(label + ": x", in, x);
        }
    }

    /** One backward comparison; in place means dx is dy's tensor. */
    private static void checkBackward(String what, Backward f, float[] y, float[] dy, boolean inPlace, int... shape) {
        Twin yT = twin(y, shape);
        Twin dyT = twin(dy, shape);
        Twin dxT = inPlace ? dyT : nanTwin(shape);
        onBoth(b -> f.run(b, yT.on(b), dyT.on(b), dxT.on(b)));
        String label = what + (inPlace ? " in place (dx == dy)" : "");
        assertTwinClose(label, dxT, ELEMENTWISE_TOL);
        assertUntouched(label + ": y", yT, y);
        if (!inPlace) {
            assertUntouched(label + ": dy", dyT, dy);
        }
    }

    /**
     * v with exact zeros of both signs sprinkled in: the branch point of the ReLUs ({@code y > 0} must
     * send 0 and -0 to the negative side).
     */
    static float[] withZeros(float[] v) {
        for (int i = 0; i < v.length; i += 7) {
            v[i] = (i / 7) % 2 == 0 ? 0f : -0f;
        }
        return v;
    }
}
