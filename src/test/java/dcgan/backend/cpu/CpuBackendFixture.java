package dcgan.backend.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The two CPU backends every op test uses: one thread, and three threads (more than this machine's
 * cores, so that the split of work differs and determinism is really exercised), multiplying with
 * {@link #gemm()}: the default GEMM here, and the Java one in the {@code ...JavaGemmTest} subclasses of
 * the tests whose operations multiply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CpuBackendFixture {

    CpuBackend cpu1;
    CpuBackend cpu3;

    /** The GEMM the backends multiply with. */
    CpuGemm gemm() {
        return CpuGemm.preferred();
    }

    @BeforeAll
    void startBackends() {
        cpu1 = new CpuBackend(1, gemm());
        cpu3 = new CpuBackend(3, gemm());
    }

    @AfterAll
    void stopBackends() {
        cpu1.close();
        cpu3.close();
    }
}
