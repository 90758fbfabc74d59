package dcgan.backend.gpu;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import dcgan.backend.Tensor;
import dcgan.model.Discriminator;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kernels/leaky_relu.cu against the CPU, at the discriminator's activation shapes, alpha 0.2. */
@Tag("gpu")
class LeakyReluKernelTest extends ElementwiseFixture {

    private static final float ALPHA = Discriminator.LEAKY_SLOPE;

    /** D's three leaky ReLU inputs at the default batch, and an odd size for the kernel's tail. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                arguments("D.c1 out", new int[] {256, 64, 14, 14}),
                arguments("D.bn2 out", new int[] {256, 128 * 7 * 7}),
                arguments("D.bn3 out", new int[] {256, 1024}),
                arguments("odd size", new int[] {3, 333}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void forwardMatchesCpu(String name, int[] shape) {
        Inputs in = Inputs.fresh();
        float[] x = withZeros(in.gaussian(Tensor.sizeOf(shape), 2));
        checkForward(in.label("leaky ReLU forward " + name), (b, xT, yT) -> b.leakyRelu(xT, yT, ALPHA), x, shape);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void backwardMatchesCpu(String name, int[] shape) {
        Inputs in = Inputs.fresh();
        int n = Tensor.sizeOf(shape);
        // y stands for a forward output: any sign pattern will do, zeros included (they take the alpha branch).
        float[] y = withZeros(in.gaussian(n, 2));
        float[] dy = in.gaussian(n, 1);
        checkBackward(in.label("leaky ReLU backward " + name),
                (b, yT, dyT, dxT) -> b.leakyReluBackward(yT, dyT, dxT, ALPHA), y, dy, shape);
    }
}
