package dcgan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesContentAndCreatesParents() throws IOException {
        Path target = dir.resolve("a/b/out.bin");
        AtomicFiles.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("out.bin"), names(target.getParent()));
    }

    @Test
    void replacesExistingContent() throws IOException {
        Path target = dir.resolve("note.txt");
        AtomicFiles.writeString(target, "first, and longer");
        AtomicFiles.writeString(target, "second ü");
        assertEquals("second ü", Files.readString(target, StandardCharsets.UTF_8));
        assertEquals(List.of("note.txt"), names(dir));
    }

    @Test
    void failingWriterKeepsPreviousContentAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("ckpt.bin");
        AtomicFiles.writeString(target, "good");
        IOException boom = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[100_000]);
            throw boom;
        }));
        assertSame(boom, thrown.getCause());
        // A full disk names the file being written and says what is left of it.
        assertEquals("could not write " + target + ": disk full; the previous ckpt.bin is intact", thrown.getMessage());
        assertEquals("good", Files.readString(target));
        assertEquals(List.of("ckpt.bin"), names(dir));

        IOException fresh = assertThrows(IOException.class, () -> AtomicFiles.write(dir.resolve("new.bin"), out -> {
            throw new IOException("No space left on device");
        }));
        assertEquals("could not write " + dir.resolve("new.bin") + ": No space left on device; nothing was written",
                fresh.getMessage());
        assertEquals(List.of("ckpt.bin"), names(dir));
    }

    /** A directory given where a file is meant is named as such, not through an internal temporary file. */
    @Test
    void aDirectoryAsTargetIsRefusedByName() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("grids"));
        BadFileException e = assertThrows(BadFileException.class, () -> AtomicFiles.writeString(sub, "x"));
        assertEquals(sub + ": is a directory; expected the name of a file to write", e.getMessage());
        assertEquals(List.of("grids"), names(dir));
    }

    @Test
    void uncheckedFailureAlsoCleansUp() throws IOException {
        Path target = dir.resolve("new.bin");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write(7);
            throw new IllegalStateException("bug");
        }));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), names(dir));
    }

    @Test
    void writerMayCloseTheStream() throws IOException {
        Path target = dir.resolve("closed.txt");
        AtomicFiles.write(target, out -> {
            try (out) {
                out.write("done".getBytes(StandardCharsets.US_ASCII));
            }
        });
        assertEquals("done", Files.readString(target));
    }

    @Test
    void targetGetsTheSamePermissionsAsAPlainlyCreatedFile() throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
