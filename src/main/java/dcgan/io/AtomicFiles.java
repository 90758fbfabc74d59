package dcgan.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces files all-or-nothing: content goes to a temporary sibling, is forced to disk and then
 * renamed over the target, so a crash or a full disk leaves either the old file or the new one,
 * never a truncated mix (checkpoints and samples must stay loadable after a killed run).
 *
 * <p>Only a regular file, or a new one, is written: a directory, device, FIFO or socket is refused (a rename
 * over {@code /dev/null} would replace the device with a file), and a symbolic link is written through, the
 * file it points to replaced and the link kept. The temporary file is {@code .NAME.PID.RANDOM.tmp}, PID that
 * of the writing process, so that the next write of the same file removes what a killed writer left there
 * without touching what a live one is writing.
 */
public final class AtomicFiles {

    /** Produces the file content; may close {@code out}, which only flushes it. */
    @FunctionalInterface
    public interface IoWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What becomes of a write still under way when the program is stopped (Ctrl-C, SIGTERM). */
    public enum OnStop {
        /** It goes on: the program finishes its work before it exits (train saves its checkpoint). */
        FINISH,
        /** It is abandoned: its temporary file is removed as the program exits, the target left as it was. */
        ABANDON
    }

    /** As Linux's limit on the links followed in one path name. */
    private static final int MAX_LINKS = 40;
    /** What follows {@code .NAME.} in a temporary file's name: the writer's process id, 16 random hex digits. */
    private static final Pattern TEMPORARY_TAIL = Pattern.compile("(\\d{1,18})\\.[0-9a-f]{16}\\.tmp");

    private AtomicFiles() {}

    /**
     * Atomically replaces {@code target} with what {@code writer} produces, creating parent directories; a
     * write still under way when the program is stopped goes on ({@link OnStop#FINISH}).
     * A failure (a full disk, say) names the target and says what is left of it.
     */
    public static void write(Path target, IoWriter writer) throws IOException {
        write(target, writer, OnStop.FINISH);
    }

    /**
     * As {@link #write(Path, IoWriter)}, saying what becomes of the write if the program is stopped during it.
     *
     * @throws BadFileException if {@code target} is not a regular file or a new name (nothing is written)
     */
    public static void write(Path target, IoWriter writer, OnStop onStop) throws IOException {
        Path file = fileOrNew(target);
        boolean existed = Files.exists(file);
        try {
            replace(file, writer, onStop);
        } catch (IOException e) {
            throw new IOException("could not write " + target + ": " + reason(e) + "; "
                    + (existed ? "the previous " + target.getFileName() + " is intact" : "nothing was written"), e);
        }
    }

    /**
     * Checks, before any work, that {@link #write} can write {@code target}: it names a regular file or a new
     * one, and its directory (or, where that does not exist yet, the nearest one that does) takes new files,
     * which a file made and removed there at once shows.
     *
     * @throws BadFileException naming {@code target} and what is wrong with it
     */
    public static void checkWritable(Path target) throws IOException {
        Path file = fileOrNew(target);
        try {
            Path probe = createTemporary(existingDirectory(file.getParent()), file.getFileName().toString());
            Files.delete(probe);
        } catch (IOException e) {
            throw new BadFileException(target, reason(e), e);
        }
    }

    /** The destination of {@code target}, which must be a regular file or nothing yet. */
    private static Path fileOrNew(Path target) throws IOException {
        Path file = destination(target);
        String refused = refusal(target, file);
        if (refused != null) {
            throw new BadFileException(target, refused + "; expected the name of a file to write");
        }
        return file;
    }

    /**
     * Why a write of {@code target} would be refused, e.g. "is a directory", "is a named pipe (FIFO), not a
     * regular file", "links to /dev/null, a character device, not a regular file"; null if it names a regular
     * file or nothing yet.
     */
    public static String refusal(Path target) throws IOException {
        return refusal(target, destination(target));
    }

    private static String refusal(Path target, Path file) throws IOException {
        String kind = kind(target, file);
        if (kind == null) {
            return null;
        }
        String what = kind.equals("a directory") ? kind : kind + ", not a regular file";
        return Files.isSymbolicLink(target) ? "links to " + file + ", " + what : "is " + what;
    }

