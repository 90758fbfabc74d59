package dcgan.train;

import dcgan.data.Background;
import dcgan.data.TestImages;
import dcgan.data.PixelRange;
import dcgan.model.ModelSpec;
import dcgan.backend.Backend;
import dcgan.backend.CapturedWork;
import dcgan.backend.Tensor;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captured steps and batches taken from a dataset on the backend must change nothing but speed: on the
 * deterministic CPU backend every weight, Adam moment, moving average and loss is bit-identical to the
 * default path. (On a GPU the same holds with CUDA graphs; GpuStepExecutionTest checks it there.)
 */
class StepExecutionTest {

    private static final Hyperparameters HP = Hyperparameters.of(8, 2e-4f, 0.5f);
    private static final int STEPS = 4;

    /** The trainer's whole state and its losses after {@link #STEPS} steps. */
    private static List<float[]> train(Backend backend, boolean captureSteps, boolean deviceBatches) {
        return train(backend, captureSteps, deviceBatches, false);
    }

    /** As above; with {@code async}, each step's losses are read after the next step is queued. */
    private static List<float[]> train(Backend backend, boolean captureSteps, boolean deviceBatches, boolean async) {
        ImageSet images = TestImages.random(11, STEPS * 8, 1, 28);
        List<float[]> state = new ArrayList<>();
        try (GanTrainer t = new GanTrainer(backend, HP, ModelSpec.MNIST, new CounterRng(5), captureSteps, null);
             StepRunner steps = new StepRunner(backend, t, 8, images, PixelRange.UNIT,
                     new StepExecution(captureSteps, deviceBatches, async))) {
            for (int s = 0; s < STEPS; s++) {
                steps.step(s * 8).ifPresent(done -> state.add(losses(done.losses())));
            }
            steps.finish().ifPresent(done -> state.add(losses(done.losses())));
            state.addAll(t.snapshot().arrays());
        }
        return state;
    }

    private static float[] losses(StepLosses l) {
        return new float[] {l.dReal(), l.dFake(), l.g()};
    }

