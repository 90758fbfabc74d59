package dcgan.backend.gpu;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import dcgan.backend.Tensor;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kernels/tanh.cu against the CPU, at the generator's output shapes of PyTorch's DCGAN (colour 64x64, grey
 * 32x32) and an odd size. Its forward is written to be bit-identical to the CPU's (one fixed sequence of IEEE
 * operations on both sides), so beside the elementwise bound it is also held to that.
 */
@Tag("gpu")
class TanhKernelTest extends ElementwiseFixture {

    static Stream<Arguments> shapes() {
        return Stream.of(
                arguments("G output, colour 64x64", new int[] {64, 3, 64, 64}),
                arguments("G output, grey 32x32", new int[] {64, 1, 32, 32}),
                arguments("odd size", new int[] {5, 201}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void forwardMatchesCpu(String name, int[] shape) {
        Inputs in = Inputs.fresh();
        // Scale 3: most inputs where tanh still bends, some beyond the saturation at |x| = 10.
        float[] x = in.gaussian(Tensor.sizeOf(shape), 3);
        float[] extremes = {0f, -0f, 1e-30f, -1e-30f, Float.MIN_VALUE, 9.99f, 10f, -10f, 1e4f, -Float.MAX_VALUE};
        System.arraycopy(extremes, 0, x, x.length - extremes.length, extremes.length);
        checkForward(in.label("tanh forward " + name), (b, xT, yT) -> b.tanh(xT, yT), x, shape);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void backwardMatchesCpu(String name, int[] shape) {
        Inputs in = Inputs.fresh();
        int n = Tensor.sizeOf(shape);
        // y stands for a forward output: anywhere in [-1, 1], the saturated ends included.
        float[] y = in.uniform(n, -1, 1);
        y[0] = 1f;
        y[n - 1] = -1f;
        float[] dy = in.gaussian(n, 1);
        checkBackward(in.label("tanh backward " + name), (b, yT, dyT, dxT) -> b.tanhBackward(yT, dyT, dxT), y, dy, shape);
    }

    @Test
    void forwardIsBitIdenticalToCpu() {
        Inputs in = Inputs.fresh();
        int n = 1 << 20;
        // Every scale from the tiny values (tanh x = x) through the bend to the saturation.
        float[] x = in.gaussian(n, 1);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (x[i] * Math.pow(10, (i % 9) - 6));
        }
        Twin xT = twin(x, n);
        Twin yT = nanTwin(n);
        onBoth(b -> b.tanh(xT.on(b), yT.on(b)));
        assertTwinIdentical(in.label("tanh forward, 1e-6 to 100"), yT);
    }
}
