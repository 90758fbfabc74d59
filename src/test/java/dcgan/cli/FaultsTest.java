package dcgan.cli;

import dcgan.train.CheckpointFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults a user meets with a whole process: Ctrl-C when the checkpoint cannot be written, two runs in one
 * directory, a run killed outright, and run.sh called from another directory. Each runs the command line in
 * a JVM of its own ({@link ChildProcess}); the bundled digits at batch 8 keep the runs short.
 */
class FaultsTest {

    private static final String DIGITS = Path.of("test-data").toAbsolutePath().toString();

    @TempDir
    Path dir;

    /** A short run that leaves a checkpoint at step 2. */
    private Path trainTwoSteps(Path out) {
        CliRun o = CliRun.of("train", "--eval-every", "0", "--data-dir", DIGITS, "--batch-size", "8", "--max-steps", "2", "--out",
                out.toString(), "--device", "cpu", "--threads", "1");
        assertEquals(0, o.status(), o.err());
        return out.resolve("checkpoint.safetensors");
    }

    /**
     * On a disk that cannot take the checkpoint (here a file-size limit of 20 MB, which any user can set),
     * Ctrl-C still stops the run, and the failed save is printed, naming the file and saying that the
     * previous checkpoint is intact, and the exit status is 1, not Ctrl-C's 130.
     */
    @Test
    void aSaveThatFailsAfterCtrlCIsReportedAndExitsWithOne() throws Exception {
        Path out = dir.resolve("run");
        Path checkpoint = trainTwoSteps(out);
        byte[] before = Files.readAllBytes(checkpoint);
        try (ChildProcess child = ChildProcess.start(dir, "ulimit -f 20000; ", "train", "--eval-every", "0", "--resume", out.toString(),
                "--max-steps", "1000000", "--save-every", "1000", "--device", "cpu", "--threads", "1")) {
            assertTrue(child.awaitOutput(o -> o.contains("epoch 1/"), 120), "the run started:\n" + child.out() + child.err());
            child.signal("INT");
            int status = child.exitStatus(120);
            String err = child.err();
            assertEquals(1, status, "stdout:\n" + child.out() + "\nstderr:\n" + err);
            assertTrue(err.contains("interrupted: finishing the current step, then saving a checkpoint"), err);
            assertTrue(err.contains("error: could not write " + checkpoint + ": File too large; the previous "
                                    + "checkpoint.safetensors is intact"), err);
        }
        assertArrayEquals(before, Files.readAllBytes(checkpoint), "the previous checkpoint is untouched");
        assertEquals(2, CheckpointFile.read(checkpoint).state().step());
        assertEquals(0, temporaryFiles(out), "the failed write left no temporary file");
    }

    /**
     * A second run into a directory that a live run holds is refused, naming the directory and the other
     * process; once that process is killed outright (kill -9), its lock does not block the next run, which
     * removes the temporary files such a kill leaves and says so.
     */
    @Test
    void oneRunPerDirectoryAndAKilledRunBlocksNothing() throws Exception {
        Path out = dir.resolve("shared");
        try (ChildProcess first = ChildProcess.start(dir, "", "train", "--eval-every", "0", "--data-dir", DIGITS, "--batch-size", "8",
                "--max-steps", "1000000", "--save-every", "1000", "--out", out.toString(), "--device", "cpu",
                "--threads", "1")) {
            assertTrue(first.awaitOutput(o -> o.contains("epoch 1/"), 120), first.out() + first.err());
            CliRun second = CliRun.of("train", "--eval-every", "0", "--data-dir", DIGITS, "--batch-size", "8", "--max-steps", "1", "--seed",
                    "7", "--out", out.toString(), "--device", "cpu");
            assertEquals(1, second.status(), second.out() + second.err());
            assertTrue(second.err().contains(out + ": in use by another training run (pid " + first.pid() + " on "),
                    second.err());
            assertFalse(second.out().contains("kept the previous run"), "the refused run touched nothing: " + second.out());

            first.signal("KILL");
            assertEquals(137, first.exitStatus(60));
        }
        // What a kill in the middle of a checkpoint write leaves behind.
        Files.write(out.resolve(".checkpoint.safetensors.5eed1e55c0ffee.tmp"), new byte[1_000_000]);
        CliRun third = CliRun.of("train", "--eval-every", "0", "--data-dir", DIGITS, "--batch-size", "8", "--max-steps", "1", "--out",
                out.toString(), "--device", "cpu", "--overwrite");
        assertEquals(0, third.status(), third.err());
        assertTrue(third.out().contains("removed 1 temporary file that an interrupted run left in " + out
                                        + ": .checkpoint.safetensors.5eed1e55c0ffee.tmp (1.0 MB)"), third.out());
        assertEquals(0, temporaryFiles(out));
    }

    /** Paths on run.sh's command line mean what they mean in the caller's directory, not in the repository's. */
    @Test
    void runShResolvesPathsInTheCallersDirectory() throws Exception {
        Path checkpoint = trainTwoSteps(dir.resolve("ckpt"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path runSh = Path.of("run.sh").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", runSh.toString(), "generate", "--checkpoint",
                elsewhere.relativize(checkpoint).toString(), "--count", "4", "--png", "mine.png", "--device", "cpu")
                .directory(elsewhere.toFile()).redirectErrorStream(true);
        pb.environment().put("DCGAN_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertTrue(Files.exists(elsewhere.resolve("mine.png")), output);
        assertTrue(output.contains("wrote mine.png"), output);
    }

    /** Options alone without ./mnist keep the demo's data, from whatever directory run.sh is called. */
    @Test
    void runShWithOptionsAloneFallsBackToTheBundledDigits() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-mnist-here"));
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of("run.sh").toAbsolutePath().toString(), "--max-steps", "1",
                "--batch-size", "8", "--device", "cpu", "--eval-every", "0").directory(empty.toFile()).redirectErrorStream(true);
        pb.environment().put("DCGAN_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.contains("running the demo instead"), output);
        assertTrue(output.contains("10000 images"), output);
        assertTrue(Files.exists(empty.resolve("log/DCGAN/checkpoint.safetensors")), output);
    }

    private static long temporaryFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }
}
