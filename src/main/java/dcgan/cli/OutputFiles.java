package dcgan.cli;

import dcgan.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The files a command writes, checked together before any work: each names a regular file or a new one (not a
 * directory, a device, a FIFO or a socket), no two are one file, none is a file the command reads, and the
 * directory of each takes new files. Two names are one file when they lead to the same place: {@code a.png},
 * {@code ./a.png} and a link to it.
 */
final class OutputFiles {

    private record Named(String option, Path path) {
        @Override
        public String toString() {
            return "--" + option + " " + path;
        }
    }

    private final String takes;
    private final List<Named> outputs = new ArrayList<>();
    private final List<Named> inputs = new ArrayList<>();

    /** @param takes the options as a message names them, e.g. "--png and --npy take" */
    OutputFiles(String takes) {
        this.takes = takes;
    }

    /** An output: {@code path} is what {@code --option} gives, null if it is not given. */
    OutputFiles output(String option, Path path) {
        if (path != null) {
            outputs.add(new Named(option, path));
        }
        return this;
    }

    /** A file the command reads, which no output may be. */
    OutputFiles input(String option, Path path) {
        if (path != null) {
            inputs.add(new Named(option, path));
        }
        return this;
    }

    /**
     * Refuses, as a bad command line, an output that is not a file, two outputs that are one file, and an
     * output that is an input; then, naming the file and why, one whose place takes no new files.
     */
    void check() throws IOException, Command.UsageException {
        Map<Path, Named> byFile = new HashMap<>();
        for (Named o : outputs) {
            String refused = AtomicFiles.refusal(o.path());
            if (refused != null) {
                throw new Command.UsageException(o + " " + refused + "; " + takes + " the name of a file to write");
            }
            Named earlier = byFile.putIfAbsent(AtomicFiles.destination(o.path()), o);
            if (earlier != null) {
                throw new Command.UsageException(o + " and " + earlier + " are the same file; give each output its own "
                                                 + "name");
            }
        }
        for (Named in : inputs) {
            Named o = byFile.get(AtomicFiles.destination(in.path()));
            if (o != null) {
                throw new Command.UsageException(o + " is the file that " + in + " reads; an output must not replace "
                                                 + "an input");
            }
        }
        for (Named o : outputs) {
            AtomicFiles.checkWritable(o.path());
        }
    }
}
