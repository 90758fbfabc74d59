package dcgan.backend.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The two CPU backends every op test uses: one thread, and three threads (more than this machine's
 * cores, so that the split of work differs and determinism is really exercised), multiplying with
 * {@link #gemm()}: the default GEMM here, and the Java one in the {@code ...JavaGemmTest} subclasses of
 * the tests whose operations multiply; the {@code ...OtherFormTest} subclasses compute the gradients in
 * the other form ({@link #otherForm}).
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
     * Whether the backends compute the gradients that can be computed either way in the form ({@link
     * CpuBackend#prefersTransposedProducts}) that this machine's GEMM does not choose: the form other
     * machines use. The {@code ...OtherFormTest} subclasses say yes.
     */
    boolean otherForm() {
        return false;
    }

    @BeforeAll
    void startBackends() {
        if (!otherForm()) {
            cpu1 = new CpuBackend(1, gemm());
            cpu3 = new CpuBackend(3, gemm());
            return;
        }
        boolean chosenHere;
        try (CpuBackend byDefault = new CpuBackend(1, gemm())) {
            chosenHere = byDefault.prefersTransposedProducts();
        }
        cpu1 = new CpuBackend(1, gemm(), !chosenHere);
        cpu3 = new CpuBackend(3, gemm(), !chosenHere);
    }

    @AfterAll
    void stopBackends() {
        cpu1.close();
        cpu3.close();
    }
}
