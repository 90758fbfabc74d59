package dcgan.train;

import dcgan.data.Background;
import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.data.ImageSet;
import dcgan.io.BadFileException;
import dcgan.random.CounterRng;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a run does to its output directory: nothing until its first step is done (so a stop or a failure
 * in set-up leaves the directory as it was), never a mix of two runs' files, and a clear refusal of files
 * it cannot read. 24 synthetic images at batch 8: 3 steps per epoch, 2 epochs.
 */
class RunDirectoryTest {

    private static final Hyperparameters HP = Hyperparameters.of(8, 2e-4f, 0.5f);

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static ImageSet data;
    private static Path uninterrupted;

    @BeforeAll
    static void trainWithoutInterruption() throws IOException {
        float[] u = new CounterRng(1).uniform(24 * 784, 0f, 1f, 9, 0);
        byte[] pixels = new byte[u.length];
        for (int i = 0; i < u.length; i++) {
            pixels[i] = (byte) (u[i] < 0.8f ? 0 : (int) (u[i] * 255));
        }
        data = ImageSet.digits(pixels, new byte[24], "synthetic");
        uninterrupted = shared.resolve("uninterrupted");
        assertEquals(6, train(uninterrupted, 5, false, null, StopCheck.NEVER, new Log()).steps());
    }

    private static RunSettings settings(Path out, long seed, boolean overwrite) {
        return new RunSettings(HP, ModelSpec.MNIST, Background.WHITE, seed, 547, 4, Path.of("synthetic"), out, 2, 0, 0, 1, overwrite, 0, null,
                StepExecution.DEFAULT);
    }

    private static TrainingRun.Result train(Path out, long seed, boolean overwrite, Checkpoint resume, StopCheck stop,
                                            Log log) throws IOException {
        try (CpuBackend cpu = new CpuBackend(2)) {
            return new TrainingRun(cpu, settings(out, seed, overwrite), log.stream).run(() -> data, resume, stop);
        }
    }

