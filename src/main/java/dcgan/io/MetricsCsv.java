package dcgan.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends rows of numbers keyed by step and epoch to a CSV file, so that a resumed run continues the same
 * file: the per-step losses of {@code metrics.csv}, and the per-epoch quality of {@code quality.csv}.
 * Not thread-safe; one writer per file.
 */
public final class MetricsCsv implements AutoCloseable {

    public static final String FILE_NAME = "metrics.csv";
    public static final String HEADER = "step,epoch,D_loss,D_real_loss,D_fake_loss,G_loss";

    private final Path file;
    private final String header;
    private final Writer writer;

    /** Opens {@code runDir/metrics.csv} for appending. */
    public static MetricsCsv open(Path runDir) throws IOException {
        return new MetricsCsv(runDir.resolve(FILE_NAME), HEADER);
    }

    /** Opens a metrics.csv file for appending. */
    public MetricsCsv(Path file) throws IOException {
        this(file, HEADER);
    }

    /**
     * Opens {@code file} for appending, creating it and its parent directories if needed and writing the
     * header if it is empty.
     *
     * @param header the column names, {@code step,epoch,...}
     * @throws IOException if the file already starts with a different header
     */
    public MetricsCsv(Path file, String header) throws IOException {
        if (!header.startsWith("step,epoch,")) {
            throw new IllegalArgumentException("a header starts with step,epoch: " + header);
        }
        this.file = file;
        this.header = header;
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean empty = !Files.exists(file) || Files.size(file) == 0;
        boolean needsNewline = false;
        if (!empty) {
            checkHeader(file, header);
            needsNewline = lastByte(file) != '\n';
        }
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        if (empty) {
            writer.write(header + "\n");
        } else if (needsNewline) {
            // A killed run may have left a partial last line; start a fresh one rather than glue onto it.
            writer.write('\n');
        }
    }

    public Path file() {
        return file;
    }

    /** Writes one row; values are stored as float, with the digits needed to parse back the same float. */
    public void append(long step, int epoch, double... values) throws IOException {
        if (values.length != columns(header) - 2) {
            throw new IllegalArgumentException(values.length + " values for the columns of " + header);
        }
        StringBuilder row = new StringBuilder().append(step).append(',').append(epoch);
        for (double v : values) {
            row.append(',').append(format(v));
        }
        writer.write(row.append('\n').toString());
    }

    private static int columns(String header) {
        return header.split(",", -1).length;
    }

    public void flush() throws IOException {
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /**
     * What {@link #resumeAfter} found in a metrics file, for the run to report.
     *
     * @param missing        there was no file: the resumed run starts a new one
     * @param afterStep      complete rows of steps after the checkpoint's, dropped (they are computed again)
     * @param unreadable     1-based line numbers of rows that do not parse, dropped
     * @param cutOff         the last line was cut off (a killed run), dropped
     * @param gaps           ranges {@code [first, last]} of steps up to the checkpoint's that have no row
     */
    public record Resumed(boolean missing, int afterStep, List<Integer> unreadable, boolean cutOff, List<long[]> gaps) {

        /** One line per finding, each saying what was found and what was done; none for a sound file. */
        public List<String> describe(Path file, long lastStep) {
            List<String> lines = new ArrayList<>();
            if (missing) {
                lines.add(file + " is missing: starting a new one at step " + (lastStep + 1)
                          + (lastStep > 0 ? "; it will have no rows for steps 1-" + lastStep : ""));
                return lines;
            }
            if (afterStep > 0) {
                lines.add("dropped " + rows(afterStep) + " of steps after " + lastStep + " from " + file
                          + " (logged after the checkpoint; they will be computed again)");
            }
            if (!unreadable.isEmpty()) {
                lines.add("dropped " + rows(unreadable.size()) + " that could not be read from " + file + " (line"
                          + (unreadable.size() == 1 ? " " : "s ") + join(unreadable) + ")");
            }
            if (cutOff) {
                lines.add("dropped the cut-off last line of " + file + " (written when a run was killed)");
            }
            if (!gaps.isEmpty()) {
                List<String> ranges = new ArrayList<>();
                for (long[] g : gaps) {
                    ranges.add(g[0] == g[1] ? Long.toString(g[0]) : g[0] + "-" + g[1]);
                }
                lines.add(file + " has no rows for steps " + String.join(", ", ranges) + " (of 1-" + lastStep
                          + "); the run appends from step " + (lastStep + 1) + " and leaves them out");
            }
            return lines;
        }

        private static String rows(int n) {
            return n + (n == 1 ? " row" : " rows");
        }

        private static String join(List<Integer> lines) {
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < Math.min(lines.size(), 10); i++) {
                shown.add(Integer.toString(lines.get(i)));
            }
            return String.join(", ", shown) + (lines.size() > 10 ? ", ..." : "");
        }
    }

