package dcgan.cli;

import dcgan.train.CheckpointFile;
import dcgan.train.RunSettings;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train}'s output directory as a user meets it: directories it cannot use, a full disk, Ctrl-C and
 * SIGTERM while the run is still setting up, and the line that says how to continue a stopped run.
 */
class TrainOutputTest {

    private static final String DIGITS = Path.of("test-data").toAbsolutePath().toString();

    @TempDir
    Path dir;

    /** Every file in {@code out} but the lock, by name, with its bytes. */
    private static Map<String, byte[]> contents(Path out) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(".lock")) {
                    files.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
        }
        return files;
    }

    private static void assertSameContents(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((name, bytes) -> assertArrayEquals(bytes, actual.get(name), name));
    }

    private static CliRun train(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--eval-every", "0", "--data-dir", DIGITS, "--batch-size", "8",
                "--out", out.toString(), "--device", "cpu", "--threads", "1"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    /** One line, naming the directory and what is wrong with it, exit status 1. */
    private static void assertRefused(CliRun o, String expected) {
        assertEquals(1, o.status(), o.out() + o.err());
        assertEquals("error: " + expected + System.lineSeparator(), o.err());
    }

    /**
     * Output directories that cannot be made or written say so, with the directory and the problem, not a bare
     * path: in /proc and /sys, and a path whose ".." follows a directory that does not exist, which creates
     * nothing.
     */
    @Test
    void directoriesThatCannotBeUsedAreNamedWithTheProblem() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")) && Files.isDirectory(Path.of("/sys/kernel")),
                "a Linux /proc and /sys");
        assertRefused(train(Path.of("/proc/dcgan"), "--max-steps", "1"), "/proc/dcgan: cannot create the output directory: its file "
                + "system does not allow it (no such file or directory)");
        assertRefused(train(Path.of("/proc/self"), "--max-steps", "1"), "/proc/self: cannot write in this output directory: creating its lock "
                + "file .lock failed (no such file or directory)");
        CliRun sys = train(Path.of("/sys/kernel"), "--max-steps", "1");
        assertEquals(1, sys.status());
        assertTrue(sys.err().startsWith("error: /sys/kernel: cannot write in this output directory: creating its lock file "
                                        + ".lock failed ("), sys.err());

        Path x = dir.resolve("x");
        String dotted = x + "/a/../dd/";
        assertRefused(train(Path.of(dotted), "--max-steps", "1"), x.resolve("a/../dd") + ": cannot create the output directory: "
                + x.resolve("a") + " does not exist, and '..' after it cannot be followed (create it, or give the "
                + "path without '..')");
        assertFalse(Files.exists(x), "nothing was created");
    }

    /**
     * On a disk that takes no more data (here a file-size limit of 0, which any user can set), a new run says
     * which file it could not write and why, and leaves neither a lock file nor the directory it made.
     */
    @Test
    void aFullDiskIsNamedAndLeavesNoLockBehind() throws Exception {
        Path out = dir.resolve("new/run");
        // The limit also applies to output files, so the child's output comes through a pipe.
        List<String> command = List.of("bash", "-c", "ulimit -f 0; exec \"$0\" \"$@\"", ChildProcess.javaBinary(),
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), "dcgan.cli.Main", "train", "--eval-every",
                "0", "--data-dir", DIGITS, "--batch-size", "8", "--max-steps", "1", "--out", out.toString(), "--device",
                "cpu", "--threads", "1");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.contains("error: " + out + ": cannot write in this output directory: writing its lock file .lock "
                                   + "failed (File too large)"), output);
        assertFalse(Files.exists(dir.resolve("new")), "no directory and no empty .lock left behind");
    }

    /**
     * Ctrl-C while a new run sets up (here: while it trains its quality scorer) stops it within seconds, says
     * so, and leaves the earlier run in the directory as it was, with --overwrite or without; so does SIGTERM,
     * and the earlier run then still resumes. Into a new directory, the stopped run leaves none.
     */
    @Test
    void aSignalDuringSetUpStopsAtOnceAndChangesNothing() throws Exception {
        Path out = dir.resolve("run");
        assertEquals(0, train(out, "--max-steps", "2").status());
        Map<String, byte[]> before = contents(out);
        String[][] attempts = {{"INT", "--overwrite"}, {"TERM"}};
        for (String[] attempt : attempts) {
            List<String> args = new ArrayList<>(List.of("train", "--data-dir", DIGITS, "--batch-size", "8", "--max-steps", "5",
                    "--out", out.toString(), "--device", "cpu", "--threads", "1", "--scorer-cache",
                    dir.resolve("cache").toString()));
            if (attempt.length > 1) {
                args.add(attempt[1]);
            }
            try (ChildProcess child = ChildProcess.start(dir, "", args.toArray(String[]::new))) {
                assertTrue(child.awaitOutput(o -> o.contains("scorer: training"), 120), child.out() + child.err());
                long start = System.nanoTime();
                child.signal(attempt[0]);
                int status = child.exitStatus(30);
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(attempt[0].equals("INT") ? 130 : 143, status, child.out() + child.err());
                assertTrue(seconds < 15, seconds + " s to stop");
                assertTrue(child.err().contains("interrupted before the first step: stopping now; " + out + " is as it was"),
                        child.err());
                assertFalse(child.err().contains("finishing the current step"), child.err());
            }
            assertSameContents(before, contents(out));
        }
        CliRun resumed = CliRun.of("train", "--resume", out.toString(), "--max-steps", "3", "--device", "cpu");
        assertEquals(0, resumed.status(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resuming at step 2"), resumed.out());

        // A new directory that the stopped run made for itself goes with it.
        Path fresh = dir.resolve("fresh/run");
        try (ChildProcess child = ChildProcess.start(dir, "", "train", "--data-dir", DIGITS, "--batch-size", "8",
                "--max-steps", "5", "--out", fresh.toString(), "--device", "cpu", "--threads", "1", "--scorer-cache",
                dir.resolve("cache").toString())) {
            assertTrue(child.awaitOutput(o -> o.contains("scorer: training"), 120), child.out() + child.err());
            assertTrue(Files.exists(fresh.resolve(".lock")), "the run holds its directory");
            child.signal("INT");
            assertEquals(130, child.exitStatus(30), child.out() + child.err());
        }
        assertFalse(Files.exists(dir.resolve("fresh")), "no directory left behind");
    }

    /**
     * The line printed after Ctrl-C repeats what the resumed run needs to go on the same way (the options the
     * checkpoint does not hold), quoted for a POSIX shell; and a resumed run remembers --eval-every and
     * --scorer-cache even without them.
     */
    @Test
    void theLineToContinueRepeatsWhatTheRunNeedsQuoted() throws Exception {
        Path out = dir.resolve("my run");
        Path cache = dir.resolve("it's cache");
        try (ChildProcess child = ChildProcess.start(dir, "", "train", "--eval-every", "0", "--scorer-cache",
                cache.toString(), "--data-dir", DIGITS, "--batch-size", "8", "--max-steps", "1000000", "--save-every", "1000",
                "--out", out.toString(), "--device", "cpu", "--threads", "1")) {
            assertTrue(child.awaitOutput(o -> o.contains("epoch 1/"), 120), child.out() + child.err());
            child.signal("INT");
            assertEquals(130, child.exitStatus(120), child.out() + child.err());
            String line = child.out().lines().filter(l -> l.startsWith("to continue: ")).findFirst().orElse("");
            assertEquals("to continue: ./run.sh train --resume '" + out + "' --eval-every 0 --scorer-cache '"
                         + cache.toString().replace("'", "'\\''") + "' --save-every 1000 --device cpu --threads 1", line);
            // What a POSIX shell makes of it.
            Process sh = new ProcessBuilder("sh", "-c", "printf '%s\\n' " + line.substring(line.indexOf("--resume")))
                    .redirectErrorStream(true).start();
            List<String> words = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals(List.of("--resume", out.toString(), "--eval-every", "0", "--scorer-cache", cache.toString(),
                    "--save-every", "1000", "--device", "cpu", "--threads", "1"), words);
        }
        RunSettings saved = CheckpointFile.read(out.resolve("checkpoint.safetensors")).settings();
        assertEquals(0, saved.evalEvery());
        assertEquals(cache.toAbsolutePath(), saved.scorerCache());

        // Resumed with --resume alone (and a limit): still no quality measured, and the cache remembered.
        long step = CheckpointFile.peekStep(out.resolve("checkpoint.safetensors")).getAsLong();
        CliRun resumed = CliRun.of("train", "--resume", out.toString(), "--max-steps", Long.toString(step + 1), "--device",
                "cpu");
        assertEquals(0, resumed.status(), resumed.out() + resumed.err());
        assertFalse(resumed.out().contains("scorer:"), resumed.out());
        assertEquals(cache.toAbsolutePath(),
                CheckpointFile.read(out.resolve("checkpoint.safetensors")).settings().scorerCache());
    }
}
