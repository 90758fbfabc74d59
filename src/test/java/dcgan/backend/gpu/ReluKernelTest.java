package dcgan.backend.gpu;

import static org.junit.jupiter.params.provider.Arguments.arguments;

import dcgan.backend.Tensor;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** kernels/relu.cu against the CPU, at the generator's activation shapes. */
@Tag("gpu")
class ReluKernelTest extends ElementwiseFixture {

    /** G's three ReLU inputs at the default batch, and an odd size for the kernel's tail. */
    static Stream<Arguments> shapes() {
        return Stream.of(
                arguments("G.bn1 out", new int[] {256, 1024}),
                arguments("G.bn2 out", new int[] {256, 128 * 7 * 7}),
                arguments("G.bn3 out", new int[] {256, 64, 14, 14}),
                arguments("odd size", new int[] {5, 201}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void forwardMatchesCpu(String name, int[] shape) {
        Inputs in = Inputs.fresh();
        float[] x = withZeros(in.gaussian(Tensor.sizeOf(shape), 1));
        checkForward(in.label("ReLU forward " + name), (b, xT, yT) -> b.relu(xT, yT), x, shape);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void backwardMatchesCpu(String name, int[] shape) {
        Inputs in = Inputs.fresh();
        int n = Tensor.sizeOf(shape);
        // y stands for a forward output; negative values and zeros of both signs must all block dy.
        float[] y = withZeros(in.gaussian(n, 1));
        float[] dy = in.gaussian(n, 1);
        checkBackward(in.label("ReLU backward " + name), (b, yT, dyT, dxT) -> b.reluBackward(yT, dyT, dxT), y, dy, shape);
    }
}
