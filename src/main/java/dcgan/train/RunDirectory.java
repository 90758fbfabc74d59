package dcgan.train;

import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;
import dcgan.io.MetricsCsv;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The output directory of one run, held for the run's life: no second run can write into it meanwhile (a
 * lock on {@value #LOCK_FILE}, which the operating system releases when the process ends, however it ends).
 * It also decides what happens to what is already there: a new run keeps an earlier run's metrics and
 * latest checkpoint under numbered names (or deletes the earlier run's files with {@code --overwrite}), a
 * resumed run continues them, and temporary files left by a killed run are removed.
 */
final class RunDirectory implements AutoCloseable {

    static final String LOCK_FILE = ".lock";
    /** The temporary files of {@link AtomicFiles}: {@code .NAME.HEX.tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.tmp");
    /** What a run writes, for --overwrite: nothing else in the directory is touched. */
    private static final Pattern RUN_OUTPUT = Pattern.compile("(metrics|quality)(\\.\\d+)?\\.csv"
            + "|(checkpoint|best)(\\.\\d+)?\\.safetensors|checkpoint-epoch-\\d+\\.safetensors|samples-epoch-\\d+\\.png"
            + "|losses\\.png|progress\\.gif|events\\.out\\.tfevents\\..*");
    /** What a new run keeps of an earlier one under numbered names (NAME.N.EXT), one N for all of them. */
    private static final List<String> KEPT = List.of(MetricsCsv.FILE_NAME, CheckpointFile.FILE_NAME, QualityLog.FILE_NAME,
            QualityLog.BEST_FILE);

    private final Path dir;
    private final PrintStream out;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunDirectory(Path dir, PrintStream out, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.out = out;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it for this run, then removes temporary files that an
     * interrupted run left (no run of ours can be writing them now).
     *
     * @throws BadFileException if {@code dir} is a file, or another run holds it
     */
    static RunDirectory open(Path dir, PrintStream out) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadFileException(dir, "is a file, not a directory: the output directory must be a directory");
        }
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = Files.readString(dir.resolve(LOCK_FILE), StandardCharsets.UTF_8).strip();
            channel.close();
            throw new BadFileException(dir, "in use by another training run (" + (holder.isEmpty() ? "starting" : holder)
                    + "); wait for it to end, or give this run another --out");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(holderDescription().getBytes(StandardCharsets.UTF_8)), 0);
        RunDirectory d = new RunDirectory(dir, out, channel, lock);
        d.removeTemporaryFiles();
        return d;
    }

    /** Who holds the lock, for the message another run prints: e.g. "pid 4242 on host1, since 2026-...". */
    private static String holderDescription() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "this machine";
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        return "pid " + pid + " on " + host + ", since " + Instant.now() + "\n";
    }

    private void removeTemporaryFiles() throws IOException {
        List<String> removed = new ArrayList<>();
        for (Path p : list()) {
            String name = p.getFileName().toString();
            if (TEMPORARY.matcher(name).matches() && Files.isRegularFile(p)) {
                long bytes = Files.size(p);
                Files.delete(p);
                removed.add(name + " (" + megabytes(bytes) + ")");
            }
        }
        if (!removed.isEmpty()) {
            out.println("removed " + removed.size() + " temporary " + (removed.size() == 1 ? "file" : "files")
                        + " that an interrupted run left in " + dir + ": " + String.join(", ", removed));
        }
    }

    private List<Path> list() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    Path dir() {
        return dir;
    }

    /** The latest checkpoint, rewritten at the end of every epoch and when the run stops. */
    Path checkpoint() {
        return dir.resolve(CheckpointFile.FILE_NAME);
    }

    /** The copy kept at the end of an epoch with {@code --keep-every}. */
    Path keptCheckpoint(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "checkpoint-epoch-%03d.safetensors", epoch));
    }

    Path samples(int epoch) {
        return dir.resolve(String.format(Locale.ROOT, "samples-epoch-%03d.png", epoch));
    }

    /**
     * Before a new (not resumed) run. With {@code overwrite} an earlier run's files are deleted. Without it,
     * its metrics.csv and checkpoint are moved to metrics.N.csv and checkpoint.N.safetensors, with the first N
     * free for both, rather than appended to (its steps would restart) or overwritten (its checkpoint may be
     * the only copy of days of training); its grids and kept checkpoints stay until this run writes over
     * them, and the run says so.
     */
    void startNewRun(boolean overwrite) throws IOException {
        if (overwrite) {
            long bytes = 0;
            int files = 0;
            for (Path p : list()) {
                if (RUN_OUTPUT.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    bytes += Files.size(p);
                    Files.delete(p);
                    files++;
                }
            }
            if (files > 0) {
                out.println("--overwrite: deleted the " + files + " files (" + megabytes(bytes) + ") of earlier runs in "
                            + dir);
            }
            return;
        }
        if (setAside(false)) {
            List<String> left = new ArrayList<>();
            for (Path p : list()) {
                String name = p.getFileName().toString();
                if (name.startsWith("samples-epoch-") || name.startsWith("checkpoint-epoch-")) {
                    left.add(name);
                }
            }
            if (!left.isEmpty()) {
                out.println("the earlier run's " + String.join(", ", left) + " stay until this run writes over them");
            }
            out.println("(--overwrite deletes an earlier run's files instead of keeping them)");
        }
    }

    /**
     * Keeps metrics.csv and checkpoint.safetensors under numbered names; returns whether there was anything.
     *
     * @param copyMetrics copy metrics.csv rather than move it: a run resumed from an earlier checkpoint
     *                    continues the first part of it
     */
    private boolean setAside(boolean copyMetrics) throws IOException {
        List<Path> present = new ArrayList<>();
        for (String name : KEPT) {
            if (Files.exists(dir.resolve(name))) {
                present.add(dir.resolve(name));
            }
        }
        if (present.isEmpty()) {
            return false;
        }
        for (int n = 1; ; n++) {
            int number = n;
            if (KEPT.stream().anyMatch(name -> Files.exists(numbered(name, number)))) {
                continue;
            }
            for (Path file : present) {
                Path kept = numbered(file.getFileName().toString(), n);
                String size = file.toString().endsWith(".safetensors") ? " (" + megabytes(Files.size(file)) + ")" : "";
                if (copyMetrics && file.getFileName().toString().endsWith(".csv")) {
                    AtomicFiles.write(kept, o -> Files.copy(file, o));
                } else {
                    Files.move(file, kept);
                }
                out.println("kept the previous run's " + file + " as " + kept + size);
            }
            return true;
        }
    }

    /** NAME.EXT as NAME.N.EXT. */
    private Path numbered(String name, int n) {
        int dot = name.lastIndexOf('.');
        return dir.resolve(name.substring(0, dot) + "." + n + name.substring(dot));
    }

    /**
     * Before a resumed run: metrics.csv keeps the rows up to the checkpoint's step, to be appended to, and
     * whatever was wrong with it is said. If the directory's latest checkpoint is at another step (the run
     * resumes from a kept copy, or from another directory), that checkpoint and the full metrics.csv are kept
     * under numbered names first.
     */
    void continueFrom(long step) throws IOException {
        if (Files.exists(checkpoint())) {
            OptionalLong latest = CheckpointFile.peekStep(checkpoint());
            if (latest.isEmpty() || latest.getAsLong() != step) {
                setAside(true);
            }
        }
        Path metrics = dir.resolve(MetricsCsv.FILE_NAME);
        MetricsCsv.Resumed found = MetricsCsv.resumeAfter(metrics, step);
        for (String line : found.describe(metrics, step)) {
            out.println(line);
        }
    }

    /** Copies the latest checkpoint to its kept name for {@code epoch}, atomically like the original. */
    Path keepCheckpoint(int epoch) throws IOException {
        Path copy = keptCheckpoint(epoch);
        AtomicFiles.write(copy, o -> Files.copy(checkpoint(), o));
        return copy;
    }

    /** Releases the directory for the next run (the lock file stays: deleting it could let two runs in). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
