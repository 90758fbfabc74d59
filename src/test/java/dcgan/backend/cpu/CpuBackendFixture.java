package dcgan.backend.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The two CPU backends every op test uses: one thread, and three threads (more than this machine's
 * cores, so that the split of work differs and determinism is really exercised), multiplying with
 * {@link #gemm()}: the default GEMM here, and the Java one in the {@code ...JavaGemmTest} subclasses of
 * the tests whose operations multiply; the {@code ...OtherFormTest} subclasses compute the gradients in
 * the form ({@link CpuBackend#prefersTransposedProducts}) that this machine's GEMM does not choose.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CpuBackendFixture {

    CpuBackend cpu1;
    CpuBackend cpu3;

    /** The GEMM the backends multiply with. */
    CpuGemm gemm() {
        return CpuGemm.preferred();
    }

    /**
     * Whether the operations compute their gradients as transposed products ({@link
     * CpuBackend#prefersTransposedProducts}), or null for what the GEMM prefers on this machine.
     */
    Boolean transposedProducts() {
        return null;
    }

    @BeforeAll
    void startBackends() {
        Boolean transposed = transposedProducts();
        cpu1 = transposed == null ? new CpuBackend(1, gemm()) : new CpuBackend(1, gemm(), transposed);
        cpu3 = transposed == null ? new CpuBackend(3, gemm()) : new CpuBackend(3, gemm(), transposed);
    }

    @AfterAll
    void stopBackends() {
        cpu1.close();
        cpu3.close();
    }
}
