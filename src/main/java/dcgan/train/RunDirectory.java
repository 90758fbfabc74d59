package dcgan.train;

import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;
import dcgan.io.EventFileWriter;
import dcgan.io.MetricsCsv;
import dcgan.io.InputFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The output directory of one run, held for the run's life: no second run can write into it meanwhile (a
 * lock on {@value #LOCK_FILE}, which the operating system releases when the process ends, however it ends).
 *
 * <p>It also decides what happens to what is already there, in two stages. {@link #prepareNewRun} and
 * {@link #prepareResume} check everything and only decide: a new run will keep an earlier run's metrics and
 * latest checkpoint under numbered names (or delete the earlier run's files with {@code --overwrite}), a
 * resumed run will mend and continue them, or start them from its checkpoint's own history in another
 * directory. {@link #start} does it, when the run's first step is done. A run that stops or fails before
 * then leaves the directory as it was: the directories and the lock file it made for itself are removed
 * again, also when the process is ended by a signal in the meantime.
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
    /** A lock file that another run deleted (see {@link #undo}) between our opening and locking it: try again. */
    private static final int LOCK_ATTEMPTS = 5;

    /** Where the directory is in its life: checked only (OPEN), claimed for writing, changed, or given up. */
    private enum State { OPEN, CLAIMED, STARTED, ABANDONED }

    /** A change to the directory that {@link #prepareNewRun} or {@link #prepareResume} decided on. */
    @FunctionalInterface
    private interface Change {
        void make() throws IOException;
    }

    private final Path dir;
    private final PrintStream out;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<Path> made;
    private final boolean madeLockFile;
    private final Thread undoOnExit;
    private final List<Change> changes = new ArrayList<>();
    private State state = State.OPEN;

    private RunDirectory(Path dir, PrintStream out, FileChannel lockChannel, FileLock lock, List<Path> made,
                         boolean madeLockFile) {
        this.dir = dir;
        this.out = out;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.made = made;
        this.madeLockFile = madeLockFile;
        // A signal before the run starts writing ends the process at once (dcgan.cli.InterruptHandler): what this
        // run made for itself goes with it.
        this.undoOnExit = made.isEmpty() && !madeLockFile ? null : new Thread(this::abandon, "dcgan-undo-run-directory");
        if (undoOnExit != null) {
            Runtime.getRuntime().addShutdownHook(undoOnExit);
        }
    }

    /**
     * Creates the directory if needed and locks it for this run. Nothing else in it is touched yet.
     *
     * @throws BadFileException if {@code dir} cannot be made or written (naming the path and the problem), is a
     *                          file, or another run holds it
     */
    static RunDirectory open(Path dir, PrintStream out) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadFileException(dir, "is a file, not a directory: the output directory must be a directory");
        }
        List<Path> made = createDirectories(dir);
        try {
            for (int attempt = 1; attempt <= LOCK_ATTEMPTS; attempt++) {
                RunDirectory d = lock(dir, out, made);
                if (d != null) {
                    return d;
                }
            }
            throw new BadFileException(dir, "its lock file " + LOCK_FILE + " keeps being replaced; is another run "
                    + "starting there?");
        } catch (IOException | RuntimeException e) {
            deleteQuietly(made);
            throw e;
        }
    }

    /** Locks {@link #LOCK_FILE} and writes who holds it; null if another run removed the file meanwhile. */
    private static RunDirectory lock(Path dir, PrintStream out, List<Path> made) throws IOException {
        Path file = dir.resolve(LOCK_FILE);
        if (!InputFiles.existing(file) && Files.isSymbolicLink(file)) {
            throw new BadFileException(file, "is a symbolic link to nothing, not a lock file");
        }
        // Which file the name stands for, before it is opened (or once this run has made it): see below.
        Object key = fileKey(file);
        FileChannel channel;
        boolean created;
        try {
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                created = true;
                key = fileKey(file);
            } catch (FileAlreadyExistsException e) {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                created = false;
            }
        } catch (IOException e) {
            throw cannotWrite(dir, "creating its lock file " + LOCK_FILE, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        } catch (IOException e) {
            channel.close();
            throw cannotWrite(dir, "locking its lock file " + LOCK_FILE, e);
        }
        if (lock == null) {
            channel.close();
            throw new BadFileException(dir, "in use by another training run (" + holder(file)
                    + "); wait for it to end, or give this run another --out");
        }
        // A run that gives the directory up deletes the lock file it made while it holds the lock (see undo): a
        // lock taken after that is on a file that no longer has the name, and must be taken again. (The name is
        // compared, not read: closing any other descriptor of the file would release this process's lock.)
        if (key == null || !key.equals(fileKey(file))) {
            lock.release();
            channel.close();
            return null;
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(holderDescription().getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException e) {
            if (created) {
                Files.deleteIfExists(file);
            }
            lock.release();
            channel.close();
            throw cannotWrite(dir, "writing its lock file " + LOCK_FILE, e);
        }
        return new RunDirectory(dir, out, channel, lock, made, created);
    }

    /** The identity of the file a name stands for (device and inode), or null if there is none. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** Who holds a lock, as its file says; "starting" while it has not said yet. */
    private static String holder(Path file) {
        String holder = readQuietly(file).strip();
        return holder.isEmpty() ? "starting" : holder;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static BadFileException cannotWrite(Path dir, String what, IOException e) {
        return new BadFileException(dir, "cannot write in this output directory: " + what + " failed (" + reason(e) + ")",
                e);
    }

    /**
     * Makes the directories of {@code dir} that do not exist, as the file system resolves its path: a ".." after
     * a directory that does not exist is refused rather than followed. Returns those made, outermost first.
     */
    private static List<Path> createDirectories(Path dir) throws BadFileException {
        Path absolute = dir.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            if (p.getFileName() != null && p.getFileName().toString().equals("..")) {
                throw new BadFileException(dir, "cannot create the output directory: " + p.getParent() + " does not "
                        + "exist, and '..' after it cannot be followed (create it, or give the path without '..')");
            }
        }
        List<Path> made = new ArrayList<>();
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                made.add(p);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p)) {
                    deleteQuietly(made);
                    throw new BadFileException(dir, "cannot create the output directory: " + p + " is a file");
                }
            } catch (IOException e) {
                deleteQuietly(made);
                String where = p.equals(absolute) ? "" : " (at " + p + ")";
                String why = e instanceof NoSuchFileException ? "its file system does not allow it (" + reason(e) + ")"
                        : reason(e);
                throw new BadFileException(dir, "cannot create the output directory" + where + ": " + why, e);
            }
        }
        return made;
    }

    /** What went wrong, in the file system's words: "permission denied", "No space left on device", .... */
    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Deletes what this run made, innermost first, as far as it can. */
    private static void deleteQuietly(List<Path> paths) {
        for (int i = paths.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(paths.get(i));
            } catch (IOException e) {
                return; // not empty after all: what is outside it stays too
            }
        }
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
        return list(dir);
    }

    private static List<Path> list(Path dir) throws IOException {
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
     * The files a run writes that are in the directory now, each checked to be a regular file: a directory or a
     * named pipe of such a name would stop or block the run, so it is refused by name first.
     */
    private List<Path> runFiles() throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path p : list()) {
            if (RUN_OUTPUT.matcher(p.getFileName().toString()).matches()) {
                try {
                    InputFiles.existing(p);
                } catch (BadFileException e) {
                    throw new BadFileException(p, e.problem() + "; move it away, and the run will write a new one");
                }
                found.add(p);
            }
        }
        return found;
    }

    /**
     * Decides what a new (not resumed) run does to an earlier run's files, for {@link #start}. With
     * {@code overwrite} they will be deleted. Without it, metrics.csv, quality.csv and the checkpoints will be
     * moved to numbered names (metrics.N.csv, with the first N free for all), rather than appended to (its steps
     * would restart) or overwritten (its checkpoint may be the only copy of days of training); its grids and kept
     * checkpoints stay until this run writes over them, and the run says so.
     */
    void prepareNewRun(boolean overwrite) throws IOException {
        List<Path> earlier = runFiles();
        if (overwrite) {
            changes.add(() -> delete(earlier));
        } else {
            changes.add(this::keepEarlierRun);
        }
    }

    private void delete(List<Path> files) throws IOException {
        long bytes = 0;
        int deleted = 0;
        for (Path p : files) {
            long size = Files.isRegularFile(p) ? Files.size(p) : 0;
            if (Files.deleteIfExists(p)) {
                bytes += size;
                deleted++;
            }
        }
        if (deleted > 0) {
            out.println("--overwrite: deleted the " + deleted + " files (" + megabytes(bytes) + ") of earlier runs in "
                        + dir);
        }
    }

    private void keepEarlierRun() throws IOException {
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
     * Decides what a run resumed from {@code c} does to the files here, for {@link #start}, after checking them.
     *
     * <p>In the checkpoint's own directory, metrics.csv (and quality.csv when {@code quality} is measured) will
     * keep the rows up to the checkpoint's step, each step once, to be appended to, and whatever was wrong with
     * them is said; if the latest checkpoint here is at another step (the run resumes from a kept copy), it and
     * the full metrics.csv are kept under numbered names first.
     *
     * <p>In another directory, the run's logs start from the checkpoint's own history: its directory's
     * metrics.csv and quality.csv up to its step, best.safetensors if it is from no later, the grids of the
     * epochs it finished and the TensorBoard event files are copied. That directory must then hold no run's
     * files: two runs' would mix.
     *
     * @throws BadFileException if a file is not a regular file, a log has another header, or this directory
     *                          holds another run
     */
    void prepareResume(Checkpoint c, boolean quality) throws IOException {
        long step = c.state().step();
        List<Path> present = runFiles();
        Path source = c.settings().outDir();
        if (Files.isDirectory(source) && Files.isSameFile(source, dir)) {
            boolean keepNewer = false;
            if (InputFiles.existing(checkpoint())) {
                OptionalLong latest = CheckpointFile.peekStep(checkpoint());
                keepNewer = latest.isEmpty() || latest.getAsLong() != step;
            }
            Path metrics = dir.resolve(MetricsCsv.FILE_NAME);
            MetricsCsv.Resumed m = MetricsCsv.inspect(metrics, MetricsCsv.HEADER, step, true);
            Path qualityFile = dir.resolve(QualityLog.FILE_NAME);
            MetricsCsv.Resumed q = quality ? MetricsCsv.inspect(qualityFile, QualityLog.HEADER, step, false) : null;
            boolean keepLatest = keepNewer;
            changes.add(() -> {
                if (keepLatest) {
                    setAside(true);
                }
                mend(metrics, m, step);
                if (q != null && !q.missing()) { // a run that never measured has no file to continue
                    mend(qualityFile, q, step);
                }
            });
            return;
        }
        if (!present.isEmpty()) {
            // The files that make a run first (metrics.csv, checkpoint.safetensors, ...), then the others.
            List<String> names = present.stream().map(p -> p.getFileName().toString())
                    .sorted(Comparator.comparingInt((String n) -> KEPT.contains(n) ? KEPT.indexOf(n) : KEPT.size()))
                    .limit(2).toList();
            throw new BadFileException(dir, "holds the files of another run (" + String.join(", ", names)
                    + (present.size() > 2 ? ", ..." : "") + "); the run resumed from the checkpoint in " + source
                    + " would mix with them: give an --out that holds no run's files, or move them away");
        }
        changes.add(history(c, source));
    }

    private void mend(Path file, MetricsCsv.Resumed found, long step) throws IOException {
        found.mend(file);
        for (String line : found.describe(file, step)) {
            out.println(line);
        }
    }

    /** Copying the checkpoint's history from its directory {@code source}; everything is read and checked now. */
    private Change history(Checkpoint c, Path source) throws IOException {
        long step = c.state().step();
        List<String> copied = new ArrayList<>();
        List<Change> copies = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String[] log : new String[][] {{MetricsCsv.FILE_NAME, MetricsCsv.HEADER}, {QualityLog.FILE_NAME, QualityLog.HEADER}}) {
            Path from = source.resolve(log[0]);
            MetricsCsv.Resumed kept = Files.isDirectory(source)
                    ? MetricsCsv.inspect(from, log[1], step, log[0].equals(MetricsCsv.FILE_NAME)) : null;
            if (kept == null || kept.missing()) {
                if (log[0].equals(MetricsCsv.FILE_NAME)) {
                    notes.add(from + " is missing or empty: " + dir.resolve(log[0]) + " starts at step " + (step + 1));
                }
                continue;
            }
            Path to = dir.resolve(log[0]);
            copies.add(() -> AtomicFiles.writeString(to, kept.kept()));
            copied.add(log[0]);
            notes.addAll(kept.gaps(from, step));
        }
        if (!Files.isDirectory(source)) {
            return () -> notes.forEach(out::println);
        }
        Path best = source.resolve(QualityLog.BEST_FILE);
        if (InputFiles.existing(best) && CheckpointFile.peekStep(best).orElse(Long.MAX_VALUE) <= step) {
            copies.add(() -> copy(best));
            copied.add(best.getFileName().toString());
        }
        long finishedEpochs = step / c.stepsPerEpoch();
        int events = 0;
        for (Path p : list(source)) {
            String name = p.getFileName().toString();
            boolean grid = name.matches("samples-epoch-\\d+\\.png")
                           && Integer.parseInt(name.replaceAll("\\D", "")) <= finishedEpochs;
            boolean event = name.startsWith(EventFileWriter.FILE_PREFIX);
            if ((grid || event) && Files.isRegularFile(p)) {
                copies.add(() -> copy(p));
                if (grid) {
                    copied.add(name);
                } else {
                    events++;
                }
            }
        }
        if (events > 0) {
            copied.add(events == 1 ? "1 event file" : events + " event files");
        }
        return () -> {
            for (Change copy : copies) {
                copy.make();
            }
            if (!copied.isEmpty()) {
                out.println("started " + dir + " from the history of the run in " + source + ", up to step " + step + ": "
                            + String.join(", ", copied));
            }
            notes.forEach(out::println);
        };
    }

    private void copy(Path file) throws IOException {
        AtomicFiles.write(dir.resolve(file.getFileName().toString()), o -> Files.copy(file, o));
    }

    /**
     * Called once the run's first step is done, before it is logged: claims the directory for the run, so that
     * from now on it is not given up when the process ends. False if it was already given up (the process is
     * ending).
     */
    synchronized boolean claim() {
        if (state != State.OPEN) {
            return false;
        }
        state = State.CLAIMED;
        return true;
    }

    /**
     * Makes the changes that {@link #prepareNewRun} or {@link #prepareResume} decided on, and removes the
     * temporary files that an interrupted run left (no run of ours can be writing them now): the first changes
     * the run makes to the directory.
     */
    void start() throws IOException {
        synchronized (this) {
            if (state != State.CLAIMED) {
                throw new IllegalStateException("the output directory was not claimed: " + state);
            }
            state = State.STARTED;
        }
        removeTemporaryFiles();
        for (Change change : changes) {
            change.make();
        }
    }

    /** When the process ends before the run started writing: removes what the run made for itself. */
    private synchronized void abandon() {
        if (state == State.OPEN) {
            state = State.ABANDONED;
            undo();
        }
    }

    /** Deletes the lock file and the directories that this run made, while the lock is still held. */
    private void undo() {
        if (madeLockFile) {
            try {
                Files.deleteIfExists(dir.resolve(LOCK_FILE));
            } catch (IOException e) {
                return;
            }
        }
        deleteQuietly(made);
    }

    /**
     * Copies the latest checkpoint to its kept name for {@code epoch}, atomically like the original.
     */
    Path keepCheckpoint(int epoch) throws IOException {
        Path copy = keptCheckpoint(epoch);
        AtomicFiles.write(copy, o -> Files.copy(checkpoint(), o));
        return copy;
    }

    /**
     * Releases the directory for the next run. A run that never started writing leaves it as it found it: the
     * lock file and directories it made go. Otherwise the lock file stays: deleting it could let two runs in.
     */
    @Override
    public void close() throws IOException {
        try {
            synchronized (this) {
                if (state == State.OPEN || state == State.CLAIMED) {
                    state = State.ABANDONED;
                    undo();
                }
            }
            if (undoOnExit != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(undoOnExit);
                } catch (IllegalStateException e) {
                    // The process is ending: the hook has run, or runs now, and finds nothing left to do.
                }
            }
        } finally {
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
        }
    }
}
