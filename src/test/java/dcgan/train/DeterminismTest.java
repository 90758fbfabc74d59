package dcgan.train;

import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.cpu.CpuGemm;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The CPU reference must give bit-identical results for the same seed whatever the thread count, so
 * that runs can be reproduced and the GPU compared against one fixed answer: with the Java SGEMM and with
 * OpenBLAS (whose results are fixed for one machine; another CPU may get other kernels and other bits).
 */
class DeterminismTest {

    @ParameterizedTest(name = "{0} SGEMM")
    @EnumSource(CpuGemm.class)
    void threeStepsAreBitIdenticalOnOneAndThreeThreads(CpuGemm gemm) {
        Assumptions.assumeTrue(gemm != CpuGemm.OPENBLAS || CpuGemm.openBlasProblem().isEmpty(),
                () -> "OpenBLAS unavailable here: " + CpuGemm.openBlasProblem().orElse(""));
        Hyperparameters hp = Hyperparameters.of(8, 2e-4f, 0.5f);
        float[] images = new CounterRng(11).uniform(3 * 8 * 784, 0f, 1f, 9, 0);
        float[][] one = train(gemm, 1, hp, images);
        float[][] three = train(gemm, 3, hp, images);
        for (int i = 0; i < one.length; i++) {
            assertArrayEquals(one[i], three[i], "state buffer " + i);
        }
    }

    @Test
    void aStepChangesBothNetworksAndTheMovingAverages() {
        Hyperparameters hp = Hyperparameters.of(8, 2e-4f, 0.5f);
        float[] images = new CounterRng(11).uniform(8 * 784, 0f, 1f, 9, 0);
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer t = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(5));
             HostBatches batches = new HostBatches(cpu, t, 8)) {
            float[] d0 = cpu.download(t.discriminatorState().params());
            float[] g0 = cpu.download(t.generatorState().params());
            float[] dBuffers0 = cpu.download(t.discriminatorState().buffers());
            float[] gBuffers0 = cpu.download(t.generatorState().buffers());
            StepLosses l = batches.step(images, 0);
            assertFalse(java.util.Arrays.equals(d0, cpu.download(t.discriminatorState().params())));
            assertFalse(java.util.Arrays.equals(g0, cpu.download(t.generatorState().params())));
            assertFalse(java.util.Arrays.equals(dBuffers0, cpu.download(t.discriminatorState().buffers())));
            assertFalse(java.util.Arrays.equals(gBuffers0, cpu.download(t.generatorState().buffers())));
            // At initialisation D cannot tell real from fake: both losses are near log 2.
            assertEquals(Math.log(2), l.dReal(), 0.1);
            assertEquals(Math.log(2), l.dFake(), 0.1);
            assertEquals(1, t.steps());
        }
    }

    private static float[][] train(CpuGemm gemm, int threads, Hyperparameters hp, float[] images) {
        try (CpuBackend cpu = new CpuBackend(threads, gemm); GanTrainer t = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(5));
             HostBatches batches = new HostBatches(cpu, t, hp.batchSize())) {
            for (int s = 0; s < 3; s++) {
                batches.step(images, s * hp.batchSize() * 784);
            }
            return new float[][] {
                cpu.download(t.discriminatorState().params()), cpu.download(t.generatorState().params()),
                cpu.download(t.discriminatorState().adamV()), cpu.download(t.generatorState().buffers()),
            };
        }
    }
}
