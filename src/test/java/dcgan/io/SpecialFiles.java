package dcgan.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * FIFOs, which stand in for devices such as /dev/null in the tests (no test may touch a real device), and the
 * temporary files that atomic writes set aside.
 */
public final class SpecialFiles {

    private SpecialFiles() {
    }

    /** Makes a FIFO (named pipe) at {@code path} with mkfifo(1). */
    public static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), "mkfifo " + path);
        return path;
    }

    /** Whether {@code path} itself (not a link to it) is a FIFO. */
    public static boolean isFifo(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0010000;
    }

    /** The names of the temporary files ({@code .NAME....tmp}) in {@code dir}, sorted. */
    public static List<String> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") && n.endsWith(".tmp")).sorted()
                    .toList();
        }
    }
}
