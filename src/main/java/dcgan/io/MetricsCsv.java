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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
        boolean empty = !InputFiles.existing(file) || Files.size(file) == 0;
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
     * What {@link #inspect} found in a metrics file, and what a resumed run keeps of it.
     *
     * @param missing    there are no rows to continue: the file is missing, or empty; the run starts a new one
     * @param empty      the file is there but empty (0 bytes)
     * @param afterStep  complete rows of steps after the checkpoint's, dropped (they are computed again)
     * @param unreadable 1-based line numbers of rows that do not parse, dropped
     * @param cutOff     the last line was cut off (a killed run), dropped
     * @param duplicates rows of a step that an earlier row already has, dropped
     * @param duplicated ranges {@code [first, last]} of the steps those rows were of
     * @param gaps       ranges {@code [first, last]} of steps up to the checkpoint's that have no row
     * @param kept       the header and the rows kept, as the file is to hold them; null if {@code missing}
     */
    public record Resumed(boolean missing, boolean empty, int afterStep, List<Integer> unreadable, boolean cutOff,
                          int duplicates, List<long[]> duplicated, List<long[]> gaps, String kept) {

        /** Whether the file must be rewritten to hold only {@link #kept}. */
        public boolean changes() {
            return afterStep > 0 || !unreadable.isEmpty() || cutOff || duplicates > 0;
        }

        /** Replaces {@code file} atomically with what is kept of it, if anything is dropped. */
        public void mend(Path file) throws IOException {
            if (changes()) {
                AtomicFiles.writeString(file, kept);
            }
        }

        /** One line per finding, each saying what was found and what was done; none for a sound file. */
        public List<String> describe(Path file, long lastStep) {
            List<String> lines = new ArrayList<>();
            if (missing) {
                lines.add(file + (empty ? " is empty: starting it afresh" : " is missing: starting a new one")
                          + " at step " + (lastStep + 1)
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
            if (duplicates > 0) {
                lines.add("dropped " + (duplicates == 1 ? "1 duplicate row" : duplicates + " duplicate rows") + " of step"
                          + (duplicated.size() == 1 && duplicated.get(0)[0] == duplicated.get(0)[1] ? " " : "s ")
                          + ranges(duplicated) + " from " + file + " (each step keeps its first row)");
            }
            lines.addAll(gaps(file, lastStep));
            return lines;
        }

        /** The line about steps without a row, if there are any. */
        public List<String> gaps(Path file, long lastStep) {
            if (gaps.isEmpty()) {
                return List.of();
            }
            return List.of(file + " has no rows for steps " + ranges(gaps) + " (of 1-" + lastStep
                           + "); the run appends from step " + (lastStep + 1) + " and leaves them out");
        }

        private static String ranges(List<long[]> ranges) {
            List<String> shown = new ArrayList<>();
            for (long[] r : ranges) {
                shown.add(r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1]);
            }
            return String.join(", ", shown);
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
     * Prepares {@code file} for a run resumed after {@code lastStep}: {@link #inspect}, then {@link Resumed#mend}.
     *
     * @throws IOException if the file starts with another header (it is not this program's metrics file)
     */
    public static Resumed resumeAfter(Path file, long lastStep) throws IOException {
        return resumeAfter(file, HEADER, lastStep, true);
    }

    /** As {@link #resumeAfter(Path, long)} for a file of the given header. */
    public static Resumed resumeAfter(Path file, String header, long lastStep, boolean everyStep) throws IOException {
        Resumed r = inspect(file, header, lastStep, everyStep);
        r.mend(file);
        return r;
    }

    /**
     * What a run resumed after {@code lastStep} keeps of {@code file}, without changing it: the header and the
     * readable, complete rows of steps up to {@code lastStep}, each step once. It drops rows that a run killed
     * after its checkpoint logged (the resumed run logs them again), rows that do not parse, a cut-off last
     * line, and rows of a step that an earlier row already has. A missing or empty file has nothing to keep.
     *
     * @param everyStep whether each step should have a row (gaps are only looked for then)
     * @throws BadFileException if the file is not a regular file, or starts with another header (it is not this
     *                          program's file)
     */
    public static Resumed inspect(Path file, String header, long lastStep, boolean everyStep) throws IOException {
        if (!InputFiles.existing(file) || Files.size(file) == 0) {
            boolean empty = Files.exists(file);
            return new Resumed(true, empty, 0, List.of(), false, 0, List.of(), List.of(), null);
        }
        checkHeader(file, header);
        String content = Files.readString(file, StandardCharsets.ISO_8859_1);
        String[] lines = content.split("\n", -1);
        StringBuilder kept = new StringBuilder(header).append('\n');
        int after = 0;
        List<Integer> unreadable = new ArrayList<>();
        boolean cutOff = false;
        Set<Long> seen = new HashSet<>();
        TreeSet<Long> duplicated = new TreeSet<>();
        int duplicates = 0;
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
            } else if (!seen.add(step)) {
                duplicates++;
                duplicated.add(step);
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
        return new Resumed(false, false, after, unreadable, cutOff, duplicates, ranges(duplicated), gaps,
                kept.toString());
    }

    /** Sorted steps as ranges {@code [first, last]} of consecutive ones. */
    private static List<long[]> ranges(TreeSet<Long> steps) {
        List<long[]> ranges = new ArrayList<>();
        for (long s : steps) {
            long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[1] == s - 1) {
                last[1] = s;
            } else {
                ranges.add(new long[] {s, s});
            }
        }
        return ranges;
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
        if (found == null) {
            throw new BadFileException(file, "is empty, where a header \"" + header + "\" was expected");
        }
        if (!header.equals(found)) {
            throw new BadFileException(file, "refusing to append to it: its header is \"" + found + "\", expected \""
                    + header + "\" (not a file of this program's; move it away, and the run will start a new one)");
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