    /** What a run printed. */
    private static final class Log {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        @Override
        public String toString() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** Every file in {@code dir} but the lock, by name, with its bytes (a directory as an empty array). */
    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (!name.equals(".lock")) {
                    files.put(name, Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
                }
            }
        }
        return files;
    }

    private static void assertSameContents(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), name);
        }
    }

    private static Checkpoint checkpointIn(Path dir) throws IOException {
        return CheckpointFile.read(dir.resolve(CheckpointFile.FILE_NAME));
    }

    /**
     * A new run that stops before its first step (Ctrl-C in set-up), with --overwrite or without, again and
     * again, leaves the earlier run's directory exactly as it was: nothing deleted, nothing renamed to NAME.1,
     * no new metrics or event files; the earlier run still resumes.
     */
    @Test
    void aNewRunStoppedBeforeItsFirstStepLeavesTheDirectoryAsItWas() throws IOException {
        Path out = tmp.resolve("run");
        train(out, 5, false, null, done -> done >= 4, new Log());
        Map<String, byte[]> before = contents(out);
        for (boolean overwrite : new boolean[] {true, false, false, true}) {
            Log log = new Log();
            TrainingRun.Result r = train(out, 7, overwrite, null, done -> true, log);
            assertTrue(r.interrupted());
            assertEquals(0, r.steps());
            assertSameContents(before, contents(out));
            assertTrue(log.toString().contains("stopped before the first step; nothing to save, and " + out
                                               + " is as it was"), log.toString());
        }
        TrainingRun.Result resumed = train(out, 5, false, checkpointIn(out), StopCheck.NEVER, new Log());
        assertEquals(6, resumed.steps());
        assertEquals(Files.readString(uninterrupted.resolve("metrics.csv")), Files.readString(out.resolve("metrics.csv")));
    }

    /**
     * A stop that arrives while the first step runs, once the run is no longer allowed to start writing, also
     * leaves the directory as it was.
     */
    @Test
    void aRunThatNeverStartsWritingLeavesNoTrace() throws IOException {
        Path out = tmp.resolve("run");
        train(out, 5, false, null, StopCheck.NEVER, new Log());
        Map<String, byte[]> before = contents(out);
        StopCheck refusesToStart = new StopCheck() {
            @Override
            public boolean stopBefore(long stepsDone) {
                return false;
            }

            @Override
            public boolean startWriting() {
                return false;
            }
        };
        TrainingRun.Result r = train(out, 7, true, null, refusesToStart, new Log());
        assertTrue(r.interrupted());
        assertSameContents(before, contents(out));
    }

    /** A run into a new directory that stops before its first step leaves no directory behind. */
    @Test
    void aRunStoppedBeforeItsFirstStepLeavesNoNewDirectory() throws IOException {
        Path fresh = tmp.resolve("new/deeper");
        assertTrue(train(fresh, 5, false, null, done -> true, new Log()).interrupted());
        assertFalse(Files.exists(tmp.resolve("new")), "the directories the run made for itself are gone");
    }

    /** A failure in set-up (here the data) leaves no new directory and no lock behind. */
    @Test
    void aRunThatFailsInSetUpLeavesNoDirectory() {
        Path fresh = tmp.resolve("fresh");
        try (CpuBackend cpu = new CpuBackend(1)) {
            TrainingRun run = new TrainingRun(cpu, settings(fresh, 5, false), new Log().stream);
            assertThrows(IOException.class, () -> run.run(() -> {
                throw new BadFileException(Path.of("digits"), "is not there");
            }, null, StopCheck.NEVER));
        }
        assertFalse(Files.exists(fresh));
    }

    /**
     * --resume RUN --out OTHER, where OTHER holds another run, is refused before anything is written: its
     * metrics and grids would otherwise mix with RUN's.
     */
    @Test
    void resumingIntoTheDirectoryOfAnotherRunIsRefused() throws IOException {
        Path run = tmp.resolve("run");
        train(run, 5, false, null, done -> done >= 4, new Log());
        Path other = tmp.resolve("other");
        train(other, 9, false, null, StopCheck.NEVER, new Log());
        Map<String, byte[]> before = contents(other);
        Checkpoint c = checkpointIn(run);
        BadFileException e = assertThrows(BadFileException.class,
                () -> train(other, 5, false, c, StopCheck.NEVER, new Log()));
        assertEquals(other + ": holds the files of another run (metrics.csv, checkpoint.safetensors, ...); the run "
                     + "resumed from the checkpoint in " + run + " would mix with them: give an --out that holds no run's "
                     + "files, or move them away", e.getMessage());
        assertSameContents(before, contents(other));
    }

    /**
     * --resume RUN --out EMPTY starts EMPTY's logs from RUN's own history: its metrics and grids end bit for
     * bit as an uninterrupted run's, and RUN is untouched.
     */
    @Test
    void resumingIntoAnEmptyDirectoryContinuesTheCheckpointsHistory() throws IOException {
        Path run = tmp.resolve("run");
        train(run, 5, false, null, done -> done >= 4, new Log());
        Map<String, byte[]> runBefore = contents(run);
        Path copy = tmp.resolve("copy");
        Log log = new Log();
        assertEquals(6, train(copy, 5, false, checkpointIn(run), StopCheck.NEVER, log).steps());
        assertTrue(log.toString().contains("started " + copy + " from the history of the run in " + run + ", up to step 4: "
                                           + "metrics.csv, samples-epoch-001.png, 1 event file"), log.toString());
        assertEquals(Files.readString(uninterrupted.resolve("metrics.csv")), Files.readString(copy.resolve("metrics.csv")));
        for (String grid : List.of("samples-epoch-001.png", "samples-epoch-002.png")) {
            assertArrayEquals(Files.readAllBytes(uninterrupted.resolve(grid)), Files.readAllBytes(copy.resolve(grid)), grid);
        }
        ExactResumeTest.assertSameTensors(uninterrupted.resolve("checkpoint.safetensors"),
                copy.resolve("checkpoint.safetensors"));
        assertSameContents(runBefore, contents(run));
    }

    /** Rows of a metrics.csv that appear twice are mended on resume: the final file has each step once. */
    @Test
    void duplicateRowsAreMendedOnResume() throws IOException {
        Path out = tmp.resolve("run");
        train(out, 5, false, null, done -> done >= 3, new Log());
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        Files.writeString(out.resolve("metrics.csv"), rows.get(2) + "\n" + rows.get(3) + "\n", StandardOpenOption.APPEND);
        Log log = new Log();
        train(out, 5, false, checkpointIn(out), StopCheck.NEVER, log);
        assertTrue(log.toString().contains("dropped 2 duplicate rows of steps 2-3 from " + out.resolve("metrics.csv")),
                log.toString());
        assertEquals(Files.readString(uninterrupted.resolve("metrics.csv")), Files.readString(out.resolve("metrics.csv")));
    }

    /** An empty metrics.csv does not block a resume: it is started afresh, as a missing one is. */
    @Test
    void anEmptyMetricsFileIsStartedAfresh() throws IOException {
        Path out = tmp.resolve("run");
        train(out, 5, false, null, done -> done >= 2, new Log());
        Files.write(out.resolve("metrics.csv"), new byte[0]);
        Log log = new Log();
        assertEquals(6, train(out, 5, false, checkpointIn(out), StopCheck.NEVER, log).steps());
        assertTrue(log.toString().contains(out.resolve("metrics.csv") + " is empty: starting it afresh at step 3"),
                log.toString());
        List<String> expected = Files.readAllLines(uninterrupted.resolve("metrics.csv"));
        assertEquals(expected.subList(3, expected.size()), Files.readAllLines(out.resolve("metrics.csv")).subList(1, 5));
    }

    /**
     * A file the resumed run would read that is a directory or a named pipe is refused with one line naming
     * it, at once (a pipe would block the run), and the directory is left as it was.
     */
    @Test
    void filesThatAreNotRegularFilesAreRefused() throws Exception {
        Path out = tmp.resolve("run");
        train(out, 5, false, null, done -> done >= 2, new Log());
        Checkpoint c = checkpointIn(out);
        Path metrics = out.resolve("metrics.csv");
        Files.delete(metrics);
        Files.createDirectory(metrics);
        BadFileException dir = assertThrows(BadFileException.class, () -> train(out, 5, false, c, StopCheck.NEVER, new Log()));
        assertEquals(metrics + ": is a directory, not a regular file; move it away, and the run will write a new one",
                dir.getMessage());
        Files.delete(metrics);

        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", metrics.toString()).start().waitFor() == 0, "mkfifo works");
        Map<String, byte[]> before = contents(out);
        BadFileException fifo = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(BadFileException.class, () -> train(out, 5, false, c, StopCheck.NEVER, new Log())));
        assertTrue(fifo.getMessage().startsWith(metrics + ": is a named pipe (FIFO), not a regular file"), fifo.getMessage());
        assertSameContents(before, contents(out));
    }
}
