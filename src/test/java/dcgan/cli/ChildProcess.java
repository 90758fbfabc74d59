package dcgan.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The command line in a JVM of its own, for what cannot happen in-process: signals, a process killed
 * outright, two runs at once, the limits of a shell. Its output goes to files, read as it grows.
 */
final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code dcgan.cli.Main args} in {@code workDir} on this test JVM's classpath; {@code shellPrefix}
     * (e.g. {@code "ulimit -f 20000; "}) runs in the shell that then becomes the JVM.
     */
    static ChildProcess start(Path workDir, String shellPrefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                "dcgan.cli.Main"));
        command.addAll(List.of(args));
        StringBuilder line = new StringBuilder(shellPrefix).append("exec");
        for (String c : command) {
            line.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        Path out = Files.createTempFile(workDir, "child", ".out");
        Path err = Files.createTempFile(workDir, "child", ".err");
        Process p = new ProcessBuilder("bash", "-c", line.toString()).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildProcess(p, out, err);
    }

    /** The java launcher of the JVM running the tests. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    long pid() {
        return process.pid();
    }

    /** Waits (up to {@code seconds}) until the standard output satisfies {@code ready}; false if it never did. */
    boolean awaitOutput(Predicate<String> ready, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (ready.test(out())) {
                return true;
            }
            if (!process.isAlive()) {
                return ready.test(out());
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** Sends a signal by name (INT, TERM, KILL), as a shell's {@code kill -NAME} does. */
    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits for the exit and returns its status; -1 if it did not end within {@code seconds}. */
    int exitStatus(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    String out() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String err() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