    /**
     * Prepares {@code file} for a run resumed after {@code lastStep}: keeps the header and the readable,
     * complete rows of steps up to {@code lastStep}, and drops the rest: rows that the run killed after its
     * checkpoint logged (the resumed run logs them again), rows that do not parse, and a cut-off last line.
     * The file is replaced atomically, and only if something is dropped.
     *
     * @throws IOException if the file starts with another header (it is not this program's metrics file)
     */
    public static Resumed resumeAfter(Path file, long lastStep) throws IOException {
        return resumeAfter(file, HEADER, lastStep, true);
    }

    /**
     * As {@link #resumeAfter(Path, long)} for a file of the given header; {@code everyStep} says whether each
     * step should have a row (gaps are only looked for then).
     */
    public static Resumed resumeAfter(Path file, String header, long lastStep, boolean everyStep) throws IOException {
        if (!Files.exists(file)) {
            return new Resumed(true, 0, List.of(), false, List.of());
        }
        checkHeader(file, header);
        String content = Files.readString(file, StandardCharsets.ISO_8859_1);
        String[] lines = content.split("\n", -1);
        StringBuilder kept = new StringBuilder(header).append('\n');
        int after = 0;
        List<Integer> unreadable = new ArrayList<>();
        boolean cutOff = false;
        List<long[]> gaps = new ArrayList<>();
        long expected = 1; // the next step a complete log would have
        // The last element follows the final newline: empty for a complete file, else a cut-off row.
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (i == lines.length - 1) {
                cutOff = !line.isEmpty();
                continue;
            }
            long step = stepOf(line, columns(header));
            if (step < 1) {
                unreadable.add(i + 1);
            } else if (step > lastStep) {
                after++;
            } else {
                if (step > expected) {
                    gaps.add(new long[] {expected, step - 1});
                }
                expected = Math.max(expected, step + 1);
                kept.append(line).append('\n');
            }
        }
        if (expected <= lastStep) {
            gaps.add(new long[] {expected, lastStep});
        }
        if (!everyStep) {
            gaps.clear();
        }
        if (after > 0 || !unreadable.isEmpty() || cutOff) {
            AtomicFiles.writeString(file, kept.toString());
        }
        return new Resumed(false, after, unreadable, cutOff, gaps);
    }

    /** The step of a row whose columns all parse (step, epoch, then numbers), or -1. */
    private static long stepOf(String row, int columns) {
        String[] f = row.split(",", -1);
        if (f.length != columns) {
            return -1;
        }
        try {
            long step = Long.parseLong(f[0]);
            Integer.parseInt(f[1]);
            for (int k = 2; k < columns; k++) {
                Float.parseFloat(f[k]);
            }
            return step;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Float.toString is locale independent and round-trips; it writes NaN and Infinity as CSV readers expect. */
    private static String format(double value) {
        return Float.toString((float) value);
    }

    private static void checkHeader(Path file, String header) throws IOException {
        String found;
        // Latin-1 decodes any byte, so a corrupt file is reported as a header mismatch, not a charset error.
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            found = reader.readLine();
        }
        if (!header.equals(found)) {
            throw new IOException("refusing to append to " + file + ": its header is \"" + found
                    + "\", expected \"" + header + "\"");
        }
    }

    private static int lastByte(Path file) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.position(channel.size() - 1).read(last);
            return last.get(0);
        }
    }
}
