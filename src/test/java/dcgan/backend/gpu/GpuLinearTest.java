package dcgan.backend.gpu;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;

/**
 * The cuBLAS linear layer (GpuLinear, row-major tensors on column-major GEMMs) against the CPU: weight
 * {@code [out, in]} at the model's layers, weight {@code [in, out]}, and both without a bias at the first and
 * last layers of PyTorch's DCGAN (ngf = ndf = 64), which are 4x4 (transposed) convolutions over the whole image.
 */
@Tag("gpu")
class GpuLinearTest extends WeightedOpFixture {

    @Override
    Stream<Shapes> cases() {
        return Stream.of(
                linear("D.l3", 256, 128 * 7 * 7, 1024),
                linear("D.l4", 256, 1024, 1),
                linear("G.l1", 256, 100, 1024),
                linear("G.l2", 256, 1024, 128 * 7 * 7),
                // Three distinct odd sizes: any batch/in/out mix-up in a leading dimension shows.
                linear("odd sizes", 3, 7, 5),
                linear("odd sizes", 3, 7, 5).withoutBias(),
                linearInOut("odd sizes, [in, out]", 3, 7, 5),
                linearInOut("odd sizes, [in, out]", 3, 7, 5).withoutBias(),
                linearInOut("DCGAN G's first layer: z 100 -> 512 x 4 x 4", 64, 100, 512 * 16).withoutBias(),
                linear("DCGAN D's last layer: 512 x 4 x 4 -> 1", 64, 512 * 16, 1).withoutBias());
    }
}
