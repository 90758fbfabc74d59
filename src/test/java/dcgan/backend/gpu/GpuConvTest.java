package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;

/** The cuDNN convolution (GpuConv) against the CPU at the discriminator's two convolutions. */
@Tag("gpu")
class GpuConvTest extends WeightedOpFixture {

    @Override
    Stream<Shapes> cases() {
        return Stream.of(
                conv("D.c1", new ConvGeometry(256, 1, 28, 28, 64)),
                conv("D.c2", new ConvGeometry(256, 64, 14, 14, 128)),
                conv("D.c2, batch 3", new ConvGeometry(3, 64, 14, 14, 128)),
                // Nothing square or a power of two: catches H and W, or C and K, swapped in a descriptor.
                conv("odd shape", new ConvGeometry(3, 5, 6, 10, 7)));
    }
}
