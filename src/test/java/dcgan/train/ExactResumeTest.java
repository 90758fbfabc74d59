package dcgan.train;

import dcgan.data.Background;
import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.backend.cpu.CpuGemm;
import dcgan.io.BadFileException;
import dcgan.data.ImageSet;
import dcgan.io.EventFileReader;
import dcgan.io.EventFileWriter;
import dcgan.io.SafeTensorsFile;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A run stopped and resumed, mid-epoch and at an epoch's end, must end bit for bit where an uninterrupted
 * run ends: every weight, Adam moment and moving average, and the same metrics and sample grids, with
 * either GEMM (the stop-and-resume test runs once with each). 24 synthetic images at batch 8: 3 steps per
 * epoch, 2 epochs. The other tests use the default GEMM.
 */
class ExactResumeTest {

    private static final Hyperparameters HP = Hyperparameters.of(8, 2e-4f, 0.5f);

    @TempDir
    static Path shared;

    private static ImageSet data;
    private static final Map<CpuGemm, Path> UNINTERRUPTED = new EnumMap<>(CpuGemm.class);

    private static ImageSet synthetic(int count, int seed) {
        float[] u = new CounterRng(seed).uniform(count * 784, 0f, 1f, 9, 0);
        byte[] pixels = new byte[u.length];
        for (int i = 0; i < u.length; i++) {
            pixels[i] = (byte) (u[i] < 0.8f ? 0 : (int) (u[i] * 255)); // mostly black, like digits
        }
        return ImageSet.digits(pixels, new byte[count], "synthetic");
    }

    private static RunSettings settings(Hyperparameters hp, Path out, long maxSteps, int keepEvery) {
        return new RunSettings(hp, ModelSpec.MNIST, Background.WHITE, 5, 547, 4, Path.of("synthetic"), out, 2, maxSteps, keepEvery, 1, false, 0, null,
                StepExecution.DEFAULT);
    }

    private static TrainingRun.Result train(Path out, long maxSteps, Checkpoint resume, StopCheck stop, PrintStream log)
            throws IOException {
        return train(CpuGemm.preferred(), out, maxSteps, resume, stop, log);
    }

