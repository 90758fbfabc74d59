package dcgan.cli;

import dcgan.data.Background;
import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.random.CounterRng;
import dcgan.train.Checkpoint;
import dcgan.train.CheckpointFile;
import dcgan.train.GanTrainer;
import dcgan.train.HostBatches;
import dcgan.train.Hyperparameters;
import dcgan.train.RunSettings;
import dcgan.train.StepExecution;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inputs that are not regular files: named pipes, the pipes of a shell's {@code <(...)}, symbolic link loops.
 * Each is refused with one line naming the path and what it is, without opening it: opening a named pipe
 * for reading waits for a writer, so a reader that opened one first would hang. The tests that could hang
 * run under a timeout in a thread of their own, so that a hang fails the test instead of stopping the suite.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadInputsTest {

    private static final String PIPE_TAIL = "the command needs a regular file it can seek in";

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path checkpoint;
    private static Path noise;

    /** The named pipes a test made: any that a reader still waits on is opened and closed after the test. */
    private final List<Path> fifos = new ArrayList<>();

    @BeforeAll
    static void checkpointAndNoise() throws IOException {
        Hyperparameters hp = Hyperparameters.of(4, 2e-4f, 0.5f);
        try (CpuBackend cpu = new CpuBackend(1); GanTrainer t = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(3));
             HostBatches batches = new HostBatches(cpu, t, 4)) {
            batches.step(new CounterRng(4).uniform(4 * 784, 0f, 1f, 9, 0), 0);
            checkpoint = shared.resolve("checkpoint.safetensors");
            RunSettings settings = new RunSettings(hp, ModelSpec.MNIST, Background.WHITE, 3, 547, 64, Path.of("/data"), shared, 1, 0, 0, 1, false, 0, null,
                    StepExecution.DEFAULT);
            CheckpointFile.write(checkpoint, new Checkpoint(settings, 8, "00000000", t.snapshot()));
        }
        noise = shared.resolve("z.npy");
        dcgan.io.Npy.writeFloat32(noise, new int[] {2, 100}, new CounterRng(1).uniform(200, -1f, 1f, 0, 0));
    }

    /** A named pipe, made as a user makes one: {@code mkfifo PATH}. */
    private Path fifo(Path path) throws Exception {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo " + path);
        fifos.add(path);
        return path;
    }

    /**
     * Opening a named pipe for reading and writing never waits; it lets a reader that waits for a writer go on
     * (to the end of the data at once), so that a test that failed by its timeout leaves no thread stuck.
     */
    @AfterEach
    void releaseWaitingReaders() throws IOException {
        for (Path f : fifos) {
            try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertTrue(c.isOpen());
            }
        }
    }

    private static void assertRefused(CliRun o, Path input, String what) {
        assertEquals(1, o.status(), o.out() + o.err());
        assertTrue(o.err().startsWith("error: " + input + ": " + what), o.err());
        assertEquals(1, o.err().lines().count(), "one line: " + o.err());
    }

    @Test
    void aNamedPipeAsACheckpointIsRefusedWithoutWaiting() throws Exception {
        Path f = fifo(dir.resolve("ckpt.fifo"));
        CliRun generate = CliRun.of("generate", "--checkpoint", f.toString(), "--count", "2", "--png",
                dir.resolve("a.png").toString(), "--device", "cpu");
        assertRefused(generate, f, "is a named pipe (FIFO), not a regular file; " + PIPE_TAIL);
        CliRun resume = CliRun.of("train", "--resume", f.toString(), "--device", "cpu");
        assertRefused(resume, f, "is a named pipe (FIFO), not a regular file; " + PIPE_TAIL);
        CliRun evaluate = CliRun.of("evaluate", "--checkpoint", f.toString(), "--device", "cpu");
        assertRefused(evaluate, f, "is a named pipe (FIFO), not a regular file; " + PIPE_TAIL);
        assertFalse(Files.exists(dir.resolve("a.png")));
    }

    @Test
    void aNamedPipeAsNoiseOrImagesIsRefusedWithoutWaiting() throws Exception {
        Path z = fifo(dir.resolve("z.fifo"));
        CliRun generate = CliRun.of("generate", "--checkpoint", checkpoint.toString(), "--z", z.toString(), "--png",
                dir.resolve("a.png").toString(), "--device", "cpu");
        assertRefused(generate, z, "is a named pipe (FIFO), not a regular file; " + PIPE_TAIL);
        Path images = fifo(dir.resolve("images.fifo"));
        CliRun evaluate = CliRun.of("evaluate", "--npy", images.toString(), "--data-dir", "test-data");
        assertRefused(evaluate, images, "is a named pipe (FIFO), not a regular file; " + PIPE_TAIL);
    }

    /** The data loader says the same of a named pipe as every other reader. */
    @Test
    void aNamedPipeAmongTheDataFilesIsNamedAlike() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path images = fifo(data.resolve("x-images-idx3-ubyte.gz"));
        Files.copy(Path.of("test-data/mnist10k-labels-idx1-ubyte.gz"), data.resolve("x-labels-idx1-ubyte.gz"));
        CliRun o = CliRun.of("train", "--data-dir", data.toString(), "--out", dir.resolve("out").toString(),
                "--device", "cpu", "--eval-every", "0");
        assertRefused(o, images, "is a named pipe (FIFO), not a regular file; " + PIPE_TAIL);
        assertFalse(Files.exists(dir.resolve("out")));
    }

    /**
     * A shell's {@code <(cat FILE)} passes /dev/fd/N, a link to the read end of a pipe: that is said, not "Illegal
     * seek" or "too short". The shell that becomes the command's JVM opens such a pipe as descriptor 3, as
     * {@code <(...)} does with another number.
     */
    @Test
    void thePipeOfAProcessSubstitutionIsNamedAsOne() throws Exception {
        String pipeOf = "exec 3< <(cat '%s'); ";
        try (ChildProcess z = ChildProcess.start(dir, String.format(pipeOf, noise), "generate", "--checkpoint",
                checkpoint.toString(), "--z", "/dev/fd/3", "--png", dir.resolve("z.png").toString(), "--device", "cpu")) {
            assertEquals(1, z.exitStatus(18), z.out() + z.err());
            assertTrue(z.err().startsWith("error: /dev/fd/3: is a pipe (as <(...) gives), not a regular file; "
                                          + PIPE_TAIL), z.err());
        }
        try (ChildProcess c = ChildProcess.start(dir, String.format(pipeOf, checkpoint), "generate", "--checkpoint",
                "/dev/fd/3", "--count", "2", "--png", dir.resolve("c.png").toString(), "--device", "cpu")) {
            assertEquals(1, c.exitStatus(18), c.out() + c.err());
            assertTrue(c.err().startsWith("error: /dev/fd/3: is a pipe (as <(...) gives), not a regular file; "
                                          + PIPE_TAIL), c.err());
        }
    }

    @Test
    void aSymbolicLinkLoopIsNamedAsOneNotAsMissing() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.createSymbolicLink(a, b.getFileName());
        Files.createSymbolicLink(b, a.getFileName());
        String loop = "is a loop of symbolic links (" + a + " -> b -> a)";
        assertRefused(CliRun.of("generate", "--checkpoint", a.toString(), "--count", "2", "--png",
                dir.resolve("a.png").toString(), "--device", "cpu"), a, loop);
        assertRefused(CliRun.of("train", "--resume", a.toString()), a, loop);
        assertRefused(CliRun.of("evaluate", "--npy", a.toString()), a, loop);
        assertRefused(CliRun.of("generate", "--checkpoint", checkpoint.toString(), "--z", a.toString(), "--png",
                dir.resolve("a.png").toString(), "--device", "cpu"), a, loop);
        assertRefused(CliRun.of("train", "--data-dir", a.toString(), "--out", dir.resolve("out").toString(),
                "--device", "cpu"), a, loop);

        Path data = Files.createDirectories(dir.resolve("data"));
        Path images = Files.createSymbolicLink(data.resolve("x-images-idx3-ubyte.gz"), a);
        Files.copy(Path.of("test-data/mnist10k-labels-idx1-ubyte.gz"), data.resolve("x-labels-idx1-ubyte.gz"));
        assertRefused(CliRun.of("train", "--data-dir", data.toString(), "--out", dir.resolve("out").toString(),
                "--device", "cpu"), images, "is a loop of symbolic links (" + images + " -> " + a + " -> b -> a)");
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void aLinkToNothingSaysWhereItLeads() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("ckpt"), Path.of("gone.safetensors"));
        assertRefused(CliRun.of("generate", "--checkpoint", link.toString(), "--count", "2", "--png",
                        dir.resolve("a.png").toString(), "--device", "cpu"), link,
                "is a symbolic link to gone.safetensors, which does not exist");
    }

    /**
     * Data larger than the Java heap is named, with the heap's size and how to give Java more, rather than
     * "out of memory ... use a smaller --batch-size". A JVM of 64 MiB reads an honest file of 94 MB of pixels.
     */
    @Test
    void dataLargerThanTheHeapIsNamed() throws Exception {
        Path data = Files.createDirectories(dir.resolve("big"));
        Path images = data.resolve("big-images-idx3-ubyte.gz");
        int count = 120_000;
        try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(images)))) {
            out.writeInt(2051);
            out.writeInt(count);
            out.writeInt(28);
            out.writeInt(28);
            out.write(new byte[count * 784]);
        }
        try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(data.resolve("big-labels-idx1-ubyte.gz"))))) {
            out.writeInt(2049);
            out.writeInt(count);
            out.write(new byte[count]);
        }
        try (ChildProcess child = ChildProcess.start(dir, "export _JAVA_OPTIONS=-Xmx64m; ", "train", "--data-dir",
                data.toString(), "--out", dir.resolve("out").toString(), "--device", "cpu", "--eval-every", "0")) {
            assertEquals(1, child.exitStatus(18), child.out() + child.err());
            String err = child.err();
            assertTrue(err.contains("error: " + images + ": header promises 120000 images of 28x28 (94.1 MB), more "
                                    + "than the Java heap (at most "), err);
            assertTrue(err.contains("JAVA_OPTS=-Xmx"), err);
            assertFalse(err.contains("--batch-size"), err);
        }
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
