package dcgan.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Checks that a file about to be read is a regular file (a symbolic link to one is fine): a directory cannot
 * be read as one, and opening a named pipe blocks until something writes into it, so either is refused by
 * name before it is opened.
 */
public final class RegularFiles {

    private static final int TYPE_MASK = 0170000;
    private static final int FIFO = 0010000;
    private static final int SOCKET = 0140000;
    private static final int CHARACTER_DEVICE = 0020000;
    private static final int BLOCK_DEVICE = 0060000;

    private RegularFiles() {
    }

    /**
     * Returns whether {@code file} exists (as a regular file).
     *
     * @throws BadFileException if it exists but is not a regular file: "FILE: is a directory, not a regular
     *                          file", "is a named pipe (FIFO), not a regular file", ...
     */
    public static boolean existing(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!a.isRegularFile()) {
            throw new BadFileException(file, kind(file, a) + ", not a regular file");
        }
        return true;
    }

    /** What a file that is not a regular file is, as "is a directory", "is a named pipe (FIFO)", .... */
    private static String kind(Path file, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "is a directory";
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(file, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "is a special file (a device, a named pipe or a socket)";
        }
        return switch (mode & TYPE_MASK) {
            case FIFO -> "is a named pipe (FIFO)";
            case SOCKET -> "is a socket";
            case CHARACTER_DEVICE, BLOCK_DEVICE -> "is a device";
            default -> "is a special file";
        };
    }
}
