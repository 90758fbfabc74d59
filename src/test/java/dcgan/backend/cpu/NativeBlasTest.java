package dcgan.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dcgan.backend.Tensor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What happens when OpenBLAS cannot load, forced with loaders that fail as JavaCPP does: the reason in one
 * line, the Java SGEMM still usable, and OpenBLAS asked for explicitly refused with that reason.
 */
class NativeBlasTest {

    @Test
    void aLoaderThatWorksLeavesNoProblem() {
        assertEquals(Optional.empty(), NativeBlas.load(() -> { }));
    }

    @Test
    void aMissingLibraryBecomesItsReasonInOneLine() {
        Optional<String> problem = NativeBlas.load(() -> {
            throw new UnsatisfiedLinkError("no jniopenblas_nolapack in java.library.path: /usr/lib\n\tsecond line");
        });
        assertEquals(Optional.of("UnsatisfiedLinkError: no jniopenblas_nolapack in java.library.path: /usr/lib"), problem);
    }

    @Test
    void aMissingJavaCppOrAFailedInitialiserIsNamedByItsRootCause() {
        assertEquals(Optional.of("NoClassDefFoundError: org/bytedeco/javacpp/Loader"),
                NativeBlas.load(() -> {
                    throw new NoClassDefFoundError("org/bytedeco/javacpp/Loader");
                }));
        assertEquals(Optional.of("IllegalStateException: no CPU features"),
                NativeBlas.load(() -> {
                    throw new ExceptionInInitializerError(new IllegalStateException("no CPU features"));
                }));
        String longReason = NativeBlas.load(() -> {
            throw new UnsatisfiedLinkError("x".repeat(1000));
        }).orElseThrow();
        assertTrue(longReason.length() <= 200 && longReason.endsWith("..."), longReason);
    }

    @Test
    void withoutOpenBlasTheJavaGemmComputesAndOpenBlasIsRefusedWithTheReason() {
        Optional<String> problem = Optional.of("UnsatisfiedLinkError: no jniopenblas_nolapack");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new CpuBackend(2, CpuGemm.OPENBLAS, problem));
        assertEquals("OpenBLAS is unavailable: UnsatisfiedLinkError: no jniopenblas_nolapack", refused.getMessage());
        try (CpuBackend cpu = new CpuBackend(2, CpuGemm.JAVA, problem)) {
            assertEquals("cpu (2 threads, Java SGEMM)", cpu.describe());
            try (Tensor x = cpu.allocate(2, 3); Tensor w = cpu.allocate(4, 3); Tensor b = cpu.allocate(4);
                 Tensor y = cpu.allocate(2, 4); var linear = cpu.linear(2, 3, 4)) {
                cpu.upload(new float[] {1, 2, 3, 4, 5, 6}, 0, x);
                cpu.upload(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}, 0, w);
                cpu.upload(new float[] {0, 0, 0, 0.5f}, 0, b);
                linear.forward(x, w, b, y);
                assertEquals("[1.0, 2.0, 3.0, 6.5, 4.0, 5.0, 6.0, 15.5]", java.util.Arrays.toString(cpu.download(y)));
            }
        }
    }
}
