package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;
import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The convolutions with algorithms cuDNN timed ({@code --conv-algo search}) in plain FP32, held to the
 * FP32 bound: the fastest algorithm may be a non-deterministic one (against the fake it is, for backward
 * data and filter), but it must still be as accurate. Linear layers do not depend on the algorithm choice.
 */
@Tag("gpu")
class GpuConvSearchTest extends WeightedOpFixture {

    @BeforeAll
    static void openSearching() {
        reopenGpu(new GpuSettings(MathMode.FP32, AlgorithmChoice.SEARCH));
    }

    /** One model shape and one odd shape for each of the convolution and the transposed convolution. */
    static Stream<Shapes> convCases() {
        return Stream.of(
                conv("D.c2", new ConvGeometry(256, 64, 14, 14, 128)),
                conv("odd shape", new ConvGeometry(3, 5, 6, 10, 7)),
                convTranspose("G.d4", new ConvGeometry(256, 1, 28, 28, 64)),
                convTranspose("transposed, odd shape", new ConvGeometry(3, 5, 6, 10, 7)));
    }

    @Override
    Stream<Shapes> cases() {
        return convCases();
    }
}
