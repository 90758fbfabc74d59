package dcgan.backend.gpu;

import dcgan.backend.ConvGeometry;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;

/**
 * The transposed convolution on cuDNN (GpuConvTranspose: the convolution's backward data as its forward)
 * against the CPU at the generator's two transposed convolutions, and without a bias at those of PyTorch's
 * DCGAN (ngf 64, batch 16): each halving of the channels from 4x4 on, then to colour or grey at 64x64 or 32x32.
 * A geometry names the convolution that is transposed.
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
                convTranspose("odd shape", new ConvGeometry(3, 5, 6, 10, 7)),
                convTranspose("odd shape", new ConvGeometry(3, 5, 6, 10, 7)).withoutBias(),
                convTranspose("DCGAN 512 -> 256, 4x4 to 8x8", new ConvGeometry(16, 256, 8, 8, 512)).withoutBias(),
                convTranspose("DCGAN 256 -> 128, 8x8 to 16x16", new ConvGeometry(16, 128, 16, 16, 256)).withoutBias(),
                convTranspose("DCGAN 128 -> 64, 16x16 to 32x32", new ConvGeometry(16, 64, 32, 32, 128)).withoutBias(),
                convTranspose("DCGAN 64 -> colour 64x64", new ConvGeometry(16, 3, 64, 64, 64)).withoutBias(),
                convTranspose("DCGAN 64 -> grey 64x64", new ConvGeometry(16, 1, 64, 64, 64)).withoutBias(),
                convTranspose("DCGAN 64 -> colour 32x32", new ConvGeometry(16, 3, 32, 32, 64)).withoutBias(),
                convTranspose("DCGAN 64 -> grey 32x32", new ConvGeometry(16, 1, 32, 32, 64)).withoutBias());
    }
}
