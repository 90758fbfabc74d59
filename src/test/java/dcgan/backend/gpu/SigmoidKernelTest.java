package dcgan.backend.gpu;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** kernels/sigmoid.cu against the CPU, at the generator's output shape {@code [B, 784]}. */
@Tag("gpu")
class SigmoidKernelTest extends ElementwiseFixture {

    private static final int PIXELS = 28 * 28;

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {256, 3})
    void forwardMatchesCpu(int batch) {
        Inputs in = Inputs.fresh();
        // Scale 10 puts plenty of inputs far out on both sides, where only the stable two-branch form
        // (exp of a non-positive number only) stays finite and accurate; plus the extremes themselves.
        float[] x = in.gaussian(batch * PIXELS, 10);
        float[] extremes = {0f, -0f, 88.8f, -88.8f, 104f, -104f, 1e4f, -1e4f, Float.MAX_VALUE, -Float.MAX_VALUE};
        System.arraycopy(extremes, 0, x, x.length - extremes.length, extremes.length);
        checkForward(in.label("sigmoid forward, batch " + batch), (b, xT, yT) -> b.sigmoid(xT, yT), x, batch, PIXELS);
    }

    @ParameterizedTest(name = "batch {0}")
    @ValueSource(ints = {256, 3})
    void backwardMatchesCpu(int batch) {
        Inputs in = Inputs.fresh();
        int n = batch * PIXELS;
        // y stands for a forward output: anywhere in [0, 1], the saturated ends included.
        float[] y = in.uniform(n, 0, 1);
        y[0] = 0f;
        y[n - 1] = 1f;
        float[] dy = in.gaussian(n, 1);
        checkBackward(in.label("sigmoid backward, batch " + batch),
                (b, yT, dyT, dxT) -> b.sigmoidBackward(yT, dyT, dxT), y, dy, batch, PIXELS);
    }
}
