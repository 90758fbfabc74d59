package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;

/**
 * The cuDNN convolution (GpuConv) against the CPU at the discriminator's two convolutions, and without a bias at
 * those of PyTorch's DCGAN (ndf 64, batch 16): colour and grey input at 64x64 and 32x32, then each doubling of
 * the channels down to a 4x4 output.
 */
@Tag("gpu")
class GpuConvTest extends WeightedOpFixture {

    @Override
    Stream<Shapes> cases() {
        return Stream.of(
                conv("D.c1", new ConvGeometry(256, 1, 28, 28, 64)),
                conv("D.c2", new ConvGeometry(256, 64, 14, 14, 128)),
                conv("D.c2, batch 3", new ConvGeometry(3, 64, 14, 14, 128)),
                // Nothing square or a power of two: catches H and W, or C and K, swapped in a descriptor.
                conv("odd shape", new ConvGeometry(3, 5, 6, 10, 7)),
                conv("odd shape", new ConvGeometry(3, 5, 6, 10, 7)).withoutBias(),
                conv("DCGAN colour 64x64", new ConvGeometry(16, 3, 64, 64, 64)).withoutBias(),
                conv("DCGAN grey 64x64", new ConvGeometry(16, 1, 64, 64, 64)).withoutBias(),
                conv("DCGAN colour 32x32", new ConvGeometry(16, 3, 32, 32, 64)).withoutBias(),
                conv("DCGAN grey 32x32", new ConvGeometry(16, 1, 32, 32, 64)).withoutBias(),
                conv("DCGAN 64 -> 128 at 32x32", new ConvGeometry(16, 64, 32, 32, 128)).withoutBias(),
                conv("DCGAN 128 -> 256 at 16x16", new ConvGeometry(16, 128, 16, 16, 256)).withoutBias(),
                conv("DCGAN 256 -> 512 at 8x8", new ConvGeometry(16, 256, 8, 8, 512)).withoutBias());
    }
}