    private static TrainingRun.Result train(CpuGemm gemm, Path out, long maxSteps, Checkpoint resume, StopCheck stop,
                                            PrintStream log) throws IOException {
        try (CpuBackend cpu = new CpuBackend(2, gemm)) {
            return new TrainingRun(cpu, settings(HP, out, maxSteps, 2), log).run(() -> data, resume, stop);
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    @BeforeAll
    static void trainWithoutInterruption() throws IOException {
        data = synthetic(24, 1);
        for (CpuGemm gemm : CpuGemm.values()) {
            if (gemm == CpuGemm.OPENBLAS && CpuGemm.openBlasProblem().isPresent()) {
                continue;
            }
            Path dir = shared.resolve("uninterrupted-" + gemm.optionValue());
            TrainingRun.Result r = train(gemm, dir, 0, null, StopCheck.NEVER, quiet());
            assertEquals(6, r.steps());
            assertFalse(r.interrupted());
            UNINTERRUPTED.put(gemm, dir);
        }
    }

    /** The uninterrupted run of the default GEMM, which the tests other than the stop-and-resume one compare with. */
    private static Path uninterrupted() {
        return UNINTERRUPTED.get(CpuGemm.preferred());
    }

    /**
     * Stopped mid-epoch (Ctrl-C's path), then at the end of an epoch, then mid-epoch by the step limit, each
     * time resumed from the checkpoint the stop left.
     */
    @ParameterizedTest(name = "{0} SGEMM")
    @EnumSource(CpuGemm.class)
    void stoppedAndResumedThreeTimesEndsBitIdentical(CpuGemm gemm, @TempDir Path out) throws IOException {
        Assumptions.assumeTrue(UNINTERRUPTED.containsKey(gemm),
                () -> "OpenBLAS unavailable here: " + CpuGemm.openBlasProblem().orElse(""));
        Path uninterrupted = UNINTERRUPTED.get(gemm);
        TrainingRun.Result first = train(gemm, out, 0, null, done -> done >= 2, quiet());
        assertTrue(first.interrupted());
        assertEquals(2, first.steps());
        Checkpoint atTwo = CheckpointFile.read(out.resolve("checkpoint.safetensors"));
        assertEquals(2, atTwo.state().step());
        assertEquals(1, atTwo.epoch());
        assertEquals(2, atTwo.stepInEpoch());
        assertFalse(Files.exists(out.resolve("samples-epoch-001.png")), "no grid for an unfinished epoch");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingRun.Result second = train(gemm, out, 0, atTwo, done -> done >= 3,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(second.interrupted());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming at step 2 (epoch 1, step 2/3)"), log.toString());
        assertTrue(Files.exists(out.resolve("samples-epoch-001.png")), "epoch 1 finished before the stop");
        Checkpoint atThree = CheckpointFile.read(out.resolve("checkpoint.safetensors"));
        assertEquals(3, atThree.stepInEpoch());

        TrainingRun.Result third = train(gemm, out, 4, atThree, StopCheck.NEVER, quiet());
        assertFalse(third.interrupted());
        assertEquals(4, third.steps());
        Checkpoint atFour = CheckpointFile.read(out.resolve("checkpoint.safetensors"));
        assertEquals(4, atFour.state().step());
        assertEquals(2, atFour.epoch());

        TrainingRun.Result last = train(gemm, out, 0, atFour, StopCheck.NEVER, quiet());
        assertEquals(6, last.steps());

        assertSameTensors(uninterrupted.resolve("checkpoint.safetensors"), out.resolve("checkpoint.safetensors"));
        assertSameTensors(uninterrupted.resolve("checkpoint-epoch-002.safetensors"),
                out.resolve("checkpoint-epoch-002.safetensors"));
        assertEquals(Files.readString(uninterrupted.resolve("metrics.csv")), Files.readString(out.resolve("metrics.csv")));
        for (String grid : List.of("samples-epoch-001.png", "samples-epoch-002.png")) {
            assertArrayEquals(Files.readAllBytes(uninterrupted.resolve(grid)), Files.readAllBytes(out.resolve(grid)), grid);
        }
        assertFalse(Files.exists(out.resolve("checkpoint-epoch-001.safetensors")), "--keep-every 2 keeps epoch 2 only");
        assertEquals(4, eventFiles(out).size(), "one event file per session");
    }

    @Test
    void rowsLoggedAfterTheCheckpointAreReplacedNotDuplicated(@TempDir Path out) throws IOException {
        train(out, 0, null, done -> done >= 2, quiet());
        Checkpoint atTwo = CheckpointFile.read(out.resolve("checkpoint.safetensors"));
        // As if the run had gone on to step 4 and been killed without saving: rows 3 and 4 are orphans,
        // the last one cut off, and TensorBoard has their events too.
        Files.writeString(out.resolve("metrics.csv"), "3,1,9.0,9.0,9.0,9.0\n4,2,9.0,9.",
                java.nio.file.StandardOpenOption.APPEND);
        try (EventFileWriter orphans = EventFileWriter.create(out)) {
            orphans.scalars(3, new String[] {"D_loss"}, new float[] {9f});
        }

        train(out, 0, atTwo, StopCheck.NEVER, quiet());
        assertEquals(Files.readString(uninterrupted().resolve("metrics.csv")), Files.readString(out.resolve("metrics.csv")));
        assertSameTensors(uninterrupted().resolve("checkpoint.safetensors"), out.resolve("checkpoint.safetensors"));

        // TensorBoard's view: the resumed session's start marker at step 3 supersedes the orphaned step 3.
        List<Path> events = eventFiles(out);
        assertEquals(3, events.size());
        Path resumed = events.stream().filter(p -> !p.equals(events.get(0))).reduce((a, b) -> b).orElseThrow();
        Map<Integer, List<Object>> marker = EventFileReader.fields(EventFileReader.records(resumed).get(1));
        assertTrue(marker.containsKey(7), "SessionLog right after the file version");
        assertEquals(3L, marker.get(2).get(0));
    }

    @Test
    void otherDataOrOtherSettingsAreRefusedBeforeAnythingIsWritten(@TempDir Path out) throws IOException {
        train(out, 0, null, done -> done >= 1, quiet());
        Checkpoint atOne = CheckpointFile.read(out.resolve("checkpoint.safetensors"));
        byte[] metrics = Files.readAllBytes(out.resolve("metrics.csv"));
        List<Path> files = listing(out);

        ImageSet sameCountOtherImages = synthetic(24, 2);
        try (CpuBackend cpu = new CpuBackend(2)) {
            TrainingRun run = new TrainingRun(cpu, settings(HP, out, 0, 0), quiet());
            BadFileException e = assertThrows(BadFileException.class,
                    () -> run.run(() -> sameCountOtherImages, atOne, StopCheck.NEVER));
            assertTrue(e.getMessage().startsWith("synthetic: the images differ"), e.getMessage());
            BadFileException count = assertThrows(BadFileException.class,
                    () -> run.run(() -> synthetic(32, 1), atOne, StopCheck.NEVER));
            assertTrue(count.getMessage().contains("32 images, but the checkpoint was trained on 24"), count.getMessage());
            TrainingRun otherBatch = new TrainingRun(cpu, settings(Hyperparameters.of(4, 2e-4f, 0.5f), out, 0, 0),
                    quiet());
            IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> otherBatch.run(() -> fail("the data is not loaded"), atOne, StopCheck.NEVER));
            assertTrue(batch.getMessage().contains("--batch-size 4 conflicts with the checkpoint, which was trained "
                                                   + "with 8"), batch.getMessage());
        }
        assertArrayEquals(metrics, Files.readAllBytes(out.resolve("metrics.csv")));
        assertEquals(files, listing(out));
    }

    @Test
    void earlierRunsAndNewerCheckpointsAreKeptUnderNumberedNames(@TempDir Path out) throws IOException {
        train(out, 1, null, StopCheck.NEVER, quiet());
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.safetensors"));
        train(out, 2, null, StopCheck.NEVER, quiet());
        assertArrayEquals(checkpoint, Files.readAllBytes(out.resolve("checkpoint.1.safetensors")));
        assertEquals(2, Files.readAllLines(out.resolve("metrics.1.csv")).size());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());
        assertEquals(2, CheckpointFile.peekStep(out.resolve("checkpoint.safetensors")).getAsLong());

        // Resuming from the older checkpoint into the same directory: the newer one is kept, not replaced.
        Checkpoint older = CheckpointFile.read(out.resolve("checkpoint.1.safetensors"));
        byte[] newer = Files.readAllBytes(out.resolve("checkpoint.safetensors"));
        String newerMetrics = Files.readString(out.resolve("metrics.csv"));
        train(out, 2, older, StopCheck.NEVER, quiet());
        assertArrayEquals(newer, Files.readAllBytes(out.resolve("checkpoint.2.safetensors")));
        assertEquals(newerMetrics, Files.readString(out.resolve("metrics.2.csv")));
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "step 1 of the older run, then step 2");
        assertEquals(Files.readAllLines(out.resolve("metrics.1.csv")).get(1), Files.readAllLines(out.resolve("metrics.csv")).get(1));
    }

    static void assertSameTensors(Path expected, Path actual) throws IOException {
        try (SafeTensorsFile a = SafeTensorsFile.open(expected); SafeTensorsFile b = SafeTensorsFile.open(actual)) {
            assertEquals(a.entries().size(), b.entries().size());
            for (SafeTensorsFile.Entry e : a.entries()) {
                CheckpointFileTest.assertBitsEqual(a.floats(e.name(), e.shape()), b.floats(e.name(), e.shape()), e.name());
            }
            Map<String, String> ma = new HashMap<>(a.metadata());
            Map<String, String> mb = new HashMap<>(b.metadata());
            ma.remove("saved_at");
            mb.remove("saved_at");
            assertEquals(ma, mb);
        }
    }

    private static List<Path> eventFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
        }
    }

    private static List<Path> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
