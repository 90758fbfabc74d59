package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * Every test of {@link CpuConvTransposeTest} again, with the transposed convolution's gradients computed in the form (plain or
 * transposed products) that the default GEMM on this machine does not choose: the form other machines use.
 */
class CpuConvTransposeOtherFormTest extends CpuConvTransposeTest {

    @Override
    Boolean transposedProducts() {
        try (CpuBackend byDefault = new CpuBackend(1, gemm())) {
            return !byDefault.prefersTransposedProducts();
        }
    }

    @Test
    void computesInTheOtherForm() {
        try (CpuBackend byDefault = new CpuBackend(1, gemm())) {
            assertNotEquals(byDefault.prefersTransposedProducts(), cpu1.prefersTransposedProducts());
            assertNotEquals(byDefault.prefersTransposedProducts(), cpu3.prefersTransposedProducts());
        }
    }
}
