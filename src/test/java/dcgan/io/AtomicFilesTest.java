package dcgan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    /**
     * A device, FIFO or socket is never replaced by a regular file (as root, a rename would replace /dev/null):
     * it is refused by name and left as it was. A FIFO stands in for the device here.
     */
    @Test
    void aSpecialFileIsRefusedAndLeftAsItWas() throws Exception {
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        BadFileException e = assertThrows(BadFileException.class, () -> AtomicFiles.writeString(fifo, "x"));
        assertEquals(fifo + ": is a named pipe (FIFO), not a regular file; expected the name of a file to write",
                e.getMessage());
        assertTrue(SpecialFiles.isFifo(fifo), "still a FIFO");
        assertEquals(List.of("pipe"), names(dir));

        // Nor through a link to it: what a link points to is what a write replaces.
        Path link = Files.createSymbolicLink(dir.resolve("link"), fifo.getFileName());
        BadFileException viaLink = assertThrows(BadFileException.class, () -> AtomicFiles.writeString(link, "x"));
        assertEquals(link + ": links to " + fifo + ", a named pipe (FIFO), not a regular file; expected the name of a "
                     + "file to write", viaLink.getMessage());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(SpecialFiles.isFifo(fifo));
        assertEquals(List.of("link", "pipe"), names(dir));
    }

    /** A symbolic link is written through: the file it points to is replaced and the link stays a link. */
    @Test
    void aSymlinkIsWrittenThroughAndStaysALink() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path real = Files.writeString(data.resolve("real.txt"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), Path.of("data", "real.txt"));
        Path linkToLink = Files.createSymbolicLink(dir.resolve("again.txt"), Path.of("link.txt"));
        AtomicFiles.writeString(linkToLink, "new");
        assertTrue(Files.isSymbolicLink(link) && Files.isSymbolicLink(linkToLink), "both links stay links");
        assertEquals(Path.of("data", "real.txt"), Files.readSymbolicLink(link));
        assertEquals("new", Files.readString(real));
        assertEquals(List.of("real.txt"), names(data), "nothing left aside where the file is");
        assertEquals(List.of("again.txt", "data", "link.txt"), names(dir), "nor where the links are");

        // A link to a file that does not exist yet: the file is made where the link points.
        Path dangling = Files.createSymbolicLink(dir.resolve("later.txt"), data.resolve("made.txt"));
        AtomicFiles.writeString(dangling, "made");
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("made", Files.readString(data.resolve("made.txt")));
    }

    /** Replacing a file keeps who may read it: a private file stays private. */
    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path file = Files.writeString(dir.resolve("private.txt"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.writeString(file, "new");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("new", Files.readString(file));
    }

    /** Each reason given is the true one: a pseudo file system, a denied permission, a file in the way. */
    @Test
    void aDirectoryThatTakesNoFilesIsNamedWithTheTrueReason() throws IOException {
        Path file = Files.writeString(dir.resolve("notes"), "x");
        Path below = file.resolve("sub").resolve("out.txt");
        IOException inTheWay = assertThrows(IOException.class, () -> AtomicFiles.writeString(below, "y"));
        assertEquals("could not write " + below + ": " + file + " is a file, not a directory; nothing was written",
                inTheWay.getMessage());

        Path proc = Path.of("/proc");
        Assumptions.assumeTrue(Files.isDirectory(proc) && Files.getFileStore(proc).type().equals("proc"), "Linux /proc");
        Path pseudo = proc.resolve("dcgan-test.png");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(pseudo, "x"));
        assertEquals("could not write /proc/dcgan-test.png: cannot create a file in /proc: its file system takes no new "
                     + "files (a pseudo file system, such as /proc or /sys); nothing was written", e.getMessage());

        // sysfs refuses new files with EACCES, to root as well: a permission denied that a test can meet as root.
        Path sys = Path.of("/sys");
        Assumptions.assumeTrue(Files.isDirectory(sys) && Files.getFileStore(sys).type().equals("sysfs"), "Linux /sys");
        IOException denied = assertThrows(IOException.class, () -> AtomicFiles.writeString(sys.resolve("dcgan-test"), "x"));
        assertEquals("could not write /sys/dcgan-test: cannot create a file in /sys: permission denied; nothing was "
                     + "written", denied.getMessage());
    }

    /**
     * The temporary file carries the writer's process id, so that the next write of the same target can tell a
     * killed writer's leftover (removed) from a live writer's (kept), even one in another process.
     */
    @Test
    void aDeadWritersTemporaryFileIsRemovedByTheNextWriteOfTheSameFile() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        long dead = ended.pid();
        Process live = new ProcessBuilder("sleep", "120").start();
        try {
            Path deadTemp = Files.write(dir.resolve(".out.npy." + dead + ".0123456789abcdef.tmp"), new byte[1000]);
            Path liveTemp = Files.write(dir.resolve(".out.npy." + live.pid() + ".0123456789abcdef.tmp"), new byte[10]);
            Path otherTarget = Files.write(dir.resolve(".other.npy." + dead + ".0123456789abcdef.tmp"), new byte[10]);
            Path notOurs = Files.write(dir.resolve(".out.npy.notes.tmp"), new byte[10]);
            List<String> during = new java.util.ArrayList<>();
            AtomicFiles.write(dir.resolve("out.npy"), out -> {
                during.addAll(SpecialFiles.temporaryFiles(dir));
                out.write(1);
            });
            assertFalse(Files.exists(deadTemp), "a dead writer's leftover is removed");
            assertTrue(Files.exists(liveTemp), "a live writer's file is kept");
            assertTrue(Files.exists(otherTarget), "another file's leftover waits for a write of that file");
            assertTrue(Files.exists(notOurs), "a name that is not of our making is kept");
            long me = ProcessHandle.current().pid();
            assertEquals(1, during.stream().filter(n -> n.matches("\\.out\\.npy\\." + me + "\\.[0-9a-f]{16}\\.tmp")).count(),
                    "this write's own temporary file carries this process's id: " + during);
            assertEquals(List.of(liveTemp.getFileName().toString(), notOurs.getFileName().toString(),
                    otherTarget.getFileName().toString()).stream().sorted().toList(), SpecialFiles.temporaryFiles(dir));
        } finally {
            live.destroyForcibly().waitFor();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
