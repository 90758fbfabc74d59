package dcgan.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces files all-or-nothing: content goes to a temporary sibling, is forced to disk and then
 * renamed over the target, so a crash or a full disk leaves either the old file or the new one,
 * never a truncated mix (checkpoints and samples must stay loadable after a killed run).
 */
public final class AtomicFiles {

    /** Produces the file content; may close {@code out}, which only flushes it. */
    @FunctionalInterface
    public interface IoWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Atomically replaces {@code target} with what {@code writer} produces, creating parent directories.
     * A failure (a full disk, say) names the target and says what is left of it.
     */
    public static void write(Path target, IoWriter writer) throws IOException {
        if (Files.isDirectory(target)) {
            throw new BadFileException(target, "is a directory; expected the name of a file to write");
        }
        boolean existed = Files.exists(target);
        try {
            replace(target, writer);
        } catch (IOException e) {
            throw new IOException("could not write " + target + ": " + reason(e) + "; "
                    + (existed ? "the previous " + target.getFileName() + " is intact" : "nothing was written"), e);
        }
    }

    private static void replace(Path target, IoWriter writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // Same directory as the target: a rename is only atomic within one file system.
        // Not Files.createTempFile: its owner-only permissions would carry over to the target.
        String random = Long.toHexString(ThreadLocalRandom.current().nextLong());
        Path tmp = dir.resolve("." + target.getFileName() + "." + random + ".tmp");
        // Opened before the try: if CREATE_NEW fails, the existing file is not ours to delete.
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        boolean moved = false;
        try {
            try (channel) {
                OutputStream out = new NonClosingStream(Channels.newOutputStream(channel));
                writer.writeTo(out);
                out.flush();
                // Without this the rename may reach the disk before the data does.
                channel.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
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
        if (e instanceof NoSuchFileException) {
            return "a directory on its path does not exist";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file stands where a directory on its path should be";
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
