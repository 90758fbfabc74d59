package dcgan.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file (or directory) that cannot be used: an MNIST data file, a checkpoint, a NumPy array. The
 * message, meant for the person who has to fix it, is always {@code "<file>: <problem in plain words>"}.
 * It extends {@link IOException} so that callers treat "the file is bad" and "the disk failed" alike
 * (the command line reports both as failed work, exit status 1) while still reporting the precise problem.
 */
public final class BadFileException extends IOException {

    private final transient Path file;
    private final String problem;

    public BadFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public BadFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The problem alone, without the file's name. */
    public String problem() {
        return problem;
    }

    /** The file or directory the problem was found in. */
    public Path file() {
        return file;
    }
}
