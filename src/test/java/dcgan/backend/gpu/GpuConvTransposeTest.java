package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;

/**
 * The transposed convolution on cuDNN (GpuConvTranspose: the convolution's backward data as its forward)
 * against the CPU at the generator's two transposed convolutions. A geometry names the convolution that
 * is transposed.
 */
@Tag("gpu")
class GpuConvTransposeTest extends WeightedOpFixture {

    @Override
    Stream<Shapes> cases() {
        return Stream.of(
                convTranspose("G.d3", new ConvGeometry(256, 64, 14, 14, 128)),
                convTranspose("G.d4", new ConvGeometry(256, 1, 28, 28, 64)),
                convTranspose("G.d4, batch 3", new ConvGeometry(3, 1, 28, 28, 64)),
                // Nothing square or a power of two: catches H and W, or in and out channels, swapped.
                convTranspose("odd shape", new ConvGeometry(3, 5, 6, 10, 7)));
    }
}
