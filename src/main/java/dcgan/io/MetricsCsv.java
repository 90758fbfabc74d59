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

/**
 * Appends per-step training losses to a CSV file, so a resumed run continues the same file.
 * Not thread-safe; one writer per file.
 */
public final class MetricsCsv implements AutoCloseable {

    public static final String FILE_NAME = "metrics.csv";
    public static final String HEADER = "step,epoch,D_loss,D_real_loss,D_fake_loss,G_loss";

    private final Path file;
    private final Writer writer;

    /** Opens {@code runDir/metrics.csv} for appending. */
    public static MetricsCsv open(Path runDir) throws IOException {
        return new MetricsCsv(runDir.resolve(FILE_NAME));
    }

    /**
     * Opens {@code file} for appending, creating it and its parent directories if needed and writing the
     * header if it is empty.
     *
     * @throws IOException if the file already starts with a different header
     */
    public MetricsCsv(Path file) throws IOException {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean empty = !Files.exists(file) || Files.size(file) == 0;
        boolean needsNewline = false;
        if (!empty) {
            checkHeader(file);
            needsNewline = lastByte(file) != '\n';
        }
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        if (empty) {
            writer.write(HEADER + "\n");
        } else if (needsNewline) {
            // A killed run may have left a partial last line; start a fresh one rather than glue onto it.
            writer.write('\n');
        }
    }

    public Path file() {
        return file;
    }

    /** Writes one row; losses are stored as float, with the digits needed to parse back the same float. */
    public void append(long step, int epoch, double dLoss, double dRealLoss, double dFakeLoss, double gLoss)
            throws IOException {
        writer.write(step + "," + epoch + "," + format(dLoss) + "," + format(dRealLoss) + ","
                + format(dFakeLoss) + "," + format(gLoss) + "\n");
    }

    public void flush() throws IOException {
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /**
     * Prepares {@code file} for a run resumed after {@code lastStep}: keeps the header and the complete rows
     * of steps up to {@code lastStep}, and drops the rest, which the run killed after its checkpoint logged
     * and the resumed run will log again. The file is replaced atomically, and only if something is dropped.
     *
     * @return the number of rows dropped (a cut-off last line counts as one)
     */
    public static int keepStepsUpTo(Path file, long lastStep) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        checkHeader(file);
        String content = Files.readString(file, StandardCharsets.ISO_8859_1);
        String[] lines = content.split("\n", -1);
        StringBuilder kept = new StringBuilder(HEADER).append('\n');
        int dropped = 0;
        // The last element follows the final newline: empty for a complete file, else a cut-off row.
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            boolean complete = i < lines.length - 1;
            if (line.isEmpty() && !complete) {
                continue;
            }
            if (complete && stepOf(line) <= lastStep) {
                kept.append(line).append('\n');
            } else {
                dropped++;
            }
        }
        if (dropped > 0) {
            AtomicFiles.writeString(file, kept.toString());
        }
        return dropped;
    }

    /** The step in a row's first column; Long.MAX_VALUE for a row that has none, so it is dropped. */
    private static long stepOf(String row) {
        int comma = row.indexOf(',');
        try {
            return comma < 0 ? Long.MAX_VALUE : Long.parseLong(row.substring(0, comma));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Float.toString is locale independent and round-trips; it writes NaN and Infinity as CSV readers expect. */
    private static String format(double value) {
        return Float.toString((float) value);
    }

    private static void checkHeader(Path file) throws IOException {
        String found;
        // Latin-1 decodes any byte, so a corrupt file is reported as a header mismatch, not a charset error.
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            found = reader.readLine();
        }
        if (!HEADER.equals(found)) {
            throw new IOException("refusing to append to " + file + ": its header is \"" + found
                    + "\", expected \"" + HEADER + "\"");
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
