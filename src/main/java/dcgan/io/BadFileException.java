package dcgan.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file this program wrote (or should be able to read) that cannot be used: a checkpoint, a NumPy array.
 * The message is always {@code "<file>: <problem in plain words>"}, like {@code dcgan.data.BadDataException}
 * for the MNIST files, and extends {@link IOException} so that the command line reports it as failed work
 * (exit status 1) rather than as a usage error.
 */
public final class BadFileException extends IOException {

    private final transient Path file;

    public BadFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public BadFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file the problem was found in. */
    public Path file() {
        return file;
    }
}
