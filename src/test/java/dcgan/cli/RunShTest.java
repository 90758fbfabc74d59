package dcgan.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What run.sh says before it starts the trainer (with DCGAN_CLASSPATH, so that it builds nothing). */
class RunShTest {

    @TempDir
    Path dir;

    private static String runSh(Path workDir, String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(
                java.util.List.of("bash", Path.of("run.sh").toAbsolutePath().toString()));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("DCGAN_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor(), output); // --device tpu: the trainer refuses it once run.sh has spoken
        return output;
    }

    /** A file named mnist is not "not found": run.sh says what it is, then runs the demo as without one. */
    @Test
    void aFileNamedMnistIsSaidToBeAFile() throws Exception {
        Files.writeString(dir.resolve("mnist"), "not a directory");
        String output = runSh(dir, "--device", "tpu");
        assertTrue(output.contains("run.sh: ./mnist is a file, not a directory"), output);
        assertFalse(output.contains("not found"), output);
        assertTrue(output.contains("running the demo instead"), output);
    }

    @Test
    void aLinkNamedMnistThatLeadsNowhereIsSaidToBeOne() throws Exception {
        Files.createSymbolicLink(dir.resolve("mnist"), Path.of("/nowhere/mnist"));
        String output = runSh(dir, "--device", "tpu");
        assertTrue(output.contains("run.sh: ./mnist is a symbolic link to /nowhere/mnist, which leads nowhere"), output);
    }

    @Test
    void noMnistAtAllIsNotFound() throws Exception {
        String output = runSh(dir, "--device", "tpu");
        assertTrue(output.contains("run.sh: ./mnist not found"), output);
    }

    /**
     * evaluate --npy without a data directory and without ./mnist compares with the bundled digits, as the demo
     * trains on them, and says so; a real run then scores (here it stops at --device tpu, after run.sh spoke).
     */
    @Test
    void evaluateWithoutDataFallsBackToTheBundledDigits() throws Exception {
        String output = runSh(dir, "evaluate", "--npy", "x.npy", "--device", "tpu");
        assertTrue(output.contains("run.sh: ./mnist is not a directory; evaluate compares with the bundled digits in "
                                   + Path.of("test-data").toAbsolutePath()), output);
        assertTrue(output.contains("--device must be auto, gpu, gpu:N or cpu, got 'tpu'"), output);
        Files.createDirectories(dir.resolve("mnist"));
        assertFalse(runSh(dir, "evaluate", "--npy", "x.npy", "--device", "tpu").contains("bundled digits"),
                "with ./mnist, evaluate compares with it");
        assertFalse(runSh(dir.resolve("mnist"), "evaluate", "--npy", "x.npy", "--data-dir", "d", "--device", "tpu")
                .contains("bundled digits"), "nor when told where the data is");
    }
}
