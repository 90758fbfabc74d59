package dcgan.data;

import java.nio.file.Path;

/**
 * A data file (or directory) that cannot be used, with a message meant for the person who has
 * to fix it: always {@code "<file>: <problem in plain words>"}.
 *
 * <p>It extends {@link java.io.IOException} so callers can treat "the data is bad" and "the disk
 * failed" alike, while still being able to report the precise problem.
 */
public final class BadDataException extends java.io.IOException {

    private final transient Path file;

    public BadDataException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public BadDataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file or directory the problem was found in. */
    public Path file() {
        return file;
    }
}
