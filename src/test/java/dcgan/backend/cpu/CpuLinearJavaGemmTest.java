package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Every test of {@link CpuLinearTest} again, multiplying with the pure-Java GEMM (the fallback's products). */
class CpuLinearJavaGemmTest extends CpuLinearTest {

    @Override
    CpuGemm gemm() {
        return CpuGemm.JAVA;
    }

    @Test
    void multipliesWithTheJavaGemm() {
        assertEquals("Java", cpu1.gemmName());
        assertEquals("Java", cpu3.gemmName());
    }
}
