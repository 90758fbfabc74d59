package dcgan.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check before every input is opened: what a path leads to, said in one message naming it. */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InputFilesTest {

    @TempDir
    Path dir;

    private static void assertProblem(Path path, String problem, Action check) {
        BadFileException e = assertThrows(BadFileException.class, check::run);
        assertEquals(path, e.file());
        assertEquals(path + ": " + problem, e.getMessage());
    }

    interface Action {
        void run() throws IOException;
    }

    @Test
    void aRegularFileAndALinkToOnePass() throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "x");
        InputFiles.requireRegularFile(file, "a file");
        InputFiles.requireRegularFile(Files.createSymbolicLink(dir.resolve("l"), file.getFileName()), "a file");
        InputFiles.requireDirectory(dir, "no directory");
    }

    @Test
    void eachKindOfNonFileIsNamed() throws Exception {
        Path missing = dir.resolve("none");
        assertProblem(missing, "no such file", () -> InputFiles.requireRegularFile(missing, "a file"));
        assertProblem(missing, "directory not found", () -> InputFiles.requireDirectory(missing, "directory not found"));
        assertProblem(dir, "is a directory, expected a .npy file", () -> InputFiles.requireRegularFile(dir, "a .npy file"));
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertProblem(file, "not a directory", () -> InputFiles.requireDirectory(file, "directory not found"));

        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        assertProblem(fifo, "is a named pipe (FIFO), not a regular file; the command needs a regular file it can seek "
                            + "in (save the data to a file first)", () -> InputFiles.requireRegularFile(fifo, "a file"));
        Path devNull = Path.of("/dev/null");
        assertProblem(devNull, "is a character device, not a regular file; the command needs a regular file it can "
                               + "seek in (save the data to a file first)",
                () -> InputFiles.requireRegularFile(devNull, "a file"));
    }

    @Test
    void linksThatLeadNowhereSayWhy() throws IOException {
        Path dangling = Files.createSymbolicLink(dir.resolve("d"), Path.of("gone"));
        assertProblem(dangling, "is a symbolic link to gone, which does not exist",
                () -> InputFiles.requireRegularFile(dangling, "a file"));
        assertTrue(InputFiles.present(dangling));
        assertFalse(InputFiles.present(dir.resolve("gone")));

        Path self = Files.createSymbolicLink(dir.resolve("self"), Path.of("self"));
        assertProblem(self, "is a loop of symbolic links (" + self + " -> self)",
                () -> InputFiles.requireRegularFile(self, "a file"));
        assertProblem(self, "is a loop of symbolic links (" + self + " -> self)",
                () -> InputFiles.requireDirectory(self, "directory not found"));
    }
}
