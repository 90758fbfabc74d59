package dcgan.backend.gpu;

import dcgan.backend.Backend;
import dcgan.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * Base of the GPU-against-CPU tests: the GPU under test and the CPU reference, opened once per class,
 * and every test skipped through a JUnit assumption that gives the reason when no GPU works.
 */
@Tag("gpu")
public abstract class GpuTestBase {

    /** The backend under test, or null without a usable GPU (the tests are then skipped). */
    protected static Backend gpu;
    /** The reference. */
    protected static CpuBackend cpu;

    @BeforeAll
    static void openBackends() {
        gpu = GpuTestSupport.openGpu();
        cpu = new CpuBackend(2);
    }

    /**
     * For a subclass's own {@code @BeforeAll} (JUnit runs it after this class's): the backend under test
     * opened with settings other than the defaults.
     */
    protected static void reopenGpu(GpuSettings settings) {
        if (gpu != null) {
            gpu.close();
        }
        gpu = GpuTestSupport.openGpu(settings);
    }

    @AfterAll
    static void closeBackends() {
        if (gpu != null) {
            gpu.close();
            gpu = null;
        }
        cpu.close();
    }

    @BeforeEach
    void requireGpu() {
        GpuTestSupport.assumeGpu(gpu);
    }
}
