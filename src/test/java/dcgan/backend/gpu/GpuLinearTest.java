package dcgan.backend.gpu;

import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;

/** The cuBLAS linear layer (GpuLinear, row-major tensors on column-major GEMMs) against the CPU. */
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
                linear("odd sizes", 3, 7, 5));
    }
}
