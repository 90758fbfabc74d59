package dcgan.backend.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The two CPU backends every op test uses: one thread, and three threads (more than this machine's
 * cores, so that the split of work differs and determinism is really exercised).
 */
abstract class CpuBackendFixture {

    static CpuBackend cpu1;
    static CpuBackend cpu3;

    @BeforeAll
    static void startBackends() {
        cpu1 = new CpuBackend(1);
        cpu3 = new CpuBackend(3);
    }

    @AfterAll
    static void stopBackends() {
        cpu1.close();
        cpu3.close();
    }
}