    private static void assertSameState(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), i < STEPS ? "losses of step " + (i + 1) : "state array " + i);
        }
    }

    @Test
    void capturedStepsAndDeviceBatchesLeaveTheSameStateAsTheDefault() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            List<float[]> reference = train(cpu, false, false);
            assertSameState(reference, train(cpu, true, false));
            assertSameState(reference, train(cpu, false, true));
            assertSameState(reference, train(cpu, true, true));
            assertSameState(reference, train(cpu, true, true, true));
            assertSameState(reference, train(cpu, false, false, true));
        }
    }

    @Test
    void lossesReadOneStepLateComeBackInOrderAfterTheNextStepIsQueued() {
        ImageSet images = TestImages.random(11, 2 * 8, 1, 28);
        try (CpuBackend cpu = new CpuBackend(2);
             GanTrainer direct = new GanTrainer(cpu, HP, ModelSpec.MNIST, new CounterRng(5));
             GanTrainer late = new GanTrainer(cpu, HP, ModelSpec.MNIST, new CounterRng(5));
             StepRunner now = new StepRunner(cpu, direct, 8, images, PixelRange.UNIT, StepExecution.DEFAULT);
             StepRunner pipelined = new StepRunner(cpu, late, 8, images, PixelRange.UNIT, new StepExecution(false, false, true))) {
            StepRunner.Done first = now.step(0).orElseThrow();
            assertEquals(1, first.step());
            assertTrue(now.finish().isEmpty(), "nothing is left in flight when losses are read at once");
            StepRunner.Done second = now.step(8).orElseThrow();

            assertTrue(pipelined.step(0).isEmpty(), "step 1's losses are read when step 2 runs");
            assertEquals(first, pipelined.step(8).orElseThrow());
            assertEquals(2, late.steps(), "step 2 was queued before step 1's losses were read");
            assertEquals(second, pipelined.finish().orElseThrow());
            assertTrue(pipelined.finish().isEmpty());
        }
    }

    /**
     * The trainer captures each half-step once, on the second step (the first runs directly), and replays
     * it on every later step; a capture records without running, so the work runs exactly once per step.
     * A backend whose captures count their replays shows both, and the state still matches the default.
     */
    @Test
    void eachHalfStepIsCapturedOnceOnTheSecondStepAndReplayedAfterwards() {
        try (CpuBackend cpu = new CpuBackend(2)) {
            int[] captures = new int[1];
            int[] replays = new int[1];
            Backend counting = withCapture(cpu, work -> {
                captures[0]++;
                return new CapturedWork() {
                    @Override
                    public void replay() {
                        replays[0]++;
                        work.run();
                    }

                    @Override
                    public void close() {
                    }
                };
            });
            List<float[]> captured = train(counting, true, true);
            assertEquals(2, captures[0], "one capture per half-step");
            assertEquals(2 * (STEPS - 1), replays[0], "a replay per half-step from the second step on");
            assertSameState(train(cpu, false, false), captured);
        }
    }

    /**
     * The CPU backend with {@code capture} answered by {@code capture} instead; closing it leaves the CPU
     * backend open (its test closes it).
     */
    private static Backend withCapture(CpuBackend cpu, Function<Runnable, CapturedWork> capture) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("capture")) {
                        return capture.apply((Runnable) args[0]);
                    }
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** A backend whose capture always fails, as a driver might refuse some library call inside a capture. */
    private static Backend refusingCapture(CpuBackend cpu) {
        return withCapture(cpu, work -> {
            throw new IllegalStateException("cannot capture that");
        });
    }

    @Test
    void aFailedCaptureFallsBackToDirectStepsWithTheSameResultsAndSaysWhy() throws IOException {
        try (CpuBackend cpu = new CpuBackend(2)) {
            Backend refusing = refusingCapture(cpu);
            assertSameState(train(cpu, false, false), train(refusing, true, true));
            try (GanTrainer t = new GanTrainer(refusing, HP, ModelSpec.MNIST, new CounterRng(5), true, null);
                 Tensor batch = refusing.allocate(8, 1, 28, 28)) {
                t.step(batch);
                assertEquals(null, t.captureFailure(), "the first step runs directly");
                t.step(batch);
                assertEquals("cannot capture that", t.captureFailure().getMessage());
            }
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            new TrainingRun(refusing, settings(dir.resolve("refused"), 1, 1, new StepExecution(true, false)),
                    new PrintStream(log, true, StandardCharsets.UTF_8)).run(() -> digits(32), null, StopCheck.NEVER);
            String out = log.toString(StandardCharsets.UTF_8);
            assertEquals(1, out.lines().filter(l -> l.startsWith("warning: capturing the steps failed (cannot capture "
                    + "that); continuing without CUDA graphs")).count(), out);
        }
    }

    @TempDir
    Path dir;

    private static ImageSet digits(int count) {
        float[] u = new CounterRng(3).uniform(count * 784, 0f, 1f, 9, 0);
        byte[] pixels = new byte[u.length];
        for (int i = 0; i < u.length; i++) {
            pixels[i] = (byte) (u[i] < 0.8f ? 0 : (int) (u[i] * 255));
        }
        return ImageSet.digits(pixels, new byte[count], "synthetic");
    }

    /** {@code epochs} over synthetic digits, seed 5, grids of 4. */
    private static RunSettings settings(Path out, int epochs, int saveEvery, StepExecution execution) {
        return new RunSettings(HP, ModelSpec.MNIST, Background.WHITE, 5, 547, 4, Path.of("synthetic"), out, epochs, 0, 0, saveEvery, false, 0, null, execution);
    }

    private String run(Path out, int saveEvery, StepExecution execution) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (CpuBackend cpu = new CpuBackend(2)) {
            new TrainingRun(cpu, settings(out, 3, saveEvery, execution), new PrintStream(log, true, StandardCharsets.UTF_8))
                    .run(() -> digits(16), null, StopCheck.NEVER);
        }
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRunWithTheDatasetOnTheBackendWritesTheSameMetricsAndCheckpoint() throws IOException {
        run(dir.resolve("default"), 1, StepExecution.DEFAULT);
        String log = run(dir.resolve("fast"), 1, new StepExecution(true, true, true));
        assertTrue(log.contains("steps: captured steps, dataset on the device, losses read while the next step runs"),
                log);
        assertEquals(Files.readString(dir.resolve("default/metrics.csv")), Files.readString(dir.resolve("fast/metrics.csv")));
        ExactResumeTest.assertSameTensors(dir.resolve("default/checkpoint.safetensors"),
                dir.resolve("fast/checkpoint.safetensors"));
    }

    /** A stop with a step still queued finishes it, logs it and saves it, as a stop of a direct run does. */
    @Test
    void aStoppedRunWithLossesInFlightSavesAndLogsEveryQueuedStep() throws IOException {
        ImageSet data = digits(16); // 2 steps per epoch
        String[] metrics = new String[2];
        long[] saved = new long[2];
        for (int k = 0; k < 2; k++) {
            Path out = dir.resolve("stopped-" + k);
            try (CpuBackend cpu = new CpuBackend(2)) {
                TrainingRun.Result r = new TrainingRun(cpu, settings(out, 3, 1, new StepExecution(false, k == 1, k == 1)),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                        .run(() -> data, null, done -> done >= 3);
                assertTrue(r.interrupted());
                assertEquals(3, r.steps());
            }
            metrics[k] = Files.readString(out.resolve("metrics.csv"));
            saved[k] = CheckpointFile.read(out.resolve("checkpoint.safetensors")).state().step();
        }
        assertEquals(metrics[0], metrics[1]);
        assertEquals(3, metrics[1].lines().filter(l -> !l.startsWith("step")).count(), metrics[1]);
        assertEquals(3, saved[1]);
    }

    @Test
    void saveEveryWritesTheCheckpointOnlyEveryNEpochsAndAfterTheLast() throws IOException {
        String log = run(dir.resolve("sparse"), 2, StepExecution.DEFAULT);
        String checkpoint = dir.resolve("sparse/checkpoint.safetensors").toString();
        assertTrue(log.contains("samples-epoch-001.png" + System.lineSeparator()), "epoch 1 writes only its grid:\n" + log);
        assertTrue(log.contains("samples-epoch-002.png and " + checkpoint), "epoch 2 saves:\n" + log);
        assertTrue(log.contains("samples-epoch-003.png and " + checkpoint), "the last epoch saves:\n" + log);
        assertEquals(6, CheckpointFile.read(dir.resolve("sparse/checkpoint.safetensors")).state().step());
    }
}
