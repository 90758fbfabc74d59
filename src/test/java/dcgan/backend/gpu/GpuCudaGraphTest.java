package dcgan.backend.gpu;

import dcgan.data.TestImages;
import dcgan.model.ModelSpec;
import dcgan.backend.CapturedWork;
import dcgan.backend.Tensor;
import dcgan.data.ImageSet;
import dcgan.random.CounterRng;
import dcgan.train.GanTrainer;
import dcgan.train.Hyperparameters;
import dcgan.train.StepExecution;
import dcgan.train.StepRunner;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Captured work ({@code Backend.capture}: a CUDA graph on the GPU) records without running, rereads its
 * tensors on each replay, refuses what cannot be captured, and captured training steps compute what the
 * direct ones do.
 */
class GpuCudaGraphTest extends GpuTestBase {

    @Test
    void aCaptureRunsNothingAndEachReplayReadsTheTensorsAsTheyAreThen() {
        long seed = GpuTestSupport.freshSeed();
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1000;
        try (Tensor x = GpuTestSupport.tensor(gpu, GpuTestSupport.gaussian(rnd, n, 1), n);
             Tensor y = gpu.allocate(n);
             CapturedWork leaky = gpu.capture(() -> gpu.leakyRelu(x, y, 0.2f))) {
            GpuTestSupport.assertBitIdentical("y after the capture alone (seed " + seed + ")", new float[n],
                    gpu.download(y));
            for (int round = 0; round < 2; round++) {
                float[] input = GpuTestSupport.gaussian(rnd, n, 1 + round);
                gpu.upload(input, 0, x);
                leaky.replay();
                float[] expected = new float[n];
                try (Tensor cx = GpuTestSupport.tensor(cpu, input, n); Tensor cy = cpu.allocate(n)) {
                    cpu.leakyRelu(cx, cy, 0.2f);
                    cpu.download(cy, expected, 0);
                }
                GpuTestSupport.assertClose("replay " + (round + 1) + " (seed " + seed + ")", expected, gpu.download(y), 1e-6);
            }
        }
    }

    @Test
    void waitingForTheDeviceWhileCapturingIsRefusedAndTheBackendStaysUsable() {
        assumeTrue(gpu instanceof GpuBackend, "a CPU stand-in captures nothing");
        try (Tensor x = gpu.allocate(16)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> gpu.capture(() -> {
                gpu.fill(x, 1f);
                gpu.download(x);
            }));
            assertTrue(e.getMessage().contains("while capturing a CUDA graph"), e.getMessage());
            gpu.fill(x, 2f);
            float[] back = gpu.download(x);
            assertEquals(2f, back[15]);
            CapturedWork closed = gpu.capture(() -> gpu.fill(x, 3f));
            closed.close();
            assertThrows(IllegalStateException.class, closed::replay);
        }
    }

    @Test
    void theWorkspaceAGraphUsesCannotMoveAfterwards() {
        assumeTrue(gpu instanceof GpuBackend, "needs a CUDA context");
        try (Workspace w = new Workspace(new DeviceMemory(), () -> { })) {
            w.reserve(4096);
            w.pin();
            w.reserve(1024); // fits: nothing moves
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.reserve(8192));
            assertTrue(e.getMessage().contains("build every layer before the first captured step"), e.getMessage());
            assertEquals(4096, w.size());
        }
    }

    static Stream<Named<ModelSpec>> models() {
        return Stream.of(Named.of("notebook", ModelSpec.MNIST),
                Named.of("DCGAN 64x64x3", ModelSpec.dcgan(64, 3, 100, 8, 8)));
    }

    /**
     * Four steps at batch 8 captured (from the second on), with batches taken from a dataset on the device
     * and each step's losses read while the next runs, against the default path on the same GPU. The same kernels and cuDNN algorithms run on the
     * same data in the same order, so only nondeterministic algorithms could tell them apart: the tolerance
     * is far below anything a missing, repeated or stale operation would cause. For the notebook's model and
     * for PyTorch's example's DCGAN (ngf = ndf = 8), whose captured G step reads the images of the captured D step.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void capturedStepsOnTheDeviceDataComputeWhatDirectStepsDo(ModelSpec model) {
        long seed = GpuTestSupport.freshSeed();
        Hyperparameters hp = Hyperparameters.defaults(model.family()).with(8, 2e-4f, 0.5f);
        int steps = 4;
        ImageSet images = TestImages.random(seed, steps * 8, model.channels(), model.imageSize());
        List<float[]> direct = train(model, hp, images, steps, seed, false);
        List<float[]> captured = train(model, hp, images, steps, seed, true);
        String[] names = {"losses", "D params", "D moving averages", "D Adam m", "D Adam v", "G params",
                          "G moving averages", "G Adam m", "G Adam v"};
        for (int i = 0; i < names.length; i++) {
            GpuTestSupport.assertClose(names[i] + " (" + model.describe() + ", seed " + seed + ")", direct.get(i),
                    captured.get(i), 1e-5);
        }
    }

    private static void put(float[] losses, StepRunner.Done done) {
        int i = (int) (done.step() - 1) * 3;
        losses[i] = done.losses().dReal();
        losses[i + 1] = done.losses().dFake();
        losses[i + 2] = done.losses().g();
    }

    private static List<float[]> train(ModelSpec model, Hyperparameters hp, ImageSet images, int steps, long seed,
                                       boolean fast) {
        List<float[]> out = new ArrayList<>();
        float[] losses = new float[3 * steps];
        // fast: captured steps on the dataset uploaded once, each step's losses read from pinned memory after
        // the next step is queued, as --cuda-graphs --data-on-device --async-losses do.
        try (GanTrainer t = new GanTrainer(gpu, hp, model, new CounterRng(seed), fast, null);
             StepRunner runner = new StepRunner(gpu, t, hp.batchSize(), images, model.range(),
                     new StepExecution(fast, fast, fast))) {
            for (int s = 0; s < steps; s++) {
                runner.step(s * hp.batchSize()).ifPresent(done -> put(losses, done));
            }
            runner.finish().ifPresent(done -> put(losses, done));
            assertEquals(null, t.captureFailure(), "the steps were captured, not run directly after a failure");
            out.add(losses);
            out.addAll(t.snapshot().arrays());
        }
        return out;
    }
}