    /**
     * The file that a write of {@code target} replaces, as an absolute path: {@code target} with its symbolic
     * links followed, in the real path of the nearest directory above it that exists. Two names of one file
     * ({@code a.png}, {@code ./a.png}, a link to it) have the same destination.
     */
    public static Path destination(Path target) throws IOException {
        try {
            Path p = target.toAbsolutePath();
            for (int links = 0; Files.isSymbolicLink(p); links++) {
                if (links == MAX_LINKS) {
                    throw InputFiles.linkLoop(target);
                }
                p = p.resolveSibling(Files.readSymbolicLink(p));
            }
            Path dir = p.getParent();
            if (dir == null) {
                return p;
            }
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return p.normalize();
            }
            return existing.toRealPath().resolve(existing.relativize(p)).normalize();
        } catch (BadFileException e) {
            throw e;
        } catch (IOException e) {
            throw new BadFileException(target, reason(e), e);
        }
    }

    /**
     * What went wrong, without the temporary file's name that a file-system exception's message would
     * carry: "No space left on device", "permission denied", ...
     */
    public static String reason(IOException e) {
        if (e instanceof BadFileException) {
            return e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException n) {
            Path dir = n.getFile() == null ? null : Path.of(n.getFile()).getParent();
            return dir != null && !Files.isDirectory(dir) ? "directory " + dir + " does not exist"
                    : "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return (f.getFile() != null ? f.getFile() : "a file") + " already exists";
        }
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    private static void replace(Path file, IoWriter writer, OnStop onStop) throws IOException {
        // Same directory as the target: a rename is only atomic within one file system.
        Path dir = file.getParent();
        Path existing = existingDirectory(dir);
        if (!existing.equals(dir)) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new IOException("cannot create directory " + dir + ": " + whyNot(existing, e), e);
            }
        }
        String name = file.getFileName().toString();
        removeLeftovers(dir, name);
        // Once made, the temporary file is ours to delete whatever happens.
        Path tmp = createTemporary(dir, name);
        Thread abandon = onStop == OnStop.ABANDON ? new Thread(() -> deleteQuietly(tmp), "abandon " + tmp) : null;
        boolean moved = false;
        try {
            if (abandon != null) {
                try {
                    Runtime.getRuntime().addShutdownHook(abandon);
                } catch (IllegalStateException e) {
                    abandon = null;
                    throw new IOException("the program is stopping", e);
                }
            }
            keepPermissions(file, tmp);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new NonClosingStream(Channels.newOutputStream(channel));
                writer.writeTo(out);
                out.flush();
                // Without this the rename may reach the disk before the data does.
                channel.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
            if (abandon != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(abandon);
                } catch (IllegalStateException e) {
                    // The program is stopping: the hook runs, and finds the file moved into place or removes it.
                }
            }
        }
    }

    /**
     * Makes an empty temporary file for {@code name} in {@code dir}, named for this process. Not
     * Files.createTempFile: its owner-only permissions would carry over to the target.
     */
    private static Path createTemporary(Path dir, String name) throws IOException {
        String random = String.format(Locale.ROOT, "%016x", ThreadLocalRandom.current().nextLong());
        Path tmp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + "." + random + ".tmp");
        try {
            return Files.createFile(tmp);
        } catch (IOException e) {
            throw new IOException("cannot create a file in " + dir + ": " + whyNot(dir, e), e);
        }
    }

    /** Why no file or directory could be made in {@code dir}, which exists. */
    private static String whyNot(Path dir, IOException e) {
        if (e instanceof NoSuchFileException && Files.isDirectory(dir)) {
            // A directory that exists and yet "does not exist" for a new name: /proc, /sys and their like.
            return "its file system takes no new files (a pseudo file system, such as /proc or /sys)";
        }
        return reason(e);
    }

    /**
     * {@code dir} or, if it does not exist yet, the nearest directory above it that does.
     *
     * @throws IOException if what stands there is not a directory
     */
    private static Path existingDirectory(Path dir) throws IOException {
        Path existing = dir;
        while (existing.getParent() != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw new IOException(existing + (Files.isRegularFile(existing) ? " is a file, not a directory"
                    : " is not a directory"));
        }
        return existing;
    }

    /**
     * Removes the temporary files of {@code name} in {@code dir} whose writer has ended (kill -9 leaves them);
     * those of a live process, this one included, are left alone.
     */
    private static void removeLeftovers(Path dir, String name) {
        String prefix = "." + name + ".";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : entries) {
                Matcher m = TEMPORARY_TAIL.matcher(p.getFileName().toString().substring(prefix.length()));
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    deleteQuietly(p);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // A leftover that stays takes room, but does no harm to this write.
        }
    }

    /**
     * What {@code target} leads to (its destination {@code file}) when that is not a regular file; null if it is one
     * or nothing is there. The system follows the links here: some, like /dev/stdout's, lead where no path does.
     */
    private static String kind(Path target, Path file) throws BadFileException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            if (!Files.isDirectory(file.getParent())) {
                return null; // nothing can be there: a file stands where a directory should (a write says so)
            }
            throw new BadFileException(target, reason(e), e);
        }
        if (a.isRegularFile()) {
            return null;
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        return InputFiles.kindOfSpecialFile(target);
    }

    /** The replaced file's permissions for the new one: a private file stays private. Best effort. */
    private static void keepPermissions(Path file, Path tmp) {
        try {
            if (Files.isRegularFile(file)) {
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(file));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // A file system without POSIX permissions: the new file has the default ones.
        }
    }

    /** Makes the rename itself durable; not every platform can open a directory, so best effort. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // The file content is already safe; only the rename's durability is at stake.
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            // Keep the writer's original exception; a stray temp file is the lesser problem.
        }
    }

    /**
     * Lets writers use try-with-resources (as ImageIO and zip streams do) without closing the channel
     * before it is forced to disk.
     */
    private static final class NonClosingStream extends BufferedOutputStream {
        NonClosingStream(OutputStream out) {
            super(out, 1 << 16);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
