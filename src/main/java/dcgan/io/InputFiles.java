package dcgan.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The check every reader of an input file makes before it opens it (checkpoints and other safetensors files,
 * {@code .npy} arrays, MNIST's IDX files): that the path leads to a regular file. It looks at the file's type
 * only and never opens it, because opening a named pipe for reading waits until something writes to it. Each
 * problem is a {@link BadFileException} naming the path and saying what is there instead: nothing, a directory,
 * a pipe (a named one, or the {@code /dev/fd/N} that a shell's {@code <(...)} passes), a device, a socket, a
 * symbolic link to nothing, or a loop of symbolic links.
 */
public final class InputFiles {

    /** What a pipe is refused with: the readers take a file's size and read at offsets in it. */
    private static final String NEEDS_A_FILE = "the command needs a regular file it can seek in (save the data to "
                                               + "a file first)";
    /** The most links followed in one chain, as Linux does (its ELOOP limit). */
    private static final int MAX_LINKS = 40;

    private InputFiles() {
    }

    /**
     * Checks that {@code file}, its symbolic links followed, is a regular file.
     *
     * @param expected what it should be, for the message about a directory, e.g. "a .npy file"
     * @throws BadFileException naming {@code file} and what it is instead
     */
    public static void requireRegularFile(Path file, String expected) throws BadFileException {
        BasicFileAttributes a = reach(file, "no such file");
        if (a.isDirectory()) {
            throw new BadFileException(file, "is a directory, expected " + expected);
        }
        if (!a.isRegularFile()) {
            throw new BadFileException(file, "is " + kindOfSpecialFile(file) + ", not a regular file; " + NEEDS_A_FILE);
        }
    }

    /**
     * Checks that {@code dir}, its symbolic links followed, is a directory.
     *
     * @param whenMissing the problem to report when nothing is there, e.g. "directory not found (...)"
     */
    public static void requireDirectory(Path dir, String whenMissing) throws BadFileException {
        if (!reach(dir, whenMissing).isDirectory()) {
            throw new BadFileException(dir, "not a directory");
        }
    }

    /**
     * Whether {@code file} exists, as a regular file (a symbolic link to one is fine), for files a program may
     * or may not have written yet, such as a run's {@code metrics.csv}.
     *
     * @throws BadFileException if something else is there: "is a directory, not a regular file", "is a named pipe
     *                          (FIFO), not a regular file", ...
     */
    public static boolean existing(Path file) throws BadFileException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw cannotOpen(file, e);
        }
        if (a.isDirectory()) {
            throw new BadFileException(file, "is a directory, not a regular file");
        }
        if (!a.isRegularFile()) {
            throw new BadFileException(file, "is " + kindOfSpecialFile(file) + ", not a regular file");
        }
        return true;
    }

    /** Whether anything is at {@code path}, a symbolic link included even when it leads nowhere. */
    public static boolean present(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The problem of a path that could not be opened after {@link #requireRegularFile} passed (its permissions,
     * say), as one message without Java's exception names.
     */
    public static BadFileException cannotOpen(Path file, IOException e) {
        if (e instanceof BadFileException bad) {
            return bad;
        }
        if (e instanceof NoSuchFileException) {
            return new BadFileException(file, "no such file", e);
        }
        if (e instanceof AccessDeniedException) {
            return new BadFileException(file, "permission denied: cannot open it for reading", e);
        }
        String reason = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
        return new BadFileException(file, "cannot open: " + reason, e);
    }

    /** The attributes of what {@code path} leads to, or why it leads nowhere. */
    private static BasicFileAttributes reach(Path path, String whenMissing) throws BadFileException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(path)) {
                throw new BadFileException(path, "is a symbolic link to " + follow(path).end() + ", which does not exist",
                        e);
            }
            throw new BadFileException(path, whenMissing, e);
        } catch (AccessDeniedException e) {
            throw new BadFileException(path, "permission denied: cannot look up what is there", e);
        } catch (IOException e) {
            if (follow(path).loop()) {
                throw linkLoop(path);
            }
            throw cannotOpen(path, e);
        }
    }

    /** The problem of a path whose symbolic links lead back to themselves: "is a loop of symbolic links (a -> b -> a)". */
    static BadFileException linkLoop(Path path) {
        return new BadFileException(path, "is a loop of symbolic links (" + String.join(" -> ", follow(path).chain()) + ")");
    }

    /**
     * A path's chain of symbolic links: the path, then each link's target as the link states it.
     *
     * @param loop whether the chain came back to a path it had passed (or went on past {@link #MAX_LINKS} links)
     */
    private record Links(List<String> chain, boolean loop) {
        String end() {
            return chain.get(chain.size() - 1);
        }
    }

    /** Follows {@code path}'s symbolic links one at a time, as far as they go. */
    private static Links follow(Path path) {
        List<String> chain = new ArrayList<>(List.of(path.toString()));
        Set<Path> seen = new HashSet<>();
        Path p = path;
        try {
            while (Files.isSymbolicLink(p)) {
                if (!seen.add(p.toAbsolutePath().normalize()) || seen.size() > MAX_LINKS) {
                    return new Links(chain, true);
                }
                Path target = Files.readSymbolicLink(p);
                chain.add(target.toString());
                p = p.resolveSibling(target);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // the chain as far as it could be followed
        }
        return new Links(chain, false);
    }

    /**
     * "a named pipe (FIFO)", "a pipe (as <(...) gives)", "a character device", ...: what a file that is neither a
     * regular file nor a directory is, its links followed.
     */
    static String kindOfSpecialFile(Path file) {
        // The links of /dev/fd and /proc/PID/fd name what a descriptor holds: "pipe:[1234]", "socket:[5678]".
        Links links = follow(file);
        if (links.chain().size() > 1 && links.end().startsWith("pipe:")) {
            return "a pipe (as <(...) gives)";
        }
        if (links.chain().size() > 1 && links.end().startsWith("socket:")) {
            return "a socket";
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(file, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file (a pipe, device or socket)";
        }
        return switch (mode & 0170000) { // S_IFMT
            case 0010000 -> "a named pipe (FIFO)";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "a special file (a pipe, device or socket)";
        };
    }
}
